"""At float32, short texts embed exactly as chunks do (the shared behaviour of every embedder
is in test_contracts.py)."""

import numpy as np

from groundgraph.retrieval.embedder import SentenceTransformerEmbedder

TEXTS = [
    "Who directed the film Heat?",
    "Johann Sebastian Bach",
    "Where was the discoverer of polonium born?",
]
MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def test_float32_short_texts_are_the_chunk_embeddings() -> None:
    embedder = SentenceTransformerEmbedder(MODEL, short_text_precision="float32")
    assert embedder.short_model_dtype == "float32"
    assert np.array_equal(embedder.embed_short(TEXTS), embedder.embed(TEXTS))
    assert embedder.embed_short([]).shape == (0, embedder.dimension)
