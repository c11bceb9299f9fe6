"""Linking the entities a question mentions to entities of the graph.

A phrase of the question (a spaCy entity or noun chunk) links exactly when its normalised
form is an entity's id key, and approximately when its embedding is close to an entity name
or alias in the entity index.
"""

from collections.abc import Callable

import numpy as np
from spacy.language import Language

from groundgraph.graph.base import GraphReader
from groundgraph.graph.ids import entity_id
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.base import Embedder, LinkedEntity
from groundgraph.retrieval.index_faiss import FaissIndex

# Candidate entity names looked up per question phrase.
_NAMES_PER_PHRASE = 3


def question_phrases(nlp: Language, question: str) -> list[str]:
    """Named entities and noun chunks of the question, without pronouns or wh-words."""
    doc = nlp(question)
    phrases = [e.text for e in doc.ents]
    for chunk in doc.noun_chunks:
        words = [
            t
            for t in chunk
            if not (t.is_stop or t.pos_ in ("PRON", "DET") or t.tag_ in ("WDT", "WP", "WP$"))
        ]
        if words:
            phrases.append(chunk[words[0].i - chunk.start :].text)
    return list(dict.fromkeys(p for p in phrases if normalise(p)))


class EntityLinker:
    """Finds graph entities named in a question.

    Args:
        store: the graph, for entity records.
        index: the entity-name vector index (`VectorIndexes.entities`).
        embedder: the same embedder that built the index.
        nlp: a loader of the spaCy pipeline used at ingest.
        threshold: least cosine similarity for an approximate link.
    """

    def __init__(
        self,
        store: GraphReader,
        index: FaissIndex,
        embedder: Embedder,
        nlp: Callable[[], Language],
        threshold: float,
    ) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        self.nlp = nlp
        self.threshold = threshold

    def link(self, question: str) -> list[LinkedEntity]:
        """Entities named in the question, best link first."""
        phrases = question_phrases(self.nlp(), question)
        return self.link_phrases(phrases, self.embedder.embed(phrases))

    def link_phrases(self, phrases: list[str], vectors: np.ndarray) -> list[LinkedEntity]:
        """Link already-embedded question phrases (lets a caller embed them with the question)."""
        best: dict[str, tuple[float, str]] = {}

        def offer(entity: str, score: float, phrase: str) -> None:
            if score > best.get(entity, (0.0, ""))[0]:
                best[entity] = (score, phrase)

        for phrase in phrases:
            offer(entity_id(normalise(phrase)), 1.0, phrase)
        if phrases and len(self.index):
            hits = self.index.search(vectors, _NAMES_PER_PHRASE)
            for phrase, row in zip(phrases, hits, strict=True):
                for key, score in row:
                    if score >= self.threshold:
                        offer(self.index.label(key), score, phrase)
        entities = {e.id: e for e in self.store.entities(best)}
        return sorted(
            (LinkedEntity(entities[i], s, p) for i, (s, p) in best.items() if i in entities),
            key=lambda link: (-link.score, link.entity.name),
        )
