"""Question embedding latency: what `embed_short` costs per question on each backend.

    .venv/bin/python bench/question_embedding.py \
        --questions ../shared/bench-data/2wikimultihopqa_questions_dev.jsonl [--count 100]

A question is embedded with the phrases that linked to no entity exactly, so one call embeds
two or three short texts; here each question goes with its capitalised runs of words as the
phrases (as `retrieval.linking.question_phrases` finds them, without spaCy's entities). Each
backend and precision is warmed up on ten questions, then timed on `--count`; every variant
runs in this one process, one after another, so their medians compare within one run.
"""

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from results import record

from groundgraph.retrieval.embedding.choice import embedder_for
from groundgraph.retrieval.settings import RetrievalSettings

VARIANTS = (
    ("torch", "float32"),
    ("torch", "bfloat16"),
    ("onnx", "float32"),
    ("openvino", "float32"),
    ("openvino", "bfloat16"),
)
NAME_RUN = re.compile(r"(?<!^)(?:[A-Z][\w'-]*)(?:\s+(?:of\s+|the\s+)?[A-Z][\w'-]*)*")


def batches(path: Path, count: int) -> list[list[str]]:
    """(question, its name runs) for the first `count` + 10 questions."""
    rows = [json.loads(line)["question"] for line in path.open(encoding="utf-8")]
    return [[q, *NAME_RUN.findall(q)] for q in rows[: count + 10]]


def median_ms(backend: str, precision: str, texts: list[list[str]]) -> float:
    settings = RetrievalSettings(short_text_backend=backend, short_text_precision=precision)
    embedder = embedder_for(settings)
    for batch in texts[:10]:
        embedder.embed_short(batch)
    times = []
    for batch in texts[10:]:
        began = time.perf_counter()
        embedder.embed_short(batch)
        times.append(1000 * (time.perf_counter() - began))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    texts = batches(args.questions, args.count)
    mean_texts = statistics.mean(len(t) for t in texts[10:])
    lines = [
        f"{args.count} questions of {args.questions.name}, {mean_texts:.1f} texts per call "
        "on average.",
        "",
        "| short-text backend | precision | median ms per question |",
        "| --- | --- | ---: |",
    ]
    for backend, precision in VARIANTS:
        lines.append(f"| {backend} | {precision} | {median_ms(backend, precision, texts):.2f} |")
        print(lines[-1], flush=True)
    table = "\n".join(lines)
    print("\n" + table)
    if not args.no_record:
        record(
            "Question embedding latency",
            f"Command: `python bench/question_embedding.py --questions {args.questions.name} "
            f"--count {args.count}`; all-MiniLM-L6-v2, default threads.",
            table,
        )


if __name__ == "__main__":
    main()
