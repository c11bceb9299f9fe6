"""Documents in, grounded answers with citations out, on the embedded store and real models."""

import random
import shutil
from pathlib import Path

import pytest

from groundgraph import GroundGraph
from groundgraph.ingest.base import CO_OCCURRENCE
from groundgraph.ingest.sources import uri_path
from groundgraph.write_path import IngestReport
from tests.conftest import open_store

# (question, text the cited evidence must contain)
ANSWERABLE = [
    ("Who discovered polonium?", "Marie Curie and Pierre Curie discovered polonium"),
    ("Which university did Albert Einstein graduate from?", "ETH Zurich"),
    ("Who designed the Harvard Mark I?", "Howard Aiken"),
    ("Who won the 1935 Nobel Prize in Chemistry?", "Irène Joliot-Curie"),
    ("Which institute did Niels Bohr found?", "Institute for Theoretical Physics"),
]


def cited_text(answer) -> str:
    return " ".join(c.text for c in answer.citations)


def test_demo_corpus_ingests_completely(demo_store: GroundGraph, demo_corpus: Path) -> None:
    stats = demo_store.stats()
    assert stats.graph.documents == 38  # 33 files + 5 records of nobel_laureates.jsonl
    assert stats.chunk_vectors == stats.graph.chunks >= stats.graph.documents
    assert stats.graph.entities > 100 and stats.graph.relations > 100
    assert stats.entity_vectors >= stats.graph.entities


@pytest.mark.parametrize(("question", "evidence"), ANSWERABLE)
def test_cited_chunks_contain_the_answer(
    demo_store: GroundGraph, question: str, evidence: str
) -> None:
    answer = demo_store.ask(question)
    assert answer.grounded
    assert evidence in cited_text(answer)
    assert all(f"[{c.marker}]" in answer.text for c in answer.citations)


def test_two_document_question_cites_both_documents(demo_store: GroundGraph) -> None:
    answer = demo_store.ask("Where was the founder of the Nobel Prizes born?")
    assert "born in Stockholm" in cited_text(answer)
    assert "created by the will of Alfred Nobel" in cited_text(answer)
    assert len({c.document for c in answer.citations}) == 2


def test_citation_spans_point_into_the_source_document(demo_store: GroundGraph) -> None:
    answer = demo_store.ask("Who discovered polonium?")
    for citation in answer.citations:
        source = uri_path(citation.document).read_text(encoding="utf-8")
        assert source[citation.start : citation.end] == citation.text


def test_unanswerable_question_is_not_grounded(demo_store: GroundGraph) -> None:
    answer = demo_store.ask("What is the boiling point of mercury on Mars?")
    assert not answer.grounded and answer.citations == ()


def test_retrieve_links_question_entities_and_returns_facts(demo_store: GroundGraph) -> None:
    context = demo_store.retrieve("What did Alan Turing do at Bletchley Park?")
    assert {"Alan Turing", "Bletchley Park"} <= {e.entity.name for e in context.entities}
    assert context.chunks[0].document_title in ("Alan Turing", "Bletchley Park")
    turing = next(e.entity.id for e in context.entities if e.entity.name == "Alan Turing")
    stated = [f for f in context.facts if f.source_id == turing and f.predicate != CO_OCCURRENCE]
    assert stated and all(f.evidence for f in stated)


def graph_state(gg: GroundGraph) -> tuple:
    store = gg.store
    return (
        [(d.id, d.content_hash, d.updated_at) for d in store.documents()],
        [c.id for c in store.chunks()],
        store.entities(),
        store.relations(),
        gg.vectors.chunks.keys(),
        gg.vectors.entities.keys(),
    )


def test_reingesting_the_same_input_changes_nothing(tmp_path: Path, small_corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        first = gg.ingest([small_corpus])
        before = graph_state(gg)
        second = gg.ingest([small_corpus])
        assert second.summary() == {**first.summary(), "added": 0, "unchanged": 5}
        assert graph_state(gg) == before


def test_changing_a_document_updates_only_its_chunks(tmp_path: Path, small_corpus: Path) -> None:
    with open_store(tmp_path / "kg", ingest={"chunk_size": 40, "chunk_overlap": 8}) as gg:
        gg.ingest([small_corpus])
        chunks_before = {
            d.uri: [c.id for c in gg.store.chunks(doc_id=d.id)] for d in gg.store.documents()
        }
        curie = small_corpus / "marie_curie.md"
        text = curie.read_text()
        curie.write_text(text.replace("She died in 1934", "She died of aplastic anaemia in 1934"))
        report = gg.ingest([small_corpus])
        assert report.updated == [curie.resolve().as_uri()] and report.unchanged
        for doc in gg.store.documents():
            after = [c.id for c in gg.store.chunks(doc_id=doc.id)]
            if doc.uri == curie.resolve().as_uri():
                assert after != chunks_before[doc.uri]
                assert after[0] == chunks_before[doc.uri][0]  # its unchanged first chunk
            else:
                assert after == chunks_before[doc.uri]
        assert gg.vectors.chunks.keys() == {c.id for c in gg.store.chunks()}
        top = gg.retrieve("Marie Curie died of aplastic anaemia").chunks[0].chunk
        assert "aplastic anaemia" in top.text


def test_deleting_a_document_removes_what_only_it_supported(
    tmp_path: Path, small_corpus: Path
) -> None:
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([small_corpus])
        doomed = gg.store.documents(
            [d.id for d in gg.store.documents() if d.uri.endswith("polonium.md")]
        )[0]
        doomed_chunks = {c.id for c in gg.store.chunks(doc_id=doomed.id)}
        mentions = gg.store.mentions()
        only_here = {m.entity_id for m in mentions if m.chunk_id in doomed_chunks} - {
            m.entity_id for m in mentions if m.chunk_id not in doomed_chunks
        }
        assert only_here, "the polonium document should have entities of its own"

        assert gg.delete(doomed.uri)

        assert not gg.store.entities(only_here)
        assert not {m.chunk_id for m in gg.store.mentions()} & doomed_chunks
        assert all(not set(r.evidence) & doomed_chunks for r in gg.store.relations())
        assert not gg.vectors.chunks.keys() & doomed_chunks
        linked = {gg.vectors.entities.label(k) for k in gg.vectors.entities}
        assert not linked & only_here
        assert gg.store.stats().documents == 4


def test_refresh_picks_up_changed_and_deleted_files(tmp_path: Path, small_corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([small_corpus])
        (small_corpus / "poland.md").unlink()
        (small_corpus / "warsaw.md").write_text("# Warsaw\n\nWarsaw lies on the Vistula.\n")
        report = gg.refresh()
        assert [uri_path(u).name for u in report.deleted] == ["poland.md"]
        assert [uri_path(u).name for u in report.updated] == ["warsaw.md"]
        assert gg.store.stats().documents == 4
        assert gg.refresh().changed == 0


def test_lost_vector_index_is_rebuilt_from_the_graph(tmp_path: Path, small_corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([small_corpus])
        chunk_ids = {c.id for c in gg.store.chunks()}
    shutil.rmtree(tmp_path / "kg" / "vectors")  # as if a crash hit before the index was published
    with open_store(tmp_path / "kg") as gg:
        report = gg.refresh()
        assert report.changed == 0
        assert gg.vectors.chunks.keys() == chunk_ids


def write_bad_inputs(corpus: Path) -> dict[str, str]:
    """Bad files beside good ones; returns file name → expected reason."""
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "empty.txt").write_text("   \n")
    (corpus / "noise.txt").write_bytes(bytes(random.Random(1).choices(range(1, 256), k=4000)))
    (corpus / "broken.json").write_text('[{"id": 1, "text": "Ada"')
    (corpus / "slides.pptx").write_bytes(b"PK\x03\x04")
    (corpus / "scan.png").write_bytes(b"\x89PNG")
    (corpus / "unreadable.txt").symlink_to(corpus / "does-not-exist.txt")
    return {
        "binary.txt": "binary file",
        "empty.txt": "empty file",
        "noise.txt": "no other text encoding fits its bytes",
        "broken.json": "malformed JSON",
        "slides.pptx": "not a .pptx file (damaged?)",
        "scan.png": "unsupported file type '.png'",
        "unreadable.txt": "cannot read file",
    }


def test_bad_input_fails_per_file_while_the_rest_ingests(
    tmp_path: Path, small_corpus: Path
) -> None:
    expected = write_bad_inputs(small_corpus)
    with open_store(tmp_path / "kg") as gg:
        report: IngestReport = gg.ingest([small_corpus])
        reasons = {Path(f.path).name: f.reason for f in report.failed}
        assert reasons.keys() == expected.keys()
        for name, reason in expected.items():
            assert reason in reasons[name], name
        assert len(report.added) == 5 and gg.store.stats().documents == 5
