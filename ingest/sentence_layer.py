"""The sentence layer: each chunk parsed once, when it is written, and stored with it.

Answering reads a retrieved chunk's sentences, lemmas, entities and dependencies; parsing
them for every question was 146 of the 317 ms an answer took on the 2Wiki store, the same
work each time a chunk came back. The parse is stored instead: every token's attributes
as spaCy's string hashes and the strings behind them, zlib-compressed, about six times the
chunk's text (2.5 KB for a 400-character 2Wiki passage), read back in 0.16 ms.

The chunk is parsed on its own, as answering parsed it before: the same sentences, entities
and dependencies, so answers do not change with the layer.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from groundgraph.graph.model import Chunk, ChunkParse, DocumentGraph

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token
    from spacy.vocab import Vocab
    from thinc.types import Ints2d

# Chunks parsed per spaCy batch when the layer is filled in for a stored graph.
PARSE_BATCH = 64
# What is kept of each token: the attributes spaCy's `DocBin` keeps by default. ORTH and
# SPACY (the token's text and whether a space follows it) come first: they rebuild the
# tokens that the others annotate.
ATTRIBUTES = (
    "ORTH",
    "SPACY",
    "NORM",
    "TAG",
    "HEAD",
    "DEP",
    "ENT_IOB",
    "ENT_TYPE",
    "ENT_KB_ID",
    "ENT_ID",
    "LEMMA",
    "MORPH",
    "POS",
    "SENT_START",
)
_HEADER = struct.Struct("<II")  # tokens, bytes of the joined strings
_COMPRESSION = 6
# The layout above and the sentence rules of `nlp.py` (2: a table row is one sentence); a
# layer of another format is stale, as one of another pipeline is, and `check --repair`
# writes it again.
FORMAT = 2
_MAGIC = b"GGSL%d" % FORMAT


class LayerError(ValueError):
    """Stored bytes that are not a sentence layer this version reads."""


def layer_model(pipeline: str) -> str:
    """What a layer records as its model: the spaCy pipeline and the layer's format, so a
    layer made by another pipeline or in another format counts as missing."""
    return f"{pipeline} (layer format {FORMAT})"


def parse_chunks(nlp: Language, model: str, chunks: Sequence[Chunk]) -> list[ChunkParse]:
    """The sentence layer of `chunks`, parsed by `nlp` (the pipeline named `model`)."""
    return [
        ChunkParse(chunk.id, layer_model(model), serialise(doc))
        for chunk, doc in zip(
            chunks, nlp.pipe((c.text for c in chunks), batch_size=PARSE_BATCH), strict=True
        )
    ]


def with_parses(
    nlp: Language,
    model: str,
    graphs: Sequence[DocumentGraph],
    parsed: Mapping[str, Doc] | None = None,
) -> list[DocumentGraph]:
    """The graphs with the sentence layer of their chunks: those in `parsed` (chunk id →
    its text's parse) from it, the others parsed in one pass over them all."""
    parsed = parsed or {}
    todo = [c for g in graphs for c in g.chunks if c.id not in parsed]
    layers = {p.chunk_id: p for p in parse_chunks(nlp, model, todo)}
    layers.update(
        (i, ChunkParse(i, layer_model(model), serialise(doc))) for i, doc in parsed.items()
    )
    return [replace(g, parses=tuple(layers[c.id] for c in g.chunks)) for g in graphs]


def serialise(doc: Doc) -> bytes:
    """The parse as bytes: the token attributes as spaCy's string hashes, and the strings
    behind them (spaCy's `DocBin` stores the same, but reading it back went through msgpack's
    extension registry, a millisecond a chunk)."""
    import numpy as np

    table = doc.to_array(list(ATTRIBUTES)).astype(np.uint64)
    strings = {s for t in doc for s in _strings(t)}
    joined = "\x00".join(sorted(strings)).encode("utf-8")
    head = _HEADER.pack(len(doc), len(joined))
    return _MAGIC + zlib.compress(head + joined + table.tobytes(), _COMPRESSION)


def deserialise(vocab: Vocab, data: bytes) -> Doc:
    """The stored parse, its strings added to `vocab` (the pipeline's, so lexical attributes
    such as `is_stop` and `like_num` read as they do on a fresh parse).

    Raises:
        LayerError: the bytes are damaged or of another format.
    """
    import numpy as np
    from spacy.tokens import Doc

    if not data.startswith(_MAGIC):
        raise LayerError(f"not a sentence layer of format {FORMAT}")
    try:
        raw = zlib.decompress(data[len(_MAGIC) :])
        tokens, size = _HEADER.unpack_from(raw)
        body = _HEADER.size + size
        strings = raw[_HEADER.size : body].decode("utf-8").split("\x00")
        table = np.frombuffer(raw, np.uint64, offset=body).reshape(tokens, len(ATTRIBUTES))
    except (zlib.error, struct.error, UnicodeDecodeError, ValueError) as e:
        raise LayerError(f"a damaged sentence layer: {e}") from e
    for string in strings:
        vocab.strings.add(string)
    words = [vocab.strings[h] for h in table[:, 0].tolist()]
    spaces = [bool(x) for x in table[:, 1].tolist()]
    return Doc(vocab, words=words, spaces=spaces).from_array(
        list(ATTRIBUTES), cast("Ints2d", table)
    )


def _strings(token: Token) -> tuple[str, ...]:
    return (
        token.orth_,
        token.norm_,
        token.tag_,
        token.dep_,
        token.ent_type_,
        token.ent_kb_id_,
        token.ent_id_,
        token.lemma_,
        str(token.morph),
        token.pos_,
    )
