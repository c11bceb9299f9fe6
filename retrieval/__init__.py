"""Embedder, vector indexes, retrievers and generators: from a question to a cited answer."""
