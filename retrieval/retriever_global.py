"""Global retrieval: community reports ranked for a question about the corpus as a whole.

A report's score is its cosine similarity to the question plus a small prior for size
(0.2 x log size / log largest size): "what are the main themes?" is about equally far from
every report, and then the larger themes should lead.
"""

from collections.abc import Callable

import numpy as np

from groundgraph.graph.base import GraphReader
from groundgraph.graph.model import CommunitySet
from groundgraph.retrieval.base import Context, Embedder, RankedCommunity, ScoredChunk

SIZE_PRIOR = 0.2


class CommunityRetriever:
    """A `Retriever` whose context is the best community reports and the chunks they quote.

    Args:
        communities: the current communities (rebuilt by the caller when the graph changed).
    """

    def __init__(
        self, store: GraphReader, embedder: Embedder, communities: Callable[[], CommunitySet]
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.communities = communities
        self._vectors: tuple[CommunitySet, np.ndarray] | None = None

    def retrieve(self, question: str, k: int | None = None) -> Context:
        found = self.communities()
        if not found.communities:
            return Context(question, ())
        similarity = self._report_vectors(found) @ self.embedder.embed([question])[0]
        sizes = np.log([c.size for c in found.communities])
        scores = similarity + SIZE_PRIOR * sizes / max(sizes.max(), 1e-9)
        order = np.argsort(-scores, kind="stable")[: k or 3]
        chunk_ids = list(
            dict.fromkeys(c for i in order for c in found.communities[i].evidence_chunks)
        )
        chunks = {c.id: c for c in self.store.chunks(chunk_ids)}
        documents = {d.id: d for d in self.store.documents({c.doc_id for c in chunks.values()})}
        marker = {cid: n for n, cid in enumerate((c for c in chunk_ids if c in chunks), start=1)}
        scored, ranked = [], []
        for i in order:
            community = found.communities[i]
            for cid in community.evidence_chunks:
                if cid in chunks and marker[cid] > len(scored):
                    doc = documents[chunks[cid].doc_id]
                    scored.append(
                        ScoredChunk(
                            chunks[cid],
                            doc.uri,
                            doc.title,
                            float(scores[i]),
                            float(similarity[i]),
                            0.0,
                        )
                    )
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
        return Context(question, tuple(scored), communities=tuple(ranked))

    def _report_vectors(self, found: CommunitySet) -> np.ndarray:
        if self._vectors is None or self._vectors[0] != found:
            texts = [f"{c.title}\n{c.summary}" for c in found.communities]
            self._vectors = (found, self.embedder.embed(texts))
        return self._vectors[1]
