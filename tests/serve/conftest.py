"""Real uvicorn servers on loopback, over a store of a few demo documents."""

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from groundgraph import Settings
from groundgraph.facade import GroundGraph
from tests.conftest import DEMO_CORPUS
from tests.uvicorn_server import Server, running_server

DOCUMENTS = (
    "science/marie_curie.md",
    "science/polonium.md",
    "places/warsaw.md",
    "places/poland.md",
    "science/pierre_curie.md",
)


@pytest.fixture(scope="session")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store of five demo documents, and the source root they came from. Tests that add
    documents delete them again."""
    root = tmp_path_factory.mktemp("serve")
    sources = root / "sources"
    (sources / "more").mkdir(parents=True)
    for name in DOCUMENTS:
        shutil.copy(DEMO_CORPUS / name, sources / Path(name).name)
    with GroundGraph.open(Settings.load(store=root / "store")) as gg:
        report = gg.ingest(sorted(sources.glob("*.md")))
        assert report.ok, report.failed
    return root / "store", sources


@pytest.fixture
def start_server(served_store: tuple[Path, Path]) -> Iterator[Callable[..., Server]]:
    """Starts servers on the shared store; each is stopped at the end of the test."""
    with ExitStack() as stack:

        def start(read_only: bool = False, settings: dict | None = None, **serve: object) -> Server:
            store, sources = served_store
            server = running_server(store, sources, read_only, settings, **serve)
            return stack.enter_context(server)

        yield start


@pytest.fixture
def server(start_server: Callable[..., Server]) -> Server:
    return start_server()
