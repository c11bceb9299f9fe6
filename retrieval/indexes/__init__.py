"""Vector indexes: a FAISS index keyed by string ids, and the store's chunk and entity
indexes kept in step with the graph."""
