"""Global retrieval: community reports ranked for a question about the corpus as a whole.

A report's score is its cosine similarity to the question plus a small prior for size
(0.2 x log size / log largest size): "what are the main themes?" is about equally far from
every report, and then the larger themes should lead.
"""

import numpy as np

from groundgraph.graph.base import GraphReader
from groundgraph.graph.model import CommunitySet
from groundgraph.retrieval.answering.instructions import looks_like_instruction
from groundgraph.retrieval.base import Context, Embedder, RankedCommunity, ScoredChunk

SIZE_PRIOR = 0.2


class CommunityRetriever:
    """A `Retriever` whose context is the best community reports and the chunks they quote.

    It only reads: the communities are rebuilt by the write step after every graph write
    (`refresh_communities`). The stored set is kept in memory while the graph version stays
    the one it describes, so a global question costs one version read.
    """

    def __init__(self, store: GraphReader, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self._found: CommunitySet | None = None
        self._vectors: tuple[int | None, np.ndarray] | None = None

    def communities(self) -> CommunitySet:
        """The stored communities (re-read until they describe the current graph)."""
        found = self._found
        if found is None or found.graph_version != self.store.version():
            self._found = found = self.store.communities()
        return found

    def retrieve(self, question: str, k: int | None = None) -> Context:
        found = self.communities()
        if not found.communities:
            return Context(question, ())
        similarity = self._report_vectors(found) @ self.embedder.embed_short([question])[0]
        sizes = np.log([c.size for c in found.communities])
        scores = similarity + SIZE_PRIOR * sizes / max(sizes.max(), 1e-9)
        order = np.argsort(-scores, kind="stable")[: k or 3]
        ranked_chunks = [(c, i) for i in order for c in found.communities[i].evidence_chunks]
        chunks = {c.id: c for c in self.store.chunks([c for c, _ in ranked_chunks])}
        documents = {d.id: d for d in self.store.documents({c.doc_id for c in chunks.values()})}
        owner: dict[str, int] = {}  # each chunk belongs to the best community quoting it
        for cid, i in ranked_chunks:
            if cid in chunks:
                owner.setdefault(cid, i)
        marker = {cid: n for n, cid in enumerate(owner, start=1)}
        scored = tuple(
            ScoredChunk(
                chunks[cid],
                documents[chunks[cid].doc_id].uri,
                documents[chunks[cid].doc_id].title,
                float(scores[i]),
                float(similarity[i]),
                0.0,
                looks_like_instruction(chunks[cid].text),
                documents[chunks[cid].doc_id].effective_date,
                documents[chunks[cid].doc_id].date_source,
            )
            for cid, i in owner.items()
        )
        ranked = []
        for i in order:
            community = found.communities[i]
            spans = tuple(
                (marker[c], s, e)
                for c, s, e in zip(
                    community.evidence_chunks,
                    community.evidence_starts,
                    community.evidence_ends,
                    strict=True,
                )
                if c in marker
            )
            ranked.append(RankedCommunity(community, round(float(scores[i]), 4), spans))
        return Context(question, scored, communities=tuple(ranked))

    def _report_vectors(self, found: CommunitySet) -> np.ndarray:
        # The communities of one graph version are always the same (Leiden is seeded).
        if self._vectors is None or self._vectors[0] != found.graph_version:
            texts = [f"{c.title}\n{c.summary}" for c in found.communities]
            self._vectors = (found.graph_version, self.embedder.embed(texts))
        return self._vectors[1]
