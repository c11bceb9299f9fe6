"""Opening the graph store that the settings name."""

from pathlib import Path

from groundgraph.graph.base import GraphStore
from groundgraph.graph.settings import GraphSettings, Neo4jSettings
from groundgraph.graph.store_sqlite import SqliteGraphStore

SQLITE_FILE = "graph.sqlite"


def store_exists(settings: GraphSettings, directory: Path) -> bool:
    """Whether a store was made at `directory`: its graph file for the embedded backend; for
    Neo4j, whose graph is on the server, the directory of its vector indexes."""
    if settings.backend == "neo4j":
        return directory.is_dir()
    return (directory / SQLITE_FILE).is_file()


def open_graph_store(settings: GraphSettings, neo4j: Neo4jSettings, directory: Path) -> GraphStore:
    """The configured backend; the embedded one lives in `directory`."""
    if settings.backend == "neo4j":
        # Imported here: the driver takes a third of a second to import, and the embedded
        # store (the default) never needs it.
        from groundgraph.graph.store_neo4j import Neo4jGraphStore

        return Neo4jGraphStore(neo4j)
    return embedded_store(directory)


def embedded_store(directory: Path) -> SqliteGraphStore:
    """The embedded store in `directory`, whatever the settings say: the staged copy of a
    Neo4j store's graph is one (`staged_neo4j.py`)."""
    return SqliteGraphStore(directory / SQLITE_FILE)
