"""Entities and relations from spaCy's named entities and dependency parse, with no LLM.

Within a sentence, a relation links two entities through a verb (subject–verb–object, with
passives turned around), a verb and preposition ("born in"), a predicate noun ("is the
capital of") or an appositive ("Warsaw, the capital of Poland"). The predicate is the verb or
noun lemma, plus the preposition. Entity pairs of a sentence that no pattern links get a
weaker `co_occurs_with` relation, so the graph still connects what is mentioned together.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from groundgraph.ingest.base import (
    CO_OCCURRENCE,
    EntitySpan,
    Extraction,
    ParsedText,
    RelationSpan,
)
from groundgraph.ingest.structure import row_cells

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

DEPENDENCY_WEIGHT = 1.0
# A sentence naming n entities yields n(n-1)/2 co-occurrence pairs; 0.5 / (n-1) per pair keeps
# each entity's co-occurrence weight per sentence at 0.5, below one stated relation.
CO_OCCURRENCE_BUDGET = 0.5
# Each entity co-occurs with the next few of its sentence only: a run-on "sentence" naming
# thousands of entities (a text without full stops) gave millions of pairs.
CO_OCCURRENCE_WINDOW = 8

# A table cell that names something the recogniser did not label is kept as this label.
CELL_LABEL = "ORG"
CELL_NAME_WORDS = 5
# An identifier such as "INC-2025-011" or "LX-40", which the recogniser mostly misses.
CODE_LABEL = "ID"
_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")

_SUBJECT = {"nsubj", "csubj"}
_PASSIVE_SUBJECT = {"nsubjpass", "csubjpass"}
_OBJECT = {"dobj", "dative", "oprd"}


@dataclass
class _Frame:
    """The entity arguments of one verb."""

    subjects: list[int] = field(default_factory=list)
    passive: list[int] = field(default_factory=list)
    agents: list[int] = field(default_factory=list)
    objects: list[int] = field(default_factory=list)
    preps: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class _Roles:
    """Where each entity of a sentence stands: in a verb's frame, after a noun's preposition
    ("director of X"), or as the subject of an apposition ("X, director of Y")."""

    frames: dict[int, _Frame] = field(default_factory=lambda: defaultdict(_Frame))
    noun_preps: dict[int, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    appositions: list[tuple[int, Token]] = field(default_factory=list)

    @classmethod
    def of(cls, ents: list[Span]) -> _Roles:
        roles = cls()
        for index, ent in enumerate(ents):
            roles._place(index, _clause_head(ent.root))
            for child in ent.root.children:
                if child.dep_ == "appos" and child.ent_type_ == "":
                    roles.appositions.append((index, child))
        return roles

    def _place(self, index: int, token: Token) -> None:
        dep, head = token.dep_, token.head
        if dep in _SUBJECT:
            self.frames[head.i].subjects.append(index)
        elif dep in _PASSIVE_SUBJECT:
            self.frames[head.i].passive.append(index)
        elif dep in _OBJECT:
            self.frames[head.i].objects.append(index)
        elif dep == "pobj" and head.dep_ == "agent":
            self.frames[head.head.i].agents.append(index)
        elif dep == "pobj" and head.dep_ == "prep":
            attached = head.head
            if attached.pos_ in ("VERB", "AUX"):
                self.frames[attached.i].preps.append((head.lower_, index))
            else:
                self.noun_preps[attached.i].append((head.lower_, index))

    def noun_relations(self, doc: Doc) -> list[tuple[int, str, int]]:
        """ "X is the director of Y" and "X, director of Y": X director of Y."""
        found: list[tuple[int, str, int]] = []
        for verb_i, frame in self.frames.items():
            for noun in doc[verb_i].children:
                if noun.dep_ == "attr":
                    for prep, obj in self.noun_preps.get(noun.i, ()):
                        found.extend(
                            (s, f"{noun.lemma_.lower()} {prep}", obj) for s in frame.subjects
                        )
        for subject, noun in self.appositions:
            for prep, obj in self.noun_preps.get(noun.i, ()):
                found.append((subject, f"{noun.lemma_.lower()} {prep}", obj))
        return found


def _clause_head(token: Token) -> Token:
    """Climb coordination: in "Marie and Pierre discovered", Pierre plays Marie's role."""
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    return token


def _split_at_breaks(ent: Span) -> list[Span]:
    """An entity that spans a line break ("Bletchley Park\n\nBletchley Park") is two."""
    pieces, start = [], ent.start
    for token in ent:
        if token.is_space or "\n" in token.text_with_ws[len(token.text) :]:
            end = token.i if token.is_space else token.i + 1
            if end > start:
                pieces.append(_labelled(ent, start, end))
            start = token.i + 1
    if ent.end > start:
        pieces.append(_labelled(ent, start, ent.end))
    return pieces


def _labelled(ent: Span, start: int, end: int) -> Span:
    """Tokens `start:end` of the entity's document as a span with the entity's label."""
    piece = ent.doc[start:end]
    piece.label_ = ent.label_
    return piece


@dataclass
class _RowEntities:
    """The names of a table row's cells: each an entity, and the row's first name related to
    each other one by that cell's column ("Billing Engine" -[owning team]-> "Payments")."""

    entities: list[EntitySpan] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    def relations(self, first: int, start: int, end: int) -> list[RelationSpan]:
        return [
            RelationSpan(first, first + i, self.columns[i], DEPENDENCY_WEIGHT, start, end)
            for i in range(1, len(self.entities))
        ]


def _cell_entities(sent: Span, ents: list[Span], offset: int) -> _RowEntities:
    """A row's cells that name something ("Service: Billing Engine") and that spaCy's
    recogniser missed: a table is a list of things and their attributes, which the
    recogniser, trained on prose, mostly does not see."""
    found = _RowEntities()
    taken = [(e.start_char, e.end_char) for e in ents]
    for cell in row_cells(sent.text):
        start, end = sent.start_char + cell.start, sent.start_char + cell.end
        if not _names_a_thing(cell.value) or any(s < end and start < e for s, e in taken):
            continue
        found.entities.append(EntitySpan(offset + start, offset + end, cell.value, CELL_LABEL))
        found.columns.append(" ".join(cell.column.lower().split()) or CO_OCCURRENCE)
    if len(row_cells(sent.text)) < 2:
        return _RowEntities()
    return found


def _code_entities(sent: Span, ents: list[Span], offset: int) -> list[EntitySpan]:
    """Identifiers of the sentence that no recognised entity covers: an incident, a part or a
    ticket is named by its code ("INC-2025-011"), and a question names it the same way."""
    taken = [(e.start_char, e.end_char) for e in ents]
    found = []
    for match in _CODE.finditer(sent.text):
        start, end = sent.start_char + match.start(), sent.start_char + match.end()
        if any(c.isdigit() for c in match.group()) and not any(
            s < end and start < e for s, e in taken
        ):
            found.append(EntitySpan(offset + start, offset + end, match.group(), CODE_LABEL))
    return found


def _names_a_thing(value: str) -> bool:
    """A short capitalised value without digits: a name, not an amount, date or sentence."""
    words = value.split()
    return (
        0 < len(words) <= CELL_NAME_WORDS
        and value[:1].isupper()
        and not any(c.isdigit() for c in value)
    )


class SpacyExtractor:
    """Rule-based extraction over a spaCy parse.

    Args:
        entity_types: spaCy labels kept as entities (see `IngestSettings.entity_types`).
    """

    def __init__(self, entity_types: tuple[str, ...]) -> None:
        self.entity_types = frozenset(entity_types)

    def extract(self, parsed: ParsedText) -> Extraction:
        entities: list[EntitySpan] = []
        relations: list[RelationSpan] = []
        for block in parsed.blocks:
            for sent in block.doc.sents:
                ents = [
                    piece
                    for e in sent.ents
                    if e.label_ in self.entity_types
                    for piece in _split_at_breaks(e)
                ]
                first = len(entities)
                entities.extend(
                    EntitySpan(
                        block.offset + e.start_char, block.offset + e.end_char, e.text, e.label_
                    )
                    for e in ents
                )
                start, end = block.offset + sent.start_char, block.offset + sent.end_char
                for src, pred, dst, weight in self._sentence_relations(block.doc, sent, ents):
                    relations.append(
                        RelationSpan(first + src, first + dst, pred, weight, start, end)
                    )
                entities.extend(_code_entities(sent, ents, block.offset))
                cells = _cell_entities(sent, ents, block.offset)
                entities.extend(cells.entities)
                relations.extend(cells.relations(len(entities) - len(cells.entities), start, end))
        return Extraction(tuple(entities), tuple(relations))

    def _sentence_relations(
        self, doc: Doc, sent: Span, ents: list[Span]
    ) -> list[tuple[int, str, int, float]]:
        if len(ents) < 2:
            return []
        stated = self._dependency_relations(doc, ents)
        linked = {frozenset((s, d)) for s, _, d in stated}
        found = [(s, p, d, DEPENDENCY_WEIGHT) for s, p, d in stated]
        weight = CO_OCCURRENCE_BUDGET / min(len(ents) - 1, CO_OCCURRENCE_WINDOW)
        for i in range(len(ents)):
            for j in range(i + 1, min(i + 1 + CO_OCCURRENCE_WINDOW, len(ents))):
                if frozenset((i, j)) not in linked:
                    found.append((i, CO_OCCURRENCE, j, weight))
        return found

    def _dependency_relations(self, doc: Doc, ents: list[Span]) -> list[tuple[int, str, int]]:
        roles = _Roles.of(ents)
        relations: list[tuple[int, str, int]] = []
        for verb_i, frame in roles.frames.items():
            relations.extend(self._frame_relations(doc, verb_i, frame, roles.frames))
        relations.extend(roles.noun_relations(doc))
        return [(s, p, o) for s, p, o in relations if s != o]

    @staticmethod
    def _frame_relations(
        doc: Doc, verb_i: int, frame: _Frame, frames: dict[int, _Frame]
    ) -> list[tuple[int, str, int]]:
        verb = doc[verb_i]
        lemma = verb.lemma_.lower()
        subjects, passive = frame.subjects, frame.passive
        if not subjects and not passive and verb.dep_ == "conj" and verb.head.i in frames:
            # "She was born in Warsaw and moved to Paris": "moved" borrows "she".
            shared = frames[verb.head.i]
            subjects, passive = shared.subjects, shared.passive
        actors = subjects + frame.agents
        patients = frame.objects + (passive if frame.agents or subjects else [])
        found = [(a, lemma, p) for a in actors for p in patients]
        for prep, obj in frame.preps:
            found.extend((s, f"{lemma} {prep}", obj) for s in subjects + passive)
        return found
