"""Opening the graph store that the settings name."""

from pathlib import Path

from groundgraph.graph.base import GraphStore
from groundgraph.graph.settings import GraphSettings
from groundgraph.graph.store_sqlite import SqliteGraphStore

SQLITE_FILE = "graph.sqlite"


def open_graph_store(settings: GraphSettings, directory: Path) -> GraphStore:
    """The configured backend; the embedded one lives in `directory`."""
    return SqliteGraphStore(directory / SQLITE_FILE)
