"""Export the stored graph as RDF (Turtle, N-Triples or JSON-LD), streaming.

Documents are written one at a time with their chunks and mentions, then entities, then
relations with their PROV-O derivations: nothing but the entity and relation lists is held
in memory, and the output is written as it is produced. The vocabulary is in `rdf_vocab.py`.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal as TypingLiteral
from typing import Protocol, TextIO

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from groundgraph.graph.base import GraphReader, StoreError
from groundgraph.graph.ids import stable_hash
from groundgraph.graph.model import Chunk, Document, Entity, Mention, Relation
from groundgraph.graph.rdf_vocab import GG, PREFIXES, SCHEMA, node, predicate_iri
from groundgraph.graph.validity import RelationValidity, relation_validity, superseded_by

ExportFormat = TypingLiteral["turtle", "nt", "jsonld"]
EXPORT_FORMATS: tuple[str, ...] = ("turtle", "nt", "jsonld")

Pair = tuple[URIRef, URIRef | Literal]


@dataclass
class ExportCounts:
    """What an export wrote."""

    documents: int = 0
    chunks: int = 0
    entities: int = 0
    relations: int = 0
    triples: int = 0


class _Writer(Protocol):
    def begin(self) -> None: ...
    def subject(self, subject: URIRef, pairs: list[Pair]) -> None: ...
    def end(self) -> None: ...


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\x00-\x1f\x7f]')


def _escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m[0], f"\\u{ord(m[0]):04X}"), text)


def _literal(value: Literal) -> str:
    """An N-Triples literal: one line, escaped; also valid Turtle."""
    text = f'"{_escape(str(value))}"'
    if value.language:
        return f"{text}@{value.language}"
    if value.datatype and value.datatype != XSD.string:
        return f"{text}^^<{value.datatype}>"
    return text


def _iri(value: URIRef) -> str:
    return f"<{value}>"


class _NTriplesWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def begin(self) -> None:
        pass

    def subject(self, subject: URIRef, pairs: list[Pair]) -> None:
        s = _iri(subject)
        self.out.writelines(f"{s} {_iri(p)} {_term(o)} .\n" for p, o in pairs)

    def end(self) -> None:
        pass


_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class _TurtleWriter:
    """Turtle with prefixes for vocabulary terms and full IRIs for nodes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.prefixes = sorted(((str(ns), name) for name, ns in PREFIXES.items()), reverse=True)

    def _name(self, iri: URIRef) -> str:
        text = str(iri)
        for namespace, prefix in self.prefixes:
            if text.startswith(namespace) and _LOCAL.match(text[len(namespace) :]):
                return f"{prefix}:{text[len(namespace) :]}"
        return _iri(iri)

    def begin(self) -> None:
        for name, namespace in PREFIXES.items():
            self.out.write(f"@prefix {name}: <{namespace}> .\n")
        self.out.write("\n")

    def subject(self, subject: URIRef, pairs: list[Pair]) -> None:
        lines = [
            f"    {'a' if p == RDF.type else self._name(p)} "
            f"{self._name(o) if isinstance(o, URIRef) else _literal(o)}"
            for p, o in pairs
        ]
        self.out.write(f"{_iri(subject)}\n" + " ;\n".join(lines) + " .\n\n")

    def end(self) -> None:
        pass


class _JsonLdWriter:
    """Expanded JSON-LD: a top-level array of node objects, written one node at a time."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.first = True

    def begin(self) -> None:
        self.out.write("[\n")

    def subject(self, subject: URIRef, pairs: list[Pair]) -> None:
        types: list[str] = []
        values: dict[str, list[dict[str, str]]] = {}
        for p, o in pairs:
            if p == RDF.type:
                types.append(str(o))
            else:
                values.setdefault(str(p), []).append(_jsonld_value(o))
        obj: dict[str, object] = {"@id": str(subject)}
        if types:
            obj["@type"] = types
        obj.update(values)
        self.out.write(("" if self.first else ",\n") + json.dumps(obj, ensure_ascii=False))
        self.first = False

    def end(self) -> None:
        self.out.write("\n]\n")


def _jsonld_value(value: URIRef | Literal) -> dict[str, str]:
    if isinstance(value, URIRef):
        return {"@id": str(value)}
    if value.language:
        return {"@value": str(value), "@language": value.language}
    if value.datatype and value.datatype != XSD.string:
        return {"@value": str(value), "@type": str(value.datatype)}
    return {"@value": str(value)}


def _term(value: URIRef | Literal) -> str:
    return _iri(value) if isinstance(value, URIRef) else _literal(value)


def _writer(out: TextIO, fmt: str) -> _Writer:
    writers: dict[str, Callable[[TextIO], _Writer]] = {
        "turtle": _TurtleWriter,
        "nt": _NTriplesWriter,
        "jsonld": _JsonLdWriter,
    }
    if fmt not in writers:
        raise StoreError(f"unknown RDF export format {fmt!r}; use one of {', '.join(writers)}")
    return writers[fmt](out)


def _time(value: str) -> Literal:
    return Literal(value, datatype=XSD.dateTime)


def document_pairs(doc: Document, newer: Document | None = None) -> list[Pair]:
    """The document's properties; `newer` is the version that supersedes it, if any."""
    dated: list[Pair] = []
    if doc.effective_date:
        dated = [
            (GG.effectiveDate, Literal(doc.effective_date, datatype=XSD.date)),
            (GG.dateSource, Literal(doc.date_source)),
        ]
    if newer is not None:
        dated.append((GG.supersededBy, node("document", newer.id)))
    return [
        (RDF.type, GG.Document),
        (RDF.type, PROV.Entity),
        (SCHEMA.url, Literal(doc.uri, datatype=XSD.anyURI)),
        (SCHEMA.name, Literal(doc.title)),
        (GG.contentHash, Literal(doc.content_hash)),
        (SCHEMA.dateCreated, _time(doc.ingested_at)),
        (SCHEMA.dateModified, _time(doc.updated_at)),
        *dated,
    ]


def chunk_pairs(chunk: Chunk, mentioned: Iterable[str]) -> list[Pair]:
    doc = node("document", chunk.doc_id)
    return [
        (RDF.type, GG.Chunk),
        (RDF.type, PROV.Entity),
        (SCHEMA.isPartOf, doc),
        (PROV.wasDerivedFrom, doc),
        (SCHEMA.position, Literal(chunk.ordinal)),
        (SCHEMA.text, Literal(chunk.text)),
        (GG.start, Literal(chunk.start)),
        (GG.end, Literal(chunk.end)),
        (GG.contentHash, Literal(chunk.content_hash)),
        *((SCHEMA.mentions, node("entity", e)) for e in sorted(set(mentioned))),
    ]


def mention_iri(m: Mention) -> URIRef:
    return node("mention", stable_hash("mention", m.chunk_id, m.entity_id, m.surface))


def mention_pairs(m: Mention) -> list[Pair]:
    return [
        (RDF.type, GG.Mention),
        (GG.chunk, node("chunk", m.chunk_id)),
        (GG.entity, node("entity", m.entity_id)),
        (GG.surface, Literal(m.surface)),
        (GG.name, Literal(m.name)),
        (GG.entityType, Literal(m.type)),
        (GG["count"], Literal(m.count)),
    ]


def entity_pairs(e: Entity) -> list[Pair]:
    return [
        (RDF.type, GG.Entity),
        (RDFS.label, Literal(e.name)),
        (GG.entityType, Literal(e.type)),
        *((SKOS.altLabel, Literal(a)) for a in e.aliases),
        (GG.mentionCount, Literal(e.mention_count)),
        (GG.firstSeen, _time(e.first_seen)),
        (GG.lastSeen, _time(e.last_seen)),
    ]


def derivation_iri(relation_id: str, chunk_id: str) -> URIRef:
    return node("derivation", stable_hash("derivation", relation_id, chunk_id))


def relation_nodes(r: Relation, validity: RelationValidity) -> Iterator[tuple[URIRef, list[Pair]]]:
    """The relation as a statement with its provenance, its derivations, and a plain triple,
    with when it held (`graph/validity.py`)."""
    derivations = [derivation_iri(r.id, c) for c in r.evidence]
    held: list[Pair] = []
    if validity.valid_from:
        held.append((GG.validFrom, Literal(validity.valid_from, datatype=XSD.date)))
    if validity.valid_until:
        held.append((GG.validUntil, Literal(validity.valid_until, datatype=XSD.date)))
    held += [(GG.supersededBy, node("document", d.id)) for d in validity.superseded_by]
    yield (
        node("relation", r.id),
        [
            (RDF.type, GG.Relation),
            (RDF.type, RDF.Statement),
            (RDF.subject, node("entity", r.source_id)),
            (RDF.predicate, predicate_iri(r.predicate)),
            (RDF.object, node("entity", r.target_id)),
            (GG.predicateLabel, Literal(r.predicate)),
            (GG.weight, Literal(float(r.weight))),
            (GG.firstSeen, _time(r.first_seen)),
            (GG.lastSeen, _time(r.last_seen)),
            *held,
            *((PROV.wasDerivedFrom, node("chunk", c)) for c in r.evidence),
            *((PROV.qualifiedDerivation, d) for d in derivations),
        ],
    )
    for derivation, chunk, weight in zip(derivations, r.evidence, r.evidence_weights, strict=True):
        yield (
            derivation,
            [
                (RDF.type, PROV.Derivation),
                (PROV.entity, node("chunk", chunk)),
                (GG.weight, Literal(float(weight))),
            ],
        )
    yield node("entity", r.source_id), [(predicate_iri(r.predicate), node("entity", r.target_id))]


def export_rdf(store: GraphReader, out: TextIO, fmt: str = "turtle") -> ExportCounts:
    """Write the whole graph to `out` in `fmt` (`turtle`, `nt` or `jsonld`)."""
    writer = _writer(out, fmt)
    counts = ExportCounts()

    def emit(subject: URIRef, pairs: list[Pair]) -> None:
        writer.subject(subject, pairs)
        counts.triples += len(pairs)

    writer.begin()
    documents = store.documents()
    newer = superseded_by(documents)
    revises: dict[str, list[str]] = {}  # document id → the older versions it supersedes
    for older, version in newer.items():
        revises.setdefault(version.id, []).append(older)
    chunk_documents: dict[str, Document] = {}
    for doc in documents:
        pairs = document_pairs(doc, newer.get(doc.id))
        pairs += [(PROV.wasRevisionOf, node("document", o)) for o in revises.get(doc.id, ())]
        emit(node("document", doc.id), pairs)
        chunks = store.chunks(doc_id=doc.id)
        chunk_documents.update((c.id, doc) for c in chunks)
        mentions = store.mentions(chunk_ids=[c.id for c in chunks])
        by_chunk: dict[str, list[str]] = {}
        for m in mentions:
            by_chunk.setdefault(m.chunk_id, []).append(m.entity_id)
        for chunk in chunks:
            emit(node("chunk", chunk.id), chunk_pairs(chunk, by_chunk.get(chunk.id, ())))
        for m in mentions:
            emit(mention_iri(m), mention_pairs(m))
        counts.documents += 1
        counts.chunks += len(chunks)
    for entity in store.entities():
        emit(node("entity", entity.id), entity_pairs(entity))
        counts.entities += 1
    for relation in store.relations():
        validity = relation_validity(relation, chunk_documents, newer)
        for subject, pairs in relation_nodes(relation, validity):
            emit(subject, pairs)
        counts.relations += 1
    writer.end()
    return counts
