"""Entity and relation properties on Neo4j, updated by each write's delta.

Re-deriving every touched entity from all its mentions made each batch read every mention
of every hub entity again, so upserts ran at 4–8 % of the server's plain CREATE rate and
slowed as the graph grew. Instead an entity keeps its running tallies (`derive.EntityTally`,
as JSON in `e.tallies`) and a relation its weight, which a write adjusts by the mentions and
evidence it removes and adds. Only a first/last-seen time whose extreme was removed, or an
entity written before tallies existed, is re-derived from everything that supports it, and
`rederive` does that for the whole graph (a repair, and what the tests compare against).

Reading the stored properties of every touched entity was then the largest statement of a
bulk load; `KnownEntities` keeps what this process last wrote of each, so that an upsert
reads from the server only the entities another process (or none) wrote.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from groundgraph.graph import cypher
from groundgraph.graph.derive import EntityTally, MentionRow, SeenSpan, tally_mentions
from groundgraph.graph.model import Evidence, Mention

RunRows = Callable[[ManagedTransaction, str, str, list], list[dict]]
Times = tuple[str, str]  # a document's (ingested_at, updated_at)


@dataclass
class Delta:
    """What one write removes and adds: mention rows by entity, evidence times by relation."""

    removed_mentions: dict[str, list[MentionRow]] = field(default_factory=lambda: defaultdict(list))
    added_mentions: dict[str, list[MentionRow]] = field(default_factory=lambda: defaultdict(list))
    removed_evidence: dict[str, list[Times]] = field(default_factory=lambda: defaultdict(list))
    added_evidence: dict[str, list[Times]] = field(default_factory=lambda: defaultdict(list))


class KnownEntities:
    """The stored properties of the entities this process wrote, valid for one graph version.

    Every write bumps the version counter first (`cypher.BUMP_VERSION`), which takes its
    lock until the commit: a write that finds the counter one above the version its own last
    upsert set knows that nobody wrote in between, and reads the entities it knows from here.
    Any other write (a delete, a repair, another process) moves the counter past that, and
    the next upsert starts from nothing. At most `limit` entities are kept (about 1 KB each);
    past it the cache starts again.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self.version: int | None = None
        self.entities: dict[str, dict] = {}

    def valid_after(self, version: int) -> dict[str, dict]:
        """What is known, for a write that has just bumped the counter to `version`."""
        if self.version is None or version != self.version + 1:
            self.entities = {}
        return self.entities

    def record(self, version: int, written: dict[str, dict], removed: Iterable[str]) -> None:
        """After a committed upsert that set `version`: what it wrote and what it left
        without tallies (orphans, which it may have deleted)."""
        if len(self.entities) + len(written) > self.limit:
            self.entities = {}
        self.entities.update(written)
        for eid in removed:
            self.entities.pop(eid, None)
        self.version = version


def mention_row(record: Mapping[str, Any]) -> MentionRow:
    return MentionRow(
        record["surface"],
        record["name"],
        record["type"],
        record["count"],
        record["ingested_at"],
        record["updated_at"],
    )


@dataclass(frozen=True)
class EntityWrite:
    """What `apply_entities` did: the stored properties of every entity it left with
    mentions, and the entities it left with none (for `delete_orphans`)."""

    written: dict[str, dict]
    orphans: list[str]


def apply_entities(
    tx: ManagedTransaction,
    delta: Delta,
    run_rows: RunRows,
    mentions: Iterable[Mention] = (),
    known: Mapping[str, dict] | None = None,
) -> EntityWrite:
    """Adjust the tallies of every entity the delta touches and write what they derive,
    with the added `mentions` (whose chunks exist) in the same statement as their entity.

    A stale entity is re-derived after, from all its mentions, the new ones included.
    `known`: stored properties this process knows to be current (`KnownEntities`); the rest
    are read.
    """
    touched = sorted(delta.removed_mentions.keys() | delta.added_mentions.keys())
    known = known or {}
    stored = {eid: known[eid] for eid in touched if eid in known}
    stored.update(_stored(tx, [eid for eid in touched if eid not in stored]))
    tallies: dict[str, EntityTally] = {}
    exact: list[str] = []
    for eid in touched:
        found = stored.get(eid)
        if found is not None and found.get("tallies") is None:
            exact.append(eid)  # written before tallies, or kept only by a relation
            continue
        tally = (
            EntityTally()
            if found is None
            else EntityTally.from_json(found["tallies"], found["first_seen"], found["last_seen"])
        )
        for mention in delta.removed_mentions.get(eid, ()):
            tally.remove(mention)
        for mention in delta.added_mentions.get(eid, ()):
            tally.add(mention)
        if tally.names and tally.seen.stale:
            exact.append(eid)
        else:
            tallies[eid] = tally
    added: dict[str, list[dict]] = defaultdict(list)
    for m in mentions:
        added[m.entity_id].append(vars(m))
    written = _write_entities(tx, tallies, run_rows, stored, added)
    rederived = _exact_tallies(tx, exact)
    written.update(_write_entities(tx, rederived, run_rows, stored))
    tallies.update(rederived)
    return EntityWrite(written, sorted(eid for eid, t in tallies.items() if not t.names))


def delete_orphans(tx: ManagedTransaction, orphans: list[str], run_rows: RunRows) -> None:
    """Delete the entities left with neither mention nor relation. One that keeps a relation
    outlives its mentions without tallies, so its next mention re-derives it exactly."""
    run_rows(tx, cypher.CLEAR_TALLIES, "entity_ids", orphans)
    run_rows(tx, cypher.DELETE_UNSUPPORTED_ENTITIES, "entity_ids", orphans)


def _stored(tx: ManagedTransaction, entity_ids: Sequence[str]) -> dict[str, dict]:
    """The stored properties of those of the entities that exist."""
    if not entity_ids:
        return {}
    found = tx.run(cypher.STORED_ENTITIES, {"entity_ids": list(entity_ids)})
    return {row["eid"]: row["stored"] for row in found}


def _exact_tallies(tx: ManagedTransaction, entity_ids: Sequence[str]) -> dict[str, EntityTally]:
    rows: dict[str, list[MentionRow]] = defaultdict(list)
    if entity_ids:
        for record in tx.run(cypher.ENTITY_MENTIONS, {"entity_ids": list(entity_ids)}):
            rows[record["eid"]].append(mention_row(record))
    return {eid: tally_mentions(rows.get(eid, ())) for eid in entity_ids}


def _write_entities(
    tx: ManagedTransaction,
    tallies: dict[str, EntityTally],
    run_rows: RunRows,
    stored: dict[str, dict],
    mentions: Mapping[str, list[dict]] | None = None,
) -> dict[str, dict]:
    """Create the entities not `stored` and set, on the others, only the properties that
    differ (a hub entity's name, type and aliases rarely change; rewriting them made every
    commit larger); create each entity's new `mentions` with it. Returns the stored
    properties of each entity whose tally was written."""
    mentions = mentions or {}
    rows, written = [], {}
    for eid in sorted(tallies.keys() | mentions.keys()):
        changed: dict = {}
        tally = tallies.get(eid)
        if tally is not None and (entity := tally.entity(eid)) is not None:
            wanted = {**vars(entity), "aliases": list(entity.aliases), "tallies": tally.to_json()}
            before = stored.get(eid)
            changed = (
                wanted
                if before is None
                else {k: v for k, v in wanted.items() if before.get(k) != v}
            )
            written[eid] = {**(before or {}), **changed}
        if changed or mentions.get(eid):
            rows.append({"id": eid, "changed": changed, "mentions": mentions.get(eid, [])})
    run_rows(tx, cypher.WRITE_ENTITIES, "rows", rows)
    return written


def evidence_rows(evidence: Sequence[Evidence], chunk_times: dict[str, Times]) -> list[dict]:
    """One `UPSERT_RELATIONS` row per relation: its new evidence chunks and weights in order,
    and the seen span of their documents."""
    rows: dict[str, dict] = {}
    for e in evidence:
        ingested_at, updated_at = chunk_times[e.chunk_id]
        row = rows.setdefault(
            e.relation_id,
            {
                "relation_id": e.relation_id,
                "source_id": e.source_id,
                "target_id": e.target_id,
                "predicate": e.predicate,
                "chunk_ids": [],
                "weights": [],
                "first_seen": ingested_at,
                "last_seen": updated_at,
            },
        )
        row["chunk_ids"].append(e.chunk_id)
        row["weights"].append(e.weight)
        row["first_seen"] = min(row["first_seen"], ingested_at)
        row["last_seen"] = max(row["last_seen"], updated_at)
    return list(rows.values())


def apply_relations(tx: ManagedTransaction, delta: Delta, run_rows: RunRows) -> None:
    """Settle the relations that lost evidence: re-derive a seen time whose extreme went,
    and delete those left without evidence. (Added evidence moves weights and seen times in
    `UPSERT_RELATIONS`; `added_evidence` holds only what these gained.)"""
    touched = sorted(delta.removed_evidence)
    if not touched:
        return
    spans: dict[str, SeenSpan] = {}
    gone, exact = [], []
    for row in tx.run(cypher.RELATION_SEEN, {"relation_ids": touched}):
        rid = row["rid"]
        if not row["support"]:
            gone.append(rid)
            continue
        span = SeenSpan(row["first_seen"], row["last_seen"])
        for times in delta.removed_evidence.get(rid, ()):
            span.remove(*times)
        for times in delta.added_evidence.get(rid, ()):
            span.add(*times)
        if span.stale:
            exact.append(rid)
        else:
            spans[rid] = span
    spans.update(_exact_spans(tx, exact))
    rows = [{"id": rid, "first_seen": s.first, "last_seen": s.last} for rid, s in spans.items()]
    run_rows(tx, cypher.UPDATE_RELATION_SEEN, "rows", rows)
    run_rows(tx, cypher.DELETE_RELATIONS, "relation_ids", gone)


def _exact_spans(tx: ManagedTransaction, relation_ids: Sequence[str]) -> dict[str, SeenSpan]:
    if not relation_ids:
        return {}
    support = tx.run(cypher.RELATION_SUPPORT, {"relation_ids": list(relation_ids)})
    return {row["rid"]: SeenSpan(row["first_seen"], row["last_seen"]) for row in support}


def rederive_batch(
    tx: ManagedTransaction,
    entity_ids: Iterable[str],
    relation_ids: Iterable[str],
    run_rows: RunRows,
) -> None:
    """Re-derive the given entities and relations from everything that supports them."""
    entity_ids, relation_ids = sorted(entity_ids), sorted(relation_ids)
    _write_entities(tx, _exact_tallies(tx, entity_ids), run_rows, _stored(tx, entity_ids))
    support = tx.run(cypher.RELATION_SUPPORT, {"relation_ids": relation_ids}).data()
    rows = [
        {
            "id": row["rid"],
            "weight": sum(row["weights"], 0.0),
            "first_seen": row["first_seen"],
            "last_seen": row["last_seen"],
        }
        for row in support
    ]
    run_rows(tx, cypher.UPDATE_RELATIONS, "rows", rows)
