"""`GroundGraph`: the few verbs most users need, on the parts `groundgraph.assembly` builds.

Writes go through the one write path (`groundgraph.write_path`); reads only read. Parts load
on first use, so opening a store to read its statistics loads no model.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from groundgraph.answer_path import answer_question, retrieve
from groundgraph.assembly import Components, build_components
from groundgraph.entity_curation import (
    DecisionReport,
    entity_log,
    entity_of,
    merge_entities,
    split_entity,
)
from groundgraph.evaluation import EvalQuestion, EvalReport, evaluate, evaluate_file
from groundgraph.finetune.feedback import Feedback, Rating
from groundgraph.finetune.registry import AdapterRegistry
from groundgraph.graph.base import GraphStore
from groundgraph.graph.browse import DocumentView, EntityView, document_view, entity_view
from groundgraph.graph.errors import UsageError
from groundgraph.graph.model import CommunitySet
from groundgraph.graph.progress import Progress, StopCheck, never, no_progress
from groundgraph.graph.rdf_export import ExportCounts, export_rdf
from groundgraph.ingest.merge_log import EntityLog
from groundgraph.retrieval.base import (
    Answer,
    ChatModel,
    Context,
    Decoding,
    Embedder,
    Retriever,
    TokenSink,
)
from groundgraph.retrieval.indexes.store_vectors import VectorIndexes
from groundgraph.retrieval.retrievers.entity_search import EntityMatch, search_entities
from groundgraph.retrieval.retrievers.routing import Mode
from groundgraph.settings import GeneratorName, Settings
from groundgraph.store_stats import StoreStats, store_stats
from groundgraph.write_path import (
    CheckReport,
    IngestReport,
    check_store,
    delete_document,
    import_rdf_paths,
    ingest_paths,
    refresh_sources,
)

if TYPE_CHECKING:
    from groundgraph.finetune.run import FinetuneResult


class GroundGraph:
    """A knowledge graph and vector index of documents that answers with citations.

    Args:
        settings: what the store is and how every part is built.
        store: a store made elsewhere, used instead of opening one (a test's store).
        embedder: an embedder made elsewhere, shared between handles (the server's).
        chat_models: language models by generator name, shared between handles (the
            server's: one model, loaded once, batching the questions of every handle).

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
        chat_models: dict[str, ChatModel] | None = None,
    ) -> None:
        self.settings = settings
        self.directory = Path(settings.store)
        self.parts: Components = build_components(settings, store, embedder, chat_models)

    @classmethod
    def open(cls, target: str | Path | Settings, create: bool = True) -> "GroundGraph":
        """Open the store at a directory, or as `Settings` describe.

        Args:
            create: make the store if it does not exist; with False a missing store is a
                `StoreNotFoundError` naming the directory.
        """
        settings = target if isinstance(target, Settings) else Settings.load(store=Path(target))
        gg = cls(settings)
        if not create:
            gg.parts.require_existing()
        return gg

    def __enter__(self) -> "GroundGraph":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.parts.close()

    # -- the parts, for code that needs them directly ---------------------------------------

    @property
    def store(self) -> GraphStore:
        return self.parts.store

    @property
    def embedder(self) -> Embedder:
        return self.parts.embedder

    @property
    def vectors(self) -> VectorIndexes:
        return self.parts.vectors

    @property
    def retriever(self) -> Retriever:
        return self.parts.retriever

    @property
    def registry(self) -> AdapterRegistry:
        return self.parts.registry

    # -- writes -----------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        progress: Progress = no_progress,
        stop: StopCheck = never,
    ) -> IngestReport:
        """Ingest files and directory trees; unchanged documents are skipped.

        Args:
            stop: asked between files; True stops the ingest there (see `write_sources`).

        Returns:
            The report: added, updated, unchanged and failed documents, with reasons.

        Raises:
            CancelledError: `stop` said so while the files were read; nothing was written.
        """
        return ingest_paths(self.parts, [Path(p) for p in paths], progress, stop)

    def refresh(self, progress: Progress = no_progress, stop: StopCheck = never) -> IngestReport:
        """Re-read every source ingested or imported before: pick up changes, drop deleted
        files. `stop` as for `ingest`."""
        return refresh_sources(self.parts, progress, stop)

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
        return import_rdf_paths(self.parts, [Path(p) for p in paths], fmt, progress)

    def delete(self, uri: str) -> bool:
        """Delete a document by URI (or file path) and everything only it supported."""
        return delete_document(self.parts, uri).deleted > 0

    # -- reads ------------------------------------------------------------------------------

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

    def retrieve(self, question: str, k: int | None = None) -> Context:
        """The chunks, facts and entities that bear on the question, read from one version
        of the store."""
        return retrieve(self.parts, question, k)

    def ask(
        self,
        question: str,
        mode: Mode | None = None,
        generator: GeneratorName | None = None,
        stream: TokenSink | None = None,
        strict: bool | None = None,
        k: int | None = None,
        earlier: Sequence[str] = (),
        decoding: Decoding | None = None,
        as_of: date | str | None = None,
    ) -> Answer:
        """Answer from the indexed documents, citing the source text. Only reads.

        Where documents disagree, the newest one's statement is the answer and the older
        ones are quoted after it with their dates (see docs "Facts over time").

        Args:
            mode: `local` (passages about what the question names), `global` (community
                reports, for questions about the whole corpus) or `auto` (routed by the
                question's wording); `answer.mode` if None.
            generator: `extractive`, `local` or `openai`; the `generator` setting if None.
            stream: receives a language model's draft as it is written (before verification;
                the returned answer is the verified one, or the extractive fallback).
            strict: raise `GenerationError` when the model gives no verified answer instead
                of answering extractively; `answer.strict` if None.
            k: passages retrieved (`retrieval.answer_passages` if None; local mode).
            earlier: the conversation's earlier turns, oldest first: a pronoun of the
                question stands for the person or thing they named last ("Where was she
                born?"), and the notes say how the question was read.
            decoding: the caller's token budget, temperature, stop strings and instructions
                for a language model.
            as_of: answer as of this day (a `date` or an ISO date string): documents dated
                after it are left out.

        Raises:
            UsageError: the question is empty, or `as_of` is not a date.
        """
        return answer_question(
            self.parts, question, mode, generator, stream, strict, k, earlier, decoding, as_of
        )

    def evaluate(
        self,
        questions: Path | str | Sequence[EvalQuestion],
        generator: GeneratorName | None = None,
        k: int = 5,
        progress: Progress = no_progress,
        keep: bool = True,
    ) -> EvalReport:
        """Ask questions with known answers and judge the answers: correct, grounded but
        wrong, abstained when no document answers, recall@k of the expected sources.

        Args:
            questions: an evaluation file (JSON Lines, see `groundgraph.evaluation`) or the
                questions themselves.
            keep: save the run under the store, by file and store version, for `compare`.

        Returns:
            The report; a file's unusable lines are in its `errors`, the rest are asked.
        """
        if isinstance(questions, str | Path):
            return evaluate_file(self.parts, Path(questions), generator, k, progress, keep)
        return evaluate(self.parts, questions, "questions", generator, k, progress, keep)

    def check(self, repair: bool = False) -> CheckReport:
        """Check the store end to end: the database's own integrity, that every reference in
        the graph resolves, that the vector indexes can be read and match the graph, and that
        every chunk has its sentence layer.

        Args:
            repair: rebuild damaged or out-of-step vector indexes from the graph and write
                missing sentence layers (under the write lock); the graph itself is never
                modified.
        """
        return check_store(self.parts, repair)

    def feedback(
        self,
        question: str,
        answer: Answer | str,
        rating: Rating,
        correction: str | None = None,
    ) -> Feedback:
        """Record what a user thought of an answer; a correction (the right answer) becomes a
        training example of the next monthly fine-tune if the documents state it.

        Args:
            answer: the `Answer` shown (its citations are kept), or its text.
            rating: `good` or `bad`.

        Raises:
            UsageError: an empty question or correction, or an unknown rating.
        """
        text, citations = (answer, []) if isinstance(answer, str) else _shown(answer)
        return self.parts.feedback.add(
            question, text, citations, rating, correction, self.store.version()
        )

    def document(self, doc_id: str) -> DocumentView | None:
        """A document by id, with its chunks; None if there is none."""
        with self.store.snapshot():
            return document_view(self.store, doc_id)

    def entity(self, entity_id: str) -> EntityView | None:
        """An entity by id with its neighbours and the chunks that are evidence for it."""
        with self.store.snapshot():
            return entity_view(self.store, entity_id)

    def search_entities(self, query: str, limit: int = 10) -> list[EntityMatch]:
        """Entities whose names are nearest `query` (the exact name first)."""
        if not query.strip():
            raise UsageError("the entity query is empty; give a name")
        with self.store.snapshot():
            return search_entities(
                self.store, self.parts.vectors.entities, self.embedder, query, limit
            )

    def entity_named(self, name: str) -> EntityView | None:
        """The entity a name or alias stands for (after every merge), with its neighbours
        and evidence; None if no entity has that name."""
        with self.store.snapshot():
            return entity_view(self.store, entity_of(self.parts, name))

    def entity_log(self) -> EntityLog:
        """Every merge in force (the rule or person that made it, the documents, when) and
        every merge or split a person decided, oldest first."""
        with self.store.snapshot():
            return entity_log(self.parts)

    def merge_entities(
        self, name: str, into: str, note: str = "", progress: Progress = no_progress
    ) -> DecisionReport:
        """Make `name` an alias of `into`: the documents that mention it are rebuilt now, and
        every later ingest and refresh keeps the merge.

        Raises:
            UsageError: either name is unknown, the two are one name, or `into` is already
                merged into `name`.
        """
        return merge_entities(self.parts, name, into, note, progress)

    def split_entity(
        self, name: str, from_: str, note: str = "", progress: Progress = no_progress
    ) -> DecisionReport:
        """Undo the merge of `name` into `from_` (a rule's or a person's): the documents are
        rebuilt now, and every later ingest and refresh keeps them apart.

        Raises:
            UsageError: `name` is not merged into `from_`.
        """
        return split_entity(self.parts, name, from_, note, progress)

    def communities(self) -> CommunitySet:
        """The stored Leiden communities with their reports (rebuilt by every write)."""
        return self.store.communities()

    def stats(self) -> StoreStats:
        """Graph counts and vector index sizes, read without loading any model."""
        return store_stats(self.parts)

    # -- the monthly fine-tune --------------------------------------------------------------

    def finetune(
        self,
        base_model: str | None = None,
        max_steps: int | None = None,
        progress: Progress = no_progress,
    ) -> "FinetuneResult":
        """Build examples from the graph, train a LoRA adapter, evaluate it against the base
        model (or the current adapter) and promote it if it is better.

        Args:
            base_model: hub name or path of the causal LM; `finetune.base_model` if None.
            max_steps: cap on optimizer steps; `finetune.max_steps` if None.
        """
        # torch and PEFT load here, not when the facade is imported.
        from groundgraph.finetune.run import run_finetune

        updates = {k: v for k, v in {"base_model": base_model, "max_steps": max_steps}.items() if v}
        settings = self.settings.finetune.model_copy(update=updates)
        parts = self.parts
        return run_finetune(
            parts.store,
            parts.retriever,
            parts.verifier,
            settings,
            parts.registry,
            progress,
            self.settings.model_cache,
            parts.feedback.corrections(),
        )


def _shown(answer: Answer) -> tuple[str, list[dict]]:
    return answer.text, answer.to_dict()["citations"]
