"""A store's documents read back as the `DocumentGraph`s that wrote them, so a graph moves
between backends: Neo4j's graph into the embedded copy a gated refresh is staged in, and the
documents that refresh wrote back into Neo4j when it is published (`staged_neo4j.py`).

Entities and relations are not copied: every store derives them from the mentions and the
relation evidence of its documents, so writing the documents rebuilds them alike.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from groundgraph.graph.base import GraphReader, GraphStore
from groundgraph.graph.model import DocumentGraph, Evidence, Mention, Relation

COPY_BATCH = 200


def evidence_by_chunk(relations: Iterable[Relation]) -> dict[str, list[Evidence]]:
    """The relation evidence each chunk gives, from relations read with their evidence."""
    found: dict[str, list[Evidence]] = defaultdict(list)
    for r in relations:
        for chunk_id, weight in zip(r.evidence, r.evidence_weights, strict=True):
            found[chunk_id].append(
                Evidence(r.id, r.source_id, r.target_id, r.predicate, chunk_id, weight)
            )
    for given in found.values():
        given.sort(key=lambda e: e.relation_id)
    return found


def stored_document_graphs(
    store: GraphReader,
    doc_ids: Iterable[str],
    evidence: Mapping[str, list[Evidence]] | None = None,
) -> list[DocumentGraph]:
    """The stored documents among `doc_ids` (in that order), each with its chunks, mentions,
    relation evidence and sentence layer; ids the store does not hold are left out.
    `evidence` (by chunk, `evidence_by_chunk` of every relation) spares reading the
    relations of the documents' entities, which for a hub entity are most of the graph."""
    ids = list(dict.fromkeys(doc_ids))
    found = {d.id: d for d in store.documents(ids)}
    documents = [found[i] for i in ids if i in found]
    chunks = {d.id: store.chunks(doc_id=d.id) for d in documents}
    doc_of = {c.id: c.doc_id for found in chunks.values() for c in found}
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for mention in store.mentions(chunk_ids=list(doc_of)):
        mentions[doc_of[mention.chunk_id]].append(mention)
    if evidence is None:
        entity_ids = {m.entity_id for found in mentions.values() for m in found}
        evidence = evidence_by_chunk(store.relations(entity_ids) if entity_ids else [])
    parses = store.parses(doc_of)
    return [
        DocumentGraph(
            document=d,
            chunks=tuple(chunks[d.id]),
            mentions=tuple(mentions[d.id]),
            evidence=tuple(e for c in chunks[d.id] for e in evidence.get(c.id, ())),
            parses=tuple(parses[c.id] for c in chunks[d.id] if c.id in parses),
        )
        for d in documents
    ]


def copy_graph(
    source: GraphReader,
    target: GraphStore,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write every document of `source` into `target`, `COPY_BATCH` a transaction, and the
    communities when they describe `source`'s current graph. Returns the documents copied;
    `progress(done, total)` is told after each batch."""
    ids = sorted(d.id for d in source.documents())
    evidence = evidence_by_chunk(source.relations())
    for start in range(0, len(ids), COPY_BATCH):
        target.upsert(stored_document_graphs(source, ids[start : start + COPY_BATCH], evidence))
        if progress is not None:
            progress(min(start + COPY_BATCH, len(ids)), len(ids))
    communities = source.communities()
    if communities.graph_version == source.version():
        target.replace_communities(communities.communities, target.version())
    return len(ids)
