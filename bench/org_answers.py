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
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from answers import contains
from results import record

from groundgraph import GroundGraph, Settings
from groundgraph.retrieval.base import Answer

ORG = Path(__file__).resolve().parent / "org"
GENERATORS = ("extractive", "local")


def read_questions(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def judge(answer: Answer, row: dict) -> dict[str, float]:
    """One answer against its question: correct, grounded-but-wrong, refused."""
    golds = row["answers"]
    if golds is None:
        return {"correct": float(not answer.grounded), "grounded_wrong": float(answer.grounded)}
    right = answer.grounded and contains(answer.short or "", [str(g) for g in golds])
    return {"correct": float(right), "grounded_wrong": float(answer.grounded and not right)}


def source_recall(gg: GroundGraph, row: dict, k: int = 5) -> float | None:
    """Share of the question's expected source files among the top-k retrieved documents."""
    sources = row.get("sources") or []
    if not sources:
        return None
    found = {c.document_uri.rsplit("/", 1)[-1] for c in gg.retrieve(row["question"], k).chunks}
    return sum(s in found for s in sources) / len(sources)


def evaluate(store: Path, generator: str, rows: list[dict]) -> tuple[dict, list[dict]]:
    """Totals by question type and the per-question record."""
    per_question = []
    with GroundGraph.open(Settings.load(store=store)) as gg:
        for row in rows:
            began = time.perf_counter()
            answer = gg.ask(row["question"], generator=generator)
            seconds = time.perf_counter() - began
            verdict = judge(answer, row)
            per_question.append(
                {
                    "question": row["question"],
                    "type": row.get("type", ""),
                    "expected": row["answers"],
                    "short": answer.short,
                    "answer": answer.text,
                    "grounded": answer.grounded,
                    "recall": source_recall(gg, row),
                    "seconds": round(seconds, 3),
                    **verdict,
                }
            )
    return totals(per_question), per_question


def totals(per_question: list[dict]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for q in per_question:
        groups[q["type"]].append(q)
    groups["all"] = per_question
    out = {}
    for name, qs in groups.items():
        recalls = [q["recall"] for q in qs if q["recall"] is not None]
        out[name] = {
            "questions": len(qs),
            "correct": int(sum(q["correct"] for q in qs)),
            "grounded_wrong": int(sum(q["grounded_wrong"] for q in qs)),
            "recall_at_5": round(statistics.fmean(recalls), 3) if recalls else None,
            "seconds": round(statistics.fmean(q["seconds"] for q in qs), 3),
        }
    return out


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
    rows = read_questions(args.questions)
    store = args.store or Path(tempfile.mkdtemp(prefix="groundgraph-org-"))
    with GroundGraph.open(Settings.load(store=store)) as gg:
        gg.ingest([args.corpus])
    results, answers = {}, {}
    for generator in generators:
        results[generator], answers[generator] = evaluate(store, generator, rows)
    if args.json:
        print(json.dumps({"questions": len(rows), "results": results, "answers": answers}))
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
            f"Answer quality: organisation corpus{args.label}",
            f"Command: `python bench/org_answers.py --generators {args.generators}`; "
            f"{len(rows)} questions on {len(list(args.corpus.iterdir()))} documents.",
            table,
        )


if __name__ == "__main__":
    main()
