"""Answer latency in process: `retrieve` against `ask` (extractive), per question, on the demo
store and on a multi-hop benchmark store, with and without the sentence layer.

    .venv/bin/python bench/ask_latency.py --wiki-store /tmp/bench-2wiki \\
        --wiki-questions ../shared/bench-data/2wikimultihopqa_questions_dev.jsonl

The demo store is built from `demo/corpus` in a temporary folder; the 2Wiki store is one
that `bench/multihop.py --store` built (`groundgraph check --repair` writes its sentence
layer if it was built before the layer existed). After one warm-up question (it loads the
models) every question is asked once ("first": the chunks it reads may not have been read
before) and once more ("again": their readings are kept in memory); `retrieve` runs once per
question. The
variant "no layer" reads the same store with `ingest.sentence_layer` off, so every answer
parses the chunks it reads, as answering did before the layer. All in this one process.
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from results import record

from groundgraph import GroundGraph
from groundgraph.settings import Settings

REPO = Path(__file__).resolve().parent.parent
WARM_UP = 1


def questions(path: Path, count: int) -> list[str]:
    rows = [json.loads(line)["question"] for line in path.open(encoding="utf-8")]
    return rows[:count]


def timed_ms(run: Callable[[str], object], asked: list[str]) -> list[float]:
    times = []
    for question in asked:
        began = time.perf_counter()
        run(question)
        times.append(1000 * (time.perf_counter() - began))
    return times


def p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def measure(store: Path, asked: list[str], layer: bool) -> dict[str, object]:
    settings = Settings.load(store=store)
    settings = settings.model_copy(
        update={"ingest": settings.ingest.model_copy(update={"sentence_layer": layer})}
    )
    with GroundGraph.open(settings, create=False) as gg:
        for question in asked[:WARM_UP]:
            gg.ask(question)
        timed = asked
        retrieve = timed_ms(gg.retrieve, timed)
        first = timed_ms(gg.ask, timed)
        again = timed_ms(gg.ask, timed)
        return {
            "retrieve": p50_p95(retrieve),
            "ask (first)": p50_p95(first),
            "ask (again)": p50_p95(again),
            "chunks parsed while asking": gg.parts.parses.parsed,
            "questions": len(timed),
        }


def demo_store(work: Path) -> Path:
    store = work / "demo-store"
    with GroundGraph.open(store) as gg:
        gg.ingest([REPO / "demo" / "corpus"])
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wiki-store", type=Path, required=True)
    parser.add_argument("--wiki-questions", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="groundgraph-bench-") as work:
        stores = {
            "demo (38 documents)": (
                demo_store(Path(work)),
                questions(REPO / "demo" / "questions.jsonl", args.count),
            ),
            "2Wiki dev": (args.wiki_store, questions(args.wiki_questions, args.count)),
        }
        for name, (store, asked) in stores.items():
            for layer in (True, False):
                figures = measure(store, asked, layer)
                rows.append((name, "sentence layer" if layer else "no layer", figures))
                print(name, "layer" if layer else "no layer", json.dumps(figures), flush=True)
    table = [
        "| store | variant | questions | retrieve p50 / p95 ms | ask first p50 / p95 ms "
        "| ask again p50 / p95 ms | ask p50 ÷ retrieve p50 | chunks parsed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, variant, f in rows:
        r, first, again = f["retrieve"], f["ask (first)"], f["ask (again)"]
        table.append(
            f"| {name} | {variant} | {f['questions']} | {r[0]:.1f} / {r[1]:.1f} "
            f"| {first[0]:.1f} / {first[1]:.1f} | {again[0]:.1f} / {again[1]:.1f} "
            f"| {first[0] / r[0]:.1f} | {f['chunks parsed while asking']} |"
        )
    print("\n".join(table))
    if not args.no_record:
        record(
            "Answer latency in process (bench/ask_latency.py)",
            f"Up to {args.count} questions a store, after {WARM_UP} warm-up; extractive answers.",
            "\n".join(table),
        )


if __name__ == "__main__":
    main()
