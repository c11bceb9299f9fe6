"""Opening the graph store that the settings name."""

from pathlib import Path

from groundgraph.graph.base import GraphStore
from groundgraph.graph.settings import GraphSettings, Neo4jSettings
from groundgraph.graph.store_sqlite import SqliteGraphStore

SQLITE_FILE = "graph.sqlite"


def open_graph_store(settings: GraphSettings, neo4j: Neo4jSettings, directory: Path) -> GraphStore:
    """The configured backend; the embedded one lives in `directory`."""
    if settings.backend == "neo4j":
        # Imported here: the driver takes a third of a second to import, and the embedded
        # store (the default) never needs it.
        from groundgraph.graph.store_neo4j import Neo4jGraphStore

        return Neo4jGraphStore(neo4j)
    return SqliteGraphStore(directory / SQLITE_FILE)
