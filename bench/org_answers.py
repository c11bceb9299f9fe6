"""Answer-quality benchmark on a small company's documents: is a `grounded` answer right?

Ingests `bench/org/corpus` (memos, policies, rosters, price lists, minutes, incident reports in
every supported format) into a fresh embedded store and asks the questions of
`bench/org/questions.jsonl` (written before any tuning; one JSON object a line:
`question`, `answers` (aliases) or null when no document states the answer, `sources`,
`type`) with each generator:

    .venv/bin/python bench/org_answers.py --generators extractive,local

Per question type and in total it reports: correct (grounded, and the short answer contains a
gold alias: a quote without a short answer is not counted as an answer), grounded-but-wrong (marked
grounded but not correct, or any grounded answer to an unanswerable question), refused when
unanswerable, recall@5 of the expected source documents, and seconds per question.
"""

import argparse
import dataclasses
import json
import tempfile
from pathlib import Path

from results import record

from groundgraph import GroundGraph, Settings

ORG = Path(__file__).resolve().parent / "org"
GENERATORS = ("extractive", "local")


def evaluate(store: Path, generator: str, questions: Path) -> tuple[dict, list[dict]]:
    """Counts by question type (as `groundgraph eval` judges) and the per-question record."""
    with GroundGraph.open(Settings.load(store=store)) as gg:
        report = gg.evaluate(questions, generator, keep=False)
    counted = {
        name: {
            "questions": t.questions,
            "correct": round(t.correct * t.questions),
            "grounded_wrong": round(t.grounded_wrong * t.questions),
            "recall_at_5": t.recall,
            "seconds": t.seconds,
        }
        for name, t in report.totals().items()
    }
    return counted, [dataclasses.asdict(r) for r in report.results]


def markdown(results: dict[str, dict]) -> str:
    lines = [
        "| generator | type | questions | correct | grounded but wrong | source R@5 | s/question |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for generator, by_type in results.items():
        for kind, r in sorted(by_type.items(), key=lambda kv: (kv[0] == "all", kv[0])):
            lines.append(
                f"| {generator} | {kind} | {r['questions']} | {r['correct']} | "
                f"{r['grounded_wrong']} | {_shown(r['recall_at_5'])} | {r['seconds']} |"
            )
    lines += [
        "",
        "correct: grounded, and the short answer contains a gold alias; for an unanswerable "
        "question, refused. grounded but wrong: marked grounded "
        "and not correct.",
    ]
    return "\n".join(lines)


def _shown(value: float | None) -> str:
    return "–" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ORG / "corpus")
    parser.add_argument("--questions", type=Path, default=ORG / "questions.jsonl")
    parser.add_argument("--store", type=Path, help="store folder (default: a fresh one)")
    parser.add_argument("--generators", default="extractive,local")
    parser.add_argument("--label", default="", help="added to the RESULTS.md heading")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--verbose", action="store_true", help="print every answer")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    generators = [g for g in args.generators.split(",") if g]
    unknown = set(generators) - set(GENERATORS)
    if unknown:
        parser.error(f"unknown generators {sorted(unknown)}; choose from {', '.join(GENERATORS)}")
    store = args.store or Path(tempfile.mkdtemp(prefix="groundgraph-org-"))
    with GroundGraph.open(Settings.load(store=store)) as gg:
        gg.ingest([args.corpus])
    results, answers = {}, {}
    for generator in generators:
        results[generator], answers[generator] = evaluate(store, generator, args.questions)
    asked = len(next(iter(answers.values()), []))
    if args.json:
        print(json.dumps({"questions": asked, "results": results, "answers": answers}))
        return
    if args.verbose:
        for generator, qs in answers.items():
            for q in qs:
                mark = "ok " if q["correct"] else ("BAD" if q["grounded_wrong"] else "-- ")
                print(
                    f"[{generator} {mark}] {q['question']}\n    short={q['short']!r} "
                    f"grounded={q['grounded']} expected={q['expected']}\n    {q['answer'][:300]}"
                )
    table = markdown(results)
    print(table)
    if not args.no_record:
        record(
            f"Answer quality: organisation corpus{f' — {args.label}' if args.label else ''}",
            f"Command: `python bench/org_answers.py --generators {args.generators}`; "
            f"{asked} questions on {len(list(args.corpus.iterdir()))} documents.",
            table,
        )


if __name__ == "__main__":
    main()
