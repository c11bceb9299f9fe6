"""Dagster resources: thin configurable handles on the library's store, embedder, vector
index and sources. Each builds library objects from settings; none holds logic of its own."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from dagster import ConfigurableResource, ResourceDependency
from pydantic import Field, SecretStr

from groundgraph.facade import VECTORS_DIR
from groundgraph.graph.base import GraphStore
from groundgraph.graph.stores import open_graph_store
from groundgraph.ingest.pipeline import stored_sources
from groundgraph.ingest.sources import fingerprints
from groundgraph.retrieval.base import Embedder
from groundgraph.retrieval.embedder import SentenceTransformerEmbedder
from groundgraph.retrieval.vectors import VectorIndexes
from groundgraph.settings import Settings


class GraphStoreResource(ConfigurableResource):
    """The graph store of a groundgraph data directory: embedded SQLite or Neo4j.

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

    @contextmanager
    def open(self) -> Iterator[GraphStore]:
        settings = self.settings()
        store = open_graph_store(settings.graph, settings.neo4j, Path(settings.store))
        try:
            yield store
        finally:
            store.close()


@cache
def _load_embedder(model: str, batch_size: int, device: str | None) -> Embedder:
    """One embedder per process and model: assets of a run share it instead of reloading."""
    return SentenceTransformerEmbedder(model, batch_size, device)


class EmbedderResource(ConfigurableResource):
    """The sentence embedder; unset fields come from `retrieval` settings."""

    model: str | None = None
    batch_size: int | None = None
    device: str | None = None

    def get(self, settings: Settings) -> Embedder:
        r = settings.retrieval
        return _load_embedder(
            self.model or r.embedding_model,
            self.batch_size or r.embedding_batch_size,
            self.device or r.device,
        )


class VectorIndexResource(ConfigurableResource):
    """The chunk and entity-name FAISS indexes in the store directory."""

    embedder: ResourceDependency[EmbedderResource]

    def open(self, settings: Settings) -> VectorIndexes:
        directory = Path(settings.store) / VECTORS_DIR
        return VectorIndexes(directory, self.embedder.get(settings), settings.retrieval)


class SourceLocation(ConfigurableResource):
    """Where documents come from: files or folders; empty means what the store was fed."""

    paths: list[str] = Field(default_factory=list)

    def resolve(self, store: GraphStore) -> list[Path]:
        return [Path(p) for p in self.paths] if self.paths else stored_sources(store)

    def fingerprints(self, store: GraphStore) -> dict[str, str]:
        return fingerprints(self.resolve(store))
