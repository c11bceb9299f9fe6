"""An answer computed on a worker thread while its draft streams to the client.

The event loop must not wait on a model: the work runs on a thread and hands each piece it
writes to the loop, where a response generator awaits them one by one.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

from groundgraph.retrieval.base import TokenSink

T = TypeVar("T")


class DraftStream(Generic[T]):
    """`work(sink)` started on a worker thread; `pieces()` yields what it passes to the sink
    (nothing when `drafts` is False: it gets no sink), then `result()` is its return value.

    Create it inside the event loop (a response generator).
    """

    def __init__(self, work: Callable[[TokenSink | None], T], drafts: bool = True) -> None:
        loop = asyncio.get_running_loop()
        self._pieces: asyncio.Queue[str | None] = asyncio.Queue()

        def sink(piece: str) -> None:
            loop.call_soon_threadsafe(self._pieces.put_nowait, piece)

        async def run() -> T:
            try:
                return await asyncio.to_thread(work, sink if drafts else None)
            finally:
                self._pieces.put_nowait(None)

        self._task = asyncio.create_task(run())

    async def pieces(self) -> AsyncIterator[str]:
        while (piece := await self._pieces.get()) is not None:
            yield piece

    async def result(self) -> T:
        """The work's return value; raises what it raised."""
        return await self._task
