"""Contract suites for the retrieval seams: every implementation of `VectorIndex`, `Embedder`,
`ChatModel` and `Generator` passes the same behaviour tests (the `GraphStore` suite is in
tests/graph/test_store_contract.py)."""

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from groundgraph import GroundGraph
from groundgraph.graph.ids import stable_hash
from groundgraph.retrieval.base import (
    ChatModel,
    Context,
    Embedder,
    Generator,
    VectorIndex,
)
from groundgraph.retrieval.chat_models.local import LocalChat
from groundgraph.retrieval.chat_models.openai_chat import OpenAIChat
from groundgraph.retrieval.embedding.batching import BatchingEmbedder
from groundgraph.retrieval.embedding.choice import embedder_for
from groundgraph.retrieval.embedding.sentence_transformer import SentenceTransformerEmbedder
from groundgraph.retrieval.indexes.faiss_index import FaissIndex
from groundgraph.retrieval.settings import OpenAISettings, RetrievalSettings
from tests.chat_server import ChatServer

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
QUESTION = "Who discovered polonium?"

# -- VectorIndex -----------------------------------------------------------------------------

INDEX_KINDS = ["flat", "fp16", "hnsw"]
KEYS = [stable_hash("key", str(i)) for i in range(6)]


def _unit_rows(n: int, dimension: int = 8) -> np.ndarray:
    vectors = np.random.default_rng(3).normal(size=(n, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(params=INDEX_KINDS)
def index(request: pytest.FixtureRequest) -> VectorIndex:
    built = FaissIndex(8, "contract-embedder", request.param, hnsw_m=8)
    built.add(KEYS, _unit_rows(len(KEYS)), [f"label-{i}" for i in range(len(KEYS))])
    return built


def test_vector_index_is_the_protocol_and_reports_what_it_holds(index: VectorIndex) -> None:
    assert isinstance(index, VectorIndex)
    assert len(index) == len(KEYS) and set(index) == index.keys() == set(KEYS)
    assert KEYS[0] in index and "absent" not in index
    assert index.label(KEYS[2]) == "label-2"
    assert (index.embedder, index.dimension) == ("contract-embedder", 8)


def test_vector_index_search_finds_each_vector_first(index: VectorIndex) -> None:
    rows = index.search(_unit_rows(len(KEYS)), 3)
    assert [row[0][0] for row in rows] == KEYS
    assert all(row[0][1] == pytest.approx(1.0, abs=1e-3) for row in rows)
    assert all(a[1] >= b[1] for row in rows for a, b in itertools.pairwise(row))


def test_vector_index_returns_stored_vectors_and_replaces_on_re_add(index: VectorIndex) -> None:
    np.testing.assert_allclose(index.vectors(KEYS[:2]), _unit_rows(len(KEYS))[:2], atol=1e-3)
    replacement = _unit_rows(len(KEYS))[5:6]
    index.add(KEYS[:1], replacement, ["again"])
    assert len(index) == len(KEYS) and index.label(KEYS[0]) == "again"
    np.testing.assert_allclose(index.vectors(KEYS[:1]), replacement, atol=1e-3)


def test_vector_index_removal_forgets_keys_and_ignores_unknown_ones(index: VectorIndex) -> None:
    index.remove([KEYS[1], "not-a-key"])
    assert len(index) == len(KEYS) - 1 and KEYS[1] not in index
    found = {k for row in index.search(_unit_rows(len(KEYS)), len(KEYS)) for k, _ in row}
    assert KEYS[1] not in found


def test_vector_index_saves_what_it_holds(index: VectorIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "index.npz")
    reloaded = FaissIndex.load(tmp_path / "index.npz")
    assert reloaded.keys() == index.keys()
    np.testing.assert_allclose(reloaded.vectors(KEYS), index.vectors(KEYS), atol=1e-3)


# -- Embedder --------------------------------------------------------------------------------

TEXTS = ["Who discovered polonium?", "Marie Curie", "Warsaw is the capital of Poland."]


@pytest.fixture(
    params=["torch float32", "torch bfloat16", "onnx", "openvino", "torch + openvino", "batching"],
    scope="module",
)
def embedder(request: pytest.FixtureRequest) -> Embedder:
    """Every Embedder: sentence-transformers at either short-text precision, the ONNX Runtime
    and OpenVINO runtimes alone, the default (torch chunks, OpenVINO short texts) and the
    server's request batching around one."""
    if request.param in ("onnx", "openvino"):
        backends = {"embedding_backend": request.param, "short_text_backend": request.param}
        return embedder_for(RetrievalSettings(**backends))
    if request.param == "torch + openvino":
        return embedder_for(RetrievalSettings())
    if request.param == "batching":
        return BatchingEmbedder(SentenceTransformerEmbedder(MODEL))
    precision = request.param.split()[1]
    return SentenceTransformerEmbedder(MODEL, short_text_precision=precision)


def test_embedder_is_the_protocol_and_names_its_model(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.name == MODEL and embedder.dimension == 384


@pytest.mark.parametrize("method", ["embed", "embed_short"])
def test_embedder_gives_unit_float32_vectors_of_its_dimension(
    embedder: Embedder, method: str
) -> None:
    vectors = getattr(embedder, method)(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), embedder.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert getattr(embedder, method)([]).shape == (0, embedder.dimension)
    np.testing.assert_allclose(getattr(embedder, method)(TEXTS[:1]), vectors[:1], atol=1e-5)


def test_embedder_short_texts_share_the_space_of_full_ones(embedder: Embedder) -> None:
    full, short = embedder.embed(TEXTS), embedder.embed_short(TEXTS)
    assert ((full * short).sum(axis=1) > 0.99).all()
    assert ((short @ full.T).argmax(axis=1) == np.arange(len(TEXTS))).all()


# -- ChatModel -------------------------------------------------------------------------------

REPLY = "Marie Curie discovered polonium [1]."


@pytest.fixture(params=["local", "openai"])
def chat(request: pytest.FixtureRequest) -> Iterator[ChatModel]:
    if request.param == "local":
        yield LocalChat(request.getfixturevalue("tiny_model"), adapter=None)
        return
    server: ChatServer = request.getfixturevalue("chat_server")
    server.answer = lambda body: REPLY
    yield OpenAIChat(OpenAISettings(base_url=server.url, model="m", retry_backoff=0))


MESSAGES = [
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": QUESTION},
]


def test_chat_model_is_the_protocol_and_replies_with_text(chat: ChatModel) -> None:
    assert isinstance(chat, ChatModel) and chat.name in ("local", "openai")
    reply = chat.complete(MESSAGES, 8)
    assert isinstance(reply, str) and reply == reply.strip()


def test_chat_model_streams_pieces_that_make_up_the_reply(chat: ChatModel) -> None:
    pieces: list[str] = []
    reply = chat.complete(MESSAGES, 8, pieces.append)
    assert pieces and "".join(pieces).strip() == reply


# -- Generator -------------------------------------------------------------------------------


def _cited_sentence(body: dict) -> str:
    """A model that quotes the first evidence sentence about polonium and cites it."""
    evidence = body["messages"][-1]["content"]
    for n, text in re.findall(r"\[(\d+)\] [^\n]*\n<<<\n(.*?)\n>>>", evidence, re.DOTALL):
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if "discovered polonium" in sentence:
                return f"{sentence} [{n}]"
    return "I cannot answer from the documents."


@pytest.fixture(params=["extractive", "openai"])
def generator(request: pytest.FixtureRequest, demo_store: GroundGraph) -> Generator:
    if request.param == "extractive":
        return demo_store.parts.extractive
    server: ChatServer = request.getfixturevalue("chat_server")
    server.answer = _cited_sentence
    openai = {"base_url": server.url, "model": "m", "retry_backoff": 0}
    settings = demo_store.settings.model_copy(
        update={"generator": "openai", "openai": OpenAISettings(**openai)}
    )
    return GroundGraph(
        settings, store=demo_store.store, embedder=demo_store.embedder
    ).parts.generator()


def _assert_cites_the_context(answer_text: str, citations: tuple, context: Context) -> None:
    by_id = {s.chunk.id: s for s in context.chunks}
    for citation in citations:
        scored = by_id[citation.chunk_id]
        chunk = scored.chunk
        assert citation.document == scored.document_uri
        assert chunk.start <= citation.start < citation.end <= chunk.end
        assert (
            chunk.text[citation.start - chunk.start : citation.end - chunk.start] == citation.text
        )
        assert f"[{citation.marker}]" in answer_text


def test_generator_answers_from_the_context_and_cites_exact_spans(
    generator: Generator, demo_store: GroundGraph
) -> None:
    assert isinstance(generator, Generator)
    context = demo_store.retrieve(QUESTION)
    pieces: list[str] = []
    answer = generator.generate(QUESTION, context, pieces.append)
    assert answer.grounded and answer.citations and pieces, answer.notes
    assert "polonium" in " ".join(c.text for c in answer.citations)
    _assert_cites_the_context(answer.text, answer.citations, context)


def test_generator_without_evidence_is_not_grounded(generator: Generator) -> None:
    answer = generator.generate(QUESTION, Context(QUESTION, ()))
    assert not answer.grounded and answer.citations == ()
