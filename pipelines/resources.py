"""Dagster resources: groundgraph's parts, built by the library's assembly, and the sources.

`GroundGraphResource` is the one handle on the store, embedder, vector indexes, ingestor and
retrievers: it asks `groundgraph.assembly.build_components` for them once per run process
(the daily job runs in one process, so a run loads each model at most once) and closes them
when the run ends. A write stage asks for `writer()`: the store's writer lock is then held
until the run (or, with the multiprocess executor, the step) ends, as one `groundgraph
refresh` holds it. With `staged` (an evaluation gate is configured) the write stages and the
checks of a run get the run's staged copy of the store (`groundgraph.staged_store`), and
`publish()` makes it the store. It holds no logic of its own.
"""

from contextlib import ExitStack
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field, PrivateAttr, SecretStr

from groundgraph.assembly import Components, build_components
from groundgraph.graph.base import GraphReader
from groundgraph.ingest.changes import Sources, stored_sources
from groundgraph.ingest.rdf_read import is_rdf_file
from groundgraph.ingest.sources import fingerprints
from groundgraph.settings import Settings
from groundgraph.staged_store import open_staged, publish_staged, staged_run


class GroundGraphResource(ConfigurableResource):
    """groundgraph's parts for one store: embedded SQLite or Neo4j.

    Unset fields fall back to groundgraph's settings (`GROUNDGRAPH_*`, `groundgraph.toml`);
    give the Neo4j password as `EnvVar("GROUNDGRAPH_NEO4J_PASSWORD")`, never as a value.
    """

    store: str | None = None
    config_file: str | None = None
    backend: str | None = None
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    staged: bool = False

    _parts: Components | None = PrivateAttr(default=None)
    _staged_parts: Components | None = PrivateAttr(default=None)
    _held: ExitStack | None = PrivateAttr(default=None)
    _run_id: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._run_id = context.run_id

    def settings(self) -> Settings:
        overrides = {"store": Path(self.store)} if self.store else {}
        config = Path(self.config_file) if self.config_file else None
        settings = Settings.load(config, **overrides)
        graph = {"backend": self.backend} if self.backend else {}
        neo4j = {
            key: value
            for key, value in {
                "uri": self.neo4j_uri,
                "user": self.neo4j_user,
                "password": SecretStr(self.neo4j_password) if self.neo4j_password else None,
                "database": self.neo4j_database,
            }.items()
            if value is not None
        }
        return settings.model_copy(
            update={
                "graph": settings.graph.model_copy(update=graph),
                "neo4j": settings.neo4j.model_copy(update=neo4j),
            }
        )

    @property
    def live(self) -> Components:
        """The store's parts, built on first use in this run (or sensor evaluation)."""
        if self._parts is None:
            self._parts = build_components(self.settings())
        return self._parts

    @property
    def parts(self) -> Components:
        """What a check or a sensor reads: this run's staged copy when it made one, else the
        store."""
        live = self.live
        if self._staging() and staged_run(live) == self._run_id:
            return self._staged(live)
        return live

    def writer(self) -> Components:
        """The parts a write stage writes, with the store's writer lock held from now to the
        end of the run: the run's staged copy when the refresh is staged, else the store."""
        live = self.live
        if self._held is None:
            held = ExitStack()
            held.enter_context(live.write_lock())
            self._held = held
        return self._staged(live) if self._staging() else live

    def publish(self) -> int | None:
        """Make this run's staged copy the store; the store version readers now see, or None
        when the run wrote the store in place."""
        live = self.live
        if not (self._staging() and staged_run(live) == self._run_id):
            return None
        version = publish_staged(live, self._staged(live))
        self._staged_parts = None
        return version

    def _staging(self) -> bool:
        return self.staged and self._run_id is not None

    def _staged(self, live: Components) -> Components:
        if self._staged_parts is None:
            assert self._run_id is not None
            self._staged_parts = open_staged(live, self._run_id)
        return self._staged_parts

    def close(self) -> None:
        """Release the writer lock and the store, if this resource took them."""
        if self._staged_parts is not None:
            self._staged_parts.close()
            self._staged_parts = None
        if self._held is not None:
            self._held.close()
            self._held = None
        if self._parts is not None:
            self._parts.close()
            self._parts = None

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self.close()


class SourceLocation(ConfigurableResource):
    """Where documents come from: files or folders (RDF files among them are imported).
    Every RDF file imported before is re-imported too, and empty `paths` means every source
    the store was fed, as `groundgraph refresh` re-reads."""

    paths: list[str] = Field(default_factory=list)

    def resolve(self, store: GraphReader) -> Sources:
        stored = stored_sources(store)
        if not self.paths:
            return stored
        given = [Path(p).resolve() for p in self.paths]
        rdf = [p for p in given if is_rdf_file(p)]
        return Sources(
            paths=tuple(p for p in given if not is_rdf_file(p)),
            rdf=tuple(dict.fromkeys([*rdf, *stored.rdf])),
            delete_missing=True,
        )

    def fingerprints(self, sources: Sources) -> dict[str, str]:
        """Size and modification time of every file of `sources` (from `resolve`)."""
        return fingerprints([*sources.paths, *sources.rdf])
