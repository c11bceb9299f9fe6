"""Corrections users gave through feedback, as training examples.

A correction is the right answer to a question the system answered wrongly. It becomes an
example only if the documents back it: its evidence is retrieved again at training time (the
graph may have changed since), and the passages that state the correction are its gold
citations. A correction no passage states is refused with the reason, not trained on: the
model must learn to answer from its evidence, and a correction the evidence does not contain
would teach it the opposite.

Correction examples are always trained on and never tested on; the gate reports the adapter's
score on them apart from the held-out score it decides on.
"""

import random
import re
from dataclasses import dataclass

from groundgraph.finetune.examples import Example
from groundgraph.finetune.feedback import Feedback
from groundgraph.graph.ids import stable_hash
from groundgraph.retrieval.base import Retriever

CORRECTION_KIND = "correction"
MIN_SUPPORT = 0.8  # share of the correction's content words one passage must contain
_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the of in on at to for by with from and or is was were are be been it its this "
        "that as he she they his her their who what which when where",
    )
)


@dataclass(frozen=True)
class RefusedCorrection:
    """A correction that did not become an example, and why."""

    feedback_id: str
    question: str
    reason: str


@dataclass(frozen=True)
class CorrectionExamples:
    examples: list[Example]
    refused: list[RefusedCorrection]


def _content_words(text: str) -> set[str]:
    words = {w for w in _WORD.findall(text.casefold())}
    return {w for w in words if w not in _STOPWORDS} or words


def support(correction: str, passage: str) -> float:
    """Share of the correction's content words that the passage contains."""
    wanted = _content_words(correction)
    if not wanted:
        return 0.0
    return len(wanted & set(_WORD.findall(passage.casefold()))) / len(wanted)


def correction_examples(
    corrections: list[Feedback], retriever: Retriever, passages: int = 3, seed: int = 0
) -> CorrectionExamples:
    """Examples from the corrections whose retrieved evidence states them.

    Args:
        passages: chunks retrieved per question (the prompt's numbered passages).
    """
    examples: list[Example] = []
    refused: list[RefusedCorrection] = []
    seen: set[str] = set()
    for feedback in corrections:
        correction = feedback.correction or ""
        key = f"{feedback.question.casefold()}\x1f{correction.casefold()}"
        if key in seen:
            continue
        seen.add(key)
        chunks = list(retriever.retrieve(feedback.question, passages).chunks)
        random.Random(f"{seed}:{feedback.id}").shuffle(chunks)
        gold = tuple(
            n
            for n, scored in enumerate(chunks, start=1)
            if support(correction, scored.chunk.text) >= MIN_SUPPORT
        )
        if not gold:
            refused.append(
                RefusedCorrection(
                    feedback.id,
                    feedback.question,
                    f"none of the {len(chunks)} passages retrieved for the question states "
                    f"{correction!r}",
                )
            )
            continue
        examples.append(
            Example(
                stable_hash("correction", feedback.id),
                CORRECTION_KIND,
                feedback.question,
                correction,
                "",
                tuple((s.document_title, s.chunk.text) for s in chunks),
                gold,
            )
        )
    return CorrectionExamples(examples, refused)
