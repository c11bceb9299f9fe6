"""At float32, short texts embed exactly as chunks do (the shared behaviour of every embedder
is in test_contracts.py)."""

import numpy as np

from groundgraph.retrieval.embedding.sentence_transformer import SentenceTransformerEmbedder

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


def test_bfloat16_chunk_vectors_stay_close_to_float32() -> None:
    full = SentenceTransformerEmbedder(MODEL, short_text_precision="float32")
    half = SentenceTransformerEmbedder(MODEL, short_text_precision="float32", precision="bfloat16")
    cosines = np.sum(full.embed(TEXTS) * half.embed(TEXTS), axis=1)
    assert cosines.min() > 0.99 and not np.array_equal(full.embed(TEXTS), half.embed(TEXTS))
