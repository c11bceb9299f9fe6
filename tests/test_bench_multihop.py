"""bench/multihop.py runs on any directory in the bench-data format and prints its JSON."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PASSAGES = [
    ("p1", "Changed It", "Changed It is a song recorded by Nicki Minaj and Lil Wayne."),
    ("p2", "Nicki Minaj", "Nicki Minaj is a rapper who was born in Port of Spain, Trinidad."),
    ("p3", "Lil Wayne", "Lil Wayne is a rapper who was born in New Orleans, Louisiana."),
    ("p4", "Port of Spain", "Port of Spain is the capital of Trinidad and Tobago."),
    ("p5", "Warsaw", "Warsaw is the capital and largest city of Poland."),
    ("p6", "Marie Curie", "Marie Curie was a physicist who was born in Warsaw in 1867."),
]
QUESTIONS = [
    ("q1", "What is the place of birth of the performer of song Changed It?", ["p1", "p2"]),
    ("q2", "Which city was the birthplace of Marie Curie?", ["p6", "p5"]),
]


def test_benchmark_reads_a_new_directory_and_reports_every_method(tmp_path: Path) -> None:
    with open(tmp_path / "tiny_corpus.jsonl", "w") as f:
        for pid, title, text in PASSAGES:
            f.write(json.dumps({"id": pid, "title": title, "text": text}) + "\n")
    with open(tmp_path / "tiny_questions_heldout.jsonl", "w") as f:
        for qid, question, gold in QUESTIONS:
            f.write(
                json.dumps(
                    {
                        "id": qid,
                        "question": question,
                        "answer": ["x"],
                        "supporting_passage_ids": gold,
                    }
                )
                + "\n"
            )
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "multihop.py"),
            "--data",
            str(tmp_path),
            "--set",
            "tiny",
            "--split",
            "heldout",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    report = json.loads(result.stdout)
    assert report["questions"] == 2
    assert report["passages"] == report["chunks"] == 6  # one chunk per passage
    assert set(report["methods"]) == {"bm25", "dense", "groundgraph"}
    for figures in report["methods"].values():
        assert set(figures) == {"recall@2", "recall@5", "all@5", "p50_ms", "p95_ms"}
        assert 0 <= figures["recall@2"] <= figures["recall@5"] <= 100
    assert report["methods"]["groundgraph"]["recall@5"] == 100.0  # 6 passages, top 5
    assert {"parse_extract", "graph_write", "embed_passages"} <= report["index_seconds"].keys()
