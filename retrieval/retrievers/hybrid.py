"""The default retriever: dense similarity fused with personalised PageRank over the graph.

The walk restarts at the entities the question names (each weighted by its link score and
its specificity: an entity mentioned in few chunks says more than one mentioned everywhere)
and, with a small share, at the dense top chunks (HippoRAG 2's passage seeds). Chunks two
hops away, through a bridging entity, get PageRank mass that dense similarity alone never
gives them; that is what finds the second document of a multi-hop question.
"""

import math
from dataclasses import replace

from groundgraph.graph.base import GraphReader
from groundgraph.graph.ppr import PprGraph
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.instructions import looks_like_instruction
from groundgraph.retrieval.base import Context, Embedder, LinkedEntity, ScoredChunk
from groundgraph.retrieval.indexes.store_vectors import VectorIndexes
from groundgraph.retrieval.retrievers.graph_snapshot import GraphSnapshot
from groundgraph.retrieval.retrievers.linking import EntityLinker, question_phrases
from groundgraph.retrieval.settings import RetrievalSettings

# An entity that a quarter of the documents mention (the company, its flagship product) pins
# no answer down: a question that names it is read as if it did not. Only entities in 5 % of
# the chunks are counted by document; below COMMON_MIN_CHUNKS chunks nothing is common.
COMMON_DOCUMENT_SHARE = 0.25
COMMON_CHUNK_SHARE = 0.05
COMMON_MIN_CHUNKS = 20


def entity_seeds(linked: list[LinkedEntity], graph: PprGraph) -> dict[str, float]:
    """Restart weights of linked entities: link score / number of chunks mentioning it."""
    return {
        link.entity.id: link.score / max(graph.entity_chunk_counts.get(link.entity.id, 1), 1)
        for link in linked
    }


def log_scaled(scores: dict[str, float], decades: float) -> dict[str, float]:
    """PageRank scores on a log scale from 1 (the best chunk) down to 0 (`decades` orders of
    magnitude below it). PageRank mass falls by orders of magnitude per hop, so on a linear
    scale a chunk two hops from the question would score ~0.01 and never beat dense ranks."""
    top = max(scores.values(), default=0.0)
    if top <= 0:
        return {}
    floor = top * 10**-decades
    return {k: 1 + math.log10(v / top) / decades for k, v in scores.items() if v > floor}


class HybridRetriever:
    """Dense retrieval plus personalised PageRank from the question's entities.

    Example:
        retriever = HybridRetriever(store, indexes, embedder, linker, snapshot, settings)
        context = retriever.retrieve("Where was the discoverer of polonium born?")
    """

    def __init__(
        self,
        store: GraphReader,
        indexes: VectorIndexes,
        embedder: Embedder,
        linker: EntityLinker,
        snapshot: GraphSnapshot,
        settings: RetrievalSettings,
    ) -> None:
        self.store = store
        self.indexes = indexes
        self.embedder = embedder
        self.linker = linker
        self.snapshot = snapshot
        self.settings = settings
        self._widely: tuple[PprGraph | None, dict[str, bool]] = (None, {})

    def retrieve(self, question: str, k: int | None = None) -> Context:
        k = k or self.settings.top_k
        phrases = question_phrases(self.linker.nlp(), question)
        exact = self.linker.exact(phrases)
        others = [p for p in phrases if p not in exact]
        vectors = self.embedder.embed_short([question, *others])
        query = vectors[0]
        dense = dict(self.indexes.chunks.search(vectors[:1], self.settings.dense_k)[0])
        linked = self.linker.link(exact, others, vectors[1:])
        graph = (
            log_scaled(self._pagerank(linked, dense), self.settings.graph_score_decades)
            if linked
            else {}
        )
        extra = [
            c
            for c in sorted(graph, key=lambda c: -graph[c])[: self.settings.dense_k]
            if c not in dense and c in self.indexes.chunks
        ]
        if extra:
            sims = self.indexes.chunks.vectors(extra) @ query
            dense.update(zip(extra, map(float, sims), strict=True))
        fused = {
            c: self.settings.dense_weight * d + self.settings.graph_weight * graph.get(c, 0.0)
            for c, d in dense.items()
        }
        top = sorted(fused, key=lambda c: (-fused[c], c))[:k]
        context = self._context(question, top, fused, dense, graph, linked)
        return replace(context, common=self._common(linked))

    def _common(self, linked: list[LinkedEntity]) -> frozenset[str]:
        """Names of linked entities that `COMMON_DOCUMENT_SHARE` of the documents mention.
        Only entities already frequent among chunks are counted by document, so the count
        costs nothing for the names of a question about particular things."""
        graph = self.snapshot.current()
        total = len(graph.chunk_ids)
        frequent = [
            link
            for link in linked
            if total >= COMMON_MIN_CHUNKS
            and graph.entity_chunk_counts.get(link.entity.id, 0) >= COMMON_CHUNK_SHARE * total
        ]
        if not frequent:
            return frozenset()
        common: set[str] = set()
        for link in frequent:
            if self._mentioned_widely(graph, link.entity.id):
                common |= {normalise(link.entity.name), normalise(link.phrase)}
                common |= {normalise(a) for a in link.entity.aliases}
        return frozenset(common)

    def _mentioned_widely(self, graph: PprGraph, entity_id: str) -> bool:
        """Whether `COMMON_DOCUMENT_SHARE` of the documents mention the entity: counted once
        per store version (the snapshot's graph), not on every question that names it."""
        graph_of, known = self._widely
        if graph_of is not graph:
            known = {}
            self._widely = (graph, known)
        if entity_id not in known:
            chunk_ids = {m.chunk_id for m in self.store.mentions(entity_ids=[entity_id])}
            docs = {c.doc_id for c in self.store.chunks(chunk_ids)}
            known[entity_id] = len(docs) >= COMMON_DOCUMENT_SHARE * self.store.stats().documents
        return known[entity_id]

    def _pagerank(self, linked: list[LinkedEntity], dense: dict[str, float]) -> dict[str, float]:
        graph = self.snapshot.current()
        seeds = entity_seeds(linked, graph)
        share = self.settings.passage_seed_weight
        entity_mass = sum(seeds.values())
        chunk_mass = sum(dense.values())
        reset_entities = {e: (1 - share) * w / entity_mass for e, w in seeds.items()}
        reset_chunks = {
            c: share * max(s, 0.0) / chunk_mass for c, s in dense.items() if chunk_mass > 0
        }
        return graph.rank_chunks(
            reset_entities,
            reset_chunks,
            self.settings.ppr_damping,
            self.settings.ppr_iterations,
            self.settings.ppr_tolerance,
            min_ratio=10**-self.settings.graph_score_decades,
            push_threshold=self.settings.ppr_push_threshold,
        )

    def _context(
        self,
        question: str,
        top: list[str],
        fused: dict[str, float],
        dense: dict[str, float],
        graph: dict[str, float],
        linked: list[LinkedEntity],
    ) -> Context:
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
                looks_like_instruction(chunks[c].text),
                docs[chunks[c].doc_id].effective_date,
                docs[chunks[c].doc_id].date_source,
            )
            for c in top
            if c in chunks
        )
        selected = set(top)
        facts = (
            tuple(
                r
                for r in self.store.relations([link.entity.id for link in linked])
                if selected.intersection(r.evidence)
            )
            if linked
            else ()
        )
        return Context(question, scored, facts, tuple(linked))
