"""The default generator: answers with the evidence itself, no language model.

The answer is a value the evidence states *with* the question's terms (`reader.py`): the
question's names, dates and relation, bound to the value in one sentence, one `Label: value`
line or one table row. Its shape decides how it is read:

- a question that nests one relation in another ("Who leads the team that owns the Billing
  Engine?", "Where was the founder of X born?") is answered in two hops: the inner question
  first (the bridge: "Payments"), then the outer one asked about it, retrieved again; both
  hops are quoted, the second first, and either unstated hop means no answer;
- "…, A or B?" reads the compared value of each item and names the larger, smaller, earlier
  or later as the question asks; "Are A and B both …?" says yes or no by their countries;
  "Are the directors of A and B from the same country?" reads each director, then each one's
  nationality, and says yes or no by those;
- anything else is answered by the best-bound value, its unit quoted and cited.

When no unit binds the question the answer says so and is not grounded: `grounded` means the
quoted evidence states the answer in the role the question asks about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.attribution import demonyms_of, same_nation
from groundgraph.retrieval.answering.chunk_parses import ChunkParses
from groundgraph.retrieval.answering.comparable import comparable
from groundgraph.retrieval.answering.currency import (
    Statements,
    statements,
    told_over_time,
)
from groundgraph.retrieval.answering.evidence import EvidenceSentence, evidence_sentences
from groundgraph.retrieval.answering.hops import read_hops
from groundgraph.retrieval.answering.reader import Reading, read, units_of
from groundgraph.retrieval.as_of import as_of_context
from groundgraph.retrieval.base import Answer, Citation, Context, Decoding, TokenSink
from groundgraph.retrieval.questions.kinds import NATIONALITY, QuestionShape, question_shape
from groundgraph.retrieval.questions.nested import (
    NestedQuestion,
    RoleComparison,
    SharedNationality,
    compared_role,
    shared_nationality,
    split_nested,
)
from groundgraph.retrieval.questions.terms import bare_name, read_question

if TYPE_CHECKING:
    from spacy.language import Language

NO_ANSWER = "I could not find an answer to this question in the indexed documents."
THEMES_ANSWER = "The main themes of the documents: {themes}"
# Support = 0.6 x cosine similarity + 0.4 x content-word overlap: similarity finds paraphrases,
# overlap keeps the sentence about the same things the question names (the verifier's score).
SIMILARITY_SHARE = 0.6
# "Chair: Helen Achterberg" is a statement of two words.
MIN_SENTENCE_WORDS = 2


def support_score(similarity: float, overlap: float) -> float:
    return SIMILARITY_SHARE * similarity + (1 - SIMILARITY_SHARE) * overlap


class ExtractiveGenerator:
    """A `Generator` that quotes and cites the evidence that states the answer.

    Args:
        nlp: a loader of the spaCy pipeline, for the question's parse.
        retrieve: retrieval for a question's second hop (the outer question asked about the
            inner one's answer); without it both hops are read from the given context.
        parses: the retrieved chunks' parses (the store's sentence layer); without it every
            chunk is parsed when it is read.
    """

    name = "extractive"

    def __init__(
        self,
        nlp: Callable[[], Language],
        retrieve: Callable[[str], Context] | None = None,
        parses: ChunkParses | None = None,
    ) -> None:
        self.nlp = nlp
        self.retrieve = retrieve
        self.parses = parses or ChunkParses(nlp)

    def generate(
        self,
        question: str,
        context: Context,
        stream: TokenSink | None = None,
        decoding: Decoding | None = None,
    ) -> Answer:
        answer, _ = self._answered(question, context)
        if decoding is not None and decoding.instructions:
            note = "the caller's instructions were not used: the extractive reader quotes"
            answer = replace(answer, notes=(*answer.notes, note))
        if stream is not None:
            stream(answer.text)
        return answer

    def stated_values(self, question: str, context: Context) -> tuple[Answer, frozenset[str]]:
        """The extractive answer, and every value the evidence states in the asked role as
        surely as its own ("Marie Curie and Pierre Curie discovered polonium": both)."""
        answer, readings = self._answered(question, context)
        if not answer.grounded or not answer.short:
            return answer, frozenset()
        coordinated = {r.value for r in readings if _coordinated(r, readings[0])}
        return answer, frozenset({answer.short, *coordinated})

    def _answered(self, question: str, context: Context) -> tuple[Answer, list[Reading]]:
        """The answer, and the readings it was chosen from where it is one value read from
        the context (empty for two hops, comparisons and abstentions)."""
        if context.communities:
            return self._themes(question, context), []
        shape = question_shape(question)
        shared = shared_nationality(question)
        if shared is not None:
            return self._shared_nationality(question, shared, context), []
        if shape.polar and shape.items:
            return self._polar(question, shape, context), []
        by_role = compared_role(question) if shape.items else None
        if by_role is not None:
            return self._role_compared(question, shape, by_role, context), []
        nested = split_nested(self.nlp(), question)
        if nested is not None:
            hops = self._two_hops(question, nested, context)
            return (hops if hops is not None else self._none(question, _injected(context))), []
        readings = self._read(question, context)
        if not readings:
            return self._none(question, _injected(context)), []
        if shape.items:
            return self._compared(question, shape, readings), []
        found = statements(readings)
        if found.older:
            return self._superseding(question, found), readings
        return self._quote(question, [found.current], found.current.value), readings

    # -- reading ----------------------------------------------------------------------------

    def _read(self, question: str, context: Context) -> list[Reading]:
        """What the context states for the question, best bound first; for "A or B"
        questions, the reading of each item."""
        terms = read_question(self.nlp(), question)
        sentences = self._sentences(context)
        shape = question_shape(question)
        if not shape.items:
            return read(terms, units_of(sentences), context.common)
        read_already = {c.chunk.id for c in context.chunks}
        per_item = []
        for item in shape.items:
            about = terms.about(item, [i for i in shape.items if i != item])
            wider = self._context(f"{item} {' '.join(sorted(about.words))}", context)
            unread = tuple(c for c in wider.chunks if c.chunk.id not in read_already)
            more = self._sentences(replace(wider, chunks=unread))  # parse each passage once
            found = read(about, units_of(sentences + more), context.common)
            if not found:
                return []
            per_item.append(found[0])
        return per_item

    def _sentences(self, context: Context) -> list[EvidenceSentence]:
        return evidence_sentences(self.parses, context, min_words=MIN_SENTENCE_WORDS)

    def _two_hops(self, question: str, nested: NestedQuestion, context: Context) -> Answer | None:
        """The hops of a nested question read in turn (`hops.py`), each with retrieval of its
        own; None unless every hop is stated."""
        names = read_question(self.nlp(), question).names
        chain = read_hops(
            self.nlp(), nested, names, lambda q: self._read(q, self._context(q, context))
        )
        return self._quote(question, chain, chain[0].value) if chain else None

    def _context(self, question: str, context: Context) -> Context:
        """Retrieval for another hop, as of the day the question is asked about."""
        if self.retrieve is None:
            return context
        return as_of_context(self.retrieve(question), context.as_of)

    def _compared(self, question: str, shape: QuestionShape, readings: list[Reading]) -> Answer:
        """The item whose value is the larger (or the earlier, ...) as the question asks."""
        terms = read_question(self.nlp(), question)
        found = [comparable(r.value) for r in readings]
        values = [v for v in found if v is not None]
        kinds = {len(v) for v in values}  # a date is (year, month, day), an amount (amount,)
        if terms.compare == "" or len(values) < len(found) or len(kinds) > 1:
            return self._none(question)  # nothing to compare, or a date against an amount
        if len(set(values)) < 2:
            return self._none(question)
        pick = max if terms.compare in ("more", "later") else min
        chosen = pick(range(len(values)), key=lambda i: values[i])
        return self._quote(question, readings, bare_name(shape.items[chosen]))

    def _role_compared(
        self, question: str, shape: QuestionShape, by_role: RoleComparison, context: Context
    ) -> Answer:
        """Each item's role holder, the date of the asked event for each, the item whose
        date wins; every hop quoted, or no answer."""
        dates, quoted = [], []
        for item in shape.items:
            inner = f"Who is the {by_role.role} of {bare_name(item)}?"
            holders = self._read(inner, self._context(inner, context))
            if not holders:
                return self._none(question)
            event = by_role.event.replace("{bridge}", holders[0].value)
            when = self._read(event, self._context(event, context))
            value = comparable(when[0].value) if when else None
            if not isinstance(value, tuple):
                return self._none(question)
            dates.append(value)
            quoted += [when[0], holders[0]]
        if len(set(dates)) < len(dates):
            return self._none(question)
        pick = max if by_role.compare == "later" else min
        chosen = pick(range(len(dates)), key=lambda i: dates[i])
        return self._quote(question, quoted, bare_name(shape.items[chosen]))

    def _shared_nationality(
        self, question: str, shared: SharedNationality, context: Context
    ) -> Answer:
        """Each item's role holder, then their nationality: yes when they share a nation,
        no when they do not; every hop quoted, or no answer."""
        found, quoted = [], []
        for item in shared.items:
            inner = f"Who is the {shared.role} of {bare_name(item)}?"
            holders = self._read(inner, self._context(inner, context))
            if not holders:
                return self._none(question)
            asked = f"What nationality is {holders[0].value}?"
            nationality = self._read(asked, self._context(asked, context))
            if not nationality:
                return self._none(question)
            stated = nationality[0].sentence
            said = {nationality[0].value}
            if stated.span is not None:  # "an Italian-American director": each one said
                said |= demonyms_of(stated.span, stated.entities, (holders[0].value,))
            found.append(said)
            quoted += [nationality[0], holders[0]]
        same = same_nation(found[0], found[1])
        if same is None:
            return self._none(question)
        return self._verdict(question, quoted, "Yes" if same else "No")

    def _polar(self, question: str, shape: QuestionShape, context: Context) -> Answer:
        """Yes or no to whether two items share a country or nationality, with a sentence
        about each."""
        sentences = [s for s in self._sentences(context) if not (s.instruction or s.heading)]
        chosen: list[EvidenceSentence] = []
        for item in shape.items:
            key = normalise(item)
            about = [s for s in sentences if _about(s, key) or key in normalise(s.text)]
            if not about:
                return self._none(question)
            chosen.append(min(about, key=lambda s: (-round(s.chunk.score, 2), s.start)))
        short = _polar_answer(chosen)
        if short is None:
            return self._none(question)
        return self._verdict(question, chosen, short)

    # -- answers ----------------------------------------------------------------------------

    def _quote(
        self, question: str, chosen: Sequence[Reading | EvidenceSentence], short: str | None
    ) -> Answer:
        # one quote a sentence, however many hops read it (each hop retrieves it anew)
        by_place: dict[tuple[str, int], EvidenceSentence] = {}
        for c in chosen:
            sentence = c.sentence if isinstance(c, Reading) else c
            by_place.setdefault((sentence.chunk.chunk.id, sentence.start), sentence)
        sentences = list(by_place.values())
        citations = tuple(
            Citation.quoting(n, s.chunk, s.start, s.end, s.text, round(s.chunk.score, 4))
            for n, s in enumerate(sentences, start=1)
        )
        text = " ".join(f"{c.text} [{c.marker}]" for c in citations)
        if short and f" {normalise(short)} " not in f" {normalise(text)} ":
            text = f"{short}. {text}"  # the item a comparison names, which no quote names
        return Answer(question, text, citations, True, self.name, short=short)

    def _superseding(self, question: str, found: Statements) -> Answer:
        """The current value quoted first, then each older document's other value with its
        date: what changed and when."""
        answer = self._quote(question, [found.current, *found.older], found.current.value)
        return told_over_time(answer, found)

    def _verdict(
        self, question: str, chosen: Sequence[Reading | EvidenceSentence], short: str
    ) -> Answer:
        """A yes or no, said first, then the quoted evidence it rests on."""
        answer = self._quote(question, chosen, None)
        return replace(answer, text=f"{short}. {answer.text}", short=short)

    def _none(self, question: str, notes: tuple[str, ...] = ()) -> Answer:
        return Answer(question, NO_ANSWER, (), False, self.name, notes=notes)

    def _themes(self, question: str, context: Context) -> Answer:
        """A global answer: each top community's title with its first representative
        sentence, cited."""
        parts: list[str] = []
        citations: list[Citation] = []
        for ranked in context.communities:
            if not ranked.spans:
                continue
            marker, start, end = ranked.spans[0]
            scored = context.chunks[marker - 1]
            chunk = scored.chunk
            text = chunk.text[start - chunk.start : end - chunk.start]
            n = len(citations) + 1
            citations.append(Citation.quoting(n, scored, start, end, text, ranked.score))
            parts.append(f"({n}) {ranked.community.title}: {text} [{n}]")
        if not citations:
            return self._none(question)
        text = THEMES_ANSWER.format(themes=" ".join(parts))
        return Answer(question, text, tuple(citations), True, self.name)


def _coordinated(reading: Reading, best: Reading) -> bool:
    """A value the best one's sentence joins to it by "and" or "or" ("Marie Curie and Pierre
    Curie discovered polonium"): stated in the same role."""
    if reading.sentence != best.sentence or reading.value == best.value:
        return False
    a, b = re.escape(reading.value), re.escape(best.value)
    joined = rf"({a},?\s+(and|or)\s+{b}|{b},?\s+(and|or)\s+{a})"
    return re.search(joined, best.sentence.text) is not None


def _about(sentence: EvidenceSentence, key: str) -> bool:
    """Whether the sentence's document is about the thing `key` names."""
    subject = normalise(sentence.subject)
    return bool(subject) and (subject == key or key in subject or subject in key)


def _polar_answer(chosen: list[EvidenceSentence]) -> str | None:
    """Yes when the items' sentences name a country or nationality in common, no when both
    name one and none is shared."""
    places = [{normalise(t) for t, label in s.entities if label in NATIONALITY} for s in chosen]
    if not all(places):
        return None
    return "Yes" if set.intersection(*places) else "No"


def _injected(context: Context) -> tuple[str, ...]:
    """A note for each retrieved passage that addresses the assistant: never an answer."""
    return tuple(
        f"passage [{n}] ({c.document_uri}) holds text addressed to an AI assistant; it was "
        "not used as evidence"
        for n, c in enumerate(context.chunks, start=1)
        if c.instructions
    )
