"""The one place groundgraph's parts are built: `build_components(settings) -> Components`.

The facade, the CLI and the Dagster resource all take their store, embedder, vector indexes,
ingestor, retrievers, generators and adapter registry from here, so no two of them can drift
apart. Each part is created on first use and then kept: a `stats` call opens the store and
nothing else; an `ask` loads the embedder and spaCy but no language model unless one answers.

spaCy, torch, sentence-transformers, transformers and PEFT are imported only where a model is
loaded (the local chat model's module, which imports torch, is imported by its part below),
so importing this module, and running a verb that needs no model, stays fast.
"""

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from groundgraph.community_reports import CommunityReport, refresh_communities
from groundgraph.finetune.feedback import FeedbackStore
from groundgraph.finetune.registry import AdapterRegistry
from groundgraph.graph.base import GraphStore, StoreError, StoreNotFoundError
from groundgraph.graph.errors import ConfigError
from groundgraph.graph.lock import StoreWriteLock
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.graph.stores import open_graph_store, store_exists
from groundgraph.ingest.base import Extractor
from groundgraph.ingest.entity_decisions import EntityDecisionLog
from groundgraph.ingest.extract_spacy import SpacyExtractor
from groundgraph.ingest.failure_log import FailureLog
from groundgraph.ingest.ingestor import Ingestor
from groundgraph.ingest.nlp import load_spacy
from groundgraph.retrieval.answering.chunk_parses import ChunkParses
from groundgraph.retrieval.answering.extractive import ExtractiveGenerator
from groundgraph.retrieval.answering.grounded_llm import GroundedLLMGenerator
from groundgraph.retrieval.answering.verify import AnswerVerifier
from groundgraph.retrieval.base import ChatModel, Context, Embedder, Generator, Retriever
from groundgraph.retrieval.chat_models.model_sources import SHIPPED_CHAT_MODEL, local_runtime
from groundgraph.retrieval.chat_models.openai_chat import OpenAIChat
from groundgraph.retrieval.embedding.choice import embedder_for
from groundgraph.retrieval.indexes.store_vectors import VectorIndexes, chunk_variants
from groundgraph.retrieval.retrievers.global_reports import CommunityRetriever
from groundgraph.retrieval.retrievers.graph_snapshot import GraphSnapshot
from groundgraph.retrieval.retrievers.hybrid import HybridRetriever
from groundgraph.retrieval.retrievers.linking import EntityLinker
from groundgraph.settings import GeneratorName, Settings

if TYPE_CHECKING:
    from spacy.language import Language

VECTORS_DIR = "vectors"


@dataclass(frozen=True, eq=False)
class Components:
    """Every part of one groundgraph store, built from `settings` on first use.

    Attributes:
        settings: what every part is built from.
        given_store, given_embedder: parts made elsewhere (a test's store, an embedder
            shared between handles); None builds them from the settings.
        chat_models: the language models by generator name, built on first use; a server
            passes one dict to the handles of every store version it opens, so a model loads
            once and the questions of all of them share its batch.
    """

    settings: Settings
    given_store: GraphStore | None = None
    given_embedder: Embedder | None = None
    chat_models: dict[str, ChatModel] = field(default_factory=dict, repr=False)

    @property
    def directory(self) -> Path:
        return Path(self.settings.store)

    @cached_property
    def store(self) -> GraphStore:
        if self.given_store is not None:
            return self.given_store
        if self.directory.exists() and not self.directory.is_dir():
            raise StoreError(
                f"{self.directory} is a file, not a store directory; give --store a folder"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        return open_graph_store(self.settings.graph, self.settings.neo4j, self.directory)

    @cached_property
    def _write_lock(self) -> StoreWriteLock:
        return StoreWriteLock(self.directory, self.settings.graph.lock_wait)

    def write_lock(self, progress: Progress = no_progress) -> AbstractContextManager[float]:
        """The store's write lock (`graph.lock_wait`), re-entrant in the thread holding it;
        yields the seconds waited for it."""
        return self._write_lock.hold(progress)

    def require_existing(self) -> None:
        """Refuse a store that was never made: a read on a typo'd path would otherwise
        create an empty store and answer from nothing.

        Raises:
            StoreNotFoundError: nothing is stored at the directory.
        """
        if self.given_store is not None:
            return
        if self.directory.exists() and not self.directory.is_dir():
            raise StoreError(
                f"{self.directory} is a file, not a store directory; give --store a folder"
            )
        if not store_exists(self.settings.graph, self.directory):
            raise StoreNotFoundError(
                f"no store at {self.directory}; run `groundgraph ingest PATH --store "
                f"{self.directory}` first"
            )

    @cached_property
    def embedder(self) -> Embedder:
        """The sentence embedder; its model loads on the first text it embeds."""
        if self.given_embedder is not None:
            return self.given_embedder
        recorded = chunk_variants(self.directory / VECTORS_DIR)
        return embedder_for(self.settings.retrieval, recorded)

    @cached_property
    def vectors(self) -> VectorIndexes:
        return VectorIndexes(self.directory / VECTORS_DIR, self.embedder, self.settings.retrieval)

    def nlp(self) -> "Language":
        """The spaCy pipeline (loaded once per process)."""
        return load_spacy(self.settings.ingest.spacy_model)

    @cached_property
    def extractor(self) -> Extractor:
        """The extractor `ingest.extractor` names."""
        return SpacyExtractor(self.settings.ingest.entity_types)

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(
            self.settings.ingest,
            self.store,
            self.extractor,
            self.settings.graph.batch_size,
            self.entity_decisions,
        )

    @cached_property
    def entity_decisions(self) -> EntityDecisionLog:
        """A person's entity merges and splits, beside the store."""
        return EntityDecisionLog(self.directory)

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Dense retrieval fused with personalised PageRank over the graph."""
        r = self.settings.retrieval
        linker = EntityLinker(self.store, self.vectors.entities, self.nlp, r.entity_link_threshold)
        snapshot = GraphSnapshot(self.store, self.vectors.entities, r)
        return HybridRetriever(self.store, self.vectors, self.embedder, linker, snapshot, r)

    @cached_property
    def global_retriever(self) -> Retriever:
        """Ranks the stored community reports for questions about the corpus as a whole."""
        return CommunityRetriever(self.store, self.embedder)

    @cached_property
    def extractive(self) -> ExtractiveGenerator:
        return ExtractiveGenerator(self.nlp, self._retrieve, self.parses)

    def _retrieve(self, question: str) -> Context:
        """Retrieval for an answer's second hop, from the same store version."""
        return self.retriever.retrieve(question, self.settings.retrieval.answer_passages)

    def generator(self, name: GeneratorName | None = None, strict: bool | None = None) -> Generator:
        """The generator by backend name (`generator` setting if None); model-backed ones
        verify their answers and fall back to the extractive answer unless `strict`
        (`answer.strict` if None)."""
        name = name or self.settings.generator
        if name == "extractive":
            return self.extractive
        answer = self.settings.answer
        return GroundedLLMGenerator(
            self.chat_model(name),
            self.verifier,
            self.extractive,
            answer.max_new_tokens,
            answer.model_passages,
            answer.strict if strict is None else strict,
        )

    @cached_property
    def verifier(self) -> AnswerVerifier:
        """The grounding check of model answers (`answer.support_threshold`)."""
        return AnswerVerifier(
            self.embedder, self.nlp, self.settings.answer.support_threshold, self.parses
        )

    @cached_property
    def parses(self) -> ChunkParses:
        """Retrieved chunks' parses, from the store's sentence layer (parsed when read with
        `ingest.sentence_layer` off)."""
        ingest = self.settings.ingest
        hint = f"write it with `groundgraph check --repair --store {self.directory}`"
        store = self.store if ingest.sentence_layer else None
        return ChunkParses(self.nlp, store, ingest.spacy_model, hint)

    def chat_model(self, name: GeneratorName) -> ChatModel:
        """The `local` or `openai` language model, built once."""
        if name not in self.chat_models:
            # Built unloaded (cheap); of two threads' first questions one model is kept.
            self.chat_models.setdefault(name, self._new_chat_model(name))
        return self.chat_models[name]

    def _new_chat_model(self, name: GeneratorName) -> ChatModel:
        temperature = self.settings.answer.temperature
        if name == "openai":
            return OpenAIChat(self.settings.openai, temperature)
        if name != "local":
            raise ConfigError(f"generator {name!r} is not a language model")
        current = self.registry.current()
        model = self.settings.local_model or (
            current.base_model if current is not None else SHIPPED_CHAT_MODEL
        )
        adapter = str(current.adapter) if current and current.base_model == model else None
        answer = self.settings.answer
        if local_runtime(answer.local_runtime, model, adapter) == "openvino":
            from groundgraph.retrieval.chat_models.openvino_chat import OpenVINOChat

            return OpenVINOChat(
                model,
                temperature,
                answer.local_precision,
                self.settings.threads,
                answer.constrained_citations,
                adapter,
                self.settings.model_cache,
                answer.local_weights,
            )
        from groundgraph.retrieval.chat_models.local import LocalChat

        return LocalChat(
            model,
            adapter,
            temperature,
            self.settings.model_cache,
            self.settings.answer.local_precision,
            self.settings.threads,
        )

    def summary_chat(self) -> ChatModel | None:
        """The model that summarises communities: the configured generator's, if it is one."""
        name = self.settings.generator
        return None if name == "extractive" else self.chat_model(name)

    @cached_property
    def failure_log(self) -> FailureLog:
        """The files the last write could not use (`failures.json` in the store)."""
        return FailureLog(self.directory)

    @cached_property
    def feedback(self) -> FeedbackStore:
        """Users' ratings and corrections of answers (`feedback.sqlite` in the store)."""
        return FeedbackStore(self.directory)

    @cached_property
    def registry(self) -> AdapterRegistry:
        """Fine-tuned adapters of this store (`finetune.registry`, inside the store)."""
        return AdapterRegistry(self.directory / self.settings.finetune.registry)

    def refresh_communities(self) -> CommunityReport:
        """The communities stage: rebuild and store them if the graph changed."""
        return refresh_communities(
            self.store,
            self.settings.graph,
            self.summary_chat(),
            self.settings.answer.summarised_communities,
        )

    def close(self) -> None:
        """Release the store's connections (if this bundle opened it)."""
        if self.given_store is None and "store" in self.__dict__:
            self.store.close()


def build_components(
    settings: Settings,
    store: GraphStore | None = None,
    embedder: Embedder | None = None,
    chat_models: dict[str, ChatModel] | None = None,
) -> Components:
    """The parts of the store `settings` describe; `store`, `embedder` and `chat_models`
    replace the ones the settings would build (tests, or models shared between handles)."""
    return Components(settings, store, embedder, {} if chat_models is None else chat_models)
