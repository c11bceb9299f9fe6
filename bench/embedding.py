"""Chunk embedding speed and agreement: float32 against bfloat16, at 1 and 2 torch threads.

    .venv/bin/python bench/embedding.py \\
        --corpus ../shared/bench-data/2wikimultihopqa_corpus.jsonl \\
        --questions ../shared/bench-data/2wikimultihopqa_questions_dev.jsonl

Embeds the first `--passages` passages (title and text, as chunks are embedded) with each
precision in its own process (torch's thread count is per process), and reports sentences/s,
the cosine between each passage's bfloat16 and float32 vectors, and how many of each
question's 10 nearest passages the two agree on.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from results import record

EMBED = """
import json, sys, time
import numpy as np
from groundgraph.retrieval.embedder import SentenceTransformerEmbedder
precision, threads, corpus, questions, out = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
texts = json.load(open(corpus))
asked = json.load(open(questions))
embedder = SentenceTransformerEmbedder(
    "sentence-transformers/all-MiniLM-L6-v2", short_text_precision="float32",
    precision=precision, threads=threads,
)
embedder.embed(texts[:64])  # load and warm up
began = time.perf_counter()
vectors = embedder.embed(texts)
seconds = time.perf_counter() - began
np.savez(out, passages=vectors, questions=embedder.embed(asked), seconds=seconds)
"""


def run(precision: str, threads: int, corpus: Path, questions: Path, out: Path) -> dict:
    subprocess.run(
        [sys.executable, "-c", EMBED, precision, str(threads), str(corpus), str(questions), out],
        check=True,
    )
    with np.load(out) as data:
        return {k: data[k] for k in ("passages", "questions", "seconds")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    lines = [json.loads(line) for line in args.corpus.open(encoding="utf-8")][: args.passages]
    texts = [f"{p['title']}\n{p['text']}" for p in lines]
    asked = [json.loads(line)["question"] for line in args.questions.open(encoding="utf-8")]
    work = Path(f"/tmp/groundgraph-embedding-{args.passages}")
    work.mkdir(exist_ok=True)
    (work / "texts.json").write_text(json.dumps(texts))
    (work / "questions.json").write_text(json.dumps(asked[:150]))
    results = {}
    for precision in ("float32", "bfloat16"):
        for threads in (1, 2):
            out = work / f"{precision}-{threads}.npz"
            results[precision, threads] = run(
                precision, threads, work / "texts.json", work / "questions.json", out
            )
            rate = len(texts) / float(results[precision, threads]["seconds"])
            print(f"{precision} {threads} thread(s): {rate:.1f} sentences/s", flush=True)
    base = results["float32", 2]
    rows = [
        "| precision | threads | sentences/s | × float32 (2 threads) | cosine min / mean | "
        "top-10 overlap |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (precision, threads), r in results.items():
        cosine = np.sum(r["passages"] * base["passages"], axis=1)
        top = np.argsort(-(r["questions"] @ r["passages"].T), axis=1)[:, :10]
        top_base = np.argsort(-(base["questions"] @ base["passages"].T), axis=1)[:, :10]
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top, top_base, strict=True)])
        rate = len(texts) / float(r["seconds"])
        rows.append(
            f"| {precision} | {threads} | {rate:.1f} | "
            f"{float(base['seconds']) / float(r['seconds']):.2f} | "
            f"{cosine.min():.5f} / {cosine.mean():.5f} | {overlap:.3f} |"
        )
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        record(
            "Chunk embedding: float32 and bfloat16",
            f"Command: `python bench/embedding.py` on the first {len(texts)} passages of "
            f"{args.corpus.name} and 150 of its questions; all-MiniLM-L6-v2, batch 64, each "
            "configuration in its own process.",
            table,
        )


if __name__ == "__main__":
    main()
