"""Running an evaluation on a store's parts, and keeping each run by store version."""

import json
import re
import time
from collections.abc import Sequence
from pathlib import Path

from groundgraph.answer_path import answer_question, retrieve
from groundgraph.assembly import Components
from groundgraph.evaluation.judging import judge, source_recall
from groundgraph.evaluation.questions import EvalQuestion, read_eval_file
from groundgraph.evaluation.reports import EvalReport, QuestionResult
from groundgraph.graph.errors import UsageError
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.ingest.base import FileError
from groundgraph.settings import GeneratorName

RESULTS_DIR = "evaluations"


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
    keep: bool = False,
    errors: Sequence[FileError] = (),
) -> EvalReport:
    """Ask every question, judge each answer, and measure the retrieval of its sources;
    `errors` are the lines of `file` that could not be asked; with `keep`, the run is saved
    under the store for `compare`."""
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
    report = EvalReport(
        file,
        version,
        generator or parts.settings.generator,
        k,
        tuple(results),
        seconds=time.perf_counter() - began,
        errors=tuple(errors),
    )
    if keep:
        save(report, parts.directory)
    return report


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
    return evaluate(parts, questions, str(path), generator, k, progress, keep, errors)
