"""Linking the entities a question mentions to entities of the graph.

A phrase of the question (a spaCy entity or noun chunk) links exactly when its normalised
form is an entity's id key, and approximately when its embedding is close to an entity name
or alias in the entity index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from groundgraph.graph.base import GraphReader
from groundgraph.graph.ids import entity_id
from groundgraph.graph.model import Entity
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.base import LinkedEntity, VectorIndex
from groundgraph.retrieval.questions.parsed import parsed

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# Candidate entity names looked up per question phrase.
_NAMES_PER_PHRASE = 3


# spaCy labels of quantities and times: they name no entity of the graph.
_NUMERIC_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_JOINERS = frozenset({"of", "the", "a", "an", "and", "de", "la", "von", "van", "&"})
_SENTENCE_ENDS = frozenset({".", "?", "!"})
_NUMBER = re.compile(r"\d+")


def _is_name_word(token: Token) -> bool:
    """A word starting with a capital ("Paris", "McDonald", "NASA"), except the first of a
    sentence, capitalised by grammar rather than because it is a name."""
    if not token.text[:1].isupper() or token.i == 0:
        return False
    return token.doc[token.i - 1].text not in _SENTENCE_ENDS


def name_runs(doc: Doc) -> list[str]:
    """Maximal runs of capitalised words ("song Changed It" → "Changed It"), joined across a
    lower-case "of"/"the" between two of them ("University of Paris")."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for token in doc:
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if _is_name_word(token) or (
            current
            and token.lower_ in _JOINERS
            and following is not None
            and _is_name_word(following)
        ):
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [doc[run[0].i : run[-1].i + 1].text for run in runs]


def unused_for_names(nlp: Language) -> list[str]:
    """Components a question's names do not need: all but the entity recogniser and what it
    listens to. Names are spaCy's entities plus runs of capitalised words, which need no
    tagger; parsing only this much halves spaCy's time per question (measured R@5 against
    runs of words tagged PROPN: -0.6 on 2Wiki, +0.6 on MuSiQue, +1.1 on HotpotQA)."""
    needed = {"ner"}
    for name, pipe in nlp.pipeline:
        if "ner" in getattr(pipe, "listening_components", ()):
            needed.add(name)
    return [name for name in nlp.pipe_names if name not in needed]


def question_phrases(nlp: Language, question: str) -> list[str]:
    """The names in a question: its named entities and its runs of capitalised words. Common
    nouns ("film", "director") are left out: linked to a graph entity of the same name they
    would pull the walk towards whatever page happens to be titled "Film"."""
    doc = parsed(nlp, question, tuple(unused_for_names(nlp)))
    phrases = [e.text for e in doc.ents if e.label_ not in _NUMERIC_LABELS]
    phrases += name_runs(doc)
    return list(dict.fromkeys(p for p in phrases if normalise(p)))


def numbers_agree(phrase: str, name: str) -> bool:
    """Whether a phrase and a name give no different numbers: "INC-2025-011" is close in
    meaning to "INC-2025-014" and another incident (a number is a name's most specific part),
    while "the 1935 Nobel Prize" may still link to "Nobel Prize"."""
    said, named = _NUMBER.findall(phrase), _NUMBER.findall(name)
    return not (said and named) or said == named


class EntityLinker:
    """Finds graph entities named in a question.

    Args:
        store: the graph, for entity records.
        index: the entity-name vector index (`VectorIndexes.entities`).
        nlp: a loader of the spaCy pipeline used at ingest.
        threshold: least cosine similarity for an approximate link.
    """

    def __init__(
        self,
        store: GraphReader,
        index: VectorIndex,
        nlp: Callable[[], Language],
        threshold: float,
    ) -> None:
        self.store = store
        self.index = index
        self.nlp = nlp
        self.threshold = threshold

    def exact(self, phrases: list[str]) -> dict[str, Entity]:
        """Phrases whose normalised form is an entity's name: the entity, for each."""
        keys = {phrase: entity_id(normalise(phrase)) for phrase in phrases}
        found = {e.id: e for e in self.store.entities(set(keys.values()))}
        return {phrase: found[key] for phrase, key in keys.items() if key in found}

    def link(
        self, exact: dict[str, Entity], others: list[str], vectors: np.ndarray
    ) -> list[LinkedEntity]:
        """Combine exact links with approximate ones for the `others` phrases, whose
        embeddings are `vectors` (embedded by the caller).

        Returns:
            Linked entities, best first; an entity reached by several phrases keeps its best.
        """
        best: dict[str, tuple[float, str]] = {e.id: (1.0, p) for p, e in exact.items()}
        entities = {e.id: e for e in exact.values()}
        near: list[tuple[str, float, str]] = []
        if others and len(self.index):
            for phrase, row in zip(
                others, self.index.search(vectors, _NAMES_PER_PHRASE), strict=True
            ):
                near += [
                    (self.index.label(key), s, phrase) for key, s in row if s >= self.threshold
                ]
        entities.update(
            (e.id, e) for e in self.store.entities({i for i, _, _ in near} - entities.keys())
        )
        for entity, score, phrase in near:
            if entity not in entities or not numbers_agree(phrase, entities[entity].name):
                continue
            if score > best.get(entity, (0.0, ""))[0]:
                best[entity] = (score, phrase)
        return sorted(
            (LinkedEntity(entities[i], s, p) for i, (s, p) in best.items() if i in entities),
            key=lambda link: (-link.score, link.entity.name),
        )
