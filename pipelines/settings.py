"""Settings of the Dagster layer: when runs happen and how strict the checks are.

Read from `GROUNDGRAPH_PIPELINE_*` environment variables when the definitions load
(`GROUNDGRAPH_PIPELINE_TIMEZONE=Europe/Paris`, `GROUNDGRAPH_PIPELINE_SOURCES='["docs/"]'`).
"""

import difflib
import os
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from groundgraph.graph.errors import ConfigError

PREFIX = "GROUNDGRAPH_PIPELINE_"


class PipelineSettings(BaseSettings):
    """Schedules, sources and quality gates of the daily refresh.

    Attributes:
        timezone: IANA zone the schedules and daily partitions follow.
        refresh_hour, refresh_minute: when the daily refresh runs.
        finetune_hour: hour of the first day of each month the fine-tune runs (stopped by
            default: turn it on in the UI once a base model is configured).
        start_date: first daily partition (backfills can reach back to it); unset, 30 days
            before today (the definitions never read the store to find its first day).
        sources: files or folders to ingest; empty re-reads the sources already stored.
        sensor_interval_seconds: how often the file sensor looks for changes.
        max_entity_drop: the entity-count check fails when one run loses more than this
            fraction of entities (a truncated or wrong source, not an edit).
        canary_file: JSON Lines canary questions (see
            `groundgraph.retrieval.retrievers.canary`); unset, there is no canary check.
        require_canary: a deployment that must watch recall: the canary check is defined
            even without `canary_file`, and then fails as "not configured".
        canary_min_recall: document recall the canary set must reach.
        canary_k: chunks retrieved per canary question.
        eval_file: an evaluation file (JSON Lines questions with known answers, see
            `groundgraph eval`); set, the `answer_quality` check asks it after every refresh.
        eval_min_correct, eval_max_grounded_wrong, eval_min_recall: the bars that check
            holds the answers to (shares between 0 and 1; recall unset, not checked).
        executor: `in_process` runs a job's steps in one process that loads each model once;
            `multiprocess` gives each step its own process.
        full_checks: the reference and vector checks read the whole store after every run;
            by default they read what the run wrote (the CLI's `groundgraph check` is full).
    """

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="forbid")

    timezone: str = "UTC"
    refresh_hour: int = Field(default=2, ge=0, le=23)
    refresh_minute: int = Field(default=0, ge=0, le=59)
    finetune_hour: int = Field(default=3, ge=0, le=23)
    start_date: date | None = None
    sources: list[str] = Field(default_factory=list)
    sensor_interval_seconds: int = Field(default=60, ge=5)
    max_entity_drop: float = Field(default=0.2, ge=0, le=1)
    canary_file: Path | None = None
    require_canary: bool = False
    canary_min_recall: float = Field(default=0.6, ge=0, le=1)
    canary_k: int = Field(default=5, ge=1)
    eval_file: Path | None = None
    eval_min_correct: float = Field(default=0.8, ge=0, le=1)
    eval_max_grounded_wrong: float = Field(default=0.1, ge=0, le=1)
    eval_min_recall: float | None = Field(default=None, ge=0, le=1)
    executor: Literal["in_process", "multiprocess"] = "in_process"
    full_checks: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown timezone {value!r}; use an IANA name like 'UTC'") from e
        return value

    @classmethod
    def load(cls) -> "PipelineSettings":
        known = {f"{PREFIX}{name}".upper() for name in cls.model_fields}
        for variable in sorted(os.environ):
            if variable.startswith(PREFIX) and variable not in known:
                match = difflib.get_close_matches(variable, sorted(known), n=1)
                hint = f"; did you mean {match[0]}?" if match else ""
                raise ConfigError(f"unknown pipeline setting {variable}{hint}")
        try:
            return cls()
        except ValidationError as e:
            keys = ", ".join(
                "GROUNDGRAPH_PIPELINE_" + "_".join(map(str, err["loc"])).upper() + f": {err['msg']}"
                for err in e.errors()
            )
            raise ConfigError(f"invalid pipeline settings: {keys}") from e
