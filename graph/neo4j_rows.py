"""The Neo4j store's records as the parameter rows its Cypher writes, and back: documents,
chunks with their sentence layer, and communities (`cypher.py` holds the statements)."""

from collections.abc import Sequence
from typing import Any

from groundgraph.graph.model import ChunkParse, Community, DocumentGraph


def document_rows(graphs: Sequence[DocumentGraph], now: str) -> list[dict[str, Any]]:
    """One row a document; `now` stands in for the times a new document has none of."""
    return [
        {
            "id": g.document.id,
            "uri": g.document.uri,
            "title": g.document.title,
            "source": g.document.source,
            "content_hash": g.document.content_hash,
            "now": g.document.updated_at or now,
            "ingested_at": g.document.ingested_at or g.document.updated_at or now,
            "author": g.document.author,
            "created": g.document.created,
            "modified": g.document.modified,
            "encoding": g.document.encoding,
            "effective_date": g.document.effective_date,
            "date_source": g.document.date_source,
        }
        for g in graphs
    ]


def parse_rows(parses: Sequence[ChunkParse]) -> list[dict[str, Any]]:
    """One row a chunk's sentence layer, for `PUT_PARSES`."""
    return [{"chunk_id": p.chunk_id, "model": p.model, "data": p.data} for p in parses]


def merged_name_rows(graphs: Sequence[DocumentGraph]) -> list[dict[str, Any]]:
    """One row per document, merged name and entity: the names a rule or a person merged
    into an entity (`Mention.merged_by`), for their `SAME_AS` provenance."""
    rows = {
        (g.document.id, m.surface, m.entity_id): m.merged_by
        for g in graphs
        for m in g.mentions
        if m.merged_by
    }
    return [
        {"doc_id": doc_id, "surface": surface, "entity_id": entity_id, "rule": rule}
        for (doc_id, surface, entity_id), rule in sorted(rows.items())
    ]


def chunk_rows(graphs: Sequence[DocumentGraph]) -> list[dict[str, Any]]:
    """One row a chunk: its fields, the chunk before it in its document, and its sentence
    layer (null where it has none)."""
    parses = {p.chunk_id: p for g in graphs for p in g.parses}
    return [
        {
            **vars(c),
            "previous": g.chunks[i - 1].id if i else None,
            "parse": parses[c.id].data if c.id in parses else None,
            "parse_model": parses[c.id].model if c.id in parses else None,
        }
        for g in graphs
        for i, c in enumerate(g.chunks)
    ]


def community_row(c: Community) -> dict[str, Any]:
    return {
        "id": c.id,
        "level": c.level,
        "size": c.size,
        "title": c.title,
        "summary": c.summary,
        "entity_ids": list(c.entity_ids),
        "evidence_chunks": list(c.evidence_chunks),
        "evidence_starts": list(c.evidence_starts),
        "evidence_ends": list(c.evidence_ends),
    }


def community_of(row: dict[str, Any]) -> Community:
    return Community(
        row["id"],
        row["level"],
        row["size"],
        row["title"],
        row["summary"],
        tuple(row["entity_ids"]),
        tuple(row["evidence_chunks"]),
        tuple(row["evidence_starts"]),
        tuple(row["evidence_ends"]),
    )
