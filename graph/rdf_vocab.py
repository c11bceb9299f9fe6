"""The RDF vocabulary groundgraph exports and reads back.

Nodes get IRIs from their ids under the groundgraph namespace; properties come from
schema.org, SKOS, RDFS and PROV-O where one fits, and from `gg:` where none does:

    gg:document/ID  a gg:Document, prov:Entity ; schema:url ; schema:name ; gg:contentHash ;
                    schema:dateCreated ; schema:dateModified ;
                    gg:effectiveDate (xsd:date) ; gg:dateSource ;
                    gg:supersededBy DOC (its next newer version) ; prov:wasRevisionOf DOC... .
    gg:chunk/ID     a gg:Chunk, prov:Entity ; schema:isPartOf DOC ; prov:wasDerivedFrom DOC ;
                    schema:position ; schema:text ; gg:start ; gg:end ; gg:contentHash ;
                    schema:mentions ENTITY... .
    gg:entity/ID    a gg:Entity ; rdfs:label ; gg:entityType ; skos:altLabel... ;
                    gg:mentionCount ; gg:firstSeen ; gg:lastSeen .
    gg:mention/ID   a gg:Mention ; gg:chunk ; gg:entity ; gg:surface ; gg:name ;
                    gg:entityType ; gg:count .
    gg:relation/ID  a gg:Relation, rdf:Statement ; rdf:subject ; rdf:predicate ; rdf:object ;
                    gg:predicateLabel ; gg:weight ; gg:firstSeen ; gg:lastSeen ;
                    gg:validFrom (xsd:date: the earliest effective date of its documents) ;
                    gg:validUntil (xsd:date) ; gg:supersededBy DOC... (newer versions of
                    all its documents that no longer state it: `graph/validity.py`) ;
                    prov:wasDerivedFrom CHUNK... ; prov:qualifiedDerivation DERIVATION... .
    gg:derivation/ID a prov:Derivation ; prov:entity CHUNK ; gg:weight .

and each relation also as a plain triple, `ENTITY PREDICATE ENTITY`, for SPARQL: the
predicate is the relation's own IRI when it has one (imported RDF), else
`gg:predicate/<label>` (`gg:predicate/born%20in`).
"""

from urllib.parse import quote, unquote

from rdflib import Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

GG = Namespace("https://groundgraph.dev/ns#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES = {
    "gg": GG,
    "schema": SCHEMA,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "owl": OWL,
    "xsd": XSD,
}

_PREDICATE = str(GG) + "predicate/"


def node(kind: str, node_id: str) -> URIRef:
    """`gg:document/ID`, `gg:chunk/ID`, ...: ids are hex, so they need no escaping."""
    return URIRef(f"{GG}{kind}/{node_id}")


def node_id(iri: Node, kind: str) -> str | None:
    """The id in a `gg:KIND/ID` IRI, or None when the IRI is not one."""
    prefix = f"{GG}{kind}/"
    return str(iri)[len(prefix) :] if str(iri).startswith(prefix) else None


def is_iri(text: str) -> bool:
    """Predicates imported from RDF are absolute IRIs; extracted ones are words."""
    scheme, _, rest = text.partition(":")
    return bool(scheme) and scheme.isascii() and scheme.isalpha() and rest.startswith("//")


def predicate_iri(predicate: str) -> URIRef:
    return URIRef(predicate) if is_iri(predicate) else URIRef(_PREDICATE + quote(predicate))


def predicate_label(iri: URIRef) -> str:
    """Inverse of `predicate_iri`."""
    text = str(iri)
    return unquote(text[len(_PREDICATE) :]) if text.startswith(_PREDICATE) else text
