"""The embedded store's SQL: its schema and its longer queries, as `cypher.py` is for Neo4j.

Values are always `?` parameters; `{marks}` is replaced by a run of `?` for an IN list.
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, uri TEXT NOT NULL UNIQUE, title TEXT NOT NULL, source TEXT NOT NULL,
    content_hash TEXT NOT NULL, ingested_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    content_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, aliases TEXT NOT NULL,
    mention_count INTEGER NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mentions (
    chunk_id TEXT NOT NULL REFERENCES chunks(id) ON DELETE CASCADE, entity_id TEXT NOT NULL,
    surface TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (chunk_id, entity_id, surface));
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS relations (
    id TEXT PRIMARY KEY, source_id TEXT NOT NULL, target_id TEXT NOT NULL,
    predicate TEXT NOT NULL, weight REAL NOT NULL, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS relations_source ON relations(source_id);
CREATE INDEX IF NOT EXISTS relations_target ON relations(target_id);
CREATE TABLE IF NOT EXISTS evidence (
    relation_id TEXT NOT NULL, chunk_id TEXT NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    weight REAL NOT NULL, PRIMARY KEY (relation_id, chunk_id));
CREATE INDEX IF NOT EXISTS evidence_chunk ON evidence(chunk_id);
CREATE TABLE IF NOT EXISTS chunk_parses (
    chunk_id TEXT PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE, model TEXT NOT NULL,
    parse BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('version', 0);
CREATE TABLE IF NOT EXISTS communities (
    id TEXT PRIMARY KEY, level INTEGER NOT NULL, size INTEGER NOT NULL, title TEXT NOT NULL,
    summary TEXT NOT NULL, evidence TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS community_members (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL, rank INTEGER NOT NULL, PRIMARY KEY (community_id, entity_id));
"""

# Columns added after the first release, appended to stores made before them when they open
# (`ALTER TABLE ... ADD COLUMN`, instant in SQLite), so old and new stores have one layout.
ADDED_COLUMNS = (
    ("documents", "author"),
    ("documents", "created"),
    ("documents", "modified"),
    ("documents", "encoding"),
    ("documents", "effective_date"),
    ("documents", "date_source"),
    ("chunks", "section"),
    ("chunks", "location"),
    ("mentions", "merged_by"),
)

MENTIONS_WITH_TIMES = """
SELECT m.entity_id, m.surface, m.name, m.type, m.count, d.ingested_at, d.updated_at
FROM mentions m JOIN chunks c ON c.id = m.chunk_id JOIN documents d ON d.id = c.doc_id
WHERE m.entity_id IN ({marks})"""

EVIDENCE_TOTALS = """
SELECT e.relation_id, SUM(e.weight), MIN(d.ingested_at), MAX(d.updated_at)
FROM evidence e JOIN chunks c ON c.id = e.chunk_id JOIN documents d ON d.id = c.doc_id
WHERE e.relation_id IN ({marks}) GROUP BY e.relation_id"""

COMMUNITIES = (
    "SELECT id, level, size, title, summary, evidence FROM communities ORDER BY size DESC, id"
)
COMMUNITY_MEMBERS = (
    "SELECT community_id, entity_id FROM community_members ORDER BY community_id, rank"
)

# Chunks without a sentence layer of the model `?`: none yet, or another pipeline's or format's.
CHUNKS_WITHOUT_PARSE = """
SELECT c.id FROM chunks c LEFT JOIN chunk_parses p ON p.chunk_id = c.id
WHERE p.chunk_id IS NULL OR p.model != ? ORDER BY c.id"""
