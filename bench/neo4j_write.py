"""Neo4j write throughput: groundgraph's upsert against a plain `UNWIND ... CREATE` ceiling.

Generates a synthetic graph (documents → chunks → entity mentions and relation evidence, with
a skewed choice of entities so that some are shared by many chunks, as in real text), writes it
with `Neo4jGraphStore.upsert` at several rows-per-statement batch sizes into an empty database,
and then writes the same documents, chunks, entities, mentions and relations, with the same
properties and evidence lists, in the same transactions, with bare `UNWIND $rows CREATE`
statements (and an append of new evidence to a relation an earlier transaction created):
what the server can do with no MERGE, no detaching of old versions and no derived
properties. Both rates count entities (and relations) over the time to write the whole
graph. (Until 2026-12 the ceiling created bare entity and relation nodes only, which no
writer of the full graph can approach; until 2026-12-02 it left out the chunks' `NEXT`
links and the documents' times and metadata, which the upsert stores.)

    .venv/bin/python bench/neo4j_write.py [--documents 400] [--batch-sizes 100,1000,5000]

Uses GROUNDGRAPH_NEO4J_URI / _USER / _PASSWORD when set, else starts the bundled server with
scripts/neo4j.sh on spare ports and stops it afterwards. Prints a markdown table and, with
--record, appends it to bench/RESULTS.md with the date and machine.
"""

import argparse
import os
import random
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from neo4j import GraphDatabase, ManagedTransaction
from pydantic import SecretStr
from results import record

from groundgraph.graph import ids
from groundgraph.graph.model import Chunk, Document, DocumentGraph, Evidence, Mention
from groundgraph.graph.settings import Neo4jSettings
from groundgraph.graph.store_neo4j import Neo4jGraphStore

REPO = Path(__file__).resolve().parent.parent
CHUNKS_PER_DOCUMENT = 5
MENTIONS_PER_CHUNK = 4
RELATIONS_PER_CHUNK = 3
UPSERT_LABEL = "groundgraph upsert (MERGE, derived properties)"
CEILING_LABEL = "plain UNWIND … CREATE of the same data (ceiling)"


def synthetic_graphs(documents: int, entities: int, seed: int = 7) -> list[DocumentGraph]:
    rng = random.Random(seed)
    # Pareto-skewed entity choice: a few entities appear everywhere, most rarely.
    pool = [f"Entity {i}" for i in range(entities)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(entities)]
    graphs = []
    for d in range(documents):
        uri = f"bench://doc/{d}"
        doc = Document(ids.document_id(uri), uri, f"Doc {d}", "bench", ids.content_hash(uri))
        chunks, mentions, evidence = [], [], []
        for n in range(CHUNKS_PER_DOCUMENT):
            text = f"Document {d} passage {n}."
            text_hash = ids.content_hash(text)
            chunk = Chunk(
                ids.chunk_id(doc.id, text_hash, 0), doc.id, n, text, 0, len(text), text_hash
            )
            chunks.append(chunk)
            names = set(rng.choices(pool, weights, k=MENTIONS_PER_CHUNK))
            mentions += [
                Mention(chunk.id, ids.entity_id(name.lower()), name, name, "ORG") for name in names
            ]
            ordered = sorted(names)
            for _ in range(RELATIONS_PER_CHUNK if len(ordered) > 1 else 0):
                s, t = rng.sample(ordered, 2)
                sid, tid = ids.entity_id(s.lower()), ids.entity_id(t.lower())
                evidence.append(
                    Evidence(ids.relation_id(sid, "relate", tid), sid, tid, "relate", chunk.id, 1.0)
                )
        graphs.append(DocumentGraph(doc, tuple(chunks), tuple(mentions), tuple(evidence)))
    return graphs


def wipe(settings: Neo4jSettings) -> None:
    auth = (settings.user, settings.password.get_secret_value())
    with GraphDatabase.driver(settings.uri, auth=auth) as driver, driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


def groundgraph_upsert(
    settings: Neo4jSettings, graphs: list[DocumentGraph], docs_per_transaction: int
) -> float:
    wipe(settings)
    store = Neo4jGraphStore(settings)
    began = time.perf_counter()
    for start in range(0, len(graphs), docs_per_transaction):
        store.upsert(graphs[start : start + docs_per_transaction])
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed


def create_ceiling(
    settings: Neo4jSettings, graphs: list[DocumentGraph], batch: int, docs_per_transaction: int
) -> float:
    """Seconds to write the same documents, chunks, entities, mentions and relations, in
    the same groups of documents, with nothing else: no MERGE, no detaching of old
    versions, no derived properties."""
    wipe(settings)
    Neo4jGraphStore(settings).close()  # same constraints and indexes as the upsert run
    seconds, created = 0.0, set()
    for start in range(0, len(graphs), docs_per_transaction):
        group = graphs[start : start + docs_per_transaction]
        seconds += _create_group(settings, group, batch, created)
    return seconds


def _create_group(
    settings: Neo4jSettings, graphs: list[DocumentGraph], batch: int, created: set[str]
) -> float:
    """Write one group's graph in one transaction with bare CREATE statements: the same
    properties, chunk order (`NEXT`) and evidence lists the upsert stores, none of them
    derived. A relation an earlier group created gets its new evidence appended, as it
    must."""
    documents = [vars(g.document) for g in graphs]
    chunks = [
        {"chunk": vars(c), "previous": g.chunks[i - 1].id if i else None}
        for g in graphs
        for i, c in enumerate(g.chunks)
    ]
    first = {m.entity_id: m for g in reversed(graphs) for m in g.mentions}
    entities = [vars(first[e]) for e in sorted(first.keys() - created)]
    created.update(first)
    mentions = [vars(m) for g in graphs for m in g.mentions]
    evidence: dict[str, dict] = {}
    for e in (e for g in graphs for e in g.evidence):
        row = evidence.setdefault(e.relation_id, {**vars(e), "chunks": [], "weights": []})
        row["chunks"].append(e.chunk_id)
        row["weights"].append(e.weight)
    new = [r for rid, r in evidence.items() if rid not in created]
    more = [r for rid, r in evidence.items() if rid in created]
    created.update(evidence)
    statements = [
        ("UNWIND $rows AS row CREATE (d:Document) SET d = row", documents),
        (
            "UNWIND $rows AS row MATCH (d:Document {id: row.chunk.doc_id}) "
            "CREATE (d)-[:HAS_CHUNK]->(c:Chunk) SET c = row.chunk "
            "WITH c, row WHERE row.previous IS NOT NULL "
            "MATCH (p:Chunk {id: row.previous}) CREATE (p)-[:NEXT]->(c)",
            chunks,
        ),
        (
            "UNWIND $rows AS row CREATE (:Entity {id: row.entity_id, name: row.name, "
            "type: row.type, aliases: [], mention_count: row.count})",
            entities,
        ),
        (
            "UNWIND $rows AS row MATCH (c:Chunk {id: row.chunk_id}), "
            "(e:Entity {id: row.entity_id}) "
            "CREATE (c)-[:MENTIONS {surface: row.surface, name: row.name, type: row.type, "
            "count: row.count}]->(e)",
            mentions,
        ),
        (
            "UNWIND $rows AS row MATCH (s:Entity {id: row.source_id}), "
            "(t:Entity {id: row.target_id}) "
            "CREATE (s)-[:RELATED {id: row.relation_id, predicate: row.predicate, "
            "evidence: row.chunks, evidence_weights: row.weights}]->(t)",
            new,
        ),
        (
            "UNWIND $rows AS row MATCH ()-[r:RELATED {id: row.relation_id}]->() "
            "SET r.evidence = r.evidence + row.chunks, "
            "r.evidence_weights = r.evidence_weights + row.weights",
            more,
        ),
    ]
    auth = (settings.user, settings.password.get_secret_value())

    def work(tx: ManagedTransaction) -> None:
        for query, rows in statements:
            for start in range(0, len(rows), batch):
                tx.run(query, {"rows": rows[start : start + batch]}).consume()

    with GraphDatabase.driver(settings.uri, auth=auth) as driver, driver.session() as session:
        began = time.perf_counter()
        session.execute_write(work)
        return time.perf_counter() - began


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def neo4j_server():
    if uri := os.environ.get("GROUNDGRAPH_NEO4J_URI"):
        yield Neo4jSettings(
            uri=uri,
            user=os.environ.get("GROUNDGRAPH_NEO4J_USER", "neo4j"),
            password=SecretStr(os.environ["GROUNDGRAPH_NEO4J_PASSWORD"]),
        )
        return
    with tempfile.TemporaryDirectory() as instance:
        env = {
            **os.environ,
            "NEO4J_SERVER_INSTANCE": instance,
            "NEO4J_SERVER_BOLT_PORT": str(free_port()),
            "NEO4J_SERVER_HTTP_PORT": str(free_port()),
        }
        script = str(REPO / "scripts" / "neo4j.sh")
        subprocess.run([script, "start"], env=env, check=True)
        try:
            yield Neo4jSettings(
                uri=f"bolt://127.0.0.1:{env['NEO4J_SERVER_BOLT_PORT']}",
                password=SecretStr(Path(instance, "password").read_text().strip()),
            )
        finally:
            subprocess.run([script, "stop"], env=env, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--entities", type=int, default=4000)
    parser.add_argument("--batch-sizes", default="100,1000,5000")
    parser.add_argument("--docs-per-transaction", type=int, default=100)
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    graphs = synthetic_graphs(args.documents, args.entities)
    n_entities = len({m.entity_id for g in graphs for m in g.mentions})
    n_relations = len({e.relation_id for g in graphs for e in g.evidence})
    n_mentions = sum(len(g.mentions) for g in graphs)
    lines = [
        f"{args.documents} documents, {args.documents * CHUNKS_PER_DOCUMENT} chunks, "
        f"{n_mentions} mentions of {n_entities} entities, {n_relations} relations; "
        f"{args.docs_per_transaction} documents per transaction.",
        "",
        "| method | rows per statement | seconds | entities/s | relations/s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    rows: dict[str, list[str]] = {UPSERT_LABEL: [], CEILING_LABEL: []}
    with neo4j_server() as settings:
        # Warm-up: the server plans and compiles each statement on its first run.
        first = graphs[: args.docs_per_transaction]
        groundgraph_upsert(settings, first, args.docs_per_transaction)
        create_ceiling(settings, first, 1000, args.docs_per_transaction)
        # Each batch size's two methods back to back, so that a change in the machine's load
        # during the run falls on both.
        for batch in (int(b) for b in args.batch_sizes.split(",")):
            tuned = settings.model_copy(update={"batch_size": batch})
            for label, seconds in (
                (UPSERT_LABEL, groundgraph_upsert(tuned, graphs, args.docs_per_transaction)),
                (CEILING_LABEL, create_ceiling(settings, graphs, batch, args.docs_per_transaction)),
            ):
                rows[label].append(
                    f"| {label} | {batch} | {seconds:.2f} | {n_entities / seconds:,.0f} | "
                    f"{n_relations / seconds:,.0f} |"
                )
                print(rows[label][-1], flush=True)
    lines += rows[UPSERT_LABEL] + rows[CEILING_LABEL]
    table = "\n".join(lines)
    print("\n" + table)
    if args.record:
        record(
            "Neo4j write throughput",
            "Neo4j Community from scripts/neo4j.sh (1 GB heap). Command: "
            f"`python bench/neo4j_write.py --documents {args.documents} "
            f"--entities {args.entities} --batch-sizes {args.batch_sizes}`.",
            table,
        )


if __name__ == "__main__":
    main()
