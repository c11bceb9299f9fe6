"""The composition root: every asset, check, job, schedule, sensor and resource.

`dagster dev -m groundgraph.pipelines` loads `defs`. Environments differ only in the
resources: the store, backend and sources come from groundgraph's settings and
`GROUNDGRAPH_PIPELINE_*` (see `settings.py`); the Neo4j password is an `EnvVar`.
"""

import os
from datetime import date, timedelta

from dagster import Definitions, EnvVar

from groundgraph.pipelines.automation import (
    finetune_job,
    finetune_schedule,
    refresh_job,
    refresh_schedule,
    source_files_sensor,
)
from groundgraph.pipelines.checks import refresh_checks
from groundgraph.pipelines.finetune import finetune_assets
from groundgraph.pipelines.refresh import refresh_assets
from groundgraph.pipelines.resources import GroundGraphResource, SourceLocation
from groundgraph.pipelines.settings import PipelineSettings

NEO4J_PASSWORD_ENV = "GROUNDGRAPH_NEO4J_PASSWORD"
# Days of daily partitions before today when `start_date` is unset.
DEFAULT_HISTORY_DAYS = 30


def default_resources(settings: PipelineSettings) -> dict[str, object]:
    """Resources from the environment: secrets stay `EnvVar`s, shown by name in the UI."""
    password = EnvVar(NEO4J_PASSWORD_ENV) if os.environ.get(NEO4J_PASSWORD_ENV) else None
    return {
        "groundgraph": GroundGraphResource(
            neo4j_password=password, staged=settings.eval_file is not None
        ),
        "source_location": SourceLocation(paths=settings.sources),
    }


def first_day(settings: PipelineSettings) -> date:
    """The first partition: `start_date` if set, else `DEFAULT_HISTORY_DAYS` before today.

    Loading the definitions never opens the store (a code location that reads it at import
    fails to load while the store is locked, down or being restored), so the first partition
    is not the day of the store's first document; set `start_date` to backfill further.
    """
    if settings.start_date is not None:
        return settings.start_date
    return date.today() - timedelta(days=DEFAULT_HISTORY_DAYS)


def build_definitions(
    settings: PipelineSettings | None = None, resources: dict[str, object] | None = None
) -> Definitions:
    """All definitions for these settings; tests pass their own store and sources."""
    settings = settings or PipelineSettings.load()
    resources = resources or default_resources(settings)
    groundgraph = resources["groundgraph"]
    assert isinstance(groundgraph, GroundGraphResource)
    start = first_day(settings)
    backend = groundgraph.settings().graph.backend
    assets = refresh_assets(settings, start, backend)
    by_name = {a.key.to_user_string(): a for a in assets}
    checks = refresh_checks(settings, by_name["knowledge_graph"], by_name["vector_index"])
    refresh, finetune = refresh_job(settings, start), finetune_job(settings, start)
    return Definitions(
        assets=[*assets, *finetune_assets(settings, start)],
        asset_checks=checks,
        jobs=[refresh, finetune],
        schedules=[refresh_schedule(settings, refresh), finetune_schedule(settings, finetune)],
        sensors=[source_files_sensor(settings, refresh)],
        resources=resources,
    )


defs = build_definitions()
