"""One document or one entity with what surrounds it, as a browser or an agent wants it.

`GET /documents/{id}`, `GET /entities/{id}` and the MCP `entity_neighbours` tool show these;
they are plain reads of the store, so they see what `ask` sees.
"""

from dataclasses import asdict, dataclass

from groundgraph.graph.base import GraphReader
from groundgraph.graph.model import Chunk, Document, Entity


@dataclass(frozen=True)
class DocumentView:
    """A document and its chunks, in order."""

    document: Document
    chunks: list[Chunk]

    def to_dict(self) -> dict:
        chunk_fields = ("id", "ordinal", "start", "end", "section", "location", "text")
        return {
            **asdict(self.document),
            "chunks": [{name: getattr(c, name) for name in chunk_fields} for c in self.chunks],
        }


@dataclass(frozen=True)
class Neighbour:
    """An entity related to the viewed one, by one predicate, in one direction."""

    entity: Entity
    predicate: str
    outgoing: bool
    weight: float
    evidence: tuple[str, ...]  # chunk ids


@dataclass(frozen=True)
class EvidenceChunk:
    """A chunk that mentions the entity or states one of its relations, with its document."""

    chunk: Chunk
    document_uri: str
    document_title: str


@dataclass(frozen=True)
class EntityView:
    """An entity, its strongest neighbours and the chunks that are evidence for it."""

    entity: Entity
    neighbours: list[Neighbour]
    evidence: list[EvidenceChunk]

    def to_dict(self) -> dict:
        e = self.entity
        return {
            **entity_dict(e),
            "first_seen": e.first_seen,
            "last_seen": e.last_seen,
            "neighbours": [
                {
                    **entity_dict(n.entity),
                    "predicate": n.predicate,
                    "direction": "outgoing" if n.outgoing else "incoming",
                    "weight": n.weight,
                    "evidence": list(n.evidence),
                }
                for n in self.neighbours
            ],
            "evidence": [
                {
                    "chunk_id": x.chunk.id,
                    "document": x.document_uri,
                    "title": x.document_title,
                    "start": x.chunk.start,
                    "end": x.chunk.end,
                    "text": x.chunk.text,
                }
                for x in self.evidence
            ],
        }


def entity_dict(entity: Entity) -> dict:
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "aliases": list(entity.aliases),
        "mentions": entity.mention_count,
    }


def document_view(store: GraphReader, doc_id: str) -> DocumentView | None:
    """The document with this id and its chunks; None if there is none."""
    found = store.documents([doc_id])
    if not found:
        return None
    return DocumentView(found[0], store.chunks(doc_id=doc_id))


def entity_view(
    store: GraphReader, entity_id: str, neighbours: int = 25, evidence: int = 10
) -> EntityView | None:
    """The entity with this id, its `neighbours` heaviest relations (co-occurrence included)
    and up to `evidence` chunks: those stating its relations first, then those mentioning it.
    None if there is no such entity."""
    found = store.entities([entity_id])
    if not found:
        return None
    relations = sorted(
        (r for r in store.relations([entity_id]) if r.source_id != r.target_id),
        key=lambda r: (-r.weight, r.predicate, r.id),
    )[:neighbours]
    ends = {r.source_id for r in relations} | {r.target_id for r in relations}
    others = {e.id: e for e in store.entities(ends)}
    near = [
        Neighbour(others[other], r.predicate, r.source_id == entity_id, r.weight, r.evidence)
        for r in relations
        if (other := r.target_id if r.source_id == entity_id else r.source_id) in others
    ]
    chunk_ids = [c for r in relations for c in r.evidence]
    chunk_ids += [m.chunk_id for m in store.mentions(entity_ids=[entity_id])]
    wanted = list(dict.fromkeys(chunk_ids))[:evidence]
    chunks = {c.id: c for c in store.chunks(wanted)}
    documents = {d.id: d for d in store.documents({c.doc_id for c in chunks.values()})}
    shown = [
        EvidenceChunk(chunks[c], documents[chunks[c].doc_id].uri, documents[chunks[c].doc_id].title)
        for c in wanted
        if c in chunks and chunks[c].doc_id in documents
    ]
    return EntityView(found[0], near, shown)
