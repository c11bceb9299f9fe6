"""The default generator: answers with the evidence sentences themselves, no language model.

Every sentence of the retrieved chunks gets a support score for the question: 0.6 x embedding
similarity + 0.4 x the share of the question's content words it contains, both on its
resolved form (a leading pronoun read as the document's subject, see `evidence.py`). Then the
question's shape (`questions.py`) decides what answers it:

- a question that asks for a kind of thing (who → a person, where → a place, when → a date)
  is answered by the best-supported sentence that names such a thing the question does not;
- a question that nests one relation in another ("Where was the founder of X born?") is
  answered from the document of the thing the first sentence names ("Alfred Nobel"): that
  sentence and the one about it are quoted, the second hop first;
- "…, A or B?" and "Are A and B both …?" quote a sentence about each item;
- anything else is answered by the best sentences above `answer_threshold`.

When nothing does, the answer says so and is not grounded: `grounded` means the quoted
sentence states something that answers the question, not only that something was quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.base import Answer, Citation, Context, Embedder, TokenSink
from groundgraph.retrieval.evidence import EvidenceSentence, content_lemmas, evidence_sentences
from groundgraph.retrieval.questions import NATIONALITY, QuestionShape, question_shape
from groundgraph.retrieval.settings import RetrievalSettings

if TYPE_CHECKING:
    from spacy.language import Language

NO_ANSWER = "I could not find an answer to this question in the indexed documents."
THEMES_ANSWER = "The main themes of the documents: {themes}"
# Support = 0.6 x cosine similarity + 0.4 x content-word overlap: similarity finds paraphrases,
# overlap keeps the sentence about the same things the question names.
SIMILARITY_SHARE = 0.6
MIN_SENTENCE_WORDS = 4
# A second-hop sentence is scored against the question with the bridge named in it; it needs
# less support than the first hop, since the bridge itself ties it to the question.
SECOND_HOP_SHARE = 0.7
# First-hop sentences tried for a bridge, best first.
FIRST_HOPS = 5
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_DEATH = re.compile(r"\b(death|die|died|dies)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Scored:
    sentence: EvidenceSentence
    support: float


def support_score(similarity: float, overlap: float) -> float:
    return SIMILARITY_SHARE * similarity + (1 - SIMILARITY_SHARE) * overlap


class ExtractiveGenerator:
    """A `Generator` that quotes and cites the evidence sentences that answer the question.

    Args:
        embedder: scores sentence similarity to the question.
        nlp: a loader of the spaCy pipeline, for sentences, lemmas and entities.
        settings: `answer_threshold` and `answer_sentences`.
    """

    name = "extractive"

    def __init__(
        self, embedder: Embedder, nlp: Callable[[], Language], settings: RetrievalSettings
    ) -> None:
        self.embedder = embedder
        self.nlp = nlp
        self.settings = settings

    def generate(self, question: str, context: Context, stream: TokenSink | None = None) -> Answer:
        answer = self._answer(question, context)
        if stream is not None:
            stream(answer.text)
        return answer

    def _answer(self, question: str, context: Context) -> Answer:
        if context.communities:
            return self._themes(question, context)
        nlp = self.nlp()
        sentences = evidence_sentences(nlp, context, min_words=MIN_SENTENCE_WORDS)
        sentences = [s for s in sentences if not s.instruction]
        if not sentences:
            return self._none(question)
        shape = question_shape(question)
        wanted = content_lemmas(nlp(question))
        scored = self._score(question, wanted, sentences)
        if shape.items:
            return self._compare(question, shape, scored)
        if shape.typed:
            return self._typed(question, shape, wanted, scored)
        return self._best(question, wanted, scored)

    # -- scoring ----------------------------------------------------------------------------

    def _score(
        self, query: str, wanted: frozenset[str], sentences: Sequence[EvidenceSentence]
    ) -> list[_Scored]:
        """Sentences with their support for `query`, best first."""
        vectors = self.embedder.embed([query, *(s.resolved for s in sentences)])
        similarity = vectors[1:] @ vectors[0]
        scored = [
            _Scored(s, support_score(float(sim), _share(wanted, s.lemmas)))
            for s, sim in zip(sentences, similarity, strict=True)
        ]
        return sorted(scored, key=lambda x: (-x.support, -x.sentence.chunk.score, x.sentence.start))

    # -- the shapes of question -------------------------------------------------------------

    def _typed(
        self, question: str, shape: QuestionShape, wanted: frozenset[str], scored: list[_Scored]
    ) -> Answer:
        threshold = self.settings.answer_threshold
        relevant = [s for s in scored if s.support >= threshold]
        if not relevant:
            return self._none(question)
        first = relevant[0]
        if shape.nested:
            hop = self._second_hop(question, shape, wanted, first, scored)
            if hop is not None:
                return self._quote(
                    question, [hop, first], _candidates(hop.sentence, shape, question)
                )
        answering = [s for s in relevant if _candidates(s.sentence, shape, question)]
        if not answering:
            return self._none(question)
        chosen, used = [], set()
        for choice in answering:  # the best, and corroboration from other chunks
            if choice.sentence.chunk.chunk.id not in used:
                chosen.append(choice)
                used.add(choice.sentence.chunk.chunk.id)
            if len(chosen) == self.settings.answer_sentences:
                break
        short = _candidates(chosen[0].sentence, shape, question)
        return self._quote(question, _with_subject(chosen, scored), short)

    def _second_hop(
        self,
        question: str,
        shape: QuestionShape,
        wanted: frozenset[str],
        first: _Scored,
        scored: list[_Scored],
    ) -> _Scored | None:
        """The best sentence that names a thing of the asked type in the document of
        something the first-hop sentence names (the bridge), scored for the question with
        the bridge in it."""
        asked = normalise(question)
        bridges = [
            name
            for name, _ in first.sentence.entities
            if normalise(name) and normalise(name) not in asked
        ]
        best: _Scored | None = None
        for bridge in dict.fromkeys(bridges):
            key = normalise(bridge)
            others = [
                s.sentence
                for s in scored
                if s.sentence.chunk.chunk.id != first.sentence.chunk.chunk.id
                and _about(s.sentence, key)
                and _candidates(s.sentence, shape, question)
            ]
            if not others:
                continue
            bridged = f"{question} {bridge}"
            words = wanted | frozenset(bridge.lower().split())
            top = self._score(bridged, words, others)[0]
            if best is None or top.support > best.support:
                best = top
        floor = SECOND_HOP_SHARE * self.settings.answer_threshold
        return best if best is not None and best.support >= floor else None

    def _compare(self, question: str, shape: QuestionShape, scored: list[_Scored]) -> Answer:
        """A sentence about each compared item; a yes or no when the question asks whether
        they share a country or nationality."""
        chosen: list[_Scored] = []
        for item in shape.items:
            key = normalise(item)
            about = [
                s for s in scored if _about(s.sentence, key) or key in normalise(s.sentence.text)
            ]
            if not about:
                return self._none(question)
            if about[0] not in chosen:
                chosen.append(about[0])
        short = _comparison_answer(shape, chosen, question)
        answer = self._quote(question, chosen, [short] if short else [])
        if shape.polar and short:
            return Answer(
                question, f"{short}. {answer.text}", answer.citations, True, self.name, short=short
            )
        return answer

    def _best(self, question: str, wanted: frozenset[str], scored: list[_Scored]) -> Answer:
        """The best sentences above the threshold, one per chunk, that say something beyond
        the question's own words."""
        chosen, used = [], set()
        for s in scored:
            if s.support < self.settings.answer_threshold:
                break
            chunk = s.sentence.chunk.chunk.id
            if chunk not in used and s.sentence.lemmas - wanted:
                chosen.append(s)
                used.add(chunk)
            if len(chosen) == self.settings.answer_sentences:
                break
        if not chosen:
            return self._none(question)
        return self._quote(question, _with_subject(chosen, scored), [])

    # -- answers ----------------------------------------------------------------------------

    def _quote(self, question: str, chosen: list[_Scored], short: list[str]) -> Answer:
        citations = tuple(
            Citation.quoting(
                n,
                s.sentence.chunk,
                s.sentence.start,
                s.sentence.end,
                s.sentence.text,
                round(s.support, 4),
            )
            for n, s in enumerate(chosen, start=1)
        )
        text = " ".join(f"{c.text} [{c.marker}]" for c in citations)
        answer = _pick(short, question)
        return Answer(question, text, citations, True, self.name, short=answer)

    def _none(self, question: str) -> Answer:
        return Answer(question, NO_ANSWER, (), False, self.name)

    def _themes(self, question: str, context: Context) -> Answer:
        """A global answer: each top community's title with its first representative
        sentence, cited."""
        parts, citations = [], []
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


def _with_subject(chosen: list[_Scored], scored: list[_Scored]) -> list[_Scored]:
    """The chosen sentences, each that points back ("The couple received ...") followed by
    the sentence of its chunk that names the document's subject, so the quote says who."""
    out = list(chosen)
    for s in chosen:
        if not s.sentence.anaphoric:
            continue
        subject = s.sentence.subject.lower()
        named = [
            x
            for x in scored
            if x.sentence.chunk.chunk.id == s.sentence.chunk.chunk.id
            and x.sentence.start < s.sentence.start
            and subject
            and subject in x.sentence.text.lower()
        ]
        if named:
            first = min(named, key=lambda x: x.sentence.start)
            if first not in out:
                out.append(first)
    return out


def _share(wanted: frozenset[str], found: frozenset[str]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 0.0


def _about(sentence: EvidenceSentence, key: str) -> bool:
    """Whether the sentence's document is about the thing `key` names."""
    subject = normalise(sentence.subject)
    return bool(subject) and (subject == key or key in subject or subject in key)


def _candidates(sentence: EvidenceSentence, shape: QuestionShape, question: str) -> list[str]:
    """Names of the asked type in the sentence that the question does not already name."""
    asked = normalise(question)
    return [
        text
        for text, label in sentence.entities
        if label in shape.answer_types and normalise(text) and normalise(text) not in asked
    ]


def _pick(candidates: list[str], question: str) -> str | None:
    """The short answer among a sentence's candidates: the first, or for a question about a
    death the last date ("(2 February 1886 – 10 August 1960)")."""
    if not candidates:
        return None
    return candidates[-1] if _DEATH.search(question) else candidates[0]


def _comparison_answer(shape: QuestionShape, chosen: list[_Scored], question: str) -> str | None:
    """The item a comparison asks for, by the years its sentences give; yes or no when the
    question asks whether the items share a country."""
    if len(chosen) != len(shape.items):
        return None
    if shape.polar:
        places = [
            {normalise(t) for t, label in s.sentence.entities if label in NATIONALITY}
            for s in chosen
        ]
        if not all(places):
            return None
        return "Yes" if set.intersection(*places) else "No"
    if shape.order is None:
        return None
    years = []
    for s in chosen:
        found = [int(y) for y in _YEAR.findall(s.sentence.text)]
        if not found:
            return None
        years.append(min(found))
    pick = np.argmin(years) if shape.order == "earlier" else np.argmax(years)
    return shape.items[int(pick)] if len(set(years)) == len(years) else None
