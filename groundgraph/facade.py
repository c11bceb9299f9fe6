"""`GroundGraph`: the few verbs most users need, wired from settings.

Heavy components (spaCy, the embedder, the vector indexes) load on first use, so opening a
store to read its statistics is fast.
"""

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TextIO

from spacy.language import Language

from groundgraph.errors import ConfigError
from groundgraph.finetune.registry import AdapterRegistry
from groundgraph.finetune.run import FinetuneResult, run_finetune
from groundgraph.graph.base import GraphStore
from groundgraph.graph.ids import document_id
from groundgraph.graph.model import CommunitySet, GraphStats
from groundgraph.graph.rdf_export import ExportCounts, export_rdf
from groundgraph.graph.stores import open_graph_store
from groundgraph.ingest.base import IngestReport
from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.pipeline import Ingestor, stored_sources
from groundgraph.ingest.rdf_import import import_rdf_files
from groundgraph.progress import Progress, no_progress
from groundgraph.retrieval.base import (
    Answer,
    ChatModel,
    Context,
    Embedder,
    Generator,
    Retriever,
    TokenSink,
)
from groundgraph.retrieval.chat_openai import OpenAIChat
from groundgraph.retrieval.community_reports import refresh_communities
from groundgraph.retrieval.embedder import SentenceTransformerEmbedder
from groundgraph.retrieval.generator_extractive import ExtractiveGenerator
from groundgraph.retrieval.generator_llm import GroundedLLMGenerator
from groundgraph.retrieval.generator_local import LocalChat
from groundgraph.retrieval.graph_snapshot import GraphSnapshot
from groundgraph.retrieval.index_faiss import FaissIndex
from groundgraph.retrieval.linking import EntityLinker
from groundgraph.retrieval.retriever_global import CommunityRetriever
from groundgraph.retrieval.retriever_hybrid import HybridRetriever
from groundgraph.retrieval.routing import Mode, route
from groundgraph.retrieval.vectors import CHUNK_INDEX_FILE, ENTITY_INDEX_FILE, VectorIndexes
from groundgraph.retrieval.verify import AnswerVerifier
from groundgraph.settings import GeneratorName, Settings

VECTORS_DIR = "vectors"


@dataclass(frozen=True)
class StoreStats:
    """What a store holds: graph counts and vector index sizes."""

    graph: GraphStats
    chunk_vectors: int
    entity_vectors: int

    def to_dict(self) -> dict:
        return {
            "documents": self.graph.documents,
            "chunks": self.graph.chunks,
            "entities": self.graph.entities,
            "relations": self.graph.relations,
            "mentions": self.graph.mentions,
            "entity_types": self.graph.entity_types,
            "chunk_vectors": self.chunk_vectors,
            "entity_vectors": self.entity_vectors,
        }


class GroundGraph:
    """A knowledge graph and vector index of documents that answers with citations.

    Example:
        gg = GroundGraph.open("./kg")
        report = gg.ingest(["docs/"])
        answer = gg.ask("Who discovered polonium?")
        for c in answer.citations:
            print(c.marker, c.document, c.text)
    """

    def __init__(
        self,
        settings: Settings,
        store: GraphStore | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.directory = Path(settings.store)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.store = store or open_graph_store(settings.graph, settings.neo4j, self.directory)
        self._embedder = embedder
        self._chat_models: dict[str, ChatModel] = {}
        self._communities: CommunitySet | None = None

    @classmethod
    def open(cls, target: str | Path | Settings) -> "GroundGraph":
        """Open (creating if missing) the store at a directory, or as `Settings` describe."""
        if isinstance(target, Settings):
            return cls(target)
        return cls(Settings.load(store=Path(target)))

    def __enter__(self) -> "GroundGraph":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # -- components, loaded on first use ----------------------------------------------------

    def nlp(self) -> Language:
        return load_spacy(self.settings.ingest.spacy_model)

    @property
    def embedder(self) -> Embedder:
        """The embedder given to the constructor, else the one settings name (loaded once)."""
        if self._embedder is None:
            r = self.settings.retrieval
            self._embedder = SentenceTransformerEmbedder(
                r.embedding_model, r.embedding_batch_size, r.device, r.short_text_precision
            )
        return self._embedder

    @cached_property
    def vectors(self) -> VectorIndexes:
        return VectorIndexes(self.directory / VECTORS_DIR, self.embedder, self.settings.retrieval)

    @cached_property
    def retriever(self) -> Retriever:
        linker = EntityLinker(
            self.store,
            self.vectors.entities,
            self.nlp,
            self.settings.retrieval.entity_link_threshold,
        )
        snapshot = GraphSnapshot(self.store, self.vectors.entities, self.settings.retrieval)
        return HybridRetriever(
            self.store, self.vectors, self.embedder, linker, snapshot, self.settings.retrieval
        )

    @cached_property
    def global_retriever(self) -> Retriever:
        """Ranks community reports for questions about the corpus as a whole."""
        return CommunityRetriever(self.store, self.embedder, self.communities)

    @cached_property
    def extractive(self) -> Generator:
        return ExtractiveGenerator(self.embedder, self.nlp, self.settings.retrieval)

    @property
    def generator(self) -> Generator:
        """The generator that settings name (`generator`)."""
        return self.generator_named(self.settings.generator)

    def generator_named(self, name: GeneratorName) -> Generator:
        """A generator by backend name; model-backed ones verify their answers and fall back
        to the extractive answer."""
        if name == "extractive":
            return self.extractive
        verifier = AnswerVerifier(self.embedder, self.nlp, self.settings.answer.support_threshold)
        return GroundedLLMGenerator(
            self.chat_model(name), verifier, self.extractive, self.settings.answer.max_new_tokens
        )

    def chat_model(self, name: GeneratorName) -> ChatModel:
        """The `local` or `openai` language model, built once per store handle."""
        if name not in self._chat_models:
            self._chat_models[name] = self._new_chat_model(name)
        return self._chat_models[name]

    def _new_chat_model(self, name: GeneratorName) -> ChatModel:
        temperature = self.settings.answer.temperature
        if name == "openai":
            return OpenAIChat(self.settings.openai, temperature)
        if name != "local":
            raise ConfigError(f"generator {name!r} is not a language model")
        model, adapter = self.settings.local_model, None
        if model is None:
            current = self.registry.current()
            if current is None:
                raise ConfigError(
                    "generator 'local' needs a model: set GROUNDGRAPH_LOCAL_MODEL, or run "
                    "`groundgraph finetune` until an adapter is promoted"
                )
            model, adapter = current.base_model, str(current.adapter)
        return LocalChat(model, adapter, temperature)

    def communities(self) -> CommunitySet:
        """The graph's Leiden communities and reports, rebuilt first if the graph changed
        since they were stored. With a language-model generator configured, the largest get
        a model-written summary. Kept in memory while the graph version stays the same, so a
        global question costs one version read, not a read of every community."""
        cached = self._communities
        if cached is None or cached.graph_version != self.store.version():
            self._communities = cached = refresh_communities(
                self.store,
                self.settings.graph,
                self._summary_chat(),
                self.settings.answer.summarised_communities,
            )
        return cached

    def _summary_chat(self) -> ChatModel | None:
        name = self.settings.generator
        return None if name == "extractive" else self.chat_model(name)

    @property
    def registry(self) -> AdapterRegistry:
        """Fine-tuned adapters of this store (`finetune.registry`, inside the store)."""
        return AdapterRegistry(self.directory / self.settings.finetune.registry)

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(self.settings.ingest, self.store, batch_size=self.settings.graph.batch_size)

    # -- verbs ------------------------------------------------------------------------------

    def ingest(self, paths: Iterable[str | Path], progress: Progress = no_progress) -> IngestReport:
        """Ingest files and directory trees; unchanged documents are skipped.

        Returns:
            The report: added, updated, unchanged and failed documents, with reasons.
        """
        return self._write(
            lambda: self.ingestor.ingest([Path(p) for p in paths], progress=progress), progress
        )

    def refresh(self, progress: Progress = no_progress) -> IngestReport:
        """Re-read every source ingested or imported before: pick up changes, drop deleted
        files."""
        return self._write(lambda: self._reread_sources(progress), progress)

    def _reread_sources(self, progress: Progress) -> IngestReport:
        sources = stored_sources(self.store)
        rdf = stored_sources(self.store, rdf=True)
        report = self.ingestor.ingest(sources, delete_missing=True, progress=progress)
        if rdf:
            imported = import_rdf_files(self.store, rdf, progress=progress)
            for key in ("added", "updated", "unchanged", "deleted", "failed"):
                getattr(report, key).extend(getattr(imported, key))
            report.seconds.update(imported.seconds)
        return report

    def import_rdf(
        self,
        paths: Iterable[str | Path],
        fmt: str | None = None,
        progress: Progress = no_progress,
    ) -> IngestReport:
        """Import RDF files (Turtle, N-Triples, RDF/XML, JSON-LD; format by extension unless
        given): labelled resources become entities, object properties relations, and each
        file the provenance document of what it states.

        Returns:
            The report; a file that fails to parse is in `failed` and changed nothing.
        """
        return self._write(
            lambda: import_rdf_files(self.store, [Path(p) for p in paths], fmt, progress), progress
        )

    def export_rdf(self, target: str | Path | TextIO, fmt: str = "turtle") -> ExportCounts:
        """Write the graph as RDF (`turtle`, `nt` or `jsonld`) to a file or text stream.

        A file is written beside its final name and renamed into place when complete.
        """
        if not isinstance(target, str | Path):
            return export_rdf(self.store, target, fmt)
        path = Path(target)
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                counts = export_rdf(self.store, out, fmt)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        return counts

    def delete(self, uri: str) -> bool:
        """Delete a document by URI (or file path) and everything only it supported."""
        candidates = [uri] if "://" in uri else [Path(uri).resolve().as_uri(), uri]
        self._summary_chat()  # a misconfigured generator fails before anything is deleted
        deleted = self.store.delete_documents(document_id(u) for u in candidates)
        self._follow_graph(no_progress)
        return deleted > 0

    def retrieve(self, question: str, k: int | None = None) -> Context:
        """The chunks, facts and entities that bear on the question."""
        return self.retriever.retrieve(question, k)

    def ask(
        self,
        question: str,
        mode: Mode | None = None,
        generator: GeneratorName | None = None,
        stream: TokenSink | None = None,
    ) -> Answer:
        """Answer from the indexed documents, citing the source text.

        Args:
            mode: `local` (passages about what the question names), `global` (community
                reports, for questions about the whole corpus) or `auto` (routed by the
                question's wording); `answer.mode` if None.
            generator: `extractive`, `local` or `openai`; the `generator` setting if None.
            stream: receives a language model's draft as it is written (before verification;
                the returned answer is the verified one, or the extractive fallback).
        """
        chosen = route(question, mode or self.settings.answer.mode)
        retriever = self.global_retriever if chosen == "global" else self.retriever
        k = self.settings.answer.communities if chosen == "global" else None
        backend = self.generator_named(generator or self.settings.generator)
        answer = backend.generate(question, retriever.retrieve(question, k), stream)
        return dataclasses.replace(answer, mode=chosen)

    def finetune(
        self,
        base_model: str | None = None,
        max_steps: int | None = None,
        progress: Progress = no_progress,
    ) -> FinetuneResult:
        """Build examples from the graph, train a LoRA adapter, evaluate it against the base
        model (or the current adapter) and promote it if it is better.

        Args:
            base_model: hub name or path of the causal LM; `finetune.base_model` if None.
            max_steps: cap on optimizer steps; `finetune.max_steps` if None.
        """
        updates = {k: v for k, v in {"base_model": base_model, "max_steps": max_steps}.items() if v}
        settings = self.settings.finetune.model_copy(update=updates)
        return run_finetune(self.store, self.retriever, settings, self.registry, progress)

    def stats(self) -> StoreStats:
        """Graph counts and vector index sizes, read without loading any model."""
        directory = self.directory / VECTORS_DIR
        chunks, entities = (
            FaissIndex.count(directory / name) if (directory / name).exists() else 0
            for name in (CHUNK_INDEX_FILE, ENTITY_INDEX_FILE)
        )
        return StoreStats(self.store.stats(), chunks, entities)

    def _write(self, write: Callable[[], IngestReport], progress: Progress) -> IngestReport:
        """Run a graph write, then bring the vector indexes and communities up to date."""
        self._summary_chat()  # a misconfigured generator fails before anything is written
        report = write()
        report.seconds.update(self._follow_graph(progress))
        return report

    def _follow_graph(self, progress: Progress) -> dict[str, float]:
        """Bring the vector indexes and communities up to date with the graph; the seconds
        each took."""
        began = time.perf_counter()
        seconds = dict(self.vectors.sync(self.store, progress).seconds)
        seconds["embed"] = time.perf_counter() - began
        began = time.perf_counter()
        self.communities()
        seconds["communities"] = time.perf_counter() - began
        return seconds
