"""Ask the demo store some questions through the Python API and print cited answers."""

import argparse

from groundgraph import GroundGraph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", required=True)
    parser.add_argument("questions", nargs="+")
    args = parser.parse_args()
    with GroundGraph.open(args.store) as gg:
        for question in args.questions:
            answer = gg.ask(question)
            print(f"\nQ: {question}\nA: {answer.text}")
            if answer.short:
                print(f"   answer: {answer.short}")
            if not answer.grounded:
                print("   (not grounded: nothing in the documents answers this)")
            for c in answer.citations:
                print(f"   [{c.marker}] {c.document} characters {c.start}-{c.end}")


if __name__ == "__main__":
    main()
