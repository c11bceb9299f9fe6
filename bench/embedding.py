"""Chunk embedding speed and agreement: every backend and precision against torch float32.

    .venv/bin/python bench/embedding.py \\
        --corpus ../shared/bench-data/2wikimultihopqa_corpus.jsonl \\
        --questions ../shared/bench-data/2wikimultihopqa_questions_dev.jsonl

Embeds the first `--passages` passages (title and text, as chunks are embedded) with each
backend and precision in its own process (thread counts are per process), and reports
sentences/s, the cosine between each passage's vector and the torch float32 one, and how many
of each question's 10 nearest passages the two agree on. Exported models are made first (in
the default cache), so the timings exclude the one-off export.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from results import record

from groundgraph.retrieval.settings import BACKEND_PRECISIONS

EMBED = """
import json, sys, time
import numpy as np
from groundgraph.retrieval.embedding.choice import embedder_for
from groundgraph.retrieval.settings import RetrievalSettings
backend, precision, threads, corpus, questions, out = sys.argv[1:]
texts = json.load(open(corpus))
asked = json.load(open(questions))
embedder = embedder_for(RetrievalSettings(
    embedding_backend=backend, embedding_precision=precision, embedding_threads=int(threads),
    short_text_precision="float32",
))
embedder.embed(texts[:64])  # load (export on first use) and warm up
began = time.perf_counter()
vectors = embedder.embed(texts)
seconds = time.perf_counter() - began
np.savez(out, passages=vectors, questions=embedder.embed(asked), seconds=seconds)
"""


def run(
    backend: str, precision: str, threads: int, corpus: Path, questions: Path, out: Path
) -> dict:
    command = [sys.executable, "-c", EMBED, backend, precision, str(threads)]
    subprocess.run([*command, str(corpus), str(questions), out], check=True)
    with np.load(out) as data:
        return {k: data[k] for k in ("passages", "questions", "seconds")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--threads", type=int, nargs="+", default=[2])
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
    for backend, precisions in BACKEND_PRECISIONS.items():
        for precision in precisions:
            for threads in args.threads:
                out = work / f"{backend}-{precision}-{threads}.npz"
                results[backend, precision, threads] = run(
                    backend, precision, threads, work / "texts.json", work / "questions.json", out
                )
                rate = len(texts) / float(results[backend, precision, threads]["seconds"])
                print(f"{backend} {precision} {threads} thread(s): {rate:.1f} sentences/s")
    base = results["torch", "float32", args.threads[-1]]
    rows = [
        f"| backend | precision | threads | sentences/s | × torch float32 ({args.threads[-1]} "
        "threads) | cosine min / mean | top-10 overlap |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (backend, precision, threads), r in results.items():
        cosine = np.sum(r["passages"] * base["passages"], axis=1)
        top = np.argsort(-(r["questions"] @ r["passages"].T), axis=1)[:, :10]
        top_base = np.argsort(-(base["questions"] @ base["passages"].T), axis=1)[:, :10]
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top, top_base, strict=True)])
        rate = len(texts) / float(r["seconds"])
        rows.append(
            f"| {backend} | {precision} | {threads} | {rate:.1f} | "
            f"{float(base['seconds']) / float(r['seconds']):.2f} | "
            f"{cosine.min():.5f} / {cosine.mean():.5f} | {overlap:.3f} |"
        )
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        record(
            "Chunk embedding: backends and precisions",
            f"Command: `python bench/embedding.py` on the first {len(texts)} passages of "
            f"{args.corpus.name} and 150 of its questions; all-MiniLM-L6-v2, batch 64, each "
            "configuration in its own process after a warm-up of 64 passages.",
            table,
        )


if __name__ == "__main__":
    main()
