"""What analysts read in the Dagster UI: native tables of changed documents, failures, entity
merges, entity types, hubs, predicates, communities and stage timings, and a growth chart."""

from collections.abc import Sequence

from dagster import MetadataValue, TableColumn, TableMetadataValue, TableRecord, TableSchema

from groundgraph.finetune.feedback import MonthCounts
from groundgraph.graph.model import Community
from groundgraph.graph.summary import ConnectedEntity, PredicateCount
from groundgraph.ingest.base import FileError
from groundgraph.ingest.changes import SourceChanges, uri_of
from groundgraph.ingest.merge_log import MergeRecord

_BAR_WIDTH = 30
_SUMMARY_CHARS = 400


def table(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str | int | float | None]]
) -> TableMetadataValue:
    """A native table: (name, type) columns, one row per sequence."""
    schema = TableSchema([TableColumn(name, kind) for name, kind in columns])
    names = [name for name, _ in columns]
    return MetadataValue.table(
        [TableRecord(dict(zip(names, row, strict=True))) for row in rows], schema
    )


def changes_table(changes: SourceChanges, limit: int = 200) -> TableMetadataValue:
    """Every document the scan found new, changed or gone, by URI."""
    rows = [("added", uri_of(d)) for d in changes.added]
    rows += [("updated", uri_of(d)) for d in changes.updated]
    rows += [("deleted", d.uri) for d in changes.deleted]
    return table([("change", "string"), ("document", "string")], rows[:limit])


def failures_table(failed: Sequence[FileError], limit: int = 200) -> TableMetadataValue:
    return table(
        [("file", "string"), ("line", "int"), ("reason", "string")],
        [(f.path, f.line if f.line is not None else 0, f.reason) for f in failed[:limit]],
    )


def merges_table(merges: Sequence[MergeRecord], limit: int = 200) -> TableMetadataValue:
    """The entity merges in the documents a run wrote: name, entity, rule, documents."""
    return table(
        [
            ("name", "string"),
            ("merged_into", "string"),
            ("rule", "string"),
            ("documents", "string"),
            ("at", "string"),
        ],
        [(m.name, m.into, m.rule, " ".join(m.documents), m.at) for m in merges[:limit]],
    )


def entity_types_table(entity_types: dict[str, int], limit: int = 15) -> TableMetadataValue:
    ranked = sorted(entity_types.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return table([("type", "string"), ("entities", "int")], ranked)


def hubs_table(hubs: Sequence[ConnectedEntity]) -> TableMetadataValue:
    return table(
        [
            ("entity", "string"),
            ("type", "string"),
            ("related entities", "int"),
            ("mentions", "int"),
        ],
        [(h.name, h.type, h.neighbours, h.mentions) for h in hubs],
    )


def predicates_table(predicates: Sequence[PredicateCount]) -> TableMetadataValue:
    return table(
        [("predicate", "string"), ("relations", "int"), ("example", "string")],
        [(p.predicate, p.relations, p.example) for p in predicates],
    )


def communities_table(communities: Sequence[Community]) -> TableMetadataValue:
    """Each community's title, size and report (the start of it: the full report is in the
    store)."""
    return table(
        [("community", "string"), ("entities", "int"), ("summary", "string")],
        [(c.title, c.size, _clip(c.summary)) for c in communities],
    )


def feedback_table(months: Sequence[MonthCounts]) -> TableMetadataValue:
    """Ratings and corrections per month, oldest first."""
    return table(
        [("month", "string"), ("good", "int"), ("bad", "int"), ("corrections", "int")],
        [(m.month, m.good, m.bad, m.corrections) for m in months],
    )


def stage_seconds_table(seconds: dict[str, float]) -> TableMetadataValue:
    return table(
        [("stage", "string"), ("seconds", "float")],
        [(k, round(v, 3)) for k, v in seconds.items()],
    )


def growth_chart(points: Sequence[tuple[str, int, int]]) -> str:
    """Entities and relations per run, oldest first, as a markdown table with a bar per run."""
    if not points:
        return "No runs yet."
    peak = max(entities for _, entities, _ in points) or 1
    lines = ["| run | entities | relations | entities (bar) |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {label} | {entities} | {relations} | "
        f"{'█' * max(1, round(_BAR_WIDTH * entities / peak))} |"
        for label, entities, relations in points
    ]
    return "\n".join(lines)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table, for metadata that mixes text and figures (the fine-tune's metrics)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"
