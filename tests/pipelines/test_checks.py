"""The daily job's asset checks fail when a run leaves the store worse: vectors lost, most
entities gone, the graph emptied, answers below their bars."""

import json
import shutil
from pathlib import Path

from dagster import AssetCheckKey, AssetKey

from groundgraph import GroundGraph
from groundgraph.graph.settings import Neo4jSettings
from groundgraph.retrieval.indexes.faiss_index import FaissIndex
from tests.conftest import copy_small_corpus, open_store, wipe_neo4j
from tests.pipelines.daily import PARTITION, REPO, Pipeline, checks, make_pipeline, metadata


def test_consistency_check_fails_when_vectors_are_dropped(refreshed: Pipeline) -> None:
    path = refreshed.store / "vectors" / "chunks.npz"
    index = FaissIndex.load(path)
    index.remove(sorted(index.keys())[:3])
    index.save(path)
    job = refreshed.defs.resolve_job_def("daily_refresh").get_subset(
        asset_selection=set(),
        asset_check_selection={AssetCheckKey(AssetKey("vector_index"), "vectors_match_chunks")},
    )
    result = job.execute_in_process(
        partition_key=PARTITION, instance=refreshed.instance, raise_on_error=False
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["chunks_without_vector"].value == 3


def test_entity_count_check_fails_when_a_source_loses_most_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "demo" / "corpus" / "places", corpus)
    pipeline = make_pipeline(tmp_path, corpus)
    assert checks(pipeline.run())["entity_count_stable"]
    for path in sorted(corpus.iterdir())[2:]:
        path.unlink()
    result = pipeline.run("2026-03-02", raise_on_error=False)
    assert metadata(result, "source_changes")["deleted"] == 10
    assert checks(result)["entity_count_stable"] is False


def test_a_refresh_that_breaks_answers_fails_its_gate_and_readers_keep_the_previous_version(
    tmp_path: Path,
) -> None:
    corpus = copy_small_corpus(tmp_path)
    questions = tmp_path / "questions.jsonl"
    rows = [
        {"question": "Where was Marie Curie born?", "answers": ["Warsaw"], "type": "where"},
        {"question": "When did Pierre Curie die?", "answers": ["1906"], "type": "when"},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pipeline = make_pipeline(tmp_path, corpus, eval_file=questions, eval_min_correct=1.0)
    first = pipeline.run(raise_on_error=False)
    assert checks(first)["answer_quality"], [
        e.description for e in first.get_asset_check_evaluations()
    ]
    assert metadata(first, "published_store")["published"] is True
    published = pipeline.version()
    (corpus / "pierre_curie.md").unlink()
    second = pipeline.run("2026-03-02", raise_on_error=False)
    assert not second.success  # the blocking check stopped the steps after the index
    assert not second.asset_materializations_for_node("published_store")
    assert metadata(second, "source_changes")["deleted"] == 1  # written to the staged copy
    assert pipeline.version() == published
    with open_store(pipeline.store) as gg:  # a reader of the store
        assert len(gg.store.documents()) == 5
        answer = gg.ask("When did Pierre Curie die?")
        assert answer.grounded and "1906" in answer.text
    [evaluation] = [
        e
        for e in second.get_asset_check_evaluations()
        if e.asset_check_key.name == "answer_quality"
    ]
    assert evaluation.passed is False
    found = {k: v.value for k, v in evaluation.metadata.items()}
    assert found["correct"] == 0.5
    assert "When did Pierre Curie die?" in found["changed"] and "correct" in found["changed"]


def test_on_neo4j_a_refresh_that_breaks_answers_never_reaches_the_graph_and_one_that_passes_does(
    tmp_path: Path, neo4j_server: Neo4jSettings
) -> None:
    wipe_neo4j(neo4j_server)
    corpus = copy_small_corpus(tmp_path)
    questions = tmp_path / "questions.jsonl"
    row = {"question": "When did Pierre Curie die?", "answers": ["1906"]}
    questions.write_text(json.dumps(row) + "\n", encoding="utf-8")
    pipeline = make_pipeline(
        tmp_path, corpus, neo4j=neo4j_server, eval_file=questions, eval_min_correct=1.0
    )
    assert pipeline.run().success
    published = pipeline.version()  # Neo4j's, written by the publishing step alone

    (corpus / "pierre_curie.md").unlink()
    broken = pipeline.run("2026-03-02", raise_on_error=False)
    assert checks(broken)["answer_quality"] is False
    assert not broken.asset_materializations_for_node("published_store")
    assert metadata(broken, "source_changes")["deleted"] == 1  # written to the staged copy
    assert pipeline.version() == published
    with GroundGraph.open(pipeline.settings()) as gg:  # a reader of Neo4j
        assert len(gg.store.documents()) == 5
        answer = gg.ask("When did Pierre Curie die?")
        assert answer.grounded and "1906" in answer.text

    shutil.copy(REPO / "demo" / "corpus" / "science" / "pierre_curie.md", corpus)
    (corpus / "warsaw.md").write_text(
        "# Warsaw\n\nWarsaw is the capital of Poland. The Vistula flows through Warsaw.\n",
        encoding="utf-8",
    )
    passed = pipeline.run("2026-03-03")
    assert metadata(passed, "published_store")["published"] is True
    assert pipeline.version() == published + 1  # the run's changes in one transaction
    with GroundGraph.open(pipeline.settings()) as gg:
        warsaw = [d for d in gg.store.documents() if d.uri.endswith("warsaw.md")]
        assert "Vistula" in gg.store.chunks(doc_id=warsaw[0].id)[0].text
        assert gg.check().ok
        with open_store(tmp_path / "embedded") as embedded:  # the same corpus, written directly
            embedded.ingest([corpus])
            assert gg.stats().graph == embedded.stats().graph


def test_a_refresh_that_empties_the_graph_fails_its_check(tmp_path: Path) -> None:
    corpus = copy_small_corpus(tmp_path)
    pipeline = make_pipeline(tmp_path, corpus, max_entity_drop=1.0)
    assert checks(pipeline.run())["entity_count_stable"]
    for path in corpus.iterdir():
        path.unlink()
    result = pipeline.run("2026-03-02", raise_on_error=False)
    assert metadata(result, "source_changes")["deleted"] == 5
    assert not result.asset_materializations_for_node("graph_statistics")  # blocked
    assert checks(result)["entity_count_stable"] is False
