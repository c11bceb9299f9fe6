"""Answer-quality benchmark: what each generator answers on multi-hop QA questions.

Reads the same directory format as `bench/multihop.py` (`NAME_corpus.jsonl`,
`NAME_questions_SPLIT.jsonl` with `question`, `answer` (a list of aliases) and
`supporting_passage_ids`), reuses a store that `bench/multihop.py --store` built (or builds
one), and asks every question with each generator:

    .venv/bin/python bench/answers.py --data ../shared/bench-data --set 2wikimultihopqa \\
        --store /tmp/bench-2wiki --generators extractive,local

Per generator it reports, in percent: contain-accuracy (a gold answer or alias appears in the
answer text, both normalised as SQuAD does), exact match and token F1 of the short answer
(`Answer.short`), the grounded share, the share whose citations include a gold passage, and
seconds per question (retrieval and answer). `local` is the shipped (or configured) model with
no adapter; `local+adapter` the same with the store's promoted adapter; `openai` needs
`GROUNDGRAPH_OPENAI_BASE_URL` and `GROUNDGRAPH_OPENAI_MODEL`.
"""

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from multihop import bench_settings, index_corpus, read_jsonl
from results import record

from groundgraph import GroundGraph
from groundgraph.evaluation import contains
from groundgraph.evaluation import normalise_answer as normalise
from groundgraph.retrieval.base import Answer

GENERATORS = ("extractive", "local", "local+adapter", "openai")


def token_f1(predicted: str, gold: str) -> float:
    got, want = normalise(predicted).split(), normalise(gold).split()
    common = sum((Counter(got) & Counter(want)).values())
    if not common:
        return float(got == want)
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def score(answer: Answer, row: dict, passage_of: dict[str, str]) -> dict[str, float]:
    golds = [str(g) for g in row["answer"]]
    short = answer.short or ""
    cited = {passage_of.get(c.document, "") for c in answer.citations}
    return {
        "contain": float(contains(answer.text, golds)),
        "exact_match": float(any(normalise(short) == normalise(g) for g in golds)),
        "token_f1": max(token_f1(short, g) for g in golds),
        "grounded": float(answer.grounded),
        "gold_cited": float(bool(cited & set(row["supporting_passage_ids"]))),
    }


def open_generator(store: Path, generator: str) -> tuple[GroundGraph, str]:
    """A store handle whose `generator` is the one named; `local` gets no adapter (its
    registry is an empty folder)."""
    overrides: dict[str, object] = {}
    if generator == "local":
        overrides["finetune"] = {"registry": tempfile.mkdtemp(prefix="no-adapter-")}
    name = "local" if generator == "local+adapter" else generator
    return GroundGraph.open(bench_settings(store, generator=name, **overrides)), name


def evaluate(store: Path, generator: str, rows: list[dict]) -> dict[str, float]:
    gg, name = open_generator(store, generator)
    passage_of = {d.uri: d.uri.rsplit("/", 1)[1] for d in gg.store.documents()}
    scores, seconds, answered = [], [], 0
    for done, row in enumerate(rows, start=1):
        began = time.perf_counter()
        answer = gg.ask(row["question"], mode="local", generator=name)
        seconds.append(time.perf_counter() - began)
        scores.append(score(answer, row, passage_of))
        answered += answer.generator == name
        if done % 25 == 0:
            print(f"  {generator}: {done}/{len(rows)}", flush=True)
    gg.close()
    result = {k: round(100 * statistics.fmean(s[k] for s in scores), 1) for k in scores[0]}
    grounded = [s for s in scores if s["grounded"]]
    wrong = sum(1 for s in grounded if not s["contain"])
    result["grounded_wrong_share"] = round(100 * wrong / len(grounded), 1) if grounded else 0.0
    result["own_answers"] = round(100 * answered / len(rows), 1)
    result["seconds_per_question"] = round(statistics.fmean(seconds), 3)
    return result


def markdown(name: str, split: str, questions: int, results: dict[str, dict]) -> str:
    lines = [
        f"{name} ({split}): {questions} questions.",
        "",
        "| generator | contain | EM | F1 | grounded | wrong of grounded | gold cited | own answer "
        "| s/question |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for generator, r in results.items():
        lines.append(
            f"| {generator} | {r['contain']} | {r['exact_match']} | {r['token_f1']} | "
            f"{r['grounded']} | {r['grounded_wrong_share']} | {r['gold_cited']} | "
            f"{r['own_answers']} | {r['seconds_per_question']} |"
        )
    lines += [
        "",
        "contain: a gold answer appears in the answer text; EM/F1: of the short answer; "
        "grounded: the answer is marked grounded; wrong of grounded: the share of grounded "
        "answers whose text holds no gold answer; own answer: the generator asked for wrote "
        "the answer (a model answer that fails verification is replaced by the extractive one).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--set", dest="name", required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--store", type=Path, help="a store bench/multihop.py --store built")
    parser.add_argument("--generators", default="extractive,local")
    parser.add_argument("--limit", type=int, help="first N questions only")
    parser.add_argument("--label", default="", help="added to the RESULTS.md heading")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    generators = [g for g in args.generators.split(",") if g]
    unknown = set(generators) - set(GENERATORS)
    if unknown:
        parser.error(f"unknown generators {sorted(unknown)}; choose from {', '.join(GENERATORS)}")
    rows = read_jsonl(args.data / f"{args.name}_questions_{args.split}.jsonl")[: args.limit]
    store = args.store or Path(tempfile.mkdtemp(prefix="groundgraph-answers-"))
    with GroundGraph.open(bench_settings(store)) as gg:
        index_corpus(gg, args.name, read_jsonl(args.data / f"{args.name}_corpus.jsonl"))
    results = {g: evaluate(store, g, rows) for g in generators}
    if args.json:
        print(json.dumps({"questions": len(rows), "results": results}))
        return
    table = markdown(args.name, args.split, len(rows), results)
    print(table)
    if not args.no_record:
        limit = f" --limit {args.limit}" if args.limit else ""
        record(
            f"Answer quality: {args.name} ({args.split}){f' — {args.label}' if args.label else ''}",
            f"Command: `python bench/answers.py --set {args.name} --generators "
            f"{args.generators}{limit}`.",
            table,
        )


if __name__ == "__main__":
    main()
