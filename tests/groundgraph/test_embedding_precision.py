"""Stores embedded by each backend and precision rank the same top chunk, and record the
variant that made their vectors."""

from pathlib import Path

import pytest

from groundgraph.graph.errors import ConfigError
from groundgraph.retrieval.settings import BACKEND_PRECISIONS
from groundgraph.settings import Settings
from tests.conftest import copy_small_corpus, open_store

QUESTIONS = (
    "Who discovered polonium?",
    "Where was Marie Curie born?",
    "What is the capital of Poland?",
)
VARIANTS = [(b, p) for b, precisions in BACKEND_PRECISIONS.items() for p in precisions]


@pytest.fixture(scope="module")
def export_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exported-embedders")


@pytest.fixture(scope="module")
def float32_top(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    directory = tmp_path_factory.mktemp("float32")
    with open_store(directory / "store", retrieval={"embedding_precision": "float32"}) as gg:
        assert gg.ingest([copy_small_corpus(directory)]).ok
        return [gg.retrieve(q).chunks[0].chunk.text for q in QUESTIONS]


@pytest.mark.parametrize(("backend", "precision"), VARIANTS, ids=[" ".join(v) for v in VARIANTS])
def test_each_backend_and_precision_gives_the_same_top_chunk(
    backend: str,
    precision: str,
    small_corpus: Path,
    float32_top: list[str],
    export_cache: Path,
    tmp_path: Path,
) -> None:
    settings = {
        "embedding_backend": backend,
        "embedding_precision": precision,
        "embedding_cache": str(export_cache),
    }
    with open_store(tmp_path / "store", retrieval=settings) as gg:
        assert gg.ingest([small_corpus]).ok
        assert [gg.retrieve(q).chunks[0].chunk.text for q in QUESTIONS] == float32_top
        assert gg.stats().chunk_embedding == (f"{backend} {precision}",)


def test_auto_precision_is_the_stores_not_the_cpus(small_corpus: Path, tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as gg:
        assert gg.settings.retrieval.embedding_precision == "auto"
        assert gg.ingest([small_corpus]).ok
        # float32 on every CPU, questions too: the same vectors wherever the store is made
        assert gg.stats().chunk_embedding == ("torch float32",)
        assert gg.embedder.short_variant == "openvino float32"


def test_a_store_keeps_the_precision_it_was_made_with(small_corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    with open_store(store, retrieval={"embedding_precision": "bfloat16"}) as gg:
        assert gg.ingest([small_corpus]).ok
    (small_corpus / "extra.md").write_text("# Extra\n\nThe Vistula flows through Warsaw.\n")
    with open_store(store) as gg:  # `auto` now means the store's bfloat16
        assert gg.embedder.variant == "torch bfloat16"
        assert gg.ingest([small_corpus]).ok
        assert gg.stats().chunk_embedding == ("torch bfloat16",)


def test_a_precision_the_backend_lacks_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'int8' is not available with embedding_backend 'torch'"):
        Settings.load(store=tmp_path, retrieval={"embedding_precision": "int8"})
    with pytest.raises(ConfigError, match="'bfloat16' is not available with short_text_backend"):
        Settings.load(
            store=tmp_path,
            retrieval={"short_text_backend": "onnx", "short_text_precision": "bfloat16"},
        )
