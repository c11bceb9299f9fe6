"""Reading RDF files into document graphs: groundgraph's own exports and any other RDF.

A file in groundgraph's vocabulary (it has `gg:Document` nodes) is restored as the documents,
chunks, mentions and relation evidence it describes. Any other file (an ontology, a SKOS
taxonomy, a Wikidata extract) becomes one document: every resource with an `rdfs:label` or
`skos:prefLabel` is an entity with a chunk of its own describing it in words, so the facts are
searchable and its label meets the same name in text; `skos:altLabel` and the labels of its
`owl:sameAs` resources are aliases; `rdf:type` gives the type; an object property between two
such resources is a relation whose predicate is the property IRI, with that chunk as evidence.
"""

import json
import re
from collections import defaultdict
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Graph, Literal, URIRef
from rdflib.exceptions import Error as RdflibError
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from groundgraph.graph import ids
from groundgraph.graph.model import Chunk, Document, DocumentGraph, Evidence, Mention
from groundgraph.graph.rdf_vocab import GG, SCHEMA, node_id, predicate_label
from groundgraph.ingest.base import SourceError
from groundgraph.ingest.rdf_safety import safe_rdf_data
from groundgraph.ingest.reading import file_title
from groundgraph.ingest.resolution import normalise
from groundgraph.ingest.settings import IngestSettings

# Extension → rdflib parser name.
RDF_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json-ld": "json-ld",
}
# `--format` names → rdflib parser name.
RDF_FORMATS = {
    "turtle": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n3": "n3",
    "xml": "xml",
    "rdfxml": "xml",
    "jsonld": "json-ld",
    "json-ld": "json-ld",
}
# Properties that name or type a resource rather than relate it to another.
RDF_ALIAS = "RDF alias"  # the merge log's rule for an owl:sameAs or skos:altLabel name
_NAMING = {RDFS.label, SKOS.prefLabel, SKOS.altLabel, RDF.type, OWL.sameAs}
_LINE = re.compile(r"at line (\d+)")
_BAD_SYNTAX = re.compile(r"Bad syntax \(([^)]*)\)")


def is_rdf_file(path: Path) -> bool:
    return path.suffix.lower() in RDF_EXTENSIONS


def rdf_format(path: Path, fmt: str | None = None) -> str:
    if fmt is not None:
        if fmt.lower() not in RDF_FORMATS:
            raise SourceError(
                str(path), f"unknown RDF format {fmt!r}; use one of {', '.join(RDF_FORMATS)}"
            )
        return RDF_FORMATS[fmt.lower()]
    if not is_rdf_file(path):
        raise SourceError(
            str(path),
            f"cannot tell the RDF format from the extension {path.suffix!r}; pass a format "
            f"({', '.join(RDF_FORMATS)})",
        )
    return RDF_EXTENSIONS[path.suffix.lower()]


def parse_rdf(path: Path, settings: IngestSettings, fmt: str | None = None) -> Graph:
    """Parse a whole file, which may make the parser read nothing else (`rdf_safety.py`); a
    syntax error names the file and, where known, the line."""
    parser = rdf_format(path, fmt)
    if not path.is_file():
        raise SourceError(str(path), "no such file")
    data = safe_rdf_data(path, parser, settings)
    graph = Graph()
    try:
        graph.parse(data=data, format=parser, publicID=path.resolve().as_uri())
    except BadSyntax as e:
        line = _LINE.search(str(e))
        said = _BAD_SYNTAX.search(e.message)
        reason = said[1] if said else e.message.splitlines()[0]
        raise SourceError(
            str(path), f"invalid {parser}: {reason}", int(line[1]) if line else None
        ) from e
    except json.JSONDecodeError as e:
        raise SourceError(str(path), f"invalid JSON: {e.msg}", e.lineno) from e
    except SAXParseException as e:
        raise SourceError(str(path), f"invalid RDF/XML: {e.getMessage()}", e.getLineNumber()) from e
    except (RdflibError, ValueError, TypeError, KeyError, AttributeError) as e:
        raise SourceError(str(path), f"invalid {parser}: {e}") from e
    if len(graph) == 0:
        raise SourceError(str(path), "no RDF statements in the file")
    return graph


def read_rdf(path: Path, settings: IngestSettings, fmt: str | None = None) -> list[DocumentGraph]:
    """The document graphs a file holds; raises `SourceError` when it cannot be used."""
    graph = parse_rdf(path, settings, fmt)
    source = str(path.resolve())
    if (None, RDF.type, GG.Document) in graph:
        return _restore(graph, path, source)
    return [_describe(graph, path, source)]


# -- groundgraph's own vocabulary -----------------------------------------------------------


def _one(graph: Graph, subject: Node, prop: URIRef, path: Path) -> str:
    value = graph.value(subject, prop)
    if value is None:
        raise SourceError(str(path), f"{subject} has no {prop}")
    return str(value)


def _id(graph: Graph, subject: Node, prop: URIRef, kind: str, path: Path) -> str:
    found = node_id(URIRef(_one(graph, subject, prop, path)), kind)
    if found is None:
        raise SourceError(str(path), f"{subject}: {prop} is not a groundgraph {kind}")
    return found


def _restore(graph: Graph, path: Path, source: str) -> list[DocumentGraph]:
    def text(s: Node, p: URIRef) -> str:
        return _one(graph, s, p, path)

    documents = {}
    for s in graph.subjects(RDF.type, GG.Document):
        doc_id = node_id(s, "document")
        if doc_id is None:
            raise SourceError(str(path), f"{s} is not a groundgraph document IRI")
        documents[doc_id] = Document(
            doc_id,
            text(s, SCHEMA.url),
            text(s, SCHEMA.name),
            source,
            text(s, GG.contentHash),
            text(s, SCHEMA.dateCreated),
            text(s, SCHEMA.dateModified),
            effective_date=str(graph.value(s, GG.effectiveDate) or ""),
            date_source=str(graph.value(s, GG.dateSource) or ""),
        )
    chunks: dict[str, list[Chunk]] = defaultdict(list)
    chunk_doc = {}
    for s in graph.subjects(RDF.type, GG.Chunk):
        chunk_id = node_id(s, "chunk")
        doc_id = _id(graph, s, SCHEMA.isPartOf, "document", path)
        if chunk_id is None or doc_id not in documents:
            raise SourceError(str(path), f"chunk {s} belongs to no document in the file")
        chunk = Chunk(
            chunk_id,
            doc_id,
            int(text(s, SCHEMA.position)),
            text(s, SCHEMA.text),
            int(text(s, GG.start)),
            int(text(s, GG.end)),
            text(s, GG.contentHash),
        )
        chunks[doc_id].append(chunk)
        chunk_doc[chunk_id] = doc_id
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for s in graph.subjects(RDF.type, GG.Mention):
        chunk_id = _id(graph, s, GG.chunk, "chunk", path)
        if chunk_id not in chunk_doc:
            raise SourceError(str(path), f"mention {s} is in no chunk of the file")
        mentions[chunk_doc[chunk_id]].append(
            Mention(
                chunk_id,
                _id(graph, s, GG.entity, "entity", path),
                text(s, GG.surface),
                text(s, GG.name),
                text(s, GG.entityType),
                int(text(s, GG["count"])),
            )
        )
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    for s in graph.subjects(RDF.type, GG.Relation):
        relation_id = node_id(s, "relation")
        source_id = _id(graph, s, RDF.subject, "entity", path)
        target_id = _id(graph, s, RDF.object, "entity", path)
        predicate = predicate_label(URIRef(text(s, RDF.predicate)))
        for derivation in graph.objects(s, PROV.qualifiedDerivation):
            chunk_id = _id(graph, derivation, PROV.entity, "chunk", path)
            if relation_id is None or chunk_id not in chunk_doc:
                raise SourceError(str(path), f"relation {s} cites a chunk not in the file")
            weight = float(text(derivation, GG.weight))
            evidence[chunk_doc[chunk_id]].append(
                Evidence(relation_id, source_id, target_id, predicate, chunk_id, weight)
            )
    return [
        DocumentGraph(
            doc,
            tuple(sorted(chunks[doc_id], key=lambda c: c.ordinal)),
            tuple(mentions[doc_id]),
            tuple(evidence[doc_id]),
        )
        for doc_id, doc in sorted(documents.items())
    ]


# -- any other RDF ----------------------------------------------------------------------------


def _label(graph: Graph, resource: Node) -> str | None:
    """A resource's preferred label: skos:prefLabel, then rdfs:label; English or untagged
    first, then the alphabetically first."""
    for prop in (SKOS.prefLabel, RDFS.label):
        labels = [o for o in graph.objects(resource, prop) if isinstance(o, Literal)]
        if labels:
            preferred = [o for o in labels if o.language in (None, "en")] or labels
            return min(str(o).strip() for o in preferred) or None
    return None


def _local_name(iri: Node) -> str:
    text = str(iri).rstrip("/#")
    tail = re.split(r"[/#:]", text)[-1] or text
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tail).replace("_", " ")


def _words(graph: Graph, resource: Node) -> str:
    return _label(graph, resource) or _local_name(resource)


def _canonical(graph: Graph, labelled: dict[URIRef, str]) -> dict[URIRef, URIRef]:
    """owl:sameAs groups of labelled resources, each mapped to its first IRI."""
    parent = {r: r for r in labelled}

    def find(r: URIRef) -> URIRef:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for s, o in graph.subject_objects(OWL.sameAs):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and s in parent and o in parent:
            a, b = sorted((find(s), find(o)))
            parent[b] = a
    return {r: find(r) for r in labelled}


def _describe(graph: Graph, path: Path, source: str) -> DocumentGraph:
    labelled = {
        s: label
        for s in set(graph.subjects())
        if isinstance(s, URIRef) and (label := _label(graph, s)) and normalise(label)
    }
    if not labelled:
        raise SourceError(str(path), "no resource has an rdfs:label or skos:prefLabel")
    canonical = _canonical(graph, labelled)
    members: dict[URIRef, list[URIRef]] = defaultdict(list)
    for resource, head in canonical.items():
        members[head].append(resource)
    title = file_title(path)
    doc_id = ids.document_id(path.resolve().as_uri())
    texts, chunk_mentions, chunk_evidence = [], [], []
    for head in sorted(members, key=lambda r: (labelled[r], str(r))):
        name = labelled[head]
        group = sorted(members[head])
        types = sorted({_words(graph, t) for r in group for t in graph.objects(r, RDF.type)})
        entity_type = types[0] if types else "Resource"
        aliases = sorted(
            {str(a).strip() for r in group for a in graph.objects(r, SKOS.altLabel)}
            | {labelled[r] for r in group}
        )
        aliases = [a for a in aliases if a and a != name]
        lines = [f"{name}." + (f" {name} is a {', '.join(types)}." if types else "")]
        if aliases:
            lines.append(f"Also known as {', '.join(aliases)}.")
        head_id = ids.entity_id(normalise(name))
        mentions = [(head_id, name, name, entity_type, "")]
        mentions += [(head_id, alias, name, entity_type, RDF_ALIAS) for alias in aliases]
        evidence = []
        for r in group:
            for p, o in sorted(graph.predicate_objects(r)):
                if p in _NAMING:
                    continue
                if isinstance(o, URIRef) and o in canonical:
                    target = labelled[canonical[o]]
                    target_id = ids.entity_id(normalise(target))
                    if target_id == head_id:
                        continue
                    lines.append(f"{name} {_words(graph, p)} {target}.")
                    mentions.append((target_id, target, target, "Resource", ""))
                    evidence.append((head_id, str(p), target_id))
                elif isinstance(o, Literal):
                    lines.append(f"{name} {_words(graph, p)}: {o}.")
        texts.append("\n".join(lines))
        chunk_mentions.append(mentions)
        chunk_evidence.append(evidence)
    return _document_graph(doc_id, path, source, title, texts, chunk_mentions, chunk_evidence)


def _document_graph(
    doc_id: str,
    path: Path,
    source: str,
    title: str,
    texts: list[str],
    chunk_mentions: list[list[tuple[str, str, str, str, str]]],
    chunk_evidence: list[list[tuple[str, str, str]]],
) -> DocumentGraph:
    """Lay the resource descriptions end to end as the document's text, one chunk each."""
    full = "\n\n".join(texts)
    chunks, mentions, evidence = [], [], []
    start = 0
    seen: dict[str, int] = defaultdict(int)
    types = _entity_types(chunk_mentions)
    for ordinal, (text, found, stated) in enumerate(
        zip(texts, chunk_mentions, chunk_evidence, strict=True)
    ):
        text_hash = ids.content_hash(text)
        chunk_id = ids.chunk_id(doc_id, text_hash, seen[text_hash])
        seen[text_hash] += 1
        chunks.append(Chunk(chunk_id, doc_id, ordinal, text, start, start + len(text), text_hash))
        start += len(text) + 2
        mentions += [
            Mention(chunk_id, entity_id, surface, name, types.get(entity_id, entity_type), 1, rule)
            for entity_id, surface, name, entity_type, rule in found
        ]
        evidence += [
            Evidence(ids.relation_id(src, pred, dst), src, dst, pred, chunk_id, 1.0)
            for src, pred, dst in stated
        ]
    document = Document(
        doc_id,
        path.resolve().as_uri(),
        title,
        source,
        ids.content_hash(f"{title}\n{full}"),
    )
    return DocumentGraph(document, tuple(chunks), tuple(mentions), tuple(evidence))


def _entity_types(chunk_mentions: list[list[tuple[str, str, str, str, str]]]) -> dict[str, str]:
    """An entity's type as its own description gives it: a relation target mentioned in
    another resource's chunk takes that type, not the placeholder."""
    return {
        entity_id: entity_type
        for found in chunk_mentions
        for entity_id, _surface, _name, entity_type, _rule in found[:1]
    }
