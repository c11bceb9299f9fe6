"""Multi-hop retrieval benchmark: BM25, dense retrieval and groundgraph on passage recall.

Reads `NAME_corpus.jsonl` ({"id", "title", "text"}) and `NAME_questions_SPLIT.jsonl`
({"question", "supporting_passage_ids", ...}) from --data, ingests every passage as one
document (title + text, never re-chunked, so recall is measured on passages), and reports
recall@2, recall@5 and all@5 for each method, with query latency and indexing time.

    .venv/bin/python bench/multihop.py --data ../shared/bench-data --set 2wikimultihopqa
    .venv/bin/python bench/multihop.py --data DIR --set NAME --split heldout --json

recall@k is the share of a question's gold passages in the top k, averaged over questions,
x100; all@k the share of questions with every gold passage in the top k. Without --json the
table is printed and appended to bench/RESULTS.md with the date, machine and settings
(--no-record to skip).

--chunk-size N splits passages into chunks of about N tokens instead, to measure latency at
a larger chunk count than the corpus has passages; recall then counts the distinct passages
of the top 5 chunks (BM25 still ranks passages).
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import bm25s
import Stemmer
from results import record

from groundgraph import GroundGraph, Settings
from groundgraph.ingest.base import SourceDocument

METHODS = ("bm25", "dense", "groundgraph")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def recall_metrics(ranked: list[list[str]], gold: list[list[str]]) -> dict[str, float]:
    def recall(k: int) -> float:
        return 100 * statistics.fmean(
            len(set(r[:k]) & set(g)) / len(set(g)) for r, g in zip(ranked, gold, strict=True)
        )

    all5 = 100 * statistics.fmean(set(g) <= set(r[:5]) for r, g in zip(ranked, gold, strict=True))
    return {
        "recall@2": round(recall(2), 1),
        "recall@5": round(recall(5), 1),
        "all@5": round(all5, 1),
    }


def distinct(passages: Iterable[str]) -> list[str]:
    """Passage ids in first-seen order: several chunks of one passage count once."""
    return list(dict.fromkeys(passages))


def timed_ranking(questions: list[str], search: Callable[[str], list[str]]) -> tuple[list, list]:
    ranked, millis = [], []
    for question in questions:
        began = time.perf_counter()
        ranked.append(search(question))
        millis.append(1000 * (time.perf_counter() - began))
    return ranked, millis


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_settings(store: Path, chunk_size: int = 0, **overrides: object) -> Settings:
    """One chunk per passage unless asked; two parsing processes and large write transactions
    for a bulk load."""
    return Settings.load(
        store=store,
        ingest={"chunk_size": chunk_size, "chunk_overlap": 0, "spacy_processes": 2},
        graph={"batch_size": 512},
        **overrides,
    )


def index_corpus(gg: GroundGraph, name: str, corpus: list[dict]) -> dict[str, float]:
    """Ingest every passage as one document (`bench://NAME/ID`); seconds per stage. A store
    that already holds the corpus is reused as it is."""
    documents = [
        SourceDocument(
            f"bench://{name}/{p['id']}", p["title"], p["text"], f"bench://{name}", named_title=True
        )
        for p in corpus
    ]
    seconds: dict[str, float] = {}
    ingestor = gg.parts.ingestor
    changes = ingestor.changes_of(documents)
    written = ingestor.write(ingestor.build(changes), changes)
    seconds["parse_extract"] = written.build_seconds
    seconds["graph_write"] = written.write_seconds
    vectors = gg.vectors.sync(gg.store)
    seconds["embed_passages"] = vectors.chunk_seconds
    seconds["embed_entities"] = vectors.entity_seconds
    began = time.perf_counter()
    gg.parts.retriever.snapshot.current()
    seconds["graph_snapshot"] = time.perf_counter() - began
    seconds["total"] = sum(seconds.values())
    return seconds


def run(
    data: Path, name: str, split: str, limit: int | None, store: Path | None, chunk_size: int = 0
) -> dict:
    corpus = read_jsonl(data / f"{name}_corpus.jsonl")
    rows = read_jsonl(data / f"{name}_questions_{split}.jsonl")[:limit]
    questions = [r["question"] for r in rows]
    gold = [r["supporting_passage_ids"] for r in rows]
    store = store or Path(tempfile.mkdtemp(prefix="groundgraph-bench-"))
    settings = bench_settings(store, chunk_size)
    gg = GroundGraph.open(settings)
    seconds = index_corpus(gg, name, corpus)
    passage_of = {d.id: d.uri.rsplit("/", 1)[1] for d in gg.store.documents()}
    chunk_passage = {c.id: passage_of[c.doc_id] for c in gg.store.chunks()}

    tokenize = Stemmer.Stemmer("english")
    bm25 = bm25s.BM25(k1=0.9, b=0.4)
    bm25.index(
        bm25s.tokenize(
            [f"{p['title']}\n{p['text']}" for p in corpus],
            stopwords="en",
            stemmer=tokenize,
            show_progress=False,
        ),
        show_progress=False,
    )
    ids = [p["id"] for p in corpus]

    def bm25_search(question: str) -> list[str]:
        tokens = bm25s.tokenize([question], stopwords="en", stemmer=tokenize, show_progress=False)
        hits, _ = bm25.retrieve(tokens, k=5, show_progress=False)
        return [ids[i] for i in hits[0]]

    def dense_search(question: str) -> list[str]:
        hits = gg.vectors.chunks.search(gg.embedder.embed_short([question]), 5)[0]
        return distinct(chunk_passage[c] for c, _ in hits)

    def groundgraph_search(question: str) -> list[str]:
        return distinct(chunk_passage[s.chunk.id] for s in gg.retrieve(question, k=5).chunks)

    methods = {}
    for method, search in zip(
        METHODS, (bm25_search, dense_search, groundgraph_search), strict=True
    ):
        ranked, millis = timed_ranking(questions, search)
        methods[method] = {
            **recall_metrics(ranked, gold),
            "p50_ms": round(percentile(millis, 0.5), 1),
            "p95_ms": round(percentile(millis, 0.95), 1),
        }
    stats = gg.stats()
    gg.close()
    return {
        "methods": methods,
        "index_seconds": {k: round(v, 2) for k, v in seconds.items()},
        "questions": len(rows),
        "passages": len(corpus),
        "chunks": len(chunk_passage),
        "graph": {"entities": stats.graph.entities, "relations": stats.graph.relations},
        "settings": settings.retrieval.model_dump(),
        "ingest_settings": {
            **settings.ingest.model_dump(exclude={"entity_types"}),
            "graph_batch_size": settings.graph.batch_size,
        },
    }


def markdown(result: dict, name: str, split: str) -> str:
    lines = [
        f"{name} ({split}): {result['questions']} questions, {result['passages']} passages "
        f"in {result['chunks']} chunks; "
        f"graph of {result['graph']['entities']} entities and {result['graph']['relations']} "
        "relations.",
        "",
        "| method | R@2 | R@5 | all@5 | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for method, m in result["methods"].items():
        lines.append(
            f"| {method} | {m['recall@2']} | {m['recall@5']} | {m['all@5']} | "
            f"{m['p50_ms']} | {m['p95_ms']} |"
        )
    idx = result["index_seconds"]
    lines += [
        "",
        "Indexing seconds: "
        + ", ".join(f"{k} {v}" for k, v in idx.items())
        + f" (embedding the passages alone: {idx['embed_passages']}).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--set", dest="name", required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, help="first N questions only")
    parser.add_argument("--store", type=Path, help="keep the index here (reused if present)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument(
        "--chunk-size", type=int, default=0, help="tokens per chunk; 0: one chunk per passage"
    )
    args = parser.parse_args()
    result = run(args.data, args.name, args.split, args.limit, args.store, args.chunk_size)
    if args.json:
        print(json.dumps(result))
        return
    table = markdown(result, args.name, args.split)
    print(table)
    if not args.no_record:
        settings = ", ".join(f"{k}={v}" for k, v in result["settings"].items())
        settings += "; ingest: " + ", ".join(
            f"{k}={v}" for k, v in result["ingest_settings"].items()
        )
        record(
            f"Multi-hop retrieval: {args.name} ({args.split})",
            f"Retrieval settings: {settings}.",
            table,
        )


if __name__ == "__main__":
    main()
