"""What a run found, per question and in total, and what changed between two runs."""

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from groundgraph.ingest.base import FileError


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
