"""Definitions load, schedules follow settings, and the file sensor fires once per change."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunRequest, SensorResult, SkipReason, build_sensor_context

from groundgraph.errors import ConfigError
from groundgraph.pipelines import build_definitions
from groundgraph.pipelines.checks import refresh_checks
from groundgraph.pipelines.refresh import refresh_assets
from groundgraph.pipelines.resources import GroundGraphResource, SourceLocation
from groundgraph.pipelines.settings import PipelineSettings

REPO = Path(__file__).resolve().parents[2]


def test_module_definitions_load_with_every_part() -> None:
    from groundgraph.pipelines import defs

    repository = defs.get_repository_def()
    assert {"daily_refresh", "monthly_finetune"} <= {j.name for j in repository.get_all_jobs()}
    schedules = {s.name: s.cron_schedule for s in repository.schedule_defs}
    assert schedules == {
        "daily_refresh_schedule": "0 2 * * *",
        "monthly_finetune_schedule": "0 3 1 * *",
    }
    assert [s.name for s in repository.sensor_defs] == ["source_files_changed"]
    checks = {key.name for key in repository.asset_graph.asset_check_keys}
    assert checks == {  # no canary set: no canary check, rather than one that passes
        "vectors_match_chunks",
        "graph_references_resolve",
        "entity_count_stable",
        "adapter_beats_current",
    }


def test_schedule_runs_at_the_configured_time_and_timezone() -> None:
    settings = PipelineSettings(timezone="Europe/Paris", refresh_hour=3, refresh_minute=30)
    schedules = build_definitions(settings).get_repository_def().schedule_defs
    [schedule] = [s for s in schedules if s.name == "daily_refresh_schedule"]
    assert schedule.cron_schedule == "30 3 * * *"
    assert schedule.execution_timezone == "Europe/Paris"


def test_unknown_timezone_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDGRAPH_PIPELINE_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="GROUNDGRAPH_PIPELINE_TIMEZONE"):
        PipelineSettings.load()


def _evaluate(
    defs_sensor, cursor: str | None, resources: dict, instance: DagsterInstance | None = None
) -> SensorResult | SkipReason:
    with build_sensor_context(
        cursor=cursor, resources=resources, instance=instance or DagsterInstance.ephemeral()
    ) as context:
        return defs_sensor(context)


def test_sensor_requests_one_refresh_per_file_change(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "demo" / "corpus" / "places", corpus)
    settings = PipelineSettings(sources=[str(corpus)])
    [sensor] = build_definitions(settings).get_repository_def().sensor_defs
    resources = {
        "groundgraph": GroundGraphResource(store=str(tmp_path / "store")),
        "source_location": SourceLocation(paths=[str(corpus)]),
    }

    first = _evaluate(sensor, None, resources)
    assert isinstance(first, SensorResult)
    [request] = first.run_requests
    assert isinstance(request, RunRequest) and request.tags["groundgraph/changed_files"] == "12"

    assert isinstance(_evaluate(sensor, first.cursor, resources), SkipReason)

    (corpus / "oslo.md").write_text("# Oslo\n\nOslo is the capital of Norway.\n")
    second = _evaluate(sensor, first.cursor, resources)
    assert second.run_requests[0].tags["groundgraph/changed_files"] == "1"
    assert second.run_requests[0].tags["groundgraph/changed"] == "oslo.md"
    assert (corpus / "oslo.md").resolve().as_uri() in json.loads(second.cursor)  # readable
    assert second.run_requests[0].run_key != request.run_key
    assert isinstance(_evaluate(sensor, second.cursor, resources), SkipReason)

    (corpus / "ulm.txt").unlink()
    third = _evaluate(sensor, second.cursor, resources)
    assert third.run_requests[0].tags["groundgraph/deleted_files"] == "1"


def test_a_new_sensor_requests_nothing_when_the_last_refresh_saw_the_same_sources(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "demo" / "corpus" / "places", corpus)
    settings = PipelineSettings(sources=[str(corpus)], start_date=date(2026, 1, 1))
    resources = {
        "groundgraph": GroundGraphResource(store=str(tmp_path / "store")),
        "source_location": SourceLocation(paths=[str(corpus)]),
    }
    defs = build_definitions(settings, resources)
    instance = DagsterInstance.ephemeral()
    [sensor] = defs.get_repository_def().sensor_defs
    # No refresh has run yet: a daemon starting now has work to do.
    assert _evaluate(sensor, None, resources, instance).run_requests
    job = defs.resolve_job_def("daily_refresh")
    assert job.execute_in_process(partition_key="2026-03-01", instance=instance).success

    started = _evaluate(sensor, None, resources, instance)  # the UI (re)starts: no cursor
    assert isinstance(started, SensorResult) and not started.run_requests
    assert started.cursor and "as the last refresh scanned" in str(started.skip_reason)

    (corpus / "oslo.md").write_text("# Oslo\n\nOslo is the capital of Norway.\n")
    again = _evaluate(sensor, None, resources, instance)
    assert again.run_requests and again.run_requests[0].tags["groundgraph/changed_files"] == "13"


def test_a_required_canary_that_is_not_configured_fails_its_check(tmp_path: Path) -> None:
    resource = GroundGraphResource(store=str(tmp_path / "store"))
    assets = refresh_assets(PipelineSettings(), date(2026, 1, 1), "sqlite")
    by_name = {a.key.to_user_string(): a for a in assets}
    graph, vectors = by_name["knowledge_graph"], by_name["vector_index"]
    assert "canary_recall" not in names(refresh_checks(PipelineSettings(), graph, vectors))
    required = refresh_checks(PipelineSettings(require_canary=True), graph, vectors)
    [canary] = [c for c in required if "canary_recall" in names([c])]
    result = canary(groundgraph=resource)
    assert result.passed is False and "not configured" in (result.description or "")


def names(checks: list) -> set[str]:
    return {key.name for check in checks for key in check.check_keys}
