"""A folder of Word, PowerPoint, Excel, CSV, web, two-column PDF and Windows-1252 files:
everything lands, and each question is answered from the right file, cited with its page,
slide, sheet or section."""

from collections.abc import Iterator

import pytest

from groundgraph import GroundGraph
from groundgraph.ingest.sources import uri_path
from tests import document_files
from tests.conftest import open_store


@pytest.fixture(scope="module")
def formats_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    folder = document_files.write_all(tmp_path_factory.mktemp("formats") / "corpus")
    with open_store(tmp_path_factory.mktemp("formats-store")) as gg:
        report = gg.ingest([folder])
        assert report.ok, report.failed
        assert len(report.added) == len(document_files.WRITERS)
        yield gg


@pytest.mark.parametrize("fact", document_files.FACTS, ids=lambda f: f.file)
def test_each_answer_is_cited_from_its_file_and_place(
    formats_store: GroundGraph, fact: document_files.Fact
) -> None:
    answer = formats_store.ask(fact.question)
    assert answer.grounded, answer
    [citation] = [c for c in answer.citations if fact.answer in c.text][:1]
    assert uri_path(citation.document).name == fact.file
    assert (citation.section, citation.location) == (fact.section, fact.location)
    [chunk] = formats_store.store.chunks([citation.chunk_id])
    assert chunk.text[citation.start - chunk.start : citation.end - chunk.start] == citation.text


def test_no_web_page_chunk_holds_navigation_or_footer(formats_store: GroundGraph) -> None:
    [page] = [d for d in formats_store.store.documents() if d.uri.endswith("bridge.html")]
    text = " ".join(c.text for c in formats_store.store.chunks(doc_id=page.id))
    assert "Petra Lund" in text
    for boilerplate in (*document_files.BOILERPLATE, "Jobs"):
        assert boilerplate not in text


def test_metadata_is_stored_on_the_documents(formats_store: GroundGraph) -> None:
    by_name = {uri_path(d.uri).name: d for d in formats_store.store.documents()}
    assert by_name["report.docx"].author == "Mira Holt"
    assert by_name["bridge.html"].created == "2024-03-05"
    assert by_name["notes-1252.txt"].encoding == "cp1252"
    assert by_name["columns.pdf"].title == "Institutes of the Coast"
