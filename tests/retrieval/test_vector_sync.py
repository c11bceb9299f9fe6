"""The vector stage diffs chunk ids, and reads the texts of the chunks it must embed only."""

from pathlib import Path

from groundgraph.graph.model import Chunk
from tests.conftest import open_store


class _Counting:
    """A store that remembers which chunks' texts were read."""

    def __init__(self, store: object) -> None:
        self._store = store
        self.read: list[str] = []

    def chunks(self, ids: list[str] | None = None, doc_id: str | None = None) -> list[Chunk]:
        self.read.append("all" if ids is None and doc_id is None else ",".join(ids or ()))
        return self._store.chunks(ids, doc_id)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_a_sync_without_change_reads_no_chunk_text(small_corpus: Path, tmp_path: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        assert gg.ingest([small_corpus]).ok
        counting = _Counting(gg.store)
        report = gg.vectors.sync(counting)
        assert not report.changed and counting.read == []


def test_a_sync_embeds_and_reads_only_the_new_chunks(small_corpus: Path, tmp_path: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        assert gg.ingest([small_corpus]).ok
        before = gg.store.chunk_ids()
        dropped = sorted(before)[:2]
        gg.vectors.chunks.remove(dropped)  # as if two chunks had been written but not embedded
        counting = _Counting(gg.store)
        report = gg.vectors.sync(counting)
        assert (report.chunks_added, report.chunks_removed) == (2, 0)
        assert counting.read == [",".join(dropped)]
        assert gg.vectors.chunks.keys() == before
