"""What starts refresh runs: the daily schedule and the sensor on the source files."""

import hashlib
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ExecutorDefinition,
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    build_schedule_from_partitioned_job,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
    sensor,
)

# The types define_asset_job and build_schedule_from_partitioned_job return; dagster exports
# them from its internals only.
from dagster._core.definitions.partitions.partitioned_schedule import (
    UnresolvedPartitionedAssetScheduleDefinition,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from groundgraph.ingest.sources import uri_path
from groundgraph.pipelines.finetune import FINETUNE_GROUP, monthly_partitions
from groundgraph.pipelines.refresh import (
    REFRESH_GROUP,
    SOURCES_DIGEST,
    daily_partitions,
    sources_digest,
)
from groundgraph.pipelines.resources import GroundGraphResource, SourceLocation
from groundgraph.pipelines.settings import PipelineSettings

AssetJob = UnresolvedAssetJobDefinition
PartitionedSchedule = UnresolvedPartitionedAssetScheduleDefinition | ScheduleDefinition

REFRESH_JOB = "daily_refresh"
FINETUNE_JOB = "monthly_finetune"


def executor(settings: PipelineSettings) -> ExecutorDefinition:
    """In one process by default: the steps share one set of loaded models, and a day with
    little to do costs seconds, not a model load per step. `multiprocess` runs each step in its
    own process (for large corpora on more cores)."""
    return in_process_executor if settings.executor == "in_process" else multiprocess_executor


def refresh_job(settings: PipelineSettings, start: date) -> AssetJob:
    return define_asset_job(
        REFRESH_JOB,
        selection=AssetSelection.groups(REFRESH_GROUP),
        partitions_def=daily_partitions(settings, start),
        executor_def=executor(settings),
        description="Refresh the graph and vector index from the sources: changed files only.",
    )


def finetune_job(settings: PipelineSettings, start: date) -> AssetJob:
    return define_asset_job(
        FINETUNE_JOB,
        selection=AssetSelection.groups(FINETUNE_GROUP),
        partitions_def=monthly_partitions(settings, start),
        executor_def=executor(settings),
        description="Train, evaluate and maybe promote a LoRA adapter on the graph's examples.",
    )


def finetune_schedule(settings: PipelineSettings, job: AssetJob) -> PartitionedSchedule:
    """On the first day of each month at the configured time, for that month's partition."""
    return build_schedule_from_partitioned_job(
        job,
        name="monthly_finetune_schedule",
        day_of_month=1,
        hour_of_day=settings.finetune_hour,
        minute_of_hour=0,
    )


def refresh_schedule(settings: PipelineSettings, job: AssetJob) -> PartitionedSchedule:
    """Every day at the configured time, in the configured timezone, for that day's partition."""
    return build_schedule_from_partitioned_job(
        job,
        name="daily_refresh_schedule",
        hour_of_day=settings.refresh_hour,
        minute_of_hour=settings.refresh_minute,
        default_status=DefaultScheduleStatus.RUNNING,
    )


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _names(uris: list[str], limit: int = 5) -> str:
    """A few file names for a tag: "ulm.txt, vienna.md (+3 more)"."""
    names = [uri_path(u).name for u in uris[:limit]]
    more = f" (+{len(uris) - limit} more)" if len(uris) > limit else ""
    return ", ".join(names) + more


def source_files_sensor(settings: PipelineSettings, job: AssetJob) -> SensorDefinition:
    @sensor(
        job=job,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def source_files_changed(
        context: SensorEvaluationContext,
        groundgraph: GroundGraphResource,
        source_location: SourceLocation,
    ) -> SensorResult | SkipReason:
        """Requests a refresh when a source file is added, changed or deleted. The cursor
        keeps each file's size and modification time by path, so each change triggers once.
        With no cursor yet (a new daemon), it compares with the sources the last refresh
        scanned and requests nothing if they are the same."""
        store = groundgraph.parts.store
        current = source_location.fingerprints(source_location.resolve(store))
        if not context.cursor and sources_digest(current) == _last_scanned(context):
            return SensorResult(
                cursor=json.dumps(current, indent=0),
                skip_reason="the sources are as the last refresh scanned them",
            )
        previous = json.loads(context.cursor) if context.cursor else {}
        changed = sorted(k for k, fp in current.items() if previous.get(k) != fp)
        deleted = sorted(previous.keys() - current.keys())
        if not changed and not deleted:
            return SkipReason("no source file added, changed or deleted")
        today = datetime.now(ZoneInfo(settings.timezone)).date().isoformat()
        request = RunRequest(
            run_key=_short(json.dumps([previous, current], sort_keys=True)),
            partition_key=today,
            tags={
                "groundgraph/changed_files": str(len(changed)),
                "groundgraph/deleted_files": str(len(deleted)),
                "groundgraph/changed": _names(changed) or "-",
                "groundgraph/deleted": _names(deleted) or "-",
            },
        )
        return SensorResult(run_requests=[request], cursor=json.dumps(current, indent=0))

    return source_files_changed


def _last_scanned(context: SensorEvaluationContext) -> str | None:
    """The sources digest the latest `source_changes` materialisation recorded."""
    event = context.instance.get_latest_materialization_event(AssetKey("source_changes"))
    materialization = event.asset_materialization if event else None
    if materialization is None or SOURCES_DIGEST not in materialization.metadata:
        return None
    return str(materialization.metadata[SOURCES_DIGEST].value)
