"""Shared fixtures: the demo corpus, and stores built from it with the real models."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from groundgraph import GroundGraph, Settings

REPO = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO / "demo" / "corpus"


@pytest.fixture(scope="session")
def demo_corpus() -> Path:
    return DEMO_CORPUS


def open_store(directory: Path, **overrides: object) -> GroundGraph:
    """A GroundGraph on a fresh embedded store, isolated from the environment's settings."""
    return GroundGraph.open(Settings.load(store=directory, **overrides))


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
    corpus = tmp_path / "corpus"
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
