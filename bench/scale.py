"""Scale: build, refresh and query a generated store of 10k, 100k or 1M chunks on one machine.

    .venv/bin/python bench/scale.py --chunks 10000 100000 [--stand-in-embedder-from 1000000]

The generated corpus has people, cities, countries and companies with made-up names; each
person's document says (in one of several paraphrases) where they were born and whom they
work for, each city's document which country it is in. "In which country was X born?" is
then a two-hop question whose two gold chunks are known, so recall@5 is exact.

Each scale runs in its own process (its peak RSS is that scale's) and measures, per stage:
the graph write (SQLite), chunk and entity-name embedding, the PageRank graph build, and
the HNSW index build; the store's size on disk; retrieval p50/p95 with the `flat` and
`hnsw` chunk index; recall@5 against the known answers; and a daily refresh with 1% of the
documents changed (new wording, so new chunks) against the full build, through the same
handle, as a long-running server or worker sees it (its PageRank graph rebuilt, its synonym
edges kept since no name changed).

The document graphs come from the generator itself (a labelled stand-in for spaCy's
extraction, which parses ~70 passages/s on 2 cores: 100k chunks would take 25 minutes of
parsing alone; the real extractor's speed is in the 2Wiki indexing figures). Chunk and
entity embedding uses the real embedder (the configured backend and precision) below
`--stand-in-embedder-from` chunks and a hashed bag-of-words stand-in at and above it,
labelled in the table.
"""

import argparse
import itertools
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from results import record

from groundgraph import GroundGraph, Settings
from groundgraph.graph import ids
from groundgraph.graph.model import Chunk, Document, DocumentGraph, Evidence, Mention
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.indexes.faiss_index import FaissIndex

SYLLABLES = "ka lo mir ten sha vu dor ell pra qui zan bel tor ivo nes rud ga fen ola smy"
BORN = ("{p} was born in {c}.", "{p}'s birthplace was {c}.", "{c} is where {p} was born.")
WORKS = ("{p} works for {o}.", "{p} is employed by {o}.", "{o} employs {p}.")
CITY = (
    "{c} is a city in the country {n}.",
    "{c} lies in the country of {n}.",
    "The city of {c} is part of the country {n}.",
)
FILLER = "{x} is known for its {w} and {v}."
WORDS = ("markets", "rivers", "bridges", "archives", "gardens", "festivals", "harbours")


def name_maker(rng: random.Random) -> Callable[[int], str]:
    parts = SYLLABLES.split()
    seen: set[str] = set()

    def make(words: int) -> str:
        for attempt in itertools.count():
            longest = 3 if attempt < 50 else 5  # short names run out at a million chunks
            name = " ".join(
                "".join(rng.choice(parts) for _ in range(rng.randint(2, longest))).capitalize()
                for _ in range(words)
            )
            if name not in seen:
                seen.add(name)
                return name
        raise AssertionError("unreachable")

    return make


class Corpus:
    """People (3 chunks each: birth, employer, filler), cities (2), countries and companies
    (1), so that chunks ≈ `chunks`; question i asks for person i's birth country."""

    def __init__(self, chunks: int, seed: int = 11) -> None:
        rng = random.Random(seed)
        make = name_maker(rng)
        people = int(chunks / 3.26)  # with the cities', countries' and companies' chunks
        self.countries = [make(1) for _ in range(max(people // 200, 5))]
        self.cities = [(make(1), rng.choice(self.countries)) for _ in range(max(people // 10, 20))]
        self.companies = [make(2) for _ in range(max(people // 20, 10))]
        self.people = [
            (make(2), rng.randrange(len(self.cities)), rng.randrange(len(self.companies)))
            for _ in range(people)
        ]
        self.rng = rng

    def graphs(self, version: int = 0, only: Sequence[int] | None = None) -> list[DocumentGraph]:
        """Every document's graph (or only the people `only`), worded by `version`."""
        out = []
        for i in only if only is not None else range(len(self.people)):
            rng = random.Random(f"{version}/{i}")  # one document's wording, whatever `only`
            person, city, company = self.people[i]
            c = self.cities[city][0]
            o = self.companies[company]
            texts = [
                rng.choice(BORN).format(p=person, c=c),
                rng.choice(WORKS).format(p=person, o=o),
                FILLER.format(x=person, w=rng.choice(WORDS), v=f"version {version}"),
            ]
            facts = [[(person, "PERSON"), (c, "GPE")], [(person, "PERSON"), (o, "ORG")], []]
            links = [[(person, "born in", c)], [(person, "works for", o)], []]
            out.append(build(f"gen://person/{i}", person, texts, facts, links))
        if only is None:
            rng = random.Random(version)
            for c, n in self.cities:
                texts = [rng.choice(CITY).format(c=c, n=n), FILLER.format(x=c, w="parks", v="v0")]
                out.append(
                    build(
                        f"gen://city/{c}",
                        c,
                        texts,
                        [[(c, "GPE"), (n, "GPE")], []],
                        [[(c, "located in", n)], []],
                    )
                )
            for kind, names, word, label in (
                ("country", self.countries, "coasts", "GPE"),
                ("company", self.companies, "products", "ORG"),
            ):
                for n in names:
                    text = FILLER.format(x=n, w=word, v="v0")
                    out.append(build(f"gen://{kind}/{n}", n, [text], [[(n, label)]], [[]]))
        return out

    def questions(self, count: int, exclude: set[int]) -> list[tuple[str, set[str]]]:
        """(question, gold chunk ids: the birth chunk and the city's country chunk), about
        people not in `exclude` (those the refresh rewrites)."""
        kept = [i for i in range(len(self.people)) if i not in exclude]
        chosen = random.Random(5).sample(kept, count)
        born = [g.chunks[0].id for g in self.graphs(only=chosen)]
        cities = {
            g.document.title: g.chunks[0].id for g in self.graphs() if "city/" in g.document.uri
        }
        asked = []
        for i, gold in zip(chosen, born, strict=True):
            person, city, _ = self.people[i]
            question = f"In which country was {person} born?"
            asked.append((question, {gold, cities[self.cities[city][0]]}))
        return asked


def build(
    uri: str,
    title: str,
    texts: list[str],
    facts: list[list[tuple[str, str]]],
    links: list[list[tuple[str, str, str]]],
) -> DocumentGraph:
    """A document graph as the extractor would make it from these sentences."""
    body = "\n".join(texts)
    doc = Document(ids.document_id(uri), uri, title, "gen", ids.content_hash(body))
    chunks, mentions, evidence, start = [], [], [], 0
    for ordinal, (text, found, stated) in enumerate(zip(texts, facts, links, strict=True)):
        text_hash = ids.content_hash(text)
        chunk = Chunk(
            ids.chunk_id(doc.id, text_hash, 0),
            doc.id,
            ordinal,
            text,
            start,
            start + len(text),
            text_hash,
        )
        chunks.append(chunk)
        start += len(text) + 1
        for name, kind in found:
            mentions.append(Mention(chunk.id, ids.entity_id(normalise(name)), name, name, kind))
        for s, predicate, t in stated:
            sid, tid = ids.entity_id(normalise(s)), ids.entity_id(normalise(t))
            rid = ids.relation_id(sid, predicate, tid)
            evidence.append(Evidence(rid, sid, tid, predicate, chunk.id, 1.0))
    return DocumentGraph(doc, tuple(chunks), tuple(mentions), tuple(evidence))


class HashedEmbedder:
    """A cheap stand-in: a hashed bag of lower-cased words, 384 dimensions, unit length.
    Lexical only, so recall with it says nothing about the real embedder's. CRC-32 rather
    than `hash`, which Python salts per process, so runs agree."""

    name = "hashed-bag-of-words-384"
    dimension = 384
    variant = short_variant = "stand-in"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(".", " ").replace("?", " ").split():
                out[row, zlib.crc32(word.encode()) % self.dimension] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    embed_short = embed


def disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def latencies(gg: GroundGraph, questions: list[tuple[str, set[str]]]) -> tuple[float, float, float]:
    """p50 and p95 ms of `retrieve`, and recall@5 of the gold chunks (x100)."""
    gg.retrieve(questions[0][0])  # load the question parser and the graph snapshot
    times, found = [], []
    for question, gold in questions:
        began = time.perf_counter()
        top = {c.chunk.id for c in gg.retrieve(question, 5).chunks}
        times.append((time.perf_counter() - began) * 1000)
        found.append(len(top & gold) / len(gold))
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, 100 * statistics.mean(found)


def one_scale(
    chunks: int, stand_in: bool, questions: int, work: Path, synonyms: bool = True
) -> dict:
    corpus = Corpus(chunks)
    graphs = corpus.graphs()
    changed = random.Random(3).sample(range(len(corpus.people)), max(len(corpus.people) // 100, 1))
    asked = corpus.questions(questions, exclude=set(changed))
    embedder = HashedEmbedder() if stand_in else None
    result: dict = {
        "chunks": sum(len(g.chunks) for g in graphs),
        "documents": len(graphs),
        "embedder": ("stand-in (hashed words)" if stand_in else "real")
        + ("" if synonyms else ", no synonym edges"),
    }
    store_dir = work / "store"
    retrieval = {} if synonyms else {"synonym_neighbours": 0}
    settings = Settings.load(store=store_dir, retrieval=retrieval)
    gg = GroundGraph(settings, embedder=embedder)
    parts = gg.parts
    stages: dict[str, float] = {}
    began = time.perf_counter()
    batch = settings.graph.batch_size
    stages["graph_write"] = timed(
        lambda: [parts.store.upsert(graphs[s : s + batch]) for s in range(0, len(graphs), batch)]
    )
    vectors = parts.vectors.sync(parts.store)
    stages["embed_chunks"], stages["embed_entities"] = vectors.chunk_seconds, vectors.entity_seconds
    snapshot = parts.retriever.snapshot
    stages["graph_snapshot"] = timed(snapshot.current)
    full_build = time.perf_counter() - began
    result["full_build_seconds"] = full_build
    result["stages"] = stages
    result["flat"] = latencies(gg, asked)
    memory = snapshot.memory() or {}
    result["snapshot_matrix_mb"] = memory.get("matrix_bytes", 0) / 1e6
    # The daily refresh, through the same handle, as a long-running server or worker sees it.
    edited = corpus.graphs(version=1, only=changed)
    began = time.perf_counter()
    for start in range(0, len(edited), batch):
        parts.store.upsert(edited[start : start + batch])
    refresh_vectors = parts.vectors.sync(parts.store)
    snapshot.current()
    result["refresh_seconds"] = time.perf_counter() - began
    result["refresh_documents"] = len(edited)
    result["refresh_chunks_embedded"] = refresh_vectors.chunks_added
    gg.close()
    result["disk_mb"] = disk_bytes(store_dir) / 1e6

    # The HNSW store: the same graph, its chunk index rebuilt as HNSW from the same vectors.
    copy = work / "store-hnsw"
    subprocess.run(["cp", "-r", str(store_dir), str(copy)], check=True)
    flat = FaissIndex.load(copy / "vectors" / "chunks.npz")
    keys = sorted(flat)
    graph_index = FaissIndex(flat.dimension, flat.embedder, "hnsw", settings.retrieval.hnsw_m)
    graph_index.variants = flat.variants
    vectors_of, labels = flat.vectors(keys), [flat.label(k) for k in keys]
    began = time.perf_counter()
    graph_index.add(keys, vectors_of, labels)
    result["hnsw_build_seconds"] = time.perf_counter() - began
    graph_index.save(copy / "vectors" / "chunks.npz")
    hnsw = Settings.load(store=copy, retrieval={**retrieval, "index_type": "hnsw"})
    gg = GroundGraph(hnsw, embedder=embedder)
    result["hnsw"] = latencies(gg, asked)
    gg.close()
    subprocess.run(["rm", "-rf", str(copy)], check=True)

    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def row(r: dict) -> str:
    s = r["stages"]
    return (
        f"| {r['chunks']:,} | {r['embedder']} | {s['graph_write']:.1f} | {s['embed_chunks']:.1f} | "
        f"{s['embed_entities']:.1f} | {s['graph_snapshot']:.1f} | {r['full_build_seconds']:.1f} | "
        f"{r['chunks'] / r['full_build_seconds']:,.0f} | {r['hnsw_build_seconds']:.1f} | "
        f"{r['disk_mb']:,.0f} | {r['peak_rss_mb']:,.0f} | {r['snapshot_matrix_mb']:.1f} | "
        f"{r['flat'][0]:.1f} / {r['flat'][1]:.1f} | {r['hnsw'][0]:.1f} / {r['hnsw'][1]:.1f} | "
        f"{r['flat'][2]:.1f} / {r['hnsw'][2]:.1f} | {r['refresh_seconds']:.1f} "
        f"({100 * r['refresh_seconds'] / r['full_build_seconds']:.1f} %) |"
    )


HEADER = (
    "| chunks | embedder | write s | embed chunks s | embed names s | PageRank graph s | "
    "full build s | chunks/s | HNSW build s | disk MB | peak RSS MB | PageRank matrix MB | "
    "flat p50 / p95 ms | HNSW p50 / p95 ms | R@5 flat / HNSW | 1 % refresh s (of full) |\n"
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
    "---: | ---: | ---: |"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--stand-in-embedder-from", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument(
        "--synonyms-up-to",
        type=int,
        default=100_000,
        help="above this many chunks, no synonym edges (an exact search over all name pairs)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process's scale
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory(prefix="groundgraph-scale-") as work:
            stand_in = args.one >= args.stand_in_embedder_from
            synonyms = args.one <= args.synonyms_up_to
            found = one_scale(args.one, stand_in, args.questions, Path(work), synonyms)
            print(json.dumps(found))
        return
    rows = []
    for chunks in args.chunks:
        command = [
            sys.executable,
            __file__,
            "--one",
            str(chunks),
            "--questions",
            str(args.questions),
            "--stand-in-embedder-from",
            str(args.stand_in_embedder_from),
            "--synonyms-up-to",
            str(args.synonyms_up_to),
        ]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row(result))
        print(rows[-1], flush=True)
    table = HEADER + "\n" + "\n".join(rows)
    print(table)
    if not args.no_record:
        record(
            "Scale: generated stores of 10k to 1M chunks",
            "Command: `python bench/scale.py --chunks "
            + " ".join(map(str, args.chunks))
            + f"`; {args.questions} two-hop questions per scale; document graphs from the "
            "generator (stand-in for spaCy), SQLite store, embedder as labelled.",
            table,
        )


if __name__ == "__main__":
    main()
