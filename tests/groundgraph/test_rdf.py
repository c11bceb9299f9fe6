"""RDF in and out, on both stores: round trips, ontologies meeting text, SPARQL, bad files."""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from groundgraph import GroundGraph, Settings
from groundgraph.cli import app
from groundgraph.graph.ids import entity_id
from tests.conftest import REPO, wipe_neo4j

ONTOLOGY = """\
@prefix ex: <http://example.org/computing#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

ex:Mathematician rdfs:label "Mathematician" .
ex:ada a ex:Mathematician ;
    skos:prefLabel "Ada Lovelace"@en ;
    skos:altLabel "Augusta Ada King" ;
    ex:collaboratedWith ex:babbage ;
    ex:born "1815" .
ex:babbage rdfs:label "Charles Babbage" ; owl:sameAs ex:babbage2 .
ex:babbage2 rdfs:label "Babbage, Charles" .
"""
COLLABORATED = "http://example.org/computing#collaboratedWith"


@pytest.fixture(params=["sqlite", "neo4j"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GroundGraph]:
    overrides: dict[str, object] = {}
    if request.param == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        wipe_neo4j(server)
        overrides = {"graph": {"backend": "neo4j"}, "neo4j": server.model_dump()}
    with GroundGraph.open(Settings.load(store=tmp_path / "kg", **overrides)) as gg:
        yield gg


def parse(path: Path, fmt: str) -> Graph:
    graph = Graph()
    graph.parse(path, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    return graph


def test_export_import_export_gives_an_isomorphic_graph(
    demo_store: GroundGraph, empty_store: GroundGraph, tmp_path: Path
) -> None:
    first = tmp_path / "first.ttl"
    counts = demo_store.export_rdf(first, "turtle")
    assert counts.documents == 38 and counts.relations > 100

    report = empty_store.import_rdf([first])
    assert report.ok and len(report.added) == 38
    assert empty_store.stats().graph == demo_store.stats().graph

    second = tmp_path / "second.ttl"
    empty_store.export_rdf(second, "turtle")
    assert isomorphic(parse(first, "turtle"), parse(second, "turtle"))

    assert empty_store.import_rdf([first]).summary()["unchanged"] == 38


@pytest.mark.parametrize("fmt", ["nt", "jsonld"])
def test_every_export_format_states_the_same_graph(
    demo_store: GroundGraph, tmp_path: Path, fmt: str
) -> None:
    demo_store.export_rdf(tmp_path / "graph.ttl", "turtle")
    demo_store.export_rdf(tmp_path / f"graph.{fmt}", fmt)
    assert isomorphic(
        parse(tmp_path / "graph.ttl", "turtle"), parse(tmp_path / f"graph.{fmt}", fmt)
    )


def test_the_documented_sparql_over_the_export_answers_with_provenance(
    demo_store: GroundGraph, tmp_path: Path
) -> None:
    demo_store.export_rdf(tmp_path / "demo.ttl")
    page = (REPO / "docs" / "ingesting.md").read_text(encoding="utf-8")
    (query,) = re.findall(r"```sparql\n(.*?)```", page, flags=re.DOTALL)
    rows = parse(tmp_path / "demo.ttl", "turtle").query(query)
    answers = {(str(place), str(document).rsplit("/", 1)[-1]) for place, document in rows}
    assert {place for place, _ in answers} == {"Ulm"}
    assert {document for _, document in answers} <= {"ulm.txt", "albert_einstein.md"}


def test_imported_ontology_links_to_text_and_goes_with_its_file(
    empty_store: GroundGraph, tmp_path: Path
) -> None:
    ontology = tmp_path / "computing.ttl"
    ontology.write_text(ONTOLOGY, encoding="utf-8")
    report = empty_store.import_rdf([ontology])
    assert report.ok and report.added == [ontology.resolve().as_uri()]
    ada_id = entity_id("ada lovelace")
    [ada] = empty_store.store.entities([ada_id])
    assert ada.type == "Mathematician" and "Augusta Ada King" in ada.aliases
    [babbage] = empty_store.store.entities([entity_id("charles babbage")])
    assert "Babbage, Charles" in babbage.aliases  # owl:sameAs merged
    relations = empty_store.store.relations([ada_id])
    assert [r.predicate for r in relations] == [COLLABORATED]

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REPO / "demo" / "corpus" / "computing" / "ada_lovelace.md", corpus)
    assert empty_store.ingest([corpus]).ok
    documents = {
        c.doc_id
        for c in empty_store.store.chunks(
            [m.chunk_id for m in empty_store.store.mentions(entity_ids=[ada_id])]
        )
    }
    assert len(documents) == 2  # the ontology and the text mention the same entity
    hits = empty_store.retrieve("Who did Ada Lovelace collaborate with?").chunks
    assert any(h.document_uri.endswith("computing.ttl") for h in hits)

    ontology.unlink()
    refreshed = empty_store.refresh()
    assert refreshed.deleted == [ontology.resolve().as_uri()]
    [ada] = empty_store.store.entities([ada_id])
    assert "Augusta Ada King" not in ada.aliases
    assert COLLABORATED not in {r.predicate for r in empty_store.store.relations([ada_id])}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "broken.ttl",
            '@prefix ex: <http://e.org/> .\nex:a ex:b "unterminated .\n',
            "broken.ttl:2: invalid turtle: newline found in string literal",
        ),
        (
            "broken.jsonld",
            '[{"@id": "http://e.org/a",\n "http://e.org/b": [}]\n',
            "broken.jsonld:2: invalid JSON: Expecting value",
        ),
        (
            "nolabels.ttl",
            "<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n",
            "no resource has an rdfs:label",
        ),
    ],
)
def test_malformed_rdf_is_a_clear_error_and_changes_nothing(
    empty_store: GroundGraph, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    good = tmp_path / "computing.ttl"
    good.write_text(ONTOLOGY, encoding="utf-8")
    empty_store.import_rdf([good])
    before, version = empty_store.stats(), empty_store.store.version()
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    report = empty_store.import_rdf([bad])
    [failure] = report.failed
    assert expected in str(failure).replace(str(tmp_path) + "/", "")
    assert "\n" not in str(failure)  # one line
    assert empty_store.stats() == before and empty_store.store.version() == version


def test_cli_import_and_export(tmp_path: Path) -> None:
    ontology = tmp_path / "computing.ttl"
    ontology.write_text(ONTOLOGY, encoding="utf-8")
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://e.org/a> <http://e.org/b> .\n", encoding="utf-8")
    runner = CliRunner()
    store = str(tmp_path / "kg")
    result = runner.invoke(app, ["import-rdf", str(ontology), str(bad), "--store", store])
    assert result.exit_code == 1
    assert "bad.nt: invalid nt" in result.output and "1 added" in result.output
    out = tmp_path / "kg.jsonld"
    result = runner.invoke(
        app, ["export", "--store", store, "--format", "jsonld", "-o", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"entities": 3' in result.output  # Ada, Babbage and the class Mathematician
    assert len(parse(out, "jsonld")) > 20
