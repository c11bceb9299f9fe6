"""groundgraph.ingest"""
