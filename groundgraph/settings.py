"""groundgraph's settings: one typed model composed of each package's own settings.

Values come, highest first, from keyword arguments, `GROUNDGRAPH_*` environment variables,
a TOML file (`GROUNDGRAPH_CONFIG`, or `groundgraph.toml` in the store directory), and the
defaults. A package's settings are reached with one underscore after the prefix:
`GROUNDGRAPH_INGEST_CHUNK_SIZE=200` sets `ingest.chunk_size`.
"""

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
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
from groundgraph.serve.settings import ServeSettings

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
        serve: the HTTP and MCP servers (`GROUNDGRAPH_SERVE_*`; the token is
            `GROUNDGRAPH_SERVE_TOKEN`).
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
    serve: ServeSettings = Field(default_factory=ServeSettings)

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
            ConfigError: a value is invalid, a name is unknown (an environment variable with
                the `GROUNDGRAPH_` prefix or a key of the TOML file), or the file is not TOML;
                the message names the variable or the file and key, and the closest valid
                name.
        """
        check_environment(os.environ)
        path = config_file or _default_config_file(overrides.get("store"))
        toml = _read_toml(Path(path)) if path is not None else {}
        _CONFIG_FILE["path"] = path
        try:
            return cls(**overrides)
        except ValidationError as e:
            raise ConfigError(_describe(e, Path(path) if path else None, toml)) from e
        finally:
            _CONFIG_FILE["path"] = None


_CONFIG_FILE: dict[str, Path | None] = {"path": None}
ENV_PREFIX = "GROUNDGRAPH_"
# Variables with the prefix that are not settings: the config file's own, the Dagster layer's
# (checked by its own settings), the tests', and those of scripts/neo4j.sh.
_OTHER_VARIABLES = (
    "CONFIG",
    "PIPELINE_",
    "TEST_",
    "NEO4J_CACHE",
    "NEO4J_INSTANCE",
    "NEO4J_BOLT_PORT",
    "NEO4J_HTTP_PORT",
    "NEO4J_HEAP",
)


def setting_variables() -> dict[str, str]:
    """Every setting's environment variable, and the dotted key it sets."""
    found = {}
    for name, field in Settings.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            for sub in model.model_fields:
                found[f"{ENV_PREFIX}{name}_{sub}".upper()] = f"{name}.{sub}"
        else:
            found[f"{ENV_PREFIX}{name}".upper()] = name
    return found


def check_environment(environment: Mapping[str, str]) -> None:
    """Refuse a `GROUNDGRAPH_*` variable that sets nothing (a misspelt setting would
    otherwise be ignored without a word)."""
    known = setting_variables()
    for variable in sorted(environment):
        if not variable.startswith(ENV_PREFIX) or variable in known:
            continue
        if variable[len(ENV_PREFIX) :].startswith(_OTHER_VARIABLES):
            continue
        raise ConfigError(f"unknown setting {variable}{_closest(variable, known)}")


def _closest(name: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else ""


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror or e}") from None


def _default_config_file(store: Path | str | None) -> Path | None:
    if env := os.environ.get("GROUNDGRAPH_CONFIG"):
        return Path(env)
    store = store or os.environ.get("GROUNDGRAPH_STORE")
    if store is not None and (Path(store) / CONFIG_FILE_NAME).is_file():
        return Path(store) / CONFIG_FILE_NAME
    return None


def _describe(error: ValidationError, path: Path | None, toml: dict) -> str:
    """One line per problem, naming where the value came from: the TOML file and key, or the
    environment variable."""
    problems = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        key = ".".join(loc)
        variable = ENV_PREFIX + "_".join(loc).upper()
        unknown = item["type"] == "extra_forbidden"
        if variable in os.environ and not unknown:
            where = f"setting '{key}' ({variable})"
        elif path is not None and _in_toml(toml, loc):
            section = f"[{loc[0]}] " if len(loc) > 1 else ""
            where = f"{path}: {section}{loc[-1]}"
        else:
            where = f"setting '{key}'"
        if unknown:
            problems.append(f"{where}: unknown setting{_closest_key(loc)}")
        else:
            problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


def _in_toml(toml: dict, loc: list[str]) -> bool:
    node: Any = toml
    for part in loc:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _closest_key(loc: list[str]) -> str:
    """The valid key nearest a misspelt one, in its own section."""
    if len(loc) == 1:
        return _closest(loc[0], Settings.model_fields)
    field = Settings.model_fields.get(loc[0])
    model = field.annotation if field else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return _closest(loc[-1], model.model_fields)
    return ""
