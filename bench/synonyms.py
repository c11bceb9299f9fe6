"""Synonym-edge search at scale: exact against approximate nearest names.

The PageRank graph joins entity names whose embeddings are close. Exact k-nearest neighbours
cost n² (every name against every name); above `retrieval.synonym_exact_limit` names the
search is approximate (retrieval/retrievers/synonyms.py). This measures, on a store's real
entity names, how many of the exact edges the approximate search finds and how long each
takes; then the time of each at larger counts, with names made by perturbing the real ones
(so they cluster as names do):

    .venv/bin/python bench/synonyms.py --store /tmp/bench-2wiki --scales 100000,1000000

The exact search is run up to --exact-max names (beyond it its time is extrapolated from the
largest measured count as n², and marked so). Prints a table and appends it to
bench/RESULTS.md (--no-record to skip); --json prints one object.
"""

import argparse
import json
import resource
import time
from collections.abc import Iterator, Sequence

import numpy as np
from results import record

from groundgraph import GroundGraph, Settings
from groundgraph.retrieval.retrievers.synonyms import synonym_edges


class Names:
    """Name vectors with the few methods `synonym_edges` reads of a `VectorIndex`."""

    def __init__(self, keys: list[str], vectors: np.ndarray, labels: list[str]) -> None:
        self._keys, self._vectors = keys, vectors
        self._row = {k: i for i, k in enumerate(keys)}
        self._labels = dict(zip(keys, labels, strict=True))

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def vectors(self, keys: Sequence[str]) -> np.ndarray:
        return self._vectors[[self._row[k] for k in keys]]

    def label(self, key: str) -> str:
        return self._labels[key]


def store_names(store: str) -> Names:
    gg = GroundGraph.open(Settings.load(store=store), create=False)
    index = gg.vectors.entities
    keys = sorted(index)
    names = Names(keys, index.vectors(keys), [index.label(k) for k in keys])
    gg.close()
    return names


def perturbed(real: Names, count: int, seed: int = 0) -> Names:
    """`count` unit vectors: the real ones, then copies of them moved by a little noise."""
    base = real.vectors(list(real))
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(base), count)
    vectors = base[rows] + rng.normal(0, 0.02, (count, base.shape[1])).astype(np.float32)
    vectors[: len(base)] = base[: min(count, len(base))]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = [f"n{i:07d}" for i in range(count)]
    return Names(keys, vectors.astype(np.float32), keys)


def timed_edges(names: Names, exact: bool, threshold: float, neighbours: int) -> tuple[set, float]:
    began = time.perf_counter()
    limit = len(names) if exact else 0
    edges = {(a, b) for a, b, _ in synonym_edges(names, threshold, neighbours, limit)}
    return edges, time.perf_counter() - began


def run(store: str, scales: list[int], exact_max: int, threshold: float, neighbours: int) -> dict:
    real = store_names(store)
    exact, exact_s = timed_edges(real, True, threshold, neighbours)
    approx, approx_s = timed_edges(real, False, threshold, neighbours)
    rows = [
        {
            "names": len(real),
            "source": "store",
            "exact_s": round(exact_s, 2),
            "approximate_s": round(approx_s, 2),
            "exact_edges": len(exact),
            "edge_recall": round(len(exact & approx) / max(len(exact), 1), 4),
        }
    ]
    measured = (len(real), exact_s)
    for count in scales:
        names = perturbed(real, count)
        row: dict = {"names": count, "source": "perturbed"}
        if count <= exact_max:
            exact, seconds = timed_edges(names, True, threshold, neighbours)
            measured = (count, seconds)
            row["exact_s"] = round(seconds, 2)
        else:
            exact = set()
            row["exact_s_extrapolated"] = round(measured[1] * (count / measured[0]) ** 2, 0)
        approx, row["approximate_s"] = timed_edges(names, False, threshold, neighbours)
        row["approximate_s"] = round(row["approximate_s"], 2)
        if exact:
            row["edge_recall"] = round(len(exact & approx) / max(len(exact), 1), 4)
        rows.append(row)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "peak_rss_mb": round(peak_mb), "threshold": threshold, "k": neighbours}


def markdown(result: dict) -> str:
    lines = [
        "| names | names from | exact s | approximate s | share of exact edges found |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for r in result["rows"]:
        exact = r.get("exact_s", f"~{r.get('exact_s_extrapolated')} (n², extrapolated)")
        recall = f"{100 * r['edge_recall']:.1f} %" if "edge_recall" in r else "–"
        lines.append(
            f"| {r['names']:,} | {r['source']} | {exact} | {r['approximate_s']} | {recall} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a store with entity names")
    parser.add_argument("--scales", default="100000,1000000")
    parser.add_argument("--exact-max", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    defaults = Settings().retrieval
    scales = [int(s) for s in args.scales.split(",") if s]
    result = run(
        args.store, scales, args.exact_max, defaults.synonym_threshold, defaults.synonym_neighbours
    )
    if args.json:
        print(json.dumps(result))
        return
    table = markdown(result)
    print(table)
    if not args.no_record:
        details = (
            f"Synonym edges (threshold {result['threshold']}, {result['k']} nearest names), "
            f"`bench/synonyms.py --store {args.store}`; peak RSS {result['peak_rss_mb']} MB."
        )
        record("Synonym-edge search: exact and approximate", details, table)


if __name__ == "__main__":
    main()
