"""Settings come from arguments, the environment and a TOML file, validated with clear errors."""

from pathlib import Path

import pytest

from groundgraph.errors import ConfigError
from groundgraph.settings import Settings


def test_environment_reaches_package_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDGRAPH_INGEST_CHUNK_SIZE", "64")
    monkeypatch.setenv("GROUNDGRAPH_RETRIEVAL_TOP_K", "7")
    settings = Settings.load()
    assert settings.ingest.chunk_size == 64 and settings.retrieval.top_k == 7


def test_toml_file_in_the_store_is_read_and_arguments_win(tmp_path: Path) -> None:
    (tmp_path / "groundgraph.toml").write_text(
        "[ingest]\nchunk_size = 50\nchunk_overlap = 5\n[retrieval]\ntop_k = 3\n"
    )
    settings = Settings.load(store=tmp_path, retrieval={"top_k": 9})
    assert settings.ingest.chunk_size == 50 and settings.retrieval.top_k == 9


def test_invalid_value_names_the_key_and_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDGRAPH_RETRIEVAL_INDEX_TYPE", "ivf")
    expected = r"retrieval\.index_type.*GROUNDGRAPH_RETRIEVAL_INDEX_TYPE"
    with pytest.raises(ConfigError, match=expected):
        Settings.load()


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load(config_file=tmp_path / "nope.toml")
