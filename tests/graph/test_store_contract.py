"""The `GraphStore` contract, run against every backend."""

import itertools
import random
import sqlite3
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from groundgraph.graph import ids, sql
from groundgraph.graph.base import GraphStore
from groundgraph.graph.derive import MentionRow, derive_entity
from groundgraph.graph.model import (
    Chunk,
    Community,
    CommunitySet,
    Document,
    DocumentGraph,
    Evidence,
    Mention,
)
from groundgraph.graph.store_neo4j import Neo4jGraphStore
from groundgraph.graph.store_sqlite import SqliteGraphStore


def document_graph(
    uri: str,
    passages: list[str],
    entities: list[tuple[int, str, str]],
    relations: list[tuple[int, str, str, str]] = (),
) -> DocumentGraph:
    """A document whose passages mention `entities` (passage, name, type) and state
    `relations` (passage, source name, predicate, target name)."""
    doc = Document(
        ids.document_id(uri),
        uri,
        uri.rsplit("/", 1)[-1],
        "/src",
        ids.content_hash("\n".join(passages)),
    )
    chunks, offset = [], 0
    for ordinal, text in enumerate(passages):
        text_hash = ids.content_hash(text)
        chunks.append(
            Chunk(
                ids.chunk_id(doc.id, text_hash, 0),
                doc.id,
                ordinal,
                text,
                offset,
                offset + len(text),
                text_hash,
            )
        )
        offset += len(text) + 1
    mentions = tuple(
        Mention(chunks[p].id, ids.entity_id(name.lower()), name, name, type_)
        for p, name, type_ in entities
    )
    evidence = tuple(
        Evidence(
            ids.relation_id(ids.entity_id(s.lower()), pred, ids.entity_id(t.lower())),
            ids.entity_id(s.lower()),
            ids.entity_id(t.lower()),
            pred,
            chunks[p].id,
            1.0,
        )
        for p, s, pred, t in relations
    )
    return DocumentGraph(doc, tuple(chunks), mentions, evidence)


CURIE = document_graph(
    "file:///curie.md",
    ["Marie Curie was born in Warsaw.", "Curie discovered polonium."],
    [
        (0, "Marie Curie", "PERSON"),
        (0, "Warsaw", "GPE"),
        (1, "Marie Curie", "PERSON"),
        (1, "Polonium", "PRODUCT"),
    ],
    [(0, "Marie Curie", "bear in", "Warsaw"), (1, "Marie Curie", "discover", "Polonium")],
)
WARSAW = document_graph(
    "file:///warsaw.md",
    ["Warsaw is the capital of Poland."],
    [(0, "Warsaw", "GPE"), (0, "Poland", "GPE")],
    [(0, "Warsaw", "capital of", "Poland")],
)


def snapshot(store: GraphStore) -> tuple:
    return (
        store.documents(),
        store.chunks(),
        store.entities(),
        store.mentions(),
        store.relations(),
    )


def test_upsert_is_idempotent(store: GraphStore) -> None:
    store.upsert([CURIE, WARSAW])
    before = snapshot(store)
    store.upsert([CURIE, WARSAW])
    assert snapshot(store) == before
    stats = store.stats()
    assert (stats.documents, stats.chunks, stats.entities, stats.relations) == (2, 3, 4, 3)


def test_entities_merge_across_documents_and_count_mentions(store: GraphStore) -> None:
    store.upsert([CURIE, WARSAW])
    warsaw = store.entities([ids.entity_id("warsaw")])[0]
    assert (warsaw.name, warsaw.type, warsaw.mention_count) == ("Warsaw", "GPE", 2)
    chunks = {m.chunk_id for m in store.mentions(entity_ids=[warsaw.id])}
    assert chunks == {CURIE.chunks[0].id, WARSAW.chunks[0].id}


def test_update_replaces_only_what_the_document_contributed(store: GraphStore) -> None:
    store.upsert([CURIE, WARSAW])
    edited = document_graph(
        "file:///curie.md",
        ["Marie Curie was born in Warsaw.", "Curie discovered radium."],
        [
            (0, "Marie Curie", "PERSON"),
            (0, "Warsaw", "GPE"),
            (1, "Marie Curie", "PERSON"),
            (1, "Radium", "PRODUCT"),
        ],
        [(0, "Marie Curie", "bear in", "Warsaw"), (1, "Marie Curie", "discover", "Radium")],
    )
    store.upsert([edited])
    names = {e.name for e in store.entities()}
    assert "Polonium" not in names and "Radium" in names
    kept = store.chunks(doc_id=CURIE.document.id)
    assert kept[0].id == CURIE.chunks[0].id  # the unchanged passage keeps its id
    assert store.chunks(doc_id=WARSAW.document.id) == list(WARSAW.chunks)
    assert {r.predicate for r in store.relations()} == {"bear in", "discover", "capital of"}


def test_delete_document_removes_orphans_and_keeps_shared_entities(store: GraphStore) -> None:
    store.upsert([CURIE, WARSAW])
    assert store.delete_documents([CURIE.document.id]) == 1
    assert {e.name for e in store.entities()} == {"Warsaw", "Poland"}
    assert [r.predicate for r in store.relations()] == ["capital of"]
    assert store.chunks(doc_id=CURIE.document.id) == []
    assert store.entities([ids.entity_id("warsaw")])[0].mention_count == 1
    assert store.delete_documents([CURIE.document.id]) == 0


def test_relation_evidence_and_weight_follow_supporting_chunks(store: GraphStore) -> None:
    again = document_graph(
        "file:///bio.md",
        ["Marie Curie, born in Warsaw."],
        [(0, "Marie Curie", "PERSON"), (0, "Warsaw", "GPE")],
        [(0, "Marie Curie", "bear in", "Warsaw")],
    )
    store.upsert([CURIE, again])
    born = [r for r in store.relations() if r.predicate == "bear in"]
    assert len(born) == 1 and born[0].weight == 2.0
    assert set(born[0].evidence) == {CURIE.chunks[0].id, again.chunks[0].id}
    store.delete_documents([again.document.id])
    born = [r for r in store.relations() if r.predicate == "bear in"]
    assert born[0].weight == 1.0 and born[0].evidence == (CURIE.chunks[0].id,)


def test_reads_by_id_entity_and_neighbourhood(store: GraphStore) -> None:
    store.upsert([CURIE, WARSAW])
    curie = ids.entity_id("marie curie")
    assert {m.chunk_id for m in store.mentions(entity_ids=[curie])} == {c.id for c in CURIE.chunks}
    assert {m.entity_id for m in store.mentions(chunk_ids=[WARSAW.chunks[0].id])} == {
        ids.entity_id("warsaw"),
        ids.entity_id("poland"),
    }
    neighbours = store.relations([ids.entity_id("warsaw")])
    assert {r.predicate for r in neighbours} == {"bear in", "capital of"}
    assert [d.uri for d in store.documents([WARSAW.document.id])] == ["file:///warsaw.md"]


def test_names_with_quotes_braces_and_keywords_are_stored_verbatim(store: GraphStore) -> None:
    hostile = [
        'O\'Brien "the" `Great`',
        "{MATCH (n) DETACH DELETE n}",
        "Zoë Ünïcødé 東京",
        "'); DROP TABLE entities; --",
    ]
    graph = document_graph(
        "file:///hostile.md",
        [" ".join(hostile)],
        [(0, name, "PERSON") for name in hostile],
        [(0, hostile[0], "say ` } RETURN 1 //", hostile[1])],
    )
    store.upsert([CURIE, graph])
    assert {e.name for e in store.entities()} >= set(hostile)
    assert "say ` } RETURN 1 //" in {r.predicate for r in store.relations()}
    assert store.stats().documents == 2  # nothing else was touched


def test_adjacency_lists_every_mention_and_relation(store: GraphStore) -> None:
    store.upsert([CURIE, WARSAW])
    adjacency = store.adjacency()
    assert sorted(adjacency.mentions) == sorted(
        (m.chunk_id, m.entity_id, m.count) for m in store.mentions()
    )
    assert sorted(adjacency.relations) == sorted(
        (r.source_id, r.target_id, r.weight) for r in store.relations()
    )


def test_version_changes_with_every_write(store: GraphStore) -> None:
    before = store.version()
    store.upsert([CURIE])
    after_upsert = store.version()
    store.delete_documents([CURIE.document.id])
    assert before != after_upsert != store.version()


def test_communities_round_trip_without_changing_the_graph_version(store: GraphStore) -> None:
    assert store.communities() == CommunitySet(None, ())
    store.upsert([CURIE, WARSAW])
    version = store.version()
    chunk = store.chunks(doc_id=CURIE.document.id)[0]
    members = tuple(ids.entity_id(n) for n in ("marie curie", "warsaw", "polonium"))
    first = Community(
        "c1",
        0,
        3,
        "Marie Curie, Warsaw",
        'Key entities: "Marie Curie" {x}',
        members,
        (chunk.id,),
        (chunk.start,),
        (chunk.end,),
    )
    second = Community("c2", 0, 2, "Poland", "Key entities: Poland", (ids.entity_id("poland"),))
    store.replace_communities([second, first], version)
    assert store.version() == version
    assert store.communities() == CommunitySet(version, (first, second))
    store.replace_communities([second], version)
    assert store.communities().communities == (second,)


def test_document_metadata_and_chunk_places_round_trip(store: GraphStore) -> None:
    doc = replace(
        WARSAW.document,
        author="Mira Holt",
        created="2024-03-05T09:30:00",
        modified="2024-04-01T10:00:00",
        encoding="cp1252",
    )
    chunk = replace(WARSAW.chunks[0], section="Cities > Capitals", location="page 12")
    store.upsert([replace(WARSAW, document=doc, chunks=(chunk,))])
    [stored] = store.documents()
    assert (stored.author, stored.created, stored.modified, stored.encoding) == (
        "Mira Holt",
        "2024-03-05T09:30:00",
        "2024-04-01T10:00:00",
        "cp1252",
    )
    [found] = store.chunks([chunk.id])
    assert (found.section, found.location) == ("Cities > Capitals", "page 12")
    assert store.chunks(doc_id=doc.id) == [found]


def test_a_store_made_before_metadata_columns_gains_them_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(sql.SCHEMA)  # the tables as first released, without added columns
    conn.execute(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
        ("d1", "file:///old.txt", "Old", "/src", "h", "2024-01-01", "2024-01-01"),
    )
    conn.commit()
    conn.close()
    store = SqliteGraphStore(path)
    try:
        [doc] = store.documents()
        assert doc.title == "Old" and doc.author == "" and doc.encoding == ""
        store.upsert([CURIE])
        assert {d.uri for d in store.documents()} == {"file:///old.txt", "file:///curie.md"}
    finally:
        store.close()


def test_chunk_ids_are_every_chunk_without_its_text(store: GraphStore) -> None:
    store.upsert([CURIE, WARSAW])
    assert store.chunk_ids() == {c.id for c in store.chunks()}
    store.delete_documents([WARSAW.document.id])
    assert store.chunk_ids() == {c.id for c in CURIE.chunks}


def random_history(store: GraphStore, seed: int, steps: int = 40) -> None:
    """Random upserts, edits, re-upserts and deletes over six documents and eight entities
    with varying names, types and surfaces, at increasing times."""
    rng = random.Random(seed)
    names = {f"e{i}": [f"Name {i}", f"NAME {i}", f"N. {i}"] for i in range(8)}
    types = ["PERSON", "ORG", "GPE"]
    current: dict[str, DocumentGraph] = {}
    for step in range(steps):
        uri = f"file:///doc{rng.randrange(6)}.md"
        action = rng.random()
        if action < 0.15 and uri in current:
            store.delete_documents([current.pop(uri).document.id])
            continue
        if action < 0.35 and uri in current:
            store.upsert([current[uri]])  # unchanged content again
            continue
        passages = [f"Step {step} passage {p} of {uri}." for p in range(rng.randint(1, 3))]
        graph = document_graph(uri, passages, [])
        mentions, evidence = [], []
        for chunk in graph.chunks:
            keys = rng.sample(sorted(names), rng.randint(1, 4))
            for key in keys:
                name = rng.choice(names[key])
                surface = rng.choice([name, name.lower(), f"the {name}"])
                count = rng.randint(1, 3)
                mentions.append(
                    Mention(chunk.id, ids.entity_id(key), surface, name, rng.choice(types), count)
                )
            for s, t in itertools.pairwise(keys):
                sid, tid = ids.entity_id(s), ids.entity_id(t)
                rid = ids.relation_id(sid, "relates", tid)
                evidence.append(Evidence(rid, sid, tid, "relates", chunk.id, rng.random()))
        document = replace(graph.document, updated_at=f"2026-01-01T00:{step:02d}:00+00:00")
        current[uri] = DocumentGraph(document, graph.chunks, tuple(mentions), tuple(evidence))
        store.upsert([current[uri]])


def exact_properties(store: GraphStore) -> tuple[dict, dict]:
    """Entities and relations as `derive.py` derives them from the stored mentions and
    evidence, read back through the store's own reads."""
    doc_of = {c.id: c.doc_id for c in store.chunks()}
    times = {d.id: (d.ingested_at, d.updated_at) for d in store.documents()}
    rows: dict[str, list[MentionRow]] = defaultdict(list)
    for m in store.mentions():
        rows[m.entity_id].append(
            MentionRow(m.surface, m.name, m.type, m.count, *times[doc_of[m.chunk_id]])
        )
    entities = {eid: derive_entity(eid, found) for eid, found in rows.items()}
    relations = {}
    for r in store.relations():
        seen = [times[doc_of[c]] for c in r.evidence]
        first, last = min(t[0] for t in seen), max(t[1] for t in seen)
        relations[r.id] = (round(sum(r.evidence_weights), 9), first, last)
    return entities, relations


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_entities_and_relations_equal_their_exact_derivation_after_random_writes(
    store: GraphStore, seed: int
) -> None:
    random_history(store, seed)
    entities, relations = exact_properties(store)
    stored = {e.id: e for e in store.entities()}
    assert {eid: stored.get(eid) for eid in entities} == entities
    related = {i for r in store.relations() for i in (r.source_id, r.target_id)}
    assert set(stored) <= set(entities) | related  # nothing unsupported is left
    found = {r.id: (round(r.weight, 9), r.first_seen, r.last_seen) for r in store.relations()}
    assert found == relations
    if isinstance(store, Neo4jGraphStore):
        before = (store.entities(), store.relations())
        store.rederive()
        assert (store.entities(), store.relations()) == before


def with_merged_curie(graph: DocumentGraph) -> DocumentGraph:
    """CURIE with its second chunk's "Curie" as the contained-name rule merged it."""
    merged = Mention(
        graph.chunks[1].id,
        ids.entity_id("marie curie"),
        "Curie",
        "Marie Curie",
        "PERSON",
        1,
        "contained name",
    )
    return replace(graph, mentions=(*graph.mentions, merged))


def test_the_rule_that_merged_a_name_is_kept_with_its_mention(store: GraphStore) -> None:
    store.upsert([with_merged_curie(CURIE), WARSAW])
    assert [(m.surface, m.merged_by) for m in store.mentions() if m.merged_by] == [
        ("Curie", "contained name")
    ]
    [curie] = store.entities([ids.entity_id("marie curie")])
    assert curie.aliases == ("Curie",)
