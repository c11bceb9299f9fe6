"""groundgraph.retrieval"""
