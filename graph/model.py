"""The records of the knowledge graph, shared by every store and every layer above.

Ids are content- and name-derived hashes (see `ids.py`), so writing the same input twice
produces the same records and changes nothing.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One source document: a file, or one record of a JSON file.

    Attributes:
        id: hash of `uri`, stable across edits of the content.
        uri: where the document came from (`file:///...`, with `#record` for JSON records).
        title: a human title (HTML `<title>`, first Markdown heading, file name).
        source: the path the user ingested, used by `refresh` to find deletions.
        content_hash: sha256 of the parsed text; a changed hash means a changed document.
        ingested_at: ISO-8601 time the document was first stored.
        updated_at: ISO-8601 time its content last changed.
        author, created, modified: the file's own metadata (Office core properties, PDF
            document information, a web page's meta tags), "" where it has none.
        encoding: the encoding a text file was decoded from, "" for other formats.
        effective_date: the ISO day its statements hold from (`ingest/dating.py`): what a
            newer document's statement supersedes, and what `as_of` compares; "" unknown.
        date_source: where `effective_date` came from ("front matter", "title", "first
            lines", "file properties", "file modified").
    """

    id: str
    uri: str
    title: str
    source: str
    content_hash: str
    ingested_at: str = ""
    updated_at: str = ""
    author: str = ""
    created: str = ""
    modified: str = ""
    encoding: str = ""
    effective_date: str = ""
    date_source: str = ""


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with character offsets into the document's text.

    Attributes:
        section: the headings above it ("Annual Report > Finance"), "" when there are none.
        location: where it is in the original file ("page 12", "slide 4", "sheet Sales").
    """

    id: str
    doc_id: str
    ordinal: int
    text: str
    start: int
    end: int
    content_hash: str
    section: str = ""
    location: str = ""


@dataclass(frozen=True)
class Entity:
    """A named thing, merged across documents by its normalised name.

    Attributes:
        aliases: other surface forms that resolution merged into this entity.
        mention_count: how many times chunks mention it.
    """

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    mention_count: int = 0
    first_seen: str = ""
    last_seen: str = ""


@dataclass(frozen=True)
class Mention:
    """A chunk mentions an entity, under one surface form, `count` times.

    `name` and `type` are the entity's canonical name and label as resolved within the
    mentioning document; the store derives the entity's name, type and aliases from them.
    `merged_by` says which rule merged a surface form that is not the entity's own name
    into it ("contained name", "acronym", "a person's merge", "owl:sameAs"); "" for the
    entity's own name. It is the merge log's record (`ingest/merge_log.py`).
    """

    chunk_id: str
    entity_id: str
    surface: str
    name: str
    type: str
    count: int = 1
    merged_by: str = ""


@dataclass(frozen=True)
class Relation:
    """A typed link between two entities, supported by evidence chunks.

    The predicate is data (a verb lemma such as `discover`, or `co_occurs_with`), never a
    schema element. A relation lives as long as one evidence chunk supports it;
    `evidence_weights[i]` is what chunk `evidence[i]` adds to `weight` (their sum).
    """

    id: str
    source_id: str
    target_id: str
    predicate: str
    weight: float
    evidence: tuple[str, ...] = ()
    first_seen: str = ""
    last_seen: str = ""
    evidence_weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One chunk's support for one relation, as extraction produces it."""

    relation_id: str
    source_id: str
    target_id: str
    predicate: str
    chunk_id: str
    weight: float


@dataclass(frozen=True)
class ChunkParse:
    """A chunk's sentence layer: its spaCy parse (sentences, lemmas, tags, dependencies,
    entities), made once at ingest so that answering reads it instead of parsing the chunk
    for every question that retrieves it (`ingest/sentence_layer.py` writes and reads `data`).

    Attributes:
        model: the spaCy pipeline that parsed it and the layer's format
            (`sentence_layer.layer_model`); a layer of another pipeline or format is stale.
    """

    chunk_id: str
    model: str
    data: bytes


@dataclass(frozen=True)
class DocumentGraph:
    """Everything one document contributes to the graph; stores replace it as a whole.

    Attributes:
        parses: the sentence layer of its chunks (those it has; a chunk without one gets it
            from the write path's sentence-layer stage).
    """

    document: Document
    chunks: tuple[Chunk, ...]
    mentions: tuple[Mention, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    parses: tuple[ChunkParse, ...] = ()


@dataclass(frozen=True)
class GraphStats:
    """Counts of what a store holds."""

    documents: int
    chunks: int
    entities: int
    relations: int
    mentions: int
    entity_types: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Adjacency:
    """The graph as edge lists, for algorithms that run in process (personalised PageRank).

    Attributes:
        mentions: (chunk id, entity id, mention count) triples.
        relations: (source entity id, target entity id, weight) triples.
    """

    mentions: tuple[tuple[str, str, int], ...]
    relations: tuple[tuple[str, str, float], ...]


@dataclass(frozen=True)
class Community:
    """A cluster of closely connected entities (Leiden) and its report, for global questions.

    Attributes:
        id: hash of the sorted member ids, so an unchanged cluster keeps its id.
        level: the Leiden level; groundgraph computes one level, 0.
        title: the names of its most mentioned entities.
        summary: the report: key entities, key relations, representative sentences, and a
            model-written summary when a language model generator is configured.
        entity_ids: the members, most mentioned first.
        evidence_chunks, evidence_starts, evidence_ends: representative sentences as spans
            (document character offsets) of the chunks they come from.
    """

    id: str
    level: int
    size: int
    title: str
    summary: str
    entity_ids: tuple[str, ...]
    evidence_chunks: tuple[str, ...] = ()
    evidence_starts: tuple[int, ...] = ()
    evidence_ends: tuple[int, ...] = ()


@dataclass(frozen=True)
class CommunitySet:
    """The stored communities and the graph version they were computed from (None: never)."""

    graph_version: int | None
    communities: tuple[Community, ...] = ()
