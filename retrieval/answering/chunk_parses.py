"""The parse of each retrieved chunk, as the extractive reader and the verifier read it: from
the store's sentence layer, written when the chunk was (`ingest/sentence_layer.py`).

A chunk without a layer of the configured pipeline (a store written before the layer, or
with `ingest.sentence_layer` off, or under another spaCy model) is parsed here as before and
the store is named once in the log with the command that fills the layer in: answers stay
right, only slower.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from groundgraph.graph.base import GraphReader
from groundgraph.graph.model import Chunk, ChunkParse
from groundgraph.ingest.sentence_layer import LayerError, deserialise, layer_model

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

T = TypeVar("T")

# Chunks whose reading (`ChunkParses.read`) is kept in memory, most recently read first: a
# chunk's sentences, lemmas and entities are what every question that retrieves it reads,
# and building them from the stored parse is most of what is left of an answer's time.
KEPT_CHUNKS = 2048


class ChunkParses:
    """Parsed chunks for answering.

    Args:
        nlp: loader of the spaCy pipeline (its vocabulary reads stored parses; it parses
            chunks that have none).
        store: where the sentence layer is read; None parses every chunk (evidence that was
            never stored).
        model: the pipeline's name, as the layer records it.
        upgrade_hint: the command that fills a missing layer in, for the log.

    Attributes:
        parsed: chunks this reader had to parse (none on a store with a full layer).
    """

    def __init__(
        self,
        nlp: Callable[[], Language],
        store: GraphReader | None = None,
        model: str = "",
        upgrade_hint: str = "",
    ) -> None:
        self.nlp = nlp
        self.store = store
        self.model = model
        self.upgrade_hint = upgrade_hint
        self.parsed = 0
        self._layer_model = layer_model(model)
        self._warned = False
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()  # `parsed`, `_warned` and `_kept`, between threads

    def read(
        self,
        chunks: Sequence[Chunk],
        keys: Sequence[Hashable],
        analyse: Callable[[int, Doc], T],
    ) -> list[T]:
        """`analyse(i, parse of chunks[i])` for each chunk, kept per chunk, its content and
        `keys[i]` (whatever else the analysis depends on), so a chunk read again costs a
        lookup. The analysis must not be changed by its callers."""
        full_keys = [(c.id, c.content_hash, key) for c, key in zip(chunks, keys, strict=True)]
        with self._lock:
            done: dict[int, T] = {
                i: self._kept[k] for i, k in enumerate(full_keys) if k in self._kept
            }
        todo = [i for i in range(len(chunks)) if i not in done]
        for i, doc in zip(todo, self.docs([chunks[i] for i in todo]), strict=True):
            done[i] = analyse(i, doc)
        with self._lock:
            for i, key in enumerate(full_keys):
                self._kept[key] = done[i]
                self._kept.move_to_end(key)
            while len(self._kept) > KEPT_CHUNKS:
                self._kept.popitem(last=False)
        return [done[i] for i in range(len(chunks))]

    def docs(self, chunks: Sequence[Chunk]) -> list[Doc]:
        """The parse of each chunk, in order."""
        nlp = self.nlp()
        stored = (
            self.store.parses(c.id for c in chunks) if self.store is not None and chunks else {}
        )
        found = [self._stored(nlp, stored.get(chunk.id)) for chunk in chunks]
        missing = [c.text for c, doc in zip(chunks, found, strict=True) if doc is None]
        if not missing:
            return [doc for doc in found if doc is not None]
        self._note_missing(len(missing))
        parsed = iter(nlp.pipe(missing))
        return [doc if doc is not None else next(parsed) for doc in found]

    def _stored(self, nlp: Language, layer: ChunkParse | None) -> Doc | None:
        """The stored parse, or None where the layer is missing, of another pipeline or
        format, or damaged (the chunk is then parsed: the answer stays right)."""
        if layer is None or layer.model != self._layer_model:
            return None
        try:
            return deserialise(nlp.vocab, layer.data)
        except LayerError:
            return None

    def _note_missing(self, count: int) -> None:
        with self._lock:
            self.parsed += count
            warn, self._warned = not self._warned, True
        if warn and self.store is not None:
            log.warning(
                "the store has no sentence layer of %s for some chunks, so answers parse "
                "them each time; %s",
                self.model,
                self.upgrade_hint or "write the layer with `groundgraph check --repair`",
            )
