"""A daily-refresh pipeline on a store of its own, and reading what its runs recorded."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dagster import DagsterInstance, Definitions, ExecuteInProcessResult, TableMetadataValue

from groundgraph.graph.settings import Neo4jSettings
from groundgraph.graph.stores import open_graph_store
from groundgraph.pipelines import build_definitions
from groundgraph.pipelines.resources import GroundGraphResource, SourceLocation
from groundgraph.pipelines.settings import PipelineSettings
from groundgraph.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PARTITION = "2026-03-01"


@dataclass
class Pipeline:
    defs: Definitions
    instance: DagsterInstance
    corpus: Path
    store: Path
    backend: dict[str, object] = field(default_factory=dict)  # Settings fields for Neo4j

    def run(
        self, partition: str = PARTITION, raise_on_error: bool = True
    ) -> ExecuteInProcessResult:
        job = self.defs.resolve_job_def("daily_refresh")
        return job.execute_in_process(
            partition_key=partition, instance=self.instance, raise_on_error=raise_on_error
        )

    def settings(self) -> Settings:
        """The settings a reader of the pipeline's store opens it with."""
        return Settings.load(store=self.store, **self.backend)

    def version(self) -> int:
        settings = self.settings()
        store = open_graph_store(settings.graph, settings.neo4j, self.store)
        try:
            return store.version()
        finally:
            store.close()


def make_pipeline(
    tmp: Path,
    corpus: Path,
    max_entity_drop: float = 0.2,
    neo4j: Neo4jSettings | None = None,
    **pipeline: object,
) -> Pipeline:
    settings = PipelineSettings(
        start_date=date(2026, 1, 1),
        sources=[str(corpus)],
        canary_file=REPO / "demo" / "canary.jsonl",
        canary_min_recall=0.8,
        max_entity_drop=max_entity_drop,
        **pipeline,
    )
    server = {}
    if neo4j is not None:
        server = {
            "backend": "neo4j",
            "neo4j_uri": neo4j.uri,
            "neo4j_user": neo4j.user,
            "neo4j_password": neo4j.password.get_secret_value(),
        }
    resources = {
        "groundgraph": GroundGraphResource(
            store=str(tmp / "store"), staged=settings.eval_file is not None, **server
        ),
        "source_location": SourceLocation(paths=settings.sources),
    }
    defs = build_definitions(settings, resources)
    backend = {} if neo4j is None else {"graph": {"backend": "neo4j"}, "neo4j": neo4j.model_dump()}
    return Pipeline(defs, DagsterInstance.ephemeral(), corpus, tmp / "store", backend)


def metadata(result: ExecuteInProcessResult, asset: str) -> dict[str, object]:
    [event] = result.asset_materializations_for_node(asset)
    return {k: v.value for k, v in event.metadata.items()}


def rows(table: object) -> list[dict]:
    """The records of a table metadata value."""
    assert isinstance(table, TableMetadataValue), table
    return [record.data for record in table.records]


def column(table: object, name: str) -> list:
    return [row[name] for row in rows(table)]


def checks(result: ExecuteInProcessResult) -> dict[str, bool]:
    return {e.asset_check_key.name: e.passed for e in result.get_asset_check_evaluations()}
