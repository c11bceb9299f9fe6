"""The store every contract test runs against: the embedded SQLite store, then Neo4j."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from groundgraph.graph.base import GraphStore
from groundgraph.graph.settings import Neo4jSettings
from groundgraph.graph.store_neo4j import Neo4jGraphStore
from groundgraph.graph.store_sqlite import SqliteGraphStore
from tests.conftest import wipe_neo4j


@pytest.fixture(params=["sqlite", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "neo4j":
        settings = request.getfixturevalue("neo4j_server")
        wipe_neo4j(settings)
        opened: GraphStore = Neo4jGraphStore(settings)
    else:
        opened = SqliteGraphStore(tmp_path / "graph.sqlite")
    yield opened
    opened.close()


@pytest.fixture
def neo4j_store(neo4j_server: Neo4jSettings) -> Iterator[Neo4jGraphStore]:
    """The Neo4j store alone, emptied for this test."""
    wipe_neo4j(neo4j_server)
    opened = Neo4jGraphStore(neo4j_server)
    yield opened
    opened.close()
