"""Hybrid retrieval: dense similarity fused with a graph score from the question's entities.

The graph score of a chunk grows with the linked entities it mentions (weighted by link
strength and by specificity: an entity in few chunks says more), and, at half strength, with
the relations of those entities: the chunks that state a relation and the chunks that
mention the neighbour. That second hop is what finds the other document of a two-document
question.
"""

import math
from collections import defaultdict

from groundgraph.graph.base import GraphReader
from groundgraph.graph.model import Relation
from groundgraph.retrieval.base import Context, Embedder, LinkedEntity, ScoredChunk
from groundgraph.retrieval.linking import EntityLinker
from groundgraph.retrieval.settings import RetrievalSettings
from groundgraph.retrieval.vectors import VectorIndexes

HOP_DECAY = 0.5
# Neighbours followed per linked entity, strongest relations first: keeps hubs cheap.
MAX_NEIGHBOURS = 20


def specificity(chunk_count: int) -> float:
    """1 for an entity in one chunk, falling slowly: 1/log2(1 + n)."""
    return 1.0 / math.log2(1 + max(chunk_count, 1))


class HybridRetriever:
    """Dense retrieval plus entity-graph expansion.

    Example:
        retriever = HybridRetriever(store, indexes, embedder, linker, settings)
        context = retriever.retrieve("Where was the discoverer of polonium born?")
    """

    def __init__(
        self,
        store: GraphReader,
        indexes: VectorIndexes,
        embedder: Embedder,
        linker: EntityLinker,
        settings: RetrievalSettings,
    ) -> None:
        self.store = store
        self.indexes = indexes
        self.embedder = embedder
        self.linker = linker
        self.settings = settings

    def retrieve(self, question: str, k: int | None = None) -> Context:
        k = k or self.settings.top_k
        query = self.embedder.embed([question])
        dense = dict(self.indexes.chunks.search(query, self.settings.dense_k)[0])
        linked = self.linker.link(question)
        graph, relations = self._graph_scores(linked)
        extra = sorted(
            (c for c in graph if c not in dense and c in self.indexes.chunks),
            key=lambda c: -graph[c],
        )[: self.settings.dense_k]
        if extra:
            sims = self.indexes.chunks.vectors(extra) @ query[0]
            dense.update(zip(extra, map(float, sims), strict=True))
        fused = {
            c: self.settings.dense_weight * d + self.settings.graph_weight * graph.get(c, 0.0)
            for c, d in dense.items()
        }
        top = sorted(fused, key=lambda c: (-fused[c], c))[:k]
        chunks = {c.id: c for c in self.store.chunks(top)}
        docs = {d.id: d for d in self.store.documents({c.doc_id for c in chunks.values()})}
        scored = tuple(
            ScoredChunk(
                chunks[c],
                docs[chunks[c].doc_id].uri,
                docs[chunks[c].doc_id].title,
                fused[c],
                dense[c],
                graph.get(c, 0.0),
            )
            for c in top
            if c in chunks
        )
        facts = tuple(r for r in relations if set(r.evidence) & set(top))
        return Context(question, scored, facts, tuple(linked))

    def _graph_scores(self, linked: list[LinkedEntity]) -> tuple[dict[str, float], list[Relation]]:
        if not linked:
            return {}, []
        seeds = {link.entity.id: link.score for link in linked}
        chunks_of = self._chunks_of(seeds)
        scores: dict[str, float] = defaultdict(float)
        for entity, strength in seeds.items():
            for chunk in chunks_of.get(entity, ()):
                scores[chunk] += strength * specificity(len(chunks_of[entity]))
        relations = self.store.relations(seeds)
        hops: dict[str, float] = defaultdict(float)
        by_seed: dict[str, list[Relation]] = defaultdict(list)
        for rel in relations:
            for seed in (rel.source_id, rel.target_id):
                if seed in seeds:
                    by_seed[seed].append(rel)
        for seed, rels in by_seed.items():
            base = seeds[seed] * specificity(len(chunks_of.get(seed, ()))) * HOP_DECAY
            for rel in sorted(rels, key=lambda r: -r.weight)[:MAX_NEIGHBOURS]:
                strength = base * min(1.0, rel.weight)
                for chunk in rel.evidence:
                    scores[chunk] += strength
                other = rel.target_id if rel.source_id == seed else rel.source_id
                if other not in seeds:
                    hops[other] = max(hops[other], strength)
        neighbour_chunks = self._chunks_of(hops)
        for entity, strength in hops.items():
            chunks = neighbour_chunks.get(entity, ())
            for chunk in chunks:
                scores[chunk] += strength * HOP_DECAY * specificity(len(chunks))
        top = max(scores.values(), default=0.0)
        return ({c: s / top for c, s in scores.items()} if top else {}), relations

    def _chunks_of(self, entity_ids: dict[str, float]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for mention in self.store.mentions(entity_ids=entity_ids):
            found[mention.entity_id].add(mention.chunk_id)
        return found
