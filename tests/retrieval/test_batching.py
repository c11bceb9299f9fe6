"""Concurrent callers of the batching embedder share forward passes and get their own rows."""

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from groundgraph.retrieval.embedding.batching import BatchingEmbedder


class CountingEmbedder:
    """Vectors that encode each text's length, and a count of the passes asked for."""

    name = "counting"
    dimension = 2

    def __init__(self, fail_on: str | None = None) -> None:
        self.passes: list[int] = []
        self.fail_on = fail_on
        self.gate = threading.Event()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.gate.wait(5)
        if self.fail_on in texts:
            raise RuntimeError(f"cannot embed {self.fail_on!r}")
        self.passes.append(len(texts))
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    embed_short = embed


def ask_together(embedder: BatchingEmbedder, inner: CountingEmbedder, texts: list[str]) -> dict:
    got: dict[str, object] = {}

    def one(text: str) -> None:
        try:
            got[text] = embedder.embed_short([text])
        except RuntimeError as e:
            got[text] = e

    threads = [threading.Thread(target=one, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    # Hold the first pass until every caller has queued, as a busy server would.
    threading.Timer(0.2, inner.gate.set).start()
    for thread in threads:
        thread.join(10)
    return got


def test_concurrent_questions_share_passes_and_get_their_own_vectors() -> None:
    inner = CountingEmbedder()
    embedder = BatchingEmbedder(inner, window=0.05, max_batch=64)
    texts = [f"question {'x' * n}" for n in range(12)]
    got = ask_together(embedder, inner, texts)
    for text in texts:
        assert got[text].tolist() == [[len(text), 1.0]]
    assert sum(inner.passes) == 12 and len(inner.passes) < 12
    assert embedder.stats.requests == 12 and embedder.stats.passes == len(inner.passes)


def test_a_batch_never_passes_max_batch() -> None:
    inner = CountingEmbedder()
    embedder = BatchingEmbedder(inner, window=0.05, max_batch=4)
    ask_together(embedder, inner, [f"q{n}" for n in range(10)])
    assert max(inner.passes) <= 4 and sum(inner.passes) == 10


def test_a_failed_pass_fails_every_caller_in_it_and_the_next_pass_works() -> None:
    inner = CountingEmbedder(fail_on="poison")
    embedder = BatchingEmbedder(inner, window=0.05)
    got = ask_together(embedder, inner, ["poison", "fine"])
    assert any(isinstance(v, RuntimeError) for v in got.values())
    assert embedder.embed(["after"]).tolist() == [[5.0, 1.0]]
    with pytest.raises(RuntimeError, match="poison"):
        embedder.embed(["poison"])
