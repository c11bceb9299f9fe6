"""The stored parse reads back as the parse it was made from."""

import pytest

from groundgraph.graph.model import DocumentGraph
from groundgraph.ingest.base import SourceDocument
from groundgraph.ingest.building import build_graphs
from groundgraph.ingest.extract_spacy import SpacyExtractor
from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.sentence_layer import LayerError, deserialise, layer_model, serialise
from groundgraph.ingest.settings import IngestSettings

TEXTS = [
    "INCIDENT REPORT INC-2024-019\n\nOn 24 September 2024 the Billing Engine failed. "
    "It was restored by Maya Lund's team at 14:05.",
    "Price list — Product: Dock Sensor Kit; Unit price (GBP): 1,150",
    "# Ada Lovelace\n\nShe was born in London in 1815. Her father was Lord Byron.",
    "Ünïcode names: Zoë Ødegård met 李雷 in Tromsø.",
]


def _reading(doc) -> tuple:
    tokens = [
        (
            *(t.text, t.whitespace_, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, str(t.morph)),
            *(t.ent_type_, t.ent_iob_, t.is_sent_start, t.is_stop, t.like_num, t.idx, t.norm_),
        )
        for t in doc
    ]
    sentences = [(s.start, s.end) for s in doc.sents]
    entities = [(e.start, e.end, e.label_) for e in doc.ents]
    return doc.text, tokens, sentences, entities


def test_a_stored_parse_reads_back_as_the_parse_itself() -> None:
    nlp = load_spacy(IngestSettings().spacy_model)
    for doc in nlp.pipe(TEXTS):
        stored = serialise(doc)
        assert len(stored) < 1024 + 8 * len(doc.text)  # small beside the text it parses
        assert _reading(deserialise(nlp.vocab, stored)) == _reading(doc)


def test_a_stored_parse_brings_its_strings_into_a_vocabulary_that_lacks_them() -> None:
    nlp = load_spacy(IngestSettings().spacy_model)
    doc = nlp("Qxzvyl Wrothmere founded Plimbcorp in Zarnovia.")
    stored = serialise(doc)
    fresh = load_spacy.__wrapped__(IngestSettings().spacy_model)  # its own vocabulary
    assert _reading(deserialise(fresh.vocab, stored)) == _reading(doc)


def test_every_built_chunk_carries_the_parse_of_its_own_text() -> None:
    """A chunk that is its whole document takes the document's parse, the others are parsed
    on their own: either way the layer is what parsing the chunk's text gives."""
    settings = IngestSettings(chunk_size=24, chunk_overlap=4)
    nlp = load_spacy(settings.spacy_model)
    documents = [
        SourceDocument(
            "mem://short", "Short", "Maya Lund leads Payments. She joined in 2019.", "m"
        ),
        SourceDocument("mem://long", "Long", " ".join(TEXTS), "m"),
        SourceDocument("mem://bad", "Bad", "Broken marker text here.", "m"),
    ]
    graphs = [
        g
        for g in build_graphs(documents, settings, SpacyExtractor(settings.entity_types))
        if isinstance(g, DocumentGraph)
    ]
    chunks = [c for g in graphs for c in g.chunks]
    assert len(chunks) > 3 and chunks[0].text == documents[0].text
    layers = {p.chunk_id: p for g in graphs for p in g.parses}
    for chunk in chunks:
        layer = layers[chunk.id]
        assert layer.model == layer_model(settings.spacy_model)
        assert _reading(deserialise(nlp.vocab, layer.data)) == _reading(nlp(chunk.text))


def test_damaged_or_foreign_bytes_are_refused_as_a_layer() -> None:
    nlp = load_spacy(IngestSettings().spacy_model)
    stored = serialise(nlp(TEXTS[0]))
    for bad in (b"", b"x\x9c garbage", stored[:-7], b"GGSL9" + stored[5:]):
        with pytest.raises(LayerError):
            deserialise(nlp.vocab, bad)
