"""The composition root: every asset, check, job, schedule, sensor and resource.

`dagster dev -m groundgraph.pipelines` loads `defs`. Environments differ only in the
resources: the store, backend and sources come from groundgraph's settings and
`GROUNDGRAPH_PIPELINE_*` (see `settings.py`); the Neo4j password is an `EnvVar`.
"""

import os
from datetime import date
from pathlib import Path

from dagster import Definitions, EnvVar

from groundgraph.graph.errors import GroundGraphError
from groundgraph.graph.stores import store_exists
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


def default_resources(settings: PipelineSettings) -> dict[str, object]:
    """Resources from the environment: secrets stay `EnvVar`s, shown by name in the UI."""
    password = EnvVar(NEO4J_PASSWORD_ENV) if os.environ.get(NEO4J_PASSWORD_ENV) else None
    return {
        "groundgraph": GroundGraphResource(neo4j_password=password),
        "source_location": SourceLocation(paths=settings.sources),
    }


def first_day(settings: PipelineSettings, groundgraph: GroundGraphResource) -> date:
    """The first partition: `start_date` if set, else the day the store's first document was
    ingested (today for a new store), so the UI does not count years of missing days."""
    if settings.start_date is not None:
        return settings.start_date
    try:
        store_settings = groundgraph.settings()
        if not store_exists(store_settings.graph, Path(store_settings.store)):
            return date.today()
        times = [d.ingested_at for d in groundgraph.parts.store.documents() if d.ingested_at]
    except GroundGraphError:
        return date.today()  # an unreachable server must not keep the definitions from loading
    finally:
        groundgraph.close()
    return date.fromisoformat(min(times)[:10]) if times else date.today()


def build_definitions(
    settings: PipelineSettings | None = None, resources: dict[str, object] | None = None
) -> Definitions:
    """All definitions for these settings; tests pass their own store and sources."""
    settings = settings or PipelineSettings.load()
    resources = resources or default_resources(settings)
    groundgraph = resources["groundgraph"]
    assert isinstance(groundgraph, GroundGraphResource)
    start = first_day(settings, groundgraph)
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
