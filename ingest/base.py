"""Records and contracts of the ingest layer: what sources yield and what extractors produce."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from groundgraph.graph.errors import GroundGraphError
from groundgraph.ingest.structure import Region

# The predicate of entity pairs that share a sentence but no stated relation.
CO_OCCURRENCE = "co_occurs_with"

if TYPE_CHECKING:
    from spacy.tokens import Doc


class IngestError(GroundGraphError):
    """A source could not be turned into documents."""


@dataclass(frozen=True)
class FileError:
    """A file (or a record of one) that was not ingested, and why.

    Attributes:
        line: the line of the file the problem is on, when there is one (a JSON Lines
            record, a syntax error).
    """

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        """`path:line: reason`, or `path: reason`: the one format every error is shown in."""
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class SourceError(IngestError):
    """One file or record cannot be used; the message says which and why."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        super().__init__(str(FileError(path, reason, line)))
        self.path = path
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class SourceDocument:
    """Text read from a source, before chunking.

    Attributes:
        uri: `file:///abs/path`, with `#record-id` for records of JSON files.
        source: the path the user asked to ingest (a file or directory), for `refresh`.
        named_title: the title came from the document itself (a heading, `<title>`, a title
            field) and so names its subject; a title made from a file name does not.
        regions: where its sections, tables, pages, slides and sheets start in `text`;
            chunks never straddle one. Empty for plain text.
        author, created, modified: from the file's own metadata, "" where it has none;
            dates in ISO-8601.
        encoding: the text encoding a text file was read in ("utf-8", "cp1252").
        file_modified: the file's modification time (POSIX seconds), what dates a document
            that states no date of its own (`dating.py`).
    """

    uri: str
    title: str
    text: str
    source: str
    named_title: bool = False
    regions: tuple[Region, ...] = ()
    author: str = ""
    created: str = ""
    modified: str = ""
    encoding: str = ""
    file_modified: float | None = None


@dataclass(frozen=True)
class EntitySpan:
    """An entity occurrence in a document's text, as a character span."""

    start: int
    end: int
    text: str
    label: str


@dataclass(frozen=True)
class RelationSpan:
    """A relation stated within one sentence `[start, end)` between two entity occurrences.

    `source` and `target` index the extraction's `entities`.
    """

    source: int
    target: int
    predicate: str
    weight: float
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    """What an extractor found in one document."""

    entities: tuple[EntitySpan, ...]
    relations: tuple[RelationSpan, ...]


@dataclass(frozen=True)
class ParsedBlock:
    """A spaCy parse of the text starting at character `offset` of its document."""

    offset: int
    doc: "Doc"


@dataclass(frozen=True)
class ParsedText:
    """A document's text parsed once, in blocks, and shared by chunking and extraction."""

    text: str
    blocks: tuple[ParsedBlock, ...]


@runtime_checkable
class Extractor(Protocol):
    """Finds entities and relations in parsed text (spaCy by default; an LLM can plug in)."""

    def extract(self, parsed: ParsedText) -> Extraction:
        """Entities and relations of one document."""
