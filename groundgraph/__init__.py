"""groundgraph: a knowledge graph and vector index of your documents, answering with citations.

    from groundgraph import GroundGraph
    gg = GroundGraph.open("./kg")
    gg.ingest(["docs/"])
    print(gg.ask("Who discovered polonium?").text)

The facade is imported lazily, so `import groundgraph.graph` stays light and does not load
spaCy or torch.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from groundgraph.facade import GroundGraph
    from groundgraph.settings import Settings

__all__ = ["GroundGraph", "Settings"]


def __getattr__(name: str) -> Any:
    if name == "GroundGraph":
        from groundgraph.facade import GroundGraph

        return GroundGraph
    if name == "Settings":
        from groundgraph.settings import Settings

        return Settings
    raise AttributeError(f"module 'groundgraph' has no attribute {name!r}")
