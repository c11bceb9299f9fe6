"""Checks a language model's answer against the evidence it was shown.

Citations are parsed and mapped to chunks and character spans; a marker with no passage
behind it is removed and reported. Every answer sentence then gets a support score against
the passages it cites (a sentence without a marker is checked against the next cited
sentence's passages, the common "A. B [1]." style): 0.6 x the best cosine similarity to one
evidence sentence + 0.4 x the share of its content words found in the cited passages times
the share of its names and numbers found there (so "discovered by Isaac Newton in 1666" fails
against a passage about the Curies however close the two read). The answer is grounded only
if it cites something and every sentence reaches the threshold.

These measures catch invented facts and citations to the wrong passage; they cannot catch a
sentence that reuses the evidence's words with a changed meaning (a negation, swapped roles).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from groundgraph.retrieval.base import Citation, Context, Embedder
from groundgraph.retrieval.generator_extractive import SIMILARITY_SHARE, content_lemmas
from groundgraph.retrieval.prompts import CANNOT_ANSWER, markers, strip_markers

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Markers that open a sentence as the parser splits it belong to the sentence before.
_LEADING_MARKERS = re.compile(r"^(?:\[\d+\]\s*)+")
_MARKER_TOKEN = r"\[{n}\]"


@dataclass(frozen=True)
class SentenceSupport:
    """One answer sentence, the passages it was checked against, and how well they support
    it."""

    text: str
    markers: tuple[int, ...]
    support: float
    supported: bool


@dataclass(frozen=True)
class Verification:
    """The checked answer: text without invalid markers, citations, per-sentence support.

    Attributes:
        grounded: the answer cites evidence and every sentence is supported.
        notes: what the check found (removed markers, unsupported sentences).
    """

    text: str
    citations: tuple[Citation, ...]
    sentences: tuple[SentenceSupport, ...]
    grounded: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _EvidenceSentence:
    marker: int
    start: int
    end: int
    text: str


class AnswerVerifier:
    """Scores a drafted answer against the context's numbered passages.

    Args:
        embedder: the retrieval embedder (similarity of claims to evidence sentences).
        nlp: loader of the spaCy pipeline, for evidence sentences and content words.
        threshold: least support score for an answer sentence.
    """

    def __init__(self, embedder: Embedder, nlp: Callable[[], Language], threshold: float) -> None:
        self.embedder = embedder
        self.nlp = nlp
        self.threshold = threshold

    def verify(self, question: str, draft: str, context: Context) -> Verification:
        """Check `draft` (with `[n]` markers numbering `context.chunks` from 1)."""
        text, notes = _remove_invalid_markers(draft, len(context.chunks))
        nlp = self.nlp()
        claims = _claims(nlp, text)
        if strip_markers(text).strip().rstrip(".") == CANNOT_ANSWER.rstrip("."):
            return Verification(text, (), (), False, (*notes, "the model said it cannot answer"))
        if not any(cited for _, cited in claims):
            return Verification(text, (), (), False, (*notes, "the answer cites no evidence"))
        evidence, chunk_lemmas = self._evidence(nlp, context, {m for _, c in claims for m in c})
        claim_texts = [strip_markers(claim) for claim, _ in claims]
        vectors = self.embedder.embed(
            claim_texts + [f"{question} {c}" for c in claim_texts] + [e.text for e in evidence]
        )
        n = len(claims)
        claim_vectors, asked_vectors, evidence_vectors = (
            vectors[:n],
            vectors[n : 2 * n],
            vectors[2 * n :],
        )
        sentences, best_span = [], {}
        for i, ((claim, cited), text_i) in enumerate(zip(claims, claim_texts, strict=True)):
            rows = [j for j, e in enumerate(evidence) if e.marker in cited]
            similarity = np.maximum(
                evidence_vectors[rows] @ claim_vectors[i], evidence_vectors[rows] @ asked_vectors[i]
            )
            parsed = nlp(text_i)
            found = set().union(*(chunk_lemmas[m] for m in cited))
            overlap = _share(content_lemmas(parsed), found) * _share(_anchors(parsed), found)
            support = round(
                SIMILARITY_SHARE * float(similarity.max(initial=0.0))
                + (1 - SIMILARITY_SHARE) * overlap,
                4,
            )
            sentences.append(SentenceSupport(claim, cited, support, support >= self.threshold))
            for j, sim in zip(rows, similarity, strict=True):
                marker = evidence[j].marker
                if marker not in best_span or (sim, support) > best_span[marker][:2]:
                    best_span[marker] = (float(sim), support, evidence[j])
        citations = tuple(
            _citation(context, marker, best_span[marker][2], best_span[marker][1])
            for marker in markers(text)
            if marker in best_span
        )
        for s in sentences:
            if not s.supported:
                notes.append(
                    f"unsupported sentence {strip_markers(s.text)!r}: support {s.support:.2f} "
                    f"< {self.threshold:.2f} against passages {list(s.markers)}"
                )
        grounded = all(s.supported for s in sentences)
        return Verification(
            " ".join(text.split()), citations, tuple(sentences), grounded, tuple(notes)
        )

    @staticmethod
    def _evidence(
        nlp: Language, context: Context, cited: set[int]
    ) -> tuple[list[_EvidenceSentence], dict[int, frozenset[str]]]:
        """The sentences of the cited passages, and each passage's content lemmas."""
        found, lemmas = [], {}
        wanted = sorted(cited)
        texts = [context.chunks[m - 1].chunk.text for m in wanted]
        for marker, doc in zip(wanted, nlp.pipe(texts), strict=True):
            lemmas[marker] = content_lemmas(doc)
            offset = context.chunks[marker - 1].chunk.start
            for sent in doc.sents:
                text = sent.text.strip()
                if text:
                    start = offset + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                    found.append(_EvidenceSentence(marker, start, start + len(text), text))
        return found, lemmas


def _anchors(doc: Doc) -> frozenset[str]:
    """Names and numbers: an answer that gets these wrong is wrong however similar it reads."""
    return frozenset(t.lemma_.lower() for t in doc if t.pos_ in ("PROPN", "NUM") or t.like_num)


def _share(wanted: frozenset[str], found: set[str]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 1.0


def _remove_invalid_markers(draft: str, passages: int) -> tuple[str, list[str]]:
    text, notes = draft, []
    for marker in markers(draft):
        if not 1 <= marker <= passages:
            text = re.sub(_MARKER_TOKEN.format(n=marker), "", text)
            notes.append(f"removed citation [{marker}]: there is no evidence passage {marker}")
    return text, notes


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
        elif piece:
            parts.append(piece)
    cited = [tuple(markers(p)) for p in parts]
    resolved: list[tuple[int, ...]] = []
    for i in range(len(parts)):
        following = next((c for c in cited[i:] if c), None)
        preceding = next((c for c in reversed(cited[:i]) if c), ())
        resolved.append(following or preceding)
    return list(zip(parts, resolved, strict=True))


def _citation(
    context: Context, marker: int, sentence: _EvidenceSentence, support: float
) -> Citation:
    scored = context.chunks[marker - 1]
    return Citation(
        marker,
        scored.chunk.id,
        scored.document_uri,
        sentence.start,
        sentence.end,
        sentence.text,
        support,
    )
