"""A canary retrieval set: known questions whose supporting documents must come back.

A refresh that breaks parsing, embedding or the graph shows up here as lost recall before a
user notices. The set is JSON Lines, one question per line:

    {"question": "Who discovered polonium?", "documents": ["polonium.md"]}

An expected document matches a retrieved one by title or by the end of its URI.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from groundgraph.retrieval.base import Context, RetrievalError, Retriever


@dataclass(frozen=True)
class Canary:
    question: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class CanaryResult:
    """Document recall over the set, and the questions that missed a document."""

    recall: float
    questions: int
    misses: tuple[str, ...]


def load_canaries(path: Path) -> list[Canary]:
    """Read a canary set; a malformed line is an error naming the file and line."""
    canaries = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise RetrievalError(f"canary set {path} is unreadable: {e}") from e
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            canaries.append(Canary(record["question"], tuple(record["documents"])))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise RetrievalError(
                f"{path}:{number}: a canary needs 'question' and 'documents' ({e})"
            ) from e
    if not canaries:
        raise RetrievalError(f"canary set {path} has no questions")
    return canaries


def _found(expected: str, context: Context) -> bool:
    wanted = expected.casefold()
    return any(
        c.document_title.casefold() == wanted or c.document_uri.casefold().endswith(wanted)
        for c in context.chunks
    )


def canary_recall(retriever: Retriever, canaries: list[Canary], k: int) -> CanaryResult:
    """Fraction of expected documents found in the top `k` chunks of their question."""
    expected = hits = 0
    misses = []
    for canary in canaries:
        context = retriever.retrieve(canary.question, k)
        found = [d for d in canary.documents if _found(d, context)]
        expected += len(canary.documents)
        hits += len(found)
        if len(found) < len(canary.documents):
            misses.append(canary.question)
    return CanaryResult(hits / expected if expected else 1.0, len(canaries), tuple(misses))
