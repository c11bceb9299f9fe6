"""The stored parse reads back as the parse it was made from."""

from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.sentence_layer import deserialise, serialise
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
