"""The evaluation file: JSON Lines, one question with its accepted answers a line."""

import json
from dataclasses import dataclass
from pathlib import Path

from groundgraph.graph.errors import UsageError
from groundgraph.ingest.base import FileError


@dataclass(frozen=True)
class EvalQuestion:
    """One line of an evaluation file."""

    question: str
    answers: tuple[str, ...] | None
    sources: tuple[str, ...] = ()
    type: str = ""


def read_eval_file(path: Path) -> tuple[list[EvalQuestion], list[FileError]]:
    """The questions of an evaluation file, and each line that cannot be used with why.

    Raises:
        UsageError: the file cannot be read.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read the evaluation file {path}: {e}") from e
    questions, errors = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(eval_question(json.loads(line)))
        except (json.JSONDecodeError, ValueError) as e:
            errors.append(FileError(str(path), str(e), number))
    return questions, errors


def eval_question(row: object) -> EvalQuestion:
    """One question from its JSON object.

    Raises:
        ValueError: the object is not a usable question; the message says which field.
    """
    if not isinstance(row, dict):
        raise ValueError("a line must be a JSON object with 'question' and 'answers'")
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("'question' must be a non-empty string")
    if "answers" not in row:
        raise ValueError("'answers' is missing: a list of accepted answers, or null to abstain")
    answers = row["answers"]
    if answers is not None and (
        not isinstance(answers, list) or not answers or not all(_scalar(a) for a in answers)
    ):
        raise ValueError("'answers' must be a non-empty list of strings or numbers, or null")
    sources = row.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ValueError("'sources' must be a list of file names or URIs")
    kind = row.get("type") or ""
    if not isinstance(kind, str):
        raise ValueError("'type' must be a string")
    expected = None if answers is None else tuple(str(a) for a in answers)
    return EvalQuestion(question, expected, tuple(sources), kind)


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)
