"""The default generator: answers with the evidence sentences themselves, no language model.

Each sentence of the retrieved chunks gets a support score for the question, a mix of
embedding similarity and the share of the question's content words it contains. The best
sentences (one per chunk, above `answer_threshold`) are quoted with citation markers; when no
sentence reaches the threshold the answer says so and is not grounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groundgraph.retrieval.base import (
    Answer,
    Citation,
    Context,
    Embedder,
    ScoredChunk,
    TokenSink,
)
from groundgraph.retrieval.settings import RetrievalSettings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

NO_ANSWER = "I could not find an answer to this question in the indexed documents."
THEMES_ANSWER = "The main themes of the documents: {themes}"
# Support = 0.6 x cosine similarity + 0.4 x content-word overlap: similarity finds paraphrases,
# overlap keeps the sentence about the same things the question names.
SIMILARITY_SHARE = 0.6
MIN_SENTENCE_WORDS = 4


@dataclass(frozen=True)
class _Sentence:
    chunk: ScoredChunk
    start: int
    end: int
    text: str
    lemmas: frozenset[str]


def content_lemmas(doc: Doc | Span) -> frozenset[str]:
    """Lower-case lemmas of the words that carry meaning (no stop words or punctuation)."""
    return frozenset(t.lemma_.lower() for t in doc if not (t.is_stop or t.is_punct or t.is_space))


class ExtractiveGenerator:
    """A `Generator` that quotes and cites evidence sentences.

    Args:
        embedder: scores sentence similarity to the question.
        nlp: a loader of the spaCy pipeline, for sentences and lemmas.
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
        wanted = content_lemmas(nlp(question))
        sentences = self._sentences(nlp, context)
        if not sentences:
            return Answer(question, NO_ANSWER, (), False, self.name)
        vectors = self.embedder.embed([question] + [s.text for s in sentences])
        similarity = vectors[1:] @ vectors[0]
        scored = []
        for sentence, sim in zip(sentences, similarity, strict=True):
            overlap = len(wanted & sentence.lemmas) / len(wanted) if wanted else 0.0
            support = SIMILARITY_SHARE * float(sim) + (1 - SIMILARITY_SHARE) * overlap
            scored.append((support, sentence))
        scored.sort(key=lambda pair: (-pair[0], -pair[1].chunk.score, pair[1].start))
        chosen, used = [], set()
        for support, sentence in scored:
            if support < self.settings.answer_threshold:
                break
            if sentence.chunk.chunk.id not in used:
                chosen.append((support, sentence))
                used.add(sentence.chunk.chunk.id)
            if len(chosen) == self.settings.answer_sentences:
                break
        if not chosen:
            return Answer(question, NO_ANSWER, (), False, self.name)
        citations = tuple(
            Citation(
                n, s.chunk.chunk.id, s.chunk.document_uri, s.start, s.end, s.text, round(support, 4)
            )
            for n, (support, s) in enumerate(chosen, start=1)
        )
        text = " ".join(f"{c.text} [{c.marker}]" for c in citations)
        return Answer(question, text, citations, True, self.name)

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
            citations.append(
                Citation(n, chunk.id, scored.document_uri, start, end, text, ranked.score)
            )
            parts.append(f"({n}) {ranked.community.title}: {text} [{n}]")
        if not citations:
            return Answer(question, NO_ANSWER, (), False, self.name)
        text = THEMES_ANSWER.format(themes=" ".join(parts))
        return Answer(question, text, tuple(citations), True, self.name)

    @staticmethod
    def _sentences(nlp: Language, context: Context) -> list[_Sentence]:
        found = []
        texts = [scored.chunk.text for scored in context.chunks]
        for scored, doc in zip(context.chunks, nlp.pipe(texts), strict=True):
            for sent in doc.sents:
                words = [t for t in sent if not (t.is_punct or t.is_space)]
                if len(words) < MIN_SENTENCE_WORDS or sent.text.startswith("#"):
                    continue  # headings and fragments answer nothing
                start = scored.chunk.start + sent.start_char
                text = sent.text.rstrip()
                found.append(
                    _Sentence(scored, start, start + len(text), text, content_lemmas(sent))
                )
        return found
