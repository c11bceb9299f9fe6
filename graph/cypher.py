"""Every Cypher statement groundgraph runs, as named constants.

All values are parameters (`$rows`, `$ids`, ...); labels, relationship types and property
names are fixed here and never built from data, so a name full of quotes, braces or Cypher
keywords is stored verbatim and cannot change a query.
"""

SCHEMA = (
    "CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE",
    "CREATE CONSTRAINT chunk_id IF NOT EXISTS FOR (c:Chunk) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE",
    "CREATE CONSTRAINT community_id IF NOT EXISTS FOR (c:Community) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:GroundGraphMeta) REQUIRE m.key IS UNIQUE",
    "CREATE INDEX document_uri IF NOT EXISTS FOR (d:Document) ON (d.uri)",
    "CREATE INDEX document_source IF NOT EXISTS FOR (d:Document) ON (d.source)",
    "CREATE INDEX chunk_doc IF NOT EXISTS FOR (c:Chunk) ON (c.doc_id)",
    "CREATE INDEX entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name)",
    "CREATE INDEX entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type)",
    "CREATE INDEX related_id IF NOT EXISTS FOR ()-[r:RELATED]-() ON (r.id)",
    "CREATE INDEX related_predicate IF NOT EXISTS FOR ()-[r:RELATED]-() ON (r.predicate)",
    "CREATE FULLTEXT INDEX chunk_text IF NOT EXISTS FOR (c:Chunk) ON EACH [c.text]",
    "CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (e:Entity) ON EACH [e.name]",
)

# -- writes ----------------------------------------------------------------------------------

MERGE_DOCUMENTS = """
UNWIND $rows AS row
MERGE (d:Document {id: row.id})
  ON CREATE SET d.ingested_at = row.ingested_at, d.updated_at = row.now,
                d.content_hash = row.content_hash
SET d.updated_at = CASE WHEN d.content_hash = row.content_hash THEN d.updated_at
                        ELSE row.now END,
    d.uri = row.uri, d.title = row.title, d.source = row.source,
    d.content_hash = row.content_hash, d.author = row.author, d.created = row.created,
    d.modified = row.modified, d.encoding = row.encoding,
    d.effective_date = row.effective_date, d.date_source = row.date_source
RETURN d.id AS id, d.ingested_at AS ingested_at, d.updated_at AS updated_at
"""

# What a document's chunks touch, before they go: their chunks and stated relations.
DOCUMENT_FOOTPRINT = """
UNWIND $doc_ids AS doc_id
MATCH (c:Chunk {doc_id: doc_id})
OPTIONAL MATCH (c)-[:MENTIONS]->(:Entity)-[r:RELATED]-() WHERE c.id IN r.evidence
RETURN collect(DISTINCT [c.id, c.doc_id]) AS chunks, collect(DISTINCT r.id) AS relations
"""

# The mentions that go with the documents' chunks, with the times they were counted under.
DETACHED_MENTIONS = """
UNWIND $doc_ids AS doc_id
MATCH (d:Document {id: doc_id})-[:HAS_CHUNK]->(:Chunk)-[m:MENTIONS]->(e:Entity)
RETURN e.id AS eid, m.surface AS surface, m.name AS name, m.type AS type, m.count AS count,
       d.ingested_at AS ingested_at, d.updated_at AS updated_at
"""

DOCUMENT_TIMES = """
UNWIND $doc_ids AS doc_id
MATCH (d:Document {id: doc_id})
RETURN d.id AS id, d.ingested_at AS ingested_at, d.updated_at AS updated_at
"""

# The weight is summed from the kept list in its order, as the running sum was.
DROP_EVIDENCE = """
UNWIND $relation_ids AS rid
MATCH ()-[r:RELATED {id: rid}]->()
WITH r, rid, [i IN range(0, size(r.evidence) - 1) WHERE NOT r.evidence[i] IN $chunk_ids] AS keep
WITH r, rid, [i IN keep | r.evidence[i]] AS evidence,
     [i IN keep | r.evidence_weights[i]] AS weights,
     [x IN r.evidence WHERE x IN $chunk_ids] AS dropped
SET r.evidence = evidence, r.evidence_weights = weights,
    r.weight = reduce(w = 0.0, x IN weights | w + x)
RETURN rid, dropped
"""

DELETE_CHUNKS = """
UNWIND $chunk_ids AS cid
MATCH (c:Chunk {id: cid})
DETACH DELETE c
"""

# The merge log's provenance where the Neo4j Browser shows it: each name a rule or a person
# merged into an entity, per document, `SAME_AS` the entity, with the rule. The document's
# rows are replaced with its mentions (`DETACH_MERGED_NAMES` first).
WRITE_MERGED_NAMES = """
UNWIND $rows AS row
MATCH (d:Document {id: row.doc_id}), (e:Entity {id: row.entity_id})
CREATE (d)-[:HAS_MERGED_NAME]->(n:MergedName {name: row.surface, document_id: row.doc_id})
CREATE (n)-[:SAME_AS {rule: row.rule, document: d.uri, at: d.updated_at}]->(e)
"""

DETACH_MERGED_NAMES = """
UNWIND $doc_ids AS doc_id
MATCH (:Document {id: doc_id})-[:HAS_MERGED_NAME]->(n:MergedName)
DETACH DELETE n
"""

DELETE_DOCUMENTS = """
UNWIND $doc_ids AS doc_id
MATCH (d:Document {id: doc_id})
DETACH DELETE d
RETURN count(*) AS deleted
"""

# A chunk links to the one before it (`row.previous`, written by an earlier row or statement
# of the same transaction: Cypher runs each clause over every row before the next clause, so
# the MATCH sees every chunk the CREATE made).
CREATE_CHUNKS = """
UNWIND $rows AS row
MATCH (d:Document {id: row.doc_id})
CREATE (c:Chunk {id: row.id, doc_id: row.doc_id, ordinal: row.ordinal, text: row.text,
                 start: row.start, end: row.end, content_hash: row.content_hash,
                 section: row.section, location: row.location, parse: row.parse,
                 parse_model: row.parse_model})
CREATE (d)-[:HAS_CHUNK]->(c)
WITH c, row WHERE row.previous IS NOT NULL
MATCH (p:Chunk {id: row.previous})
CREATE (p)-[:NEXT]->(c)
"""

# One row per relation with all its new evidence, weights in list order (the weight is
# their sum in that order, as a sum over the whole list would be), and the seen span of
# their documents. A relation is found by id through the `related_id` index (a MERGE between
# two entities checks their relationships, which for a hub entity are thousands): one that
# exists gets the evidence appended, one that does not is created.
UPSERT_RELATIONS = """
UNWIND $rows AS row
OPTIONAL MATCH ()-[r:RELATED {id: row.relation_id}]->()
CALL (row, r) {
  WITH row, r WHERE r IS NULL
  MATCH (s:Entity {id: row.source_id}), (t:Entity {id: row.target_id})
  CREATE (s)-[:RELATED {id: row.relation_id, predicate: row.predicate, evidence: row.chunk_ids,
                        evidence_weights: row.weights,
                        weight: reduce(w = 0.0, x IN row.weights | w + x),
                        first_seen: row.first_seen, last_seen: row.last_seen}]->(t)
}
CALL (row, r) {
  WITH row, r WHERE r IS NOT NULL
  SET r.evidence = r.evidence + row.chunk_ids,
      r.evidence_weights = r.evidence_weights + row.weights,
      r.weight = reduce(w = r.weight, x IN row.weights | w + x),
      r.first_seen = CASE WHEN row.first_seen < r.first_seen THEN row.first_seen
                          ELSE r.first_seen END,
      r.last_seen = CASE WHEN row.last_seen > r.last_seen THEN row.last_seen
                         ELSE r.last_seen END
}
"""

RELATION_SEEN = """
UNWIND $relation_ids AS rid
MATCH ()-[r:RELATED {id: rid}]->()
RETURN rid, r.first_seen AS first_seen, r.last_seen AS last_seen, size(r.evidence) AS support
"""

UPDATE_RELATION_SEEN = """
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
SET r.first_seen = row.first_seen, r.last_seen = row.last_seen
"""

CLEAR_TALLIES = """
UNWIND $entity_ids AS eid
MATCH (e:Entity {id: eid})
REMOVE e.tallies
"""

ALL_RELATION_IDS = "MATCH ()-[r:RELATED]->() RETURN r.id AS id"
ALL_ENTITY_IDS = "MATCH (e:Entity) RETURN e.id AS id"

# Every stored property of the entities, their running tallies (`derive.EntityTally`, in
# `e.tallies`) among them: tallies are absent on an entity written before they existed or
# left with no mention.
STORED_ENTITIES = """
UNWIND $entity_ids AS eid
MATCH (e:Entity {id: eid})
RETURN eid, properties(e) AS stored
"""

RELATION_SUPPORT = """
UNWIND $relation_ids AS rid
MATCH ()-[r:RELATED {id: rid}]->()
CALL (r) {
  UNWIND r.evidence AS cid
  MATCH (d:Document)-[:HAS_CHUNK]->(:Chunk {id: cid})
  RETURN min(d.ingested_at) AS first_seen, max(d.updated_at) AS last_seen
}
RETURN rid, r.evidence_weights AS weights, first_seen, last_seen
"""

UPDATE_RELATIONS = """
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
SET r.weight = row.weight, r.first_seen = row.first_seen, r.last_seen = row.last_seen
"""

DELETE_RELATIONS = """
UNWIND $relation_ids AS rid
MATCH ()-[r:RELATED {id: rid}]->()
DELETE r
"""

ENTITY_MENTIONS = """
UNWIND $entity_ids AS eid
MATCH (d:Document)-[:HAS_CHUNK]->(:Chunk)-[m:MENTIONS]->(:Entity {id: eid})
RETURN eid, m.surface AS surface, m.name AS name, m.type AS type, m.count AS count,
       d.ingested_at AS ingested_at, d.updated_at AS updated_at
"""

# An entity (created if new) with the properties that changed, and its new mentions: their
# chunks are new in this transaction and the rows unique per (chunk, entity, surface), so each
# mention is created, not merged.
WRITE_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
SET e += row.changed
WITH e, row
UNWIND row.mentions AS m
MATCH (c:Chunk {id: m.chunk_id})
CREATE (c)-[:MENTIONS {
    surface: m.surface, name: m.name, type: m.type, count: m.count, merged_by: m.merged_by
}]->(e)
"""

DELETE_UNSUPPORTED_ENTITIES = """
UNWIND $entity_ids AS eid
MATCH (e:Entity {id: eid})
WHERE NOT (e)<-[:MENTIONS]-() AND NOT (e)-[:RELATED]-()
DETACH DELETE e
"""

# One node holds a counter that every write transaction increments first: the write lock it
# takes queues writers, so a writer that finds the counter one above the value its own last
# write set knows that no other write came between.
BUMP_VERSION = """
MERGE (m:GroundGraphMeta {key: 'version'})
SET m.value = coalesce(m.value, 0) + 1
RETURN m.value AS v
"""
VERSION = "OPTIONAL MATCH (m:GroundGraphMeta {key: 'version'}) RETURN coalesce(m.value, 0) AS v"

# Communities are derived data: replacing them leaves the version counter alone and records
# the version they were computed from instead.
DELETE_COMMUNITIES = "MATCH (c:Community) DETACH DELETE c"

CREATE_COMMUNITIES = """
UNWIND $rows AS row
CREATE (c:Community {id: row.id, level: row.level, size: row.size, title: row.title,
                     summary: row.summary, evidence_chunks: row.evidence_chunks,
                     evidence_starts: row.evidence_starts, evidence_ends: row.evidence_ends})
WITH c, row
UNWIND range(0, size(row.entity_ids) - 1) AS rank
MATCH (e:Entity {id: row.entity_ids[rank]})
CREATE (e)-[:IN_COMMUNITY {rank: rank}]->(c)
"""

SET_COMMUNITIES_VERSION = (
    "MERGE (m:GroundGraphMeta {key: 'communities_version'}) SET m.value = $version"
)
COMMUNITIES_VERSION = (
    "OPTIONAL MATCH (m:GroundGraphMeta {key: 'communities_version'}) RETURN m.value AS v"
)

# -- reads -----------------------------------------------------------------------------------

COMMUNITIES = """
MATCH (c:Community)
OPTIONAL MATCH (e:Entity)-[r:IN_COMMUNITY]->(c)
WITH c, e, r ORDER BY r.rank
RETURN c.id AS id, c.level AS level, c.size AS size, c.title AS title, c.summary AS summary,
       collect(e.id) AS entity_ids, c.evidence_chunks AS evidence_chunks,
       c.evidence_starts AS evidence_starts, c.evidence_ends AS evidence_ends
ORDER BY size DESC, id
"""

_DOCUMENT_FIELDS = (
    "d.id AS id, d.uri AS uri, d.title AS title, d.source AS source, "
    "d.content_hash AS content_hash, d.ingested_at AS ingested_at, d.updated_at AS updated_at, "
    # Documents written before these properties existed have none: "" as in the records.
    "coalesce(d.author, '') AS author, coalesce(d.created, '') AS created, "
    "coalesce(d.modified, '') AS modified, coalesce(d.encoding, '') AS encoding, "
    "coalesce(d.effective_date, '') AS effective_date, "
    "coalesce(d.date_source, '') AS date_source"
)
ALL_DOCUMENTS = "MATCH (d:Document) RETURN " + _DOCUMENT_FIELDS + " ORDER BY d.id"
DOCUMENTS_BY_ID = (
    "UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN " + _DOCUMENT_FIELDS + " ORDER BY d.id"
)

_CHUNK_FIELDS = (
    "c.id AS id, c.doc_id AS doc_id, c.ordinal AS ordinal, c.text AS text, c.start AS start, "
    "c.end AS end, c.content_hash AS content_hash, coalesce(c.section, '') AS section, "
    "coalesce(c.location, '') AS location"
)
ALL_CHUNKS = "MATCH (c:Chunk) RETURN " + _CHUNK_FIELDS + " ORDER BY c.id"
ALL_CHUNK_IDS = "MATCH (c:Chunk) RETURN c.id AS id"
CHUNKS_BY_ID = (
    "UNWIND $ids AS id MATCH (c:Chunk {id: id}) RETURN " + _CHUNK_FIELDS + " ORDER BY c.id"
)
# The sentence layer (`parse`, `parse_model`) lives on the chunk node, so it goes with it.
PARSES_BY_ID = (
    "UNWIND $ids AS id MATCH (c:Chunk {id: id}) WHERE c.parse IS NOT NULL "
    "RETURN c.id AS chunk_id, c.parse_model AS model, c.parse AS data"
)
CHUNKS_WITHOUT_PARSE = (
    "MATCH (c:Chunk) WHERE c.parse IS NULL OR c.parse_model <> $model RETURN c.id AS id "
    "ORDER BY c.id"
)
PUT_PARSES = """
UNWIND $rows AS row
MATCH (c:Chunk {id: row.chunk_id})
SET c.parse = row.data, c.parse_model = row.model
RETURN count(c) AS stored
"""
CHUNKS_OF_DOCUMENT = (
    "MATCH (c:Chunk {doc_id: $doc_id}) RETURN " + _CHUNK_FIELDS + " ORDER BY c.ordinal"
)

_ENTITY_FIELDS = (
    "e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases, "
    "e.mention_count AS mention_count, e.first_seen AS first_seen, e.last_seen AS last_seen"
)
ALL_ENTITIES = "MATCH (e:Entity) RETURN " + _ENTITY_FIELDS + " ORDER BY e.id"
ENTITIES_BY_ID = (
    "UNWIND $ids AS id MATCH (e:Entity {id: id}) RETURN " + _ENTITY_FIELDS + " ORDER BY e.id"
)

_MENTION_FIELDS = (
    "c.id AS chunk_id, e.id AS entity_id, m.surface AS surface, m.name AS name, "
    "m.type AS type, m.count AS count, coalesce(m.merged_by, '') AS merged_by"
)
ALL_MENTIONS = "MATCH (c:Chunk)-[m:MENTIONS]->(e:Entity) RETURN " + _MENTION_FIELDS
MENTIONS_OF_CHUNKS = (
    "UNWIND $ids AS id MATCH (c:Chunk {id: id})-[m:MENTIONS]->(e:Entity) RETURN " + _MENTION_FIELDS
)
MENTIONS_OF_ENTITIES = (
    "UNWIND $ids AS id MATCH (c:Chunk)-[m:MENTIONS]->(e:Entity {id: id}) RETURN " + _MENTION_FIELDS
)

_RELATION_FIELDS = (
    "r.id AS id, s.id AS source_id, t.id AS target_id, r.predicate AS predicate, "
    "r.weight AS weight, r.evidence AS evidence, r.evidence_weights AS evidence_weights, "
    "r.first_seen AS first_seen, r.last_seen AS last_seen"
)
ALL_RELATIONS = "MATCH (s:Entity)-[r:RELATED]->(t:Entity) RETURN " + _RELATION_FIELDS
RELATIONS_OF_ENTITIES = (
    "UNWIND $ids AS id MATCH (:Entity {id: id})-[r:RELATED]-() "
    "WITH DISTINCT r MATCH (s:Entity)-[r]->(t:Entity) RETURN " + _RELATION_FIELDS
)

# The entity–chunk adjacency for in-process graph algorithms, in one query.
MENTION_ADJACENCY = (
    "MATCH (c:Chunk)-[m:MENTIONS]->(e:Entity) "
    "RETURN c.id AS chunk_id, e.id AS entity_id, sum(m.count) AS count"
)
RELATION_ADJACENCY = (
    "MATCH (s:Entity)-[r:RELATED]->(t:Entity) "
    "RETURN s.id AS source_id, t.id AS target_id, r.weight AS weight"
)

COUNTS = """
CALL () { MATCH (d:Document) RETURN count(d) AS documents }
CALL () { MATCH (c:Chunk) RETURN count(c) AS chunks }
CALL () { MATCH (e:Entity) RETURN count(e) AS entities }
CALL () { MATCH ()-[r:RELATED]->() RETURN count(r) AS relations }
CALL () { MATCH ()-[m:MENTIONS]->() RETURN count(m) AS mentions }
RETURN documents, chunks, entities, relations, mentions
"""
ENTITY_TYPES = "MATCH (e:Entity) RETURN e.type AS type, count(*) AS n ORDER BY n DESC, type"
