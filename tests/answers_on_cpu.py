"""Ingest a corpus and print the answers to some questions as JSON: run by
`tests/groundgraph/test_same_answers_on_every_cpu.py` once as the CPU is and once with
bfloat16 emulated (oneDNN and ATen held to AVX2), in processes of their own."""

import json
import sys
from pathlib import Path

from groundgraph import GroundGraph, Settings


def main() -> None:
    store, corpus, *questions = sys.argv[1:]
    with GroundGraph.open(Settings.load(store=Path(store))) as gg:
        assert gg.ingest([Path(corpus)]).ok
        answers = [gg.ask(q) for q in questions]
        print(
            json.dumps(
                {
                    "variants": list(gg.stats().chunk_embedding),
                    "answers": [
                        [a.short, a.grounded, [(c.document, c.start, c.end) for c in a.citations]]
                        for a in answers
                    ],
                }
            )
        )


if __name__ == "__main__":
    main()
