"""Short texts may embed at lower precision, but into the same space as chunks."""

import numpy as np

from groundgraph.retrieval.embedder import SentenceTransformerEmbedder

TEXTS = [
    "Who directed the film Heat?",
    "Johann Sebastian Bach",
    "Where was the discoverer of polonium born?",
]
MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def test_bfloat16_short_texts_land_next_to_their_float32_vectors() -> None:
    embedder = SentenceTransformerEmbedder(MODEL, short_text_precision="bfloat16")
    full, short = embedder.embed(TEXTS), embedder.embed_short(TEXTS)
    assert short.dtype == np.float32 and short.shape == full.shape
    assert np.allclose(np.linalg.norm(short, axis=1), 1.0, atol=1e-5)
    cosines = (full * short).sum(axis=1)
    assert cosines.min() > 0.99
    # Still far closer to its own text than to any other.
    assert ((short @ full.T).argmax(axis=1) == np.arange(len(TEXTS))).all()


def test_float32_short_texts_are_the_chunk_embeddings() -> None:
    embedder = SentenceTransformerEmbedder(MODEL, short_text_precision="float32")
    assert np.array_equal(embedder.embed_short(TEXTS), embedder.embed(TEXTS))
    assert embedder.embed_short([]).shape == (0, embedder.dimension)
