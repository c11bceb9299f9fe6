"""groundgraph.graph"""
