"""Records and contracts of the retrieval layer.

`Context` is what retrieval found for a question; `Answer` is what a generator made of it.
Every seam (embedder, vector index, retriever, generator) is a small protocol so a backend
plugs in through settings, not by editing call sites.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from groundgraph.graph.errors import GroundGraphError
from groundgraph.graph.ids import document_id
from groundgraph.graph.model import Chunk, Community, Entity, Relation


class RetrievalError(GroundGraphError):
    """An embedder, index, retriever or generator failed."""


class GenerationError(RetrievalError):
    """The requested generator gave no verified answer and falling back was not allowed
    (`answer.strict`, `ask --strict`)."""


class ModelUnavailableError(GenerationError):
    """A language model server could not be reached, or stayed overloaded, after the allowed
    retries; generators answer extractively instead and say so (or, when strict, raise it:
    the server answers 503)."""


class ModelError(RetrievalError):
    """A language model or adapter cannot be loaded or used; the message says which and why."""


TokenSink = Callable[[str], None]
"""Receives an answer's text piece by piece as a model writes it (the unverified draft)."""


@dataclass(frozen=True)
class Decoding:
    """What a caller asks of one answer's writing, over the settings (a chat client's
    `max_tokens`, `temperature`, `stop` and system message).

    Attributes:
        max_tokens: the most tokens a language model writes; None, `answer.max_new_tokens`.
        temperature: 0 decodes greedily; None, the model's setting.
        stop: strings that end a model's answer where they first occur (not included).
        instructions: the caller's own instructions (a system message). A language model
            reads them after groundgraph's, which they cannot lift: the answer still cites
            the evidence and only the evidence. The extractive reader has no use for them
            and says so in its notes.
    """

    max_tokens: int | None = None
    temperature: float | None = None
    stop: tuple[str, ...] = ()
    instructions: str | None = None


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with the document it came from and how it scored.

    Attributes:
        score: the fused score that ranked it.
        dense: cosine similarity of the chunk to the question.
        graph: the graph score, 0–1, from entities linked in the question.
        instructions: the chunk holds text that reads like an instruction to the assistant
            (a prompt injection); it is quoted as data and never supports an answer.
        document_date: its document's effective date (ISO day, "" unknown): of two
            documents that disagree, the newer one is current.
        date_source: where that date came from (`ingest/dating.py`).
    """

    chunk: Chunk
    document_uri: str
    document_title: str
    score: float
    dense: float
    graph: float
    instructions: bool = False
    document_date: str = ""
    date_source: str = ""


@dataclass(frozen=True)
class LinkedEntity:
    """An entity of the graph that the question refers to, with the strength of the link."""

    entity: Entity
    score: float
    phrase: str


@dataclass(frozen=True)
class RankedCommunity:
    """A community report chosen for a global question.

    Attributes:
        spans: its representative sentences as (marker, start, end): `marker` numbers the
            chunk in `Context.chunks` from 1, `start`/`end` are document character offsets.
    """

    community: Community
    score: float
    spans: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class Context:
    """What retrieval found: ranked chunks, the graph facts connecting them, the entities,
    and for global questions the community reports the chunks illustrate.

    `common` holds the normalised names of linked entities that most of the store mentions
    (the company, its flagship product): a question naming one is not pinned down by it.
    `as_of` (an ISO day, "" for today) is the day the question is asked about: documents
    dated after it were left out, and a second hop's retrieval leaves them out too.
    """

    question: str
    chunks: tuple[ScoredChunk, ...]
    facts: tuple[Relation, ...] = ()
    entities: tuple[LinkedEntity, ...] = ()
    communities: tuple[RankedCommunity, ...] = ()
    common: frozenset[str] = frozenset()
    as_of: str = ""


@dataclass(frozen=True)
class Citation:
    """A quoted span of a source document that supports an answer.

    `start` and `end` are character offsets into the document's parsed text; `section` and
    `location` are those of the quoted chunk ("Report > Finance", "page 12").
    """

    marker: int
    chunk_id: str
    document: str
    start: int
    end: int
    text: str
    support: float
    section: str = ""
    location: str = ""

    @classmethod
    def quoting(
        cls, marker: int, scored: ScoredChunk, start: int, end: int, text: str, support: float
    ) -> "Citation":
        """A citation of `text` at `start`-`end` of the document of a retrieved chunk."""
        chunk = scored.chunk
        return cls(
            marker,
            chunk.id,
            scored.document_uri,
            start,
            end,
            text,
            support,
            chunk.section,
            chunk.location,
        )

    @property
    def where(self) -> str:
        """Where the quote is, for people: "slide 4, Staffing", "" for plain text."""
        return ", ".join(part for part in (self.location, self.section) if part)


@dataclass(frozen=True)
class Answer:
    """A grounded answer: text with `[n]` markers that refer to `citations`.

    Attributes:
        grounded: every statement is supported by cited evidence; False means the answer
            says nothing relevant was found.
        notes: findings of verification (removed citations, fallbacks).
        mode: `local` (from retrieved passages) or `global` (from community reports).
        short: the answer itself in a few words, when there is one (the name of the asked
            type that the quoted sentence states; a model's short answer).
    """

    question: str
    text: str
    citations: tuple[Citation, ...]
    grounded: bool
    generator: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    mode: str = "local"
    short: str | None = None

    def to_dict(self) -> dict:
        return {
            "answer": self.text,
            "short_answer": self.short,
            "mode": self.mode,
            "grounded": self.grounded,
            "citations": [
                {
                    "chunk_id": c.chunk_id,
                    "document": c.document,
                    "document_id": document_id(c.document),
                    "start": c.start,
                    "end": c.end,
                    "text": c.text,
                    "marker": c.marker,
                    "support": c.support,
                    "section": c.section,
                    "location": c.location,
                }
                for c in self.citations
            ],
            "generator": self.generator,
            "notes": list(self.notes),
        }


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors."""

    name: str

    @property
    def dimension(self) -> int:
        """The length of every vector it returns."""

    @property
    def variant(self) -> str:
        """How `embed` computes (backend and precision, e.g. `torch bfloat16`): recorded
        with the index, since every variant's vectors search the same index."""

    @property
    def short_variant(self) -> str:
        """How `embed_short` computes."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """An (n, dimension) array of unit vectors."""

    def embed_short(self, texts: Sequence[str]) -> np.ndarray:
        """Like `embed`, for short texts (questions, their phrases, entity names): may compute
        at lower precision, never in another vector space. Questions are what a user waits
        on and names are most of the indexing after the chunks."""


@runtime_checkable
class VectorIndex(Protocol):
    """Vectors keyed by string ids, searched by inner product.

    Entity linking searches it, the graph snapshot reads its vectors for synonym edges, and
    the vector sync diffs its keys against the graph.
    """

    embedder: str
    dimension: int
    variants: set[str]  # the embedder variants whose vectors it holds

    def add(self, keys: Sequence[str], vectors: np.ndarray, labels: Sequence[str]) -> None:
        """Add or replace vectors; `labels` says what each key stands for."""

    def remove(self, keys: Sequence[str]) -> None:
        """Drop vectors by key; unknown keys are ignored."""

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """For each query vector, up to k (key, score) pairs, best first."""

    def vectors(self, keys: Sequence[str]) -> np.ndarray:
        """The stored vectors of `keys`, in order (all must be present)."""

    def label(self, key: str) -> str:
        """What a key stands for (a chunk id, an entity id)."""

    def keys(self) -> set[str]:
        """Every key held."""

    def __len__(self) -> int:
        """How many vectors are held."""

    def __contains__(self, key: object) -> bool:
        """Whether a key is held."""

    def __iter__(self) -> Iterator[str]:
        """The keys held."""

    def save(self, path: Path) -> None:
        """Publish the index to `path` atomically."""


@runtime_checkable
class Retriever(Protocol):
    """Finds the context for a question."""

    def retrieve(self, question: str, k: int | None = None) -> Context:
        """The top-k chunks and the facts and entities behind them."""


@runtime_checkable
class ChatModel(Protocol):
    """A language model behind a chat interface: a local HF model or an OpenAI-compatible
    server.

    Attributes:
        name: the backend (`local`, `openai`).
    """

    name: str

    @property
    def description(self) -> str:
        """Which model (and adapter) it is, for an answer's notes."""

    def complete(
        self,
        messages: list[dict[str, str]],
        max_tokens: int,
        stream: TokenSink | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        citations: int = 0,
    ) -> str:
        """The assistant's reply to the messages, ended before the first of `stop`; pieces go
        to `stream` as they arrive. `temperature` None is the model's setting. `citations`
        above 0 is how many numbered passages the reply may cite: a model that can constrain
        its decoding writes a sentence ending with one of their markers or the refusal; the
        others ignore it."""


@runtime_checkable
class Generator(Protocol):
    """Writes an answer from a context, citing it."""

    name: str

    def generate(
        self,
        question: str,
        context: Context,
        stream: TokenSink | None = None,
        decoding: Decoding | None = None,
    ) -> Answer:
        """An answer whose citations point into the context's chunks; a model's draft goes
        to `stream` as it is written, under the caller's `decoding` where given."""
