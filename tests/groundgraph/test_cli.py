"""The `groundgraph` command line, run as a user would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from groundgraph.retrieval.chat_models.model_sources import SHIPPED_CHAT_MODEL
from tests.chat_server import ChatServer
from tests.groundgraph.test_end_to_end import write_bad_inputs


def groundgraph(
    *args: str, store: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDGRAPH_")} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "groundgraph", *args, "--store", str(store)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_ingest_ask_stats_delete(tmp_path: Path, small_corpus: Path) -> None:
    store = tmp_path / "kg"
    ingested = groundgraph("ingest", str(small_corpus), "--json", store=store)
    assert ingested.returncode == 0, ingested.stderr
    assert json.loads(ingested.stdout)["added"] == 5

    asked = groundgraph("ask", "Who discovered polonium?", "--json", store=store)
    answer = json.loads(asked.stdout)
    assert {"answer", "grounded", "citations"} <= answer.keys() and answer["grounded"]
    citation = answer["citations"][0]
    assert {"chunk_id", "document", "start", "end", "text"} <= citation.keys()
    assert "discovered polonium" in citation["text"]

    themes = groundgraph("ask", "What are the main themes?", "--json", store=store)
    answer = json.loads(themes.stdout)
    assert answer["mode"] == "global" and answer["generator"] == "extractive"
    assert answer["citations"] and answer["notes"] == []

    stats = json.loads(groundgraph("stats", "--json", store=store).stdout)
    assert stats["documents"] == 5 and stats["chunk_vectors"] == stats["chunks"]

    target = (small_corpus / "poland.md").resolve().as_uri()
    assert groundgraph("delete", target, store=store).returncode == 0
    assert json.loads(groundgraph("stats", "--json", store=store).stdout)["documents"] == 4
    missing = groundgraph("delete", target, store=store)
    assert missing.returncode == 1 and "no document" in missing.stderr


def test_ingest_exits_1_naming_each_bad_file_after_ingesting_the_rest(
    tmp_path: Path, small_corpus: Path
) -> None:
    expected = write_bad_inputs(small_corpus)
    result = groundgraph("ingest", str(small_corpus), store=tmp_path / "kg")
    assert result.returncode == 1
    assert "5 added" in result.stdout
    for name, reason in expected.items():
        assert any(name in line and reason in line for line in result.stderr.splitlines()), name
    assert "Traceback" not in result.stderr


def test_bad_setting_is_one_line_naming_the_key(tmp_path: Path) -> None:
    env = {**os.environ, "GROUNDGRAPH_INGEST_CHUNK_SIZE": "many"}
    result = subprocess.run(
        [sys.executable, "-m", "groundgraph", "stats", "--store", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "GROUNDGRAPH_INGEST_CHUNK_SIZE" in result.stderr and "Traceback" not in result.stderr


def test_ask_with_the_openai_generator_reports_backend_mode_and_notes(
    tmp_path: Path, small_corpus: Path, chat_server: ChatServer
) -> None:
    store = tmp_path / "kg"
    assert groundgraph("ingest", str(small_corpus), store=store).returncode == 0
    chat_server.answer = lambda body: "Marie Curie discovered polonium [1][7]."
    env = {"GROUNDGRAPH_OPENAI_BASE_URL": chat_server.url, "GROUNDGRAPH_OPENAI_MODEL": "m"}
    asked = groundgraph(
        "ask",
        "Who discovered polonium?",
        "--generator",
        "openai",
        "--mode",
        "local",
        "--json",
        store=store,
        env=env,
    )
    answer = json.loads(asked.stdout)
    assert answer["generator"] == "openai" and answer["mode"] == "local" and answer["grounded"]
    assert any("[7]" in note for note in answer["notes"])
    assert chat_server.bodies()[0]["model"] == "m"

    streamed = groundgraph(
        "ask",
        "Who discovered polonium?",
        "--generator",
        "openai",
        "--stream",
        store=store,
        env=env,
    )
    assert "Marie Curie discovered polonium" in streamed.stderr
    assert "note: removed citation [7]" in streamed.stderr
    assert chat_server.bodies()[-1]["stream"] is True

    refused = groundgraph(
        "ask",
        "Who?",
        "--generator",
        "openai",
        store=store,
        env={"GROUNDGRAPH_OPENAI_BASE_URL": chat_server.url},
    )
    assert refused.returncode == 1 and "GROUNDGRAPH_OPENAI_MODEL" in refused.stderr


@pytest.mark.parametrize(
    ("runtime", "named"),
    [("auto", "on OpenVINO GenAI (Q8_0 weights from Q4_1"), ("transformers", ", float32")],
)
def test_ask_with_the_local_generator_answers_with_the_shipped_model(
    tmp_path: Path, small_corpus: Path, runtime: str, named: str
) -> None:
    store = tmp_path / "kg"
    assert groundgraph("ingest", str(small_corpus), store=store).returncode == 0
    env = {"GROUNDGRAPH_ANSWER_MAX_NEW_TOKENS": "32", "GROUNDGRAPH_ANSWER_LOCAL_RUNTIME": runtime}
    asked = groundgraph(
        "ask", "Who discovered polonium?", "--generator", "local", "--json", store=store, env=env
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["generator"] == "local" and answer["grounded"], answer["notes"]
    assert "polonium" in " ".join(c["text"] for c in answer["citations"])
    assert any(SHIPPED_CHAT_MODEL in note and named in note for note in answer["notes"])
    assert runtime == "auto" or not any("OpenVINO" in note for note in answer["notes"])


def test_finetune_with_the_shipped_model_reports_its_decision(
    tmp_path: Path, small_corpus: Path
) -> None:
    store = tmp_path / "kg"
    assert groundgraph("ingest", str(small_corpus), store=store).returncode == 0
    env = {
        f"GROUNDGRAPH_FINETUNE_{k}": v
        for k, v in {"MAX_LENGTH": "384", "MAX_NEW_TOKENS": "16"}.items()
    }
    tuned = groundgraph("finetune", "--max-steps", "2", "--json", store=store, env=env)
    assert tuned.returncode == 0, tuned.stderr
    payload = json.loads(tuned.stdout)
    assert payload["base_model"] == SHIPPED_CHAT_MODEL and payload["training"]["steps"] == 2
    assert payload["test_examples"] == payload["examples"]["test"]
    assert {"score", "verified"} <= set(payload["base"]) & set(payload["adapter_metrics"])
    assert payload["promoted"] is False and "test examples, fewer than" in payload["reason"]


def test_the_dagster_ui_is_not_exposed_beyond_loopback_without_saying_so(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from groundgraph.cli import app

    done = CliRunner().invoke(app, ["ui", "--store", str(tmp_path), "--host", "0.0.0.0"])
    assert done.exit_code != 0
    assert "no authentication" in done.output and "--insecure-public" in done.output
