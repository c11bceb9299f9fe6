"""Markdown that analysts read in the Dagster UI: tables of failures, hubs, types and growth."""

from collections.abc import Sequence

from groundgraph.graph.model import Community
from groundgraph.graph.summary import ConnectedEntity
from groundgraph.ingest.base import FileError

_BAR_WIDTH = 30


def _cell(value: object) -> str:
    """Table cells may hold any text; pipes and newlines would break the table."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def failures_table(failed: Sequence[FileError], limit: int = 50) -> str:
    if not failed:
        return "No file failed."
    shown = table(["file", "reason"], [(f.path, f.reason) for f in failed[:limit]])
    more = len(failed) - limit
    return shown + (f"\n\n…and {more} more." if more > 0 else "")


def entity_types_table(entity_types: dict[str, int], limit: int = 10) -> str:
    ranked = sorted(entity_types.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return table(["type", "entities"], ranked)


def hubs_table(hubs: Sequence[ConnectedEntity]) -> str:
    return table(
        ["entity", "type", "related entities", "mentions"],
        [(h.name, h.type, h.neighbours, h.mentions) for h in hubs],
    )


def communities_table(communities: Sequence[Community]) -> str:
    if not communities:
        return "No communities: the graph has no cluster of at least the minimum size."
    return table(["community", "entities"], [(c.title, c.size) for c in communities])


def stage_seconds_table(seconds: dict[str, float]) -> str:
    return table(["stage", "seconds"], [(k, f"{v:.2f}") for k, v in seconds.items()])


def growth_chart(points: Sequence[tuple[str, int, int]]) -> str:
    """Entities and relations per run, oldest first, as a table with a bar per run."""
    if not points:
        return "No runs yet."
    peak = max(entities for _, entities, _ in points) or 1
    rows = [
        (label, entities, relations, "█" * max(1, round(_BAR_WIDTH * entities / peak)))
        for label, entities, relations in points
    ]
    return table(["run", "entities", "relations", "entities (bar)"], rows)
