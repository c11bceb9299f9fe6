"""Global questions: Leiden communities with reports, kept fresh as the graph changes, ranked
for a question and answered with citations down to chunks."""

from pathlib import Path

import pytest

from groundgraph import GroundGraph
from groundgraph.retrieval.answering.prompts import COMMUNITY_SUMMARY_SYSTEM_PROMPT
from groundgraph.retrieval.retrievers.routing import route
from tests.chat_server import ChatServer, passages, sentence_with
from tests.conftest import open_store

THEMES = "What are the main themes of the documents?"


@pytest.mark.parametrize(
    ("question", "mode"),
    [
        (THEMES, "global"),
        ("Summarise the collection.", "global"),
        ("What topics do these documents cover?", "global"),
        ("What is this corpus about?", "global"),
        ("Who discovered polonium?", "local"),
        ("What is the main export of Poland?", "local"),
        ("Where did the author of the theme song grow up?", "local"),
    ],
)
def test_auto_mode_routes_corpus_wide_questions_to_global(question: str, mode: str) -> None:
    assert route(question, "auto") == mode
    assert route(question, "local") == "local" and route(question, "global") == "global"


def assert_cites_stored_spans(gg: GroundGraph, answer) -> None:
    for c in answer.citations:
        (chunk,) = gg.store.chunks([c.chunk_id])
        assert chunk.text[c.start - chunk.start : c.end - chunk.start] == c.text


def test_global_question_is_answered_from_community_reports_with_citations(
    demo_store: GroundGraph,
) -> None:
    found = demo_store.store.communities()
    assert found.graph_version == demo_store.store.version()
    assert len(found.communities) >= 3
    stored_entities = {e.id for e in demo_store.store.entities()}
    for community in found.communities:
        assert community.size == len(community.entity_ids) >= 3
        assert set(community.entity_ids) <= stored_entities
        assert community.title and "Key entities" in community.summary
    answer = demo_store.ask(THEMES)
    assert answer.mode == "global" and answer.grounded and answer.generator == "extractive"
    assert len(answer.citations) == demo_store.settings.answer.communities
    assert len({c.document for c in answer.citations}) >= 2
    assert_cites_stored_spans(demo_store, answer)
    titles = [c.title for c in found.communities]
    assert any(title in answer.text for title in titles)


def test_explicit_mode_overrides_the_routing(demo_store: GroundGraph) -> None:
    assert demo_store.ask("Who discovered polonium?", mode="global").mode == "global"
    local = demo_store.ask(THEMES, mode="local")
    assert local.mode == "local"


def test_communities_are_rebuilt_when_the_graph_changes(tmp_path: Path, small_corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([small_corpus])
        before = gg.store.communities()
        assert before.graph_version == gg.store.version() and before.communities
        assert gg.delete(str(small_corpus / "poland.md"))
        after = gg.store.communities()
        assert after.graph_version == gg.store.version() != before.graph_version
        stored = {e.id for e in gg.store.entities()}
        assert all(set(c.entity_ids) <= stored for c in after.communities)


def test_global_answer_from_an_openai_model_with_community_summaries(
    tmp_path: Path, small_corpus: Path, chat_server: ChatServer
) -> None:
    def model(body: dict) -> str:
        if body["messages"][0]["content"] == COMMUNITY_SUMMARY_SYSTEM_PROMPT:
            return "A cluster about the Curie family, radioactivity and Poland."
        first = passages(body)[1]
        return f"{sentence_with(first, ' ')} [1]"

    chat_server.answer = model
    openai = {"base_url": chat_server.url, "model": "m"}
    with open_store(tmp_path / "kg", generator="openai", openai=openai) as gg:
        gg.ingest([small_corpus])
        summaries = [c.summary for c in gg.store.communities().communities]
        assert summaries[0].startswith("Summary (written by the openai model): A cluster")
        answer = gg.ask(THEMES)
    assert answer.mode == "global" and answer.generator == "openai", answer.notes
    assert answer.grounded and answer.citations
    prompt = chat_server.bodies()[-1]["messages"][-1]["content"]
    assert "Theme 1 (passages 1" in prompt and "Key entities" in prompt


def test_asking_never_writes_not_even_stale_communities(tmp_path: Path, small_corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([small_corpus])
        stale = gg.store.communities()
        (poland,) = [d for d in gg.store.documents() if d.uri.endswith("poland.md")]
        gg.store.delete_documents([poland.id])  # a write that skipped the write path
        version = gg.store.version()
        assert stale.graph_version != version
        answer = gg.ask(THEMES, mode="global")
        gg.ask("Who discovered polonium?")
        gg.retrieve("Who discovered polonium?")
        assert gg.store.version() == version
        assert gg.store.communities() == stale  # read as stored, not rebuilt
        assert answer.mode == "global"
        gg.refresh()  # the write path rebuilds them
        assert gg.store.communities().graph_version == gg.store.version()
