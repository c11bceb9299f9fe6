"""Entity and relation properties on Neo4j, updated by each write's delta.

Re-deriving every touched entity from all its mentions made each batch read every mention
of every hub entity again, so upserts ran at 4–8 % of the server's plain CREATE rate and
slowed as the graph grew. Instead an entity keeps its running tallies (`derive.EntityTally`,
as JSON in `e.tallies`) and a relation its weight, which a write adjusts by the mentions and
evidence it removes and adds. Only a first/last-seen time whose extreme was removed, or an
entity written before tallies existed, is re-derived from everything that supports it, and
`rederive` does that for the whole graph (a repair, and what the tests compare against).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from neo4j import ManagedTransaction

from groundgraph.graph import cypher
from groundgraph.graph.derive import EntityTally, MentionRow, SeenSpan, tally_mentions

RunRows = Callable[[ManagedTransaction, str, str, list], None]
Times = tuple[str, str]  # a document's (ingested_at, updated_at)


@dataclass
class Delta:
    """What one write removes and adds: mention rows by entity, evidence times by relation."""

    removed_mentions: dict[str, list[MentionRow]] = field(default_factory=lambda: defaultdict(list))
    added_mentions: dict[str, list[MentionRow]] = field(default_factory=lambda: defaultdict(list))
    removed_evidence: dict[str, list[Times]] = field(default_factory=lambda: defaultdict(list))
    added_evidence: dict[str, list[Times]] = field(default_factory=lambda: defaultdict(list))


def mention_row(record: dict) -> MentionRow:
    return MentionRow(
        record["surface"],
        record["name"],
        record["type"],
        record["count"],
        record["ingested_at"],
        record["updated_at"],
    )


def apply_entities(tx: ManagedTransaction, delta: Delta, run_rows: RunRows) -> None:
    """Adjust the tallies of every entity the delta touches and write what they derive."""
    touched = sorted(delta.removed_mentions.keys() | delta.added_mentions.keys())
    if not touched:
        return
    tallies: dict[str, EntityTally] = {}
    exact: list[str] = []
    for row in tx.run(cypher.ENTITY_TALLIES, {"entity_ids": touched}):
        eid = row["eid"]
        if row["tallies"] is None and row["first_seen"]:
            exact.append(eid)  # written before tallies existed
            continue
        tally = (
            EntityTally()
            if row["tallies"] is None
            else EntityTally.from_json(row["tallies"], row["first_seen"], row["last_seen"])
        )
        for mention in delta.removed_mentions.get(eid, ()):
            tally.remove(mention)
        for mention in delta.added_mentions.get(eid, ()):
            tally.add(mention)
        if tally.names and tally.seen.stale:
            exact.append(eid)
        else:
            tallies[eid] = tally
    tallies.update(_exact_tallies(tx, exact))
    _write_entities(tx, tallies, run_rows)
    # An entity that keeps a relation outlives its mentions: without tallies, its next
    # mention re-derives it exactly.
    orphans = sorted(eid for eid, t in tallies.items() if not t.names)
    run_rows(tx, cypher.CLEAR_TALLIES, "entity_ids", orphans)
    run_rows(tx, cypher.DELETE_UNSUPPORTED_ENTITIES, "entity_ids", orphans)


def _exact_tallies(tx: ManagedTransaction, entity_ids: Sequence[str]) -> dict[str, EntityTally]:
    rows: dict[str, list[MentionRow]] = defaultdict(list)
    if entity_ids:
        for record in tx.run(cypher.ENTITY_MENTIONS, {"entity_ids": list(entity_ids)}):
            rows[record["eid"]].append(mention_row(record))
    return {eid: tally_mentions(rows.get(eid, ())) for eid in entity_ids}


def _write_entities(
    tx: ManagedTransaction, tallies: dict[str, EntityTally], run_rows: RunRows
) -> None:
    rows = []
    for eid, tally in sorted(tallies.items()):
        entity = tally.entity(eid)
        if entity is not None:
            rows.append(
                {**vars(entity), "aliases": list(entity.aliases), "tallies": tally.to_json()}
            )
    run_rows(tx, cypher.UPDATE_ENTITIES, "rows", rows)


def apply_relations(tx: ManagedTransaction, delta: Delta, run_rows: RunRows) -> None:
    """Move the seen times of every relation the delta touches, and delete the relations
    left without evidence (their weights the Cypher statements keep themselves)."""
    touched = sorted(delta.removed_evidence.keys() | delta.added_evidence.keys())
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


def rederive(
    tx: ManagedTransaction,
    entity_ids: Iterable[str],
    relation_ids: Iterable[str],
    run_rows: RunRows,
) -> None:
    """Re-derive the given entities and relations from everything that supports them."""
    entity_ids, relation_ids = sorted(entity_ids), sorted(relation_ids)
    _write_entities(tx, _exact_tallies(tx, entity_ids), run_rows)
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
