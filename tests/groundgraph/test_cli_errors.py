"""The newcomer path through the real `groundgraph` binary: every mistake is one clear line
with the right exit status, long work shows progress, and exit codes tell outages apart."""

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.chat_server import ChatServer
from tests.groundgraph.test_cli import groundgraph

BIN = [sys.executable, "-m", "groundgraph"]
COMMANDS = [
    "ingest",
    "refresh",
    "import-rdf",
    "export",
    "finetune",
    "ask",
    "stats",
    "check",
    "delete",
    "ui",
    "serve",
    "mcp",
    "feedback",
]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDGRAPH_")}
    return subprocess.run(
        [*BIN, *args], capture_output=True, text=True, env=clean | (env or {}), timeout=300
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "curie.md").write_text("# Marie Curie\n\nMarie Curie discovered polonium.\n")
    path = tmp_path_factory.mktemp("kg") / "store"
    made = groundgraph("ingest", str(corpus), store=path)
    assert made.returncode == 0 and f"created store {path}" in made.stderr, made.stderr
    return path


@pytest.mark.parametrize(
    "verb", [["stats"], ["ask", "Who?"], ["refresh"], ["export", "-o", "x.ttl"], ["delete", "x"]]
)
def test_a_verb_that_reads_refuses_a_store_that_does_not_exist(tmp_path: Path, verb: list) -> None:
    missing = tmp_path / "typo"
    result = run(*verb, "--store", str(missing))
    assert result.returncode == 1
    line = one_error_line(result)
    assert f"no store at {missing}" in line and "groundgraph ingest" in line
    assert not missing.exists()  # and nothing was created there


def test_a_store_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("hello")
    result = run("stats", "--store", str(file))
    assert result.returncode == 1 and "is a file, not a store directory" in one_error_line(result)


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_a_usage_error(store: Path, question: str) -> None:
    result = run("ask", question, "--store", str(store))
    assert result.returncode == 2 and "the question is empty" in one_error_line(result)


def test_a_missing_argument_is_a_usage_error_with_the_way_to_help() -> None:
    result = run("ask")
    assert result.returncode == 2
    assert "Missing argument 'QUESTION'" in one_error_line(result)
    assert "groundgraph ask --help" in result.stderr


def test_a_misspelt_environment_setting_names_the_closest_one(store: Path) -> None:
    result = run("stats", "--store", str(store), env={"GROUNDGRAPH_RETRIEVAL_TOPK": "3"})
    assert result.returncode == 1
    line = one_error_line(result)
    assert "unknown setting GROUNDGRAPH_RETRIEVAL_TOPK" in line
    assert "did you mean GROUNDGRAPH_RETRIEVAL_TOP_K?" in line


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[retrieval]\ntopk = 8\n", "[retrieval] topk: unknown setting; did you mean top_k?"),
        ('[retrieval]\ntop_k = "many"\n', "[retrieval] top_k: Input should be a valid integer"),
        ("[retrieval\ntop_k = 8\n", "not valid TOML"),
    ],
    ids=["unknown-key", "bad-value", "malformed"],
)
def test_a_config_file_mistake_names_the_file_and_key(
    tmp_path: Path, store: Path, toml: str, expected: str
) -> None:
    config = tmp_path / "groundgraph.toml"
    config.write_text(toml)
    result = run("stats", "--store", str(store), env={"GROUNDGRAPH_CONFIG": str(config)})
    assert result.returncode == 1
    line = one_error_line(result)
    assert str(config) in line and expected in line


def test_version_and_clean_help_for_every_command() -> None:
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("groundgraph, version ")
    for command in [[], *([c] for c in COMMANDS)]:
        helped = run(*command, "--help")
        assert helped.returncode == 0 and helped.stdout.startswith("Usage: groundgraph")
        for noise in ("<bool>", "<path>", "{", "list[", "<str>"):
            assert noise not in helped.stdout, (command, noise, helped.stdout)


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run("--debug", "stats", "--store", str(tmp_path / "typo"))
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert "StoreNotFoundError" in result.stderr


def test_strict_exits_1_when_the_model_is_down_and_otherwise_says_who_answered(
    store: Path, chat_server: ChatServer
) -> None:
    for _ in range(6):
        chat_server.then_status(503, "overloaded")
    env = {
        "GROUNDGRAPH_OPENAI_BASE_URL": chat_server.url,
        "GROUNDGRAPH_OPENAI_MODEL": "m",
        "GROUNDGRAPH_OPENAI_MAX_RETRIES": "0",
        "GROUNDGRAPH_OPENAI_RETRY_BACKOFF": "0",
    }
    question = ["ask", "Who discovered polonium?", "--store", str(store), "--generator", "openai"]
    strict = run(*question, "--strict", env=env)
    assert strict.returncode == 1 and strict.stdout == ""
    assert "the openai model is unavailable" in one_error_line(strict)
    lenient = run(*question, "--json", env=env)
    assert lenient.returncode == 0
    answer = json.loads(lenient.stdout)
    assert answer["requested_generator"] == "openai" and answer["generator"] == "extractive"
    assert any("openai model unavailable" in note for note in answer["notes"])


def test_refresh_fails_only_for_new_failures_unless_asked(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text("# Good\n\nAda Lovelace wrote the first program.\n")
    (corpus / "bad.json").write_text('[{"id": 1, "text": "Ada"')
    records = corpus / "recs.jsonl"
    records.write_text('{"id": "a", "text": "Alan Turing broke Enigma."}\n{"id": "b", "text":\n')
    kg = tmp_path / "kg"
    first = groundgraph("ingest", str(corpus), store=kg)
    assert first.returncode == 1
    failed = [line for line in first.stderr.splitlines() if line.startswith("failed:")]
    assert any(f"{records}:2: malformed JSON" in line for line in failed), failed
    assert any(f"{corpus / 'bad.json'}:" in line for line in failed), failed

    again = groundgraph("refresh", store=kg)
    assert again.returncode == 0, again.stderr  # the same two files, already reported
    assert "(failed before too)" in again.stderr
    assert groundgraph("refresh", "--fail-on-known", store=kg).returncode == 1

    (corpus / "empty.txt").write_text("  \n")
    assert groundgraph("refresh", store=kg).returncode == 1  # a new failure


def test_a_terminal_sees_progress_with_rate_and_eta_and_the_time_per_stage(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(5):
        (corpus / f"doc{i}.md").write_text(f"# Doc {i}\n\nMarie Curie wrote note {i} in Paris.\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDGRAPH_")}
    screen = _in_a_terminal([*BIN, "ingest", str(corpus), "--store", str(tmp_path / "kg")], clean)
    for stage in ("read", "extract", "write", "embed chunks", "embed entities", "communities"):
        assert stage in screen, (stage, screen)
    assert "eta" in screen and "/s" in screen
    assert "time per stage" in screen


def _in_a_terminal(command: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_temporary_index_file_left_by_a_killed_writer_is_removed(store: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = store / "vectors" / f".entities.npz.{dead.pid}.tmp"
    leftover.write_bytes(b"half an index")
    assert run("stats", "--store", str(store)).returncode == 0
    assert not leftover.exists()
