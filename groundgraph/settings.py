"""groundgraph's settings: one typed model composed of each package's own settings.

Values come, highest first, from keyword arguments, `GROUNDGRAPH_*` environment variables,
a TOML file (`GROUNDGRAPH_CONFIG`, or `groundgraph.toml` in the store directory), and the
defaults. A package's settings are reached with one underscore after the prefix:
`GROUNDGRAPH_INGEST_CHUNK_SIZE=200` sets `ingest.chunk_size`.
"""

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.graph.errors import ConfigError
from groundgraph.graph.settings import GraphSettings, Neo4jSettings
from groundgraph.ingest.settings import IngestSettings
from groundgraph.retrieval.settings import AnswerSettings, OpenAISettings, RetrievalSettings

CONFIG_FILE_NAME = "groundgraph.toml"

GeneratorName = Literal["extractive", "local", "openai"]


class Settings(BaseSettings):
    """Everything groundgraph can be told.

    Attributes:
        store: directory of the embedded store (graph database and vector indexes).
        generator: the backend that writes answers; `extractive` needs no language model,
            `local` runs a Hugging Face causal LM (with the promoted fine-tuned adapter),
            `openai` calls an OpenAI-compatible chat-completions server.
        local_model: the `local` generator's model (hub name, folder or `.gguf` file); unset,
            the base model of the registry's promoted adapter, else the shipped
            SmolLM2-135M-Instruct. The promoted adapter is used whenever it was trained on this
            model.
        model_cache: where GGUF models are converted to loadable folders (once each); unset,
            `~/.cache/groundgraph/models`.
        threads: torch threads for the models of this process; unset, torch's own choice.
        openai: the `openai` generator's server (`GROUNDGRAPH_OPENAI_BASE_URL`, `_MODEL`,
            `_API_KEY`, ...).
        answer: how answers are routed, written and verified (`GROUNDGRAPH_ANSWER_*`).
        finetune: the monthly fine-tune (`groundgraph finetune`).
    """

    model_config = SettingsConfigDict(
        env_prefix="GROUNDGRAPH_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
    )

    store: Path = Path(".groundgraph/store")
    generator: GeneratorName = "extractive"
    local_model: str | None = None
    model_cache: Path | None = None
    threads: int | None = Field(default=None, ge=1)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    finetune: FinetuneSettings = Field(default_factory=FinetuneSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _CONFIG_FILE.get("path")
        sources = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> "Settings":
        """Read settings from arguments, environment and an optional TOML file.

        Args:
            config_file: TOML file to read; defaults to `GROUNDGRAPH_CONFIG`, then to
                `groundgraph.toml` inside the store directory when that file exists.
            **overrides: values that win over every other source, e.g. `store=Path("kg")`.

        Raises:
            ConfigError: a value is invalid; the message names the key.
        """
        path = config_file or _default_config_file(overrides.get("store"))
        if path is not None and not Path(path).is_file():
            raise ConfigError(f"config file {path} does not exist")
        _CONFIG_FILE["path"] = path
        try:
            return cls(**overrides)
        except ValidationError as e:
            raise ConfigError(_describe(e)) from e
        finally:
            _CONFIG_FILE["path"] = None


_CONFIG_FILE: dict[str, Path | None] = {"path": None}


def _default_config_file(store: Path | str | None) -> Path | None:
    if env := os.environ.get("GROUNDGRAPH_CONFIG"):
        return Path(env)
    store = store or os.environ.get("GROUNDGRAPH_STORE")
    if store is not None and (Path(store) / CONFIG_FILE_NAME).is_file():
        return Path(store) / CONFIG_FILE_NAME
    return None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        env = "GROUNDGRAPH_" + "_".join(str(part) for part in item["loc"]).upper()
        problems.append(f"setting '{key}' ({env}): {item['msg']}")
    return "; ".join(problems)
