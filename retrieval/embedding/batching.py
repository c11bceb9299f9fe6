"""An embedder that lets concurrent callers share forward passes.

A server answering twenty questions at once would otherwise run twenty forward passes of one
question each, one after another on the same cores. `BatchingEmbedder` queues what callers
ask for; one worker thread takes everything that arrives within `window` seconds of the first
request (up to `max_batch` texts), embeds it in one pass and hands each caller its rows. On a
CPU a pass over 16 short texts costs little more than a pass over one, so throughput grows
with load instead of queueing.
"""

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from groundgraph.retrieval.base import Embedder


@dataclass
class _Request:
    texts: Sequence[str]
    result: Future = field(default_factory=Future)


@dataclass
class BatchStats:
    """How much sharing the worker did: passes run and texts embedded."""

    passes: int = 0
    texts: int = 0
    requests: int = 0


class _Lane:
    """One queue and worker for one embedding function (full or short-text precision)."""

    def __init__(
        self, embed: Callable[[Sequence[str]], np.ndarray], window: float, max_batch: int
    ) -> None:
        self.embed = embed
        self.window = window
        self.max_batch = max_batch
        self.stats = BatchStats()
        self._queue: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._worker = threading.Thread(target=self._run, name="embed-batches", daemon=True)
        self._worker.start()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.embed([])
        request = _Request(list(texts))
        self._queue.put(request)
        return request.result.result()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            size = len(batch[0].texts)
            while size < self.max_batch:
                try:
                    request = self._queue.get(timeout=self.window)
                except queue.Empty:
                    break
                batch.append(request)
                size += len(request.texts)
            self._embed(batch)

    def _embed(self, batch: list[_Request]) -> None:
        texts = [t for request in batch for t in request.texts]
        try:
            vectors = self.embed(texts)
        except Exception as e:  # handed to every caller, who re-raises it
            for request in batch:
                request.result.set_exception(e)
            return
        self.stats.passes += 1
        self.stats.texts += len(texts)
        self.stats.requests += len(batch)
        start = 0
        for request in batch:
            request.result.set_result(vectors[start : start + len(request.texts)])
            start += len(request.texts)


class BatchingEmbedder:
    """An `Embedder` over another one that merges concurrent calls into shared passes.

    Args:
        inner: the embedder that runs the passes.
        window: seconds the worker waits for more requests after the first (a few ms: what a
            lone caller pays in latency).
        max_batch: texts per pass at most.
    """

    def __init__(self, inner: Embedder, window: float = 0.005, max_batch: int = 64) -> None:
        self.inner = inner
        self.name = inner.name
        self._full = _Lane(inner.embed, window, max_batch)
        self._short = _Lane(inner.embed_short, window, max_batch)

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def variant(self) -> str:
        return self.inner.variant

    @property
    def short_variant(self) -> str:
        return self.inner.short_variant

    @property
    def stats(self) -> BatchStats:
        """Passes and texts over both lanes."""
        full, short = self._full.stats, self._short.stats
        return BatchStats(
            full.passes + short.passes, full.texts + short.texts, full.requests + short.requests
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._full(texts)

    def embed_short(self, texts: Sequence[str]) -> np.ndarray:
        return self._short(texts)
