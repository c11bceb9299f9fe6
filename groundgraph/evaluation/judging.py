"""The rule an answer is judged by: grounded, and its short answer holds an accepted one."""

import re
import string
from collections.abc import Sequence

from groundgraph.evaluation.questions import EvalQuestion

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def judge(question: EvalQuestion, grounded: bool, short: str | None) -> bool:
    """Whether an answer is correct for the question (see the module's docstring)."""
    if question.answers is None:
        return not grounded
    return grounded and contains(short or "", question.answers)


def contains(text: str, golds: Sequence[str]) -> bool:
    """One of the golds occurs in the text as whole words, after normalisation."""
    padded = f" {normalise_answer(text)} "
    return any(f" {normalise_answer(g)} " in padded for g in golds if normalise_answer(g))


def normalise_answer(text: str) -> str:
    """Lowercased, punctuation and articles dropped, spaces collapsed (SQuAD's rule)."""
    lowered = text.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", lowered).split())


def source_recall(expected: Sequence[str], retrieved: Sequence[str]) -> float | None:
    """The share of expected sources (file names or URIs) among the retrieved documents'
    URIs (a record's `#id` is its file's)."""
    if not expected:
        return None
    documents = {uri.split("#", 1)[0] for uri in retrieved}
    names = {uri.rsplit("/", 1)[-1] for uri in documents} | documents
    return sum(source in names for source in expected) / len(expected)
