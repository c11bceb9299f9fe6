"""A Neo4j store's refresh is staged in an embedded copy and reaches Neo4j only when it is
published, in one transaction; the copy starts from what Neo4j holds."""

from pathlib import Path

from groundgraph import GroundGraph, Settings
from groundgraph.graph.settings import Neo4jSettings
from groundgraph.staged_neo4j import PUBLISHED_DIR, VERSION_FILE
from groundgraph.staged_store import open_staged, publish_staged
from tests.conftest import copy_small_corpus, wipe_neo4j


def test_a_staged_refresh_reaches_neo4j_when_published_and_starts_from_what_neo4j_holds(
    tmp_path: Path, neo4j_server: Neo4jSettings
) -> None:
    wipe_neo4j(neo4j_server)
    corpus = copy_small_corpus(tmp_path)
    settings = Settings.load(
        store=tmp_path / "kg", graph={"backend": "neo4j"}, neo4j=neo4j_server.model_dump()
    )
    with GroundGraph.open(settings) as gg:
        assert gg.ingest([corpus]).ok
        uri = {Path(d.uri).name: d for d in gg.store.documents()}
        staged = open_staged(gg.parts, "run-1")
        assert staged.store.stats() == gg.store.stats()  # read out of Neo4j
        staged.store.delete_documents([uri["polonium.md"].id])
        assert gg.store.stats().documents == 5  # Neo4j's readers do not see the staged write

        version = publish_staged(gg.parts, staged)
        assert version == gg.store.version()
        assert sorted(Path(d.uri).name for d in gg.store.documents()) == [
            "marie_curie.md",
            "pierre_curie.md",
            "poland.md",
            "warsaw.md",
        ]
        kept = tmp_path / "kg" / PUBLISHED_DIR
        assert (kept / VERSION_FILE).read_text() == str(version)

        nothing = open_staged(gg.parts, "run-2")  # from the kept copy; publishes no change
        assert nothing.store.stats() == gg.store.stats()
        assert publish_staged(gg.parts, nothing) == version

        assert gg.delete(uri["warsaw.md"].uri)  # another writer, in place
        staged = open_staged(gg.parts, "run-3")
        assert staged.store.stats().documents == 3  # Neo4j read afresh, not the kept copy
        staged.close()
