"""Is a store answering well? Questions with known answers, asked and judged, as a CI gate.

An evaluation file is JSON Lines, one question a line:
`{"question": "…", "answers": ["…", "alias"], "sources": ["file name or URI"], "type": "…"}`,
`answers` null for a question no document answers (the right reply is to abstain), `sources`
and `type` optional. An answer is *correct* when it is grounded and its short answer contains
one of the aliases, compared lowercased with punctuation and articles dropped (a quote with
no short answer names nothing, so it is not counted); for a must-abstain question, when it
is not grounded. It is *grounded but wrong* when it claims grounding and is not correct: the
failure a user cannot see. Recall@k is the share of the expected sources among the documents
of the top k passages.

Each run is kept under the store (`evaluations/`), named by the evaluation file and the store
version, so a later run can be compared with it: which questions changed, and how.
"""

import json
import re
import statistics
import string
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from groundgraph.answer_path import answer_question, retrieve
from groundgraph.assembly import Components
from groundgraph.graph.errors import UsageError
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.ingest.base import FileError
from groundgraph.settings import GeneratorName

RESULTS_DIR = "evaluations"
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


@dataclass(frozen=True)
class EvalQuestion:
    """One line of an evaluation file."""

    question: str
    answers: tuple[str, ...] | None
    sources: tuple[str, ...] = ()
    type: str = ""


@dataclass(frozen=True)
class QuestionResult:
    """How one question was answered and judged.

    Attributes:
        correct: grounded and stating an expected answer; for a must-abstain question, not
            grounded.
        grounded_wrong: grounded and not correct.
        recall: share of the expected sources among the retrieved documents; None without
            expected sources.
    """

    question: str
    type: str
    expected: tuple[str, ...] | None
    short: str | None
    answer: str
    grounded: bool
    correct: bool
    grounded_wrong: bool
    recall: float | None
    seconds: float
    cited: tuple[str, ...]


@dataclass(frozen=True)
class Totals:
    questions: int
    correct: float
    grounded_wrong: float
    abstained_when_unanswerable: float | None
    recall: float | None
    seconds: float


@dataclass(frozen=True)
class EvalReport:
    """An evaluation run: every question's result, the lines that could not be used, and the
    store version it was read from."""

    file: str
    store_version: int
    generator: str
    k: int
    results: tuple[QuestionResult, ...]
    errors: tuple[FileError, ...] = ()
    seconds: float = 0.0

    def totals(self) -> dict[str, Totals]:
        """Shares per question type, and over all questions under `all`."""
        groups: dict[str, list[QuestionResult]] = defaultdict(list)
        for result in self.results:
            if result.type:
                groups[result.type].append(result)
        groups["all"] = list(self.results)
        return {name: _totals(results) for name, results in groups.items()}

    def below(
        self,
        min_correct: float | None = None,
        max_grounded_wrong: float | None = None,
        min_recall: float | None = None,
    ) -> list[str]:
        """Why the run misses the bars (one line each, naming the questions); empty when it
        meets them all."""
        overall = self.totals()["all"]
        misses = []
        if min_correct is not None and overall.correct < min_correct:
            wrong = [r.question for r in self.results if not r.correct]
            misses.append(
                f"correct {overall.correct:.3f} < {min_correct:g}; not correct: "
                + "; ".join(repr(q) for q in wrong)
            )
        if max_grounded_wrong is not None and overall.grounded_wrong > max_grounded_wrong:
            wrong = [r.question for r in self.results if r.grounded_wrong]
            misses.append(
                f"grounded but wrong {overall.grounded_wrong:.3f} > {max_grounded_wrong:g}: "
                + "; ".join(repr(q) for q in wrong)
            )
        if min_recall is not None and overall.recall is not None and overall.recall < min_recall:
            missed = [r.question for r in self.results if r.recall is not None and r.recall < 1]
            misses.append(
                f"recall@{self.k} {overall.recall:.3f} < {min_recall:g}; sources missed for: "
                + "; ".join(repr(q) for q in missed)
            )
        return misses

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "store_version": self.store_version,
            "generator": self.generator,
            "k": self.k,
            "seconds": round(self.seconds, 3),
            "totals": {name: asdict(t) for name, t in self.totals().items()},
            "questions": [asdict(r) for r in self.results],
            "errors": [{"path": e.path, "line": e.line, "reason": e.reason} for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "EvalReport":
        results = tuple(
            QuestionResult(
                **{
                    **r,
                    "expected": None if r["expected"] is None else tuple(r["expected"]),
                    "cited": tuple(r["cited"]),
                }
            )
            for r in data["questions"]
        )
        errors = tuple(FileError(e["path"], e["reason"], e["line"]) for e in data["errors"])
        return cls(
            data["file"],
            data["store_version"],
            data["generator"],
            data["k"],
            results,
            errors,
            data["seconds"],
        )


@dataclass(frozen=True)
class Change:
    """A question judged differently by two runs."""

    question: str
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    """What changed between an earlier run and this one."""

    before_version: int
    after_version: int
    changes: tuple[Change, ...] = field(default_factory=tuple)
    totals: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "before_version": self.before_version,
            "after_version": self.after_version,
            "totals": {k: {"before": b, "after": a} for k, (b, a) in self.totals.items()},
            "changes": [asdict(c) for c in self.changes],
        }


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


def compare(before: EvalReport, after: EvalReport) -> Comparison:
    """The questions whose verdict or answer changed, and the totals before and after."""
    earlier = {r.question: r for r in before.results}
    changes = []
    for result in after.results:
        old = earlier.get(result.question)
        if old is None:
            changes.append(Change(result.question, "not asked", _verdict(result)))
        elif (_verdict(old), old.short) != (_verdict(result), result.short):
            changes.append(Change(result.question, _described(old), _described(result)))
    b, a = before.totals()["all"], after.totals()["all"]
    totals = {
        "correct": (b.correct, a.correct),
        "grounded_wrong": (b.grounded_wrong, a.grounded_wrong),
    }
    if b.recall is not None and a.recall is not None:
        totals["recall"] = (b.recall, a.recall)
    return Comparison(before.store_version, after.store_version, tuple(changes), totals)


def _verdict(result: QuestionResult) -> str:
    if result.correct:
        return "correct"
    return "grounded but wrong" if result.grounded_wrong else "not answered"


def _described(result: QuestionResult) -> str:
    return f"{_verdict(result)} ({result.short!r})" if result.short else _verdict(result)


def _totals(results: list[QuestionResult]) -> Totals:
    count = len(results)
    unanswerable = [r for r in results if r.expected is None]
    recalls = [r.recall for r in results if r.recall is not None]
    return Totals(
        questions=count,
        correct=_share(sum(r.correct for r in results), count),
        grounded_wrong=_share(sum(r.grounded_wrong for r in results), count),
        abstained_when_unanswerable=(
            _share(sum(r.correct for r in unanswerable), len(unanswerable))
            if unanswerable
            else None
        ),
        recall=round(statistics.fmean(recalls), 3) if recalls else None,
        seconds=round(statistics.fmean(r.seconds for r in results), 3) if results else 0.0,
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def result_path(store: Path, file: str, version: int) -> Path:
    """Where a run of `file` on store version `version` is kept."""
    stem = re.sub(r"[^\w.-]+", "_", Path(file).stem) or "questions"
    return store / RESULTS_DIR / stem / f"{version}.json"


def save(report: EvalReport, store: Path) -> Path:
    """Keep the run for later comparison (written whole, then renamed into place)."""
    path = result_path(store, report.file, report.store_version)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    partial.replace(path)
    return path


def load_previous(store: Path, file: str, previous: str, current: int) -> EvalReport:
    """An earlier run of the same file: `last` (the latest kept for another store version),
    a store version number, or the path of a kept result.

    Raises:
        UsageError: there is no such run.
    """
    here = result_path(store, file, current)
    if previous == "last":
        kept = sorted(
            (p for p in here.parent.glob("*.json") if p != here), key=lambda p: p.stat().st_mtime
        )
        if not kept:
            raise UsageError(f"no earlier evaluation of {Path(file).name} is kept in {store}")
        path = kept[-1]
    elif previous.isdigit():
        path = result_path(store, file, int(previous))
    else:
        path = Path(previous)
    if not path.is_file():
        raise UsageError(
            f"no evaluation kept at {path}: give 'last', a store version with a kept run, "
            "or the path of a result file"
        )
    return EvalReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def evaluate(
    parts: Components,
    questions: Sequence[EvalQuestion],
    file: str,
    generator: GeneratorName | None = None,
    k: int = 5,
    progress: Progress = no_progress,
) -> EvalReport:
    """Ask every question, judge each answer, and measure the retrieval of its sources."""
    began = time.perf_counter()
    version = parts.store.version()
    results = []
    for done, question in enumerate(questions, start=1):
        started = time.perf_counter()
        answer = answer_question(parts, question.question, generator=generator)
        seconds = time.perf_counter() - started
        retrieved = [c.document_uri for c in retrieve(parts, question.question, k).chunks]
        correct = judge(question, answer.grounded, answer.short)
        results.append(
            QuestionResult(
                question=question.question,
                type=question.type,
                expected=question.answers,
                short=answer.short,
                answer=answer.text,
                grounded=answer.grounded,
                correct=correct,
                grounded_wrong=answer.grounded and not correct,
                recall=source_recall(question.sources, retrieved),
                seconds=round(seconds, 3),
                cited=tuple(dict.fromkeys(c.document for c in answer.citations)),
            )
        )
        progress("questions", done, len(questions))
    return EvalReport(
        file,
        version,
        generator or parts.settings.generator,
        k,
        tuple(results),
        seconds=time.perf_counter() - began,
    )


def evaluate_file(
    parts: Components,
    path: Path,
    generator: GeneratorName | None = None,
    k: int = 5,
    progress: Progress = no_progress,
    keep: bool = True,
) -> EvalReport:
    """`evaluate` on the questions of an evaluation file, its unusable lines in the report's
    `errors`; with `keep`, the run is saved under the store for `compare`."""
    questions, errors = read_eval_file(path)
    report = evaluate(parts, questions, str(path), generator, k, progress)
    report = replace(report, errors=tuple(errors))
    if keep:
        save(report, parts.directory)
    return report
