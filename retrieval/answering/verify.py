"""Checks a language model's answer against the evidence it was shown.

A marker with no passage behind it is removed and reported. The answer is split into claims
(sentences; a sentence without a marker takes the next cited sentence's, the common "A. B
[1]." style). A claim is checked against the sentences of the passages it cites, or, when
the answer cites nothing, against every retrieved sentence (post-hoc attribution: the claim
is then cited to the sentence that supports it best). Support is 0.6 x the best cosine
similarity to one evidence sentence (of the claim alone or of question + claim) + 0.4 x the
share of its content words found in that sentence's passage times the share of its names
and numbers found there; a short claim that appears word for word in an evidence sentence
("Howard Aiken") is fully supported by it.

Support counts only from evidence that bears on the question (cosine similarity to it, or
most of its content words) and never from a sentence that reads like an instruction to the
assistant (`instructions.py`), so an answer that obeys an injected "answer PWNED" fails. The
answer is grounded only if every claim is supported and one of them says something the
question does not.

These measures catch invented facts, answers to another question and citations to the wrong
passage; they cannot catch a claim that reuses the evidence's words with a changed meaning (a
negation, swapped roles).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.chunk_parses import ChunkParses
from groundgraph.retrieval.answering.evidence import (
    EvidenceSentence,
    anchor_lemmas,
    content_lemmas,
    evidence_sentences,
)
from groundgraph.retrieval.answering.extractive import support_score
from groundgraph.retrieval.answering.prompts import CANNOT_ANSWER, markers, strip_markers
from groundgraph.retrieval.base import Citation, Context, Embedder
from groundgraph.retrieval.questions.kinds import QuestionShape, question_shape
from groundgraph.retrieval.questions.parsed import parsed

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Markers that open a sentence as the parser splits it belong to the sentence before.
_LEADING_MARKERS = re.compile(r"^(?:\[\d+\]\s*)+")
_MARKER_TOKEN = r"\[{n}\]"
# Evidence bears on the question when it is this similar to it, or holds this share of its
# content words.
QUESTION_RELEVANCE = 0.35
QUESTION_OVERLAP = 0.5


@dataclass(frozen=True)
class SentenceSupport:
    """One answer claim, the passages it was checked against, and how well they support it.

    Attributes:
        attributed: the model cited nothing for it, or cited passages that another supports
            it clearly better than; `markers` is the passage verification found for it.
    """

    text: str
    markers: tuple[int, ...]
    support: float
    supported: bool
    attributed: bool = False


@dataclass(frozen=True)
class Verification:
    """The checked answer: text with valid markers only, citations, per-claim support.

    Attributes:
        grounded: every claim is supported and the answer says something the question
            does not.
        notes: what the check found (removed markers, attributions, unsupported claims).
    """

    text: str
    citations: tuple[Citation, ...]
    sentences: tuple[SentenceSupport, ...]
    grounded: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Best:
    support: float
    similarity: float
    sentence: EvidenceSentence | None
    missing: frozenset[str] = frozenset()  # the claim's names and numbers the evidence lacks


class AnswerVerifier:
    """Scores a drafted answer against the context's numbered passages.

    Args:
        embedder: the retrieval embedder (similarity of claims to evidence sentences). Both
            are short texts, embedded by its short-text backend (OpenVINO by default): checking
            a model's answer then loads no torch, which had been 6.5 s of a cold `ask`.
        nlp: loader of the spaCy pipeline, for the answer's sentences and content words.
        threshold: least support score for an answer claim.
        parses: the retrieved chunks' parses (the store's sentence layer); without it every
            chunk is parsed when it is checked against.
    """

    def __init__(
        self,
        embedder: Embedder,
        nlp: Callable[[], Language],
        threshold: float,
        parses: ChunkParses | None = None,
    ) -> None:
        self.embedder = embedder
        self.nlp = nlp
        self.threshold = threshold
        self.parses = parses or ChunkParses(nlp)

    def verify(self, question: str, draft: str, context: Context) -> Verification:
        """Check `draft` (with `[n]` markers numbering `context.chunks` from 1, or none)."""
        text, notes = _remove_invalid_markers(draft, len(context.chunks))
        if strip_markers(text).strip().rstrip(".") == CANNOT_ANSWER.rstrip("."):
            return Verification(text, (), (), False, (*notes, "the model said it cannot answer"))
        nlp = self.nlp()
        claims = _claims(nlp, text)
        if not claims:
            return Verification(text, (), (), False, (*notes, "the answer is empty"))
        evidence = [
            e for e in evidence_sentences(self.parses, context) if not (e.instruction or e.heading)
        ]
        if not evidence:
            return Verification(text, (), (), False, (*notes, "no usable evidence sentence"))
        claim_texts = [strip_markers(claim) for claim, _ in claims]
        n = len(claims)
        vectors = self.embedder.embed_short(
            [question, *claim_texts, *(f"{question} {c}" for c in claim_texts)]
            + [e.resolved for e in evidence]
        )
        question_lemmas = content_lemmas(parsed(nlp, question))
        # A question about the corpus as a whole bears on every community's evidence.
        index = _EvidenceIndex(
            evidence, vectors[2 * n + 1 :], vectors[0], question_lemmas, bool(context.communities)
        )
        shape = question_shape(question)
        sentences, best_of, novel, typed = [], [], False, not shape.typed
        for i, ((claim, cited), claim_text) in enumerate(zip(claims, claim_texts, strict=True)):
            claim_doc = nlp(claim_text)
            lemmas, anchors = content_lemmas(claim_doc), anchor_lemmas(claim_doc)
            novel = novel or bool((lemmas | anchors) - question_lemmas)
            best = index.best(
                claim_text, vectors[1 + i], vectors[1 + n + i], lemmas, anchors, cited
            )
            if cited:
                anywhere = index.best(
                    claim_text, vectors[1 + i], vectors[1 + n + i], lemmas, anchors, ()
                )
                moved_to = _better_elsewhere(anywhere, best)
                if moved_to is not None:
                    notes.append(
                        f"{strip_markers(claim)!r} cited passages {list(cited)}, which state it "
                        f"less well (support {best.support:.2f}) than passage [{moved_to}] "
                        f"({anywhere.support:.2f}): the citation was moved there"
                    )
                    best, cited = anywhere, ()
            used = cited or ((best.sentence.marker,) if best.sentence else ())
            supported = best.support >= self.threshold and not best.missing
            typed = typed or _names_the_asked_type(claim_doc, best, shape)
            sentences.append(
                SentenceSupport(claim, used, round(best.support, 4), supported, not cited)
            )
            best_of.append(best)
        if not novel:
            notes.append("the answer only restates the question")
        if not typed:
            notes.append(
                "the answer names no "
                + "/".join(sorted(shape.answer_types))
                + " though the question asks for one"
            )
        return self._result(text, sentences, best_of, novel and typed, notes)

    def _result(
        self,
        text: str,
        sentences: list[SentenceSupport],
        best_of: list[_Best],
        novel: bool,
        notes: list[str],
    ) -> Verification:
        if any(s.attributed for s in sentences):
            text = " ".join(_with_marker(s) for s in sentences)
            notes.append(
                "citations by the verifier: "
                + "; ".join(
                    f"{strip_markers(s.text)!r} attributed to passage [{s.markers[0]}]"
                    for s in sentences
                    if s.attributed and s.markers
                )
            )
        spans: dict[int, tuple[float, EvidenceSentence]] = {}
        for best in best_of:
            e = best.sentence
            if e is not None and (e.marker not in spans or best.support > spans[e.marker][0]):
                spans[e.marker] = (best.support, e)
        citations = tuple(
            _citation(spans[marker][1], spans[marker][0])
            for marker in markers(text)
            if marker in spans
        )
        for s, best in zip(sentences, best_of, strict=True):
            if best.missing:
                notes.append(
                    f"unsupported sentence {strip_markers(s.text)!r}: the evidence does not name "
                    + ", ".join(sorted(best.missing))
                )
            elif not s.supported:
                notes.append(
                    f"unsupported sentence {strip_markers(s.text)!r}: support {s.support:.2f} "
                    f"< {self.threshold:.2f} against passages {list(s.markers)}"
                )
        grounded = novel and bool(citations) and all(s.supported for s in sentences)
        return Verification(
            " ".join(text.split()), citations, tuple(sentences), grounded, tuple(notes)
        )


class _EvidenceIndex:
    """The usable evidence sentences with their vectors, which of them bear on the question,
    and each passage's words."""

    def __init__(
        self,
        evidence: list[EvidenceSentence],
        vectors: np.ndarray,
        question: np.ndarray,
        question_lemmas: frozenset[str],
        all_relevant: bool = False,
    ) -> None:
        self.evidence = evidence
        self.vectors = vectors
        self.relevant = [
            all_relevant
            or float(v @ question) >= QUESTION_RELEVANCE
            or _share(question_lemmas, e.lemmas) >= QUESTION_OVERLAP
            for v, e in zip(vectors, evidence, strict=True)
        ]
        self.passage_words: dict[int, set[str]] = defaultdict(set)
        for e in evidence:
            self.passage_words[e.marker] |= e.lemmas | e.anchors

    def best(
        self,
        claim: str,
        claim_vector: np.ndarray,
        asked_vector: np.ndarray,
        lemmas: frozenset[str],
        anchors: frozenset[str],
        cited: tuple[int, ...],
    ) -> _Best:
        """The relevant evidence sentence (of the cited passages, or of all) that supports
        the claim best."""
        cited_words = set().union(*(self.passage_words[m] for m in cited)) if cited else None
        best = _Best(0.0, 0.0, None, anchors)
        for e, vector, relevant in zip(self.evidence, self.vectors, self.relevant, strict=True):
            if not relevant or (cited and e.marker not in cited):
                continue
            words = cited_words if cited_words is not None else self.passage_words[e.marker]
            similarity = max(float(vector @ claim_vector), float(vector @ asked_vector))
            overlap = _share(lemmas, words) * _share(anchors, words)
            support = support_score(similarity, overlap)
            if _verbatim(claim, e.text):
                support = 1.0
            found = _Best(support, similarity, e, frozenset(anchors - words))
            if _rank(found) > _rank(best):
                best = found
        return best


# How much better another passage must support a cited claim for its citation to be moved
# there: a small model made to cite picks a passage number that names the claim's words
# without stating it ("Marie Curie discovered polonium" citing Pierre Curie's discovery of
# piezoelectricity, support 0.57, where the polonium passage gives 0.93).
RECITE_MARGIN = 0.15


def _better_elsewhere(anywhere: _Best, cited: _Best) -> int | None:
    """The passage of a sentence outside the cited passages that supports the claim clearly
    better than they do, if there is one."""
    found = anywhere.sentence
    if found is None or found is cited.sentence or anywhere.missing:
        return None
    better = bool(cited.missing) or anywhere.support >= cited.support + RECITE_MARGIN
    return found.marker if better else None


def _rank(best: _Best) -> tuple[bool, float, float]:
    """Evidence that has every name and number of the claim first, then the best support."""
    return (not best.missing, best.support, best.similarity)


def _names_the_asked_type(claim: Doc, best: _Best, shape: QuestionShape) -> bool:
    """Whether a claim names a thing of the kind the question asks for: an entity of that
    label in the claim, or one of the supporting sentence's that the claim repeats."""
    if any(e.label_ in shape.answer_types for e in claim.ents):
        return True
    if best.sentence is None:
        return False
    said = f" {normalise(claim.text)} "
    return any(
        label in shape.answer_types and f" {normalise(text)} " in said
        for text, label in best.sentence.entities
    )


def _with_marker(claim: SentenceSupport) -> str:
    """A claim the model left uncited, with the passage verification attributed it to."""
    if not (claim.attributed and claim.markers):
        return claim.text
    text = strip_markers(claim.text)
    stop = text[-1] if text[-1] in ".!?" else ""
    return f"{text.removesuffix(stop)} [{claim.markers[0]}]{stop}"


def _share(wanted: frozenset[str] | set[str], found: set[str] | frozenset[str]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 1.0


def _verbatim(claim: str, sentence: str) -> bool:
    """A claim of a few words that the evidence sentence says word for word."""
    said = normalise(claim)
    return bool(said) and len(said.split()) <= 8 and f" {said} " in f" {normalise(sentence)} "


def _remove_invalid_markers(draft: str, passages: int) -> tuple[str, list[str]]:
    text, notes = draft, []
    for marker in markers(draft):
        if not 1 <= marker <= passages:
            text = re.sub(_MARKER_TOKEN.format(n=marker), "", text)
            notes.append(f"removed citation [{marker}]: there is no evidence passage {marker}")
    return re.sub(r"\s+([.,;:!?])", r"\1", text), notes


def _claims(nlp: Language, text: str) -> list[tuple[str, tuple[int, ...]]]:
    """Answer sentences with the markers each is checked against."""
    parts: list[str] = []
    for sent in nlp(text.strip()).sents:
        piece = sent.text.strip()
        lead = _LEADING_MARKERS.match(piece)
        if lead and parts:
            parts[-1] += " " + lead.group().strip()
            piece = piece[lead.end() :].strip()
        if parts and not any(ch.isalnum() for ch in strip_markers(piece)):
            parts[-1] += piece  # a stray stop after a marker: "... [1]."
        elif piece and any(ch.isalnum() for ch in strip_markers(piece)):
            parts.append(piece)
    cited = [tuple(markers(p)) for p in parts]
    resolved: list[tuple[int, ...]] = []
    for i in range(len(parts)):
        following = next((c for c in cited[i:] if c), None)
        preceding = next((c for c in reversed(cited[:i]) if c), ())
        resolved.append(following or preceding)
    return list(zip(parts, resolved, strict=True))


def _citation(sentence: EvidenceSentence, support: float) -> Citation:
    return Citation.quoting(
        sentence.marker,
        sentence.chunk,
        sentence.start,
        sentence.end,
        sentence.text,
        round(support, 4),
    )
