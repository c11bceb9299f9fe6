"""The PageRank snapshot is reused while the graph is unchanged and rebuilt after a write."""

from pathlib import Path

from tests.conftest import open_store


def test_snapshot_is_rebuilt_only_after_the_graph_changes(
    tmp_path: Path, small_corpus: Path
) -> None:
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([small_corpus])
        snapshot = gg.retriever.snapshot
        first = snapshot.current()
        assert snapshot.current() is first and snapshot.rebuilds == 1
        gg.retrieve("Who discovered polonium?")
        assert snapshot.rebuilds == 1

        (small_corpus / "ulm.txt").write_text("Albert Einstein was born in Ulm in Germany.")
        gg.ingest([small_corpus])
        rebuilt = snapshot.current()
        assert rebuilt is not first and snapshot.rebuilds == 2
        assert len(rebuilt.chunks) > len(first.chunks)
        assert any(gg.store.entities([e])[0].name == "Ulm" for e in rebuilt.entities)


def test_a_write_that_adds_no_entity_name_reuses_the_synonym_edges(
    tmp_path: Path, small_corpus: Path
) -> None:
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([small_corpus])
        snapshot = gg.retriever.snapshot
        snapshot.current()
        (small_corpus / "Poland.txt").write_text("Warsaw is the capital of Poland.")
        gg.ingest([small_corpus])
        snapshot.current()
        assert (snapshot.rebuilds, snapshot.synonym_searches) == (2, 1)
        (small_corpus / "ulm.txt").write_text("Albert Einstein was born in Ulm in Germany.")
        gg.ingest([small_corpus])
        snapshot.current()
        assert (snapshot.rebuilds, snapshot.synonym_searches) == (3, 2)
