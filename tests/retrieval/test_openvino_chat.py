"""The `local` model on OpenVINO GenAI, with the shipped SmolLM2 GGUF file: it answers the
demo grounded, cites only passages that were shown when constrained, batches concurrent
questions without changing their answers, and refuses a bad model file in one line."""

import re
import threading
from pathlib import Path

import gguf
import numpy as np
import pytest

from groundgraph import GroundGraph, Settings
from groundgraph.graph.errors import ConfigError
from groundgraph.retrieval.answering.prompts import (
    CANNOT_ANSWER,
    cited_answer_pattern,
    grounded_messages,
    markers,
)
from groundgraph.retrieval.base import ModelError
from groundgraph.retrieval.chat_models.gguf_files import inspect_gguf
from groundgraph.retrieval.chat_models.local import LocalChat
from groundgraph.retrieval.chat_models.model_sources import (
    SHIPPED_CHAT_MODEL,
    local_runtime,
    packaged_gguf,
)
from groundgraph.retrieval.chat_models.openvino_chat import OpenVINOChat

PASSAGES = [
    ("Polonium", "Marie Curie and Pierre Curie discovered polonium in 1898."),
    ("Harvard Mark I", "The Harvard Mark I was designed by Howard Aiken and built by IBM."),
]
QUESTIONS = (
    "Who discovered polonium?",
    "Who designed the Harvard Mark I?",
    "Who built the Harvard Mark I?",
    "When was polonium discovered?",
)


@pytest.fixture(scope="module")
def chat() -> OpenVINOChat:
    return OpenVINOChat(SHIPPED_CHAT_MODEL)


def _messages(question: str) -> list[dict[str, str]]:
    return grounded_messages(question, PASSAGES)


def test_the_shipped_model_answers_a_demo_question_grounded_on_openvino(
    demo_store: GroundGraph,
) -> None:
    settings = Settings.load(store=demo_store.directory, generator="local")
    gg = GroundGraph(settings, store=demo_store.store, embedder=demo_store.embedder)
    assert isinstance(gg.parts.chat_model("local"), OpenVINOChat)  # `auto`, nothing set
    answer = gg.ask("Who discovered polonium?")
    assert answer.generator == "local" and answer.grounded
    assert answer.short is not None and "Curie" in answer.short
    assert any("on OpenVINO GenAI (Q4_1" in n and "float32" in n for n in answer.notes)


def test_a_constrained_answer_cites_only_passages_that_were_shown(chat: OpenVINOChat) -> None:
    pattern = re.compile(r"[^\[\]]+ \[[12]\]\.")
    for question in QUESTIONS:
        reply = chat.complete(_messages(question), 64, citations=len(PASSAGES))
        assert reply == CANNOT_ANSWER or pattern.fullmatch(reply), reply
        assert set(markers(reply)) <= {1, 2}
    one = chat.complete(_messages("Who designed the Harvard Mark I?"), 64, citations=1)
    assert one == CANNOT_ANSWER or markers(one) == [1], one


def test_the_citation_pattern_admits_decimals_and_the_refusal_only() -> None:
    pattern = re.compile(cited_answer_pattern(3))
    assert pattern.fullmatch("It costs £3.50 a month. [2]")
    assert pattern.fullmatch(CANNOT_ANSWER)
    assert not pattern.fullmatch("It costs 3 pounds. [4]")
    assert not pattern.fullmatch("Two sentences. [1] Here. [2]")
    assert not pattern.fullmatch("No citation.")


def test_concurrent_questions_are_batched_and_get_their_sequential_answers(
    chat: OpenVINOChat,
) -> None:
    sequential = [chat.complete(_messages(q), 40) for q in QUESTIONS]
    together: dict[int, str] = {}
    start = threading.Barrier(len(QUESTIONS))

    def ask(i: int) -> None:
        start.wait()
        together[i] = chat.complete(_messages(QUESTIONS[i]), 40)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(QUESTIONS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [together[i] for i in range(len(QUESTIONS))] == sequential


def test_a_reply_streams_and_honours_the_budget_and_stop_strings(chat: OpenVINOChat) -> None:
    pieces: list[str] = []
    reply = chat.complete(_messages(QUESTIONS[0]), 40, pieces.append)
    assert pieces and "".join(pieces).strip().startswith(reply)
    assert len(chat.complete(_messages(QUESTIONS[1]), 3).split()) <= 3
    cut = chat.complete(_messages(QUESTIONS[1]), 40, stop=["Aiken"])
    assert "Aiken" not in cut and cut


def test_each_precision_answers_and_says_so() -> None:
    for precision in ("bfloat16", "int8"):
        chat = OpenVINOChat(SHIPPED_CHAT_MODEL, precision=precision)
        reply = chat.complete(_messages(QUESTIONS[0]), 40, citations=2)
        assert reply == CANNOT_ANSWER or markers(reply), reply
        assert chat.description.endswith(f"{precision})")


# -- which runtime ------------------------------------------------------------------------


def test_auto_takes_openvino_for_what_it_loads_and_transformers_for_the_rest(
    tiny_model: str, tmp_path: Path
) -> None:
    assert local_runtime("auto", SHIPPED_CHAT_MODEL, None) == "openvino"
    assert local_runtime("auto", "model.gguf", None) == "openvino"
    assert local_runtime("auto", tiny_model, None) == "transformers"
    assert local_runtime("auto", SHIPPED_CHAT_MODEL, str(tmp_path)) == "transformers"
    assert local_runtime("transformers", SHIPPED_CHAT_MODEL, None) == "transformers"
    with pytest.raises(ConfigError, match="cannot apply the promoted adapter"):
        local_runtime("openvino", SHIPPED_CHAT_MODEL, str(tmp_path))


def test_the_transformers_runtime_stays_on_request(demo_store: GroundGraph) -> None:
    settings = Settings.load(
        store=demo_store.directory, generator="local", answer={"local_runtime": "transformers"}
    )
    gg = GroundGraph(settings, store=demo_store.store, embedder=demo_store.embedder)
    assert isinstance(gg.parts.chat_model("local"), LocalChat)


def test_openvino_refuses_a_hugging_face_folder_by_name(tiny_model: str) -> None:
    with pytest.raises(ModelError, match=r"neither: set answer\.local_runtime=transformers"):
        OpenVINOChat(tiny_model).complete(_messages(QUESTIONS[0]), 4)


# -- bad model files ----------------------------------------------------------------------


def _write_gguf(path: Path, architecture: str, kind: gguf.GGMLQuantizationType) -> Path:
    writer = gguf.GGUFWriter(str(path), architecture)
    block, size = gguf.GGML_QUANT_SIZES[kind]
    if kind == gguf.GGMLQuantizationType.F32:
        writer.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    else:
        raw = np.zeros((4, 32 // block * size), dtype=np.uint8)
        writer.add_tensor("token_embd.weight", raw, raw_dtype=kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _one_line_error(path: Path) -> str:
    with pytest.raises(ModelError) as caught:
        OpenVINOChat(str(path)).complete(_messages(QUESTIONS[0]), 4)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_each_bad_model_file_gives_one_line_naming_file_and_fix(tmp_path: Path) -> None:
    assert "no such file" in _one_line_error(tmp_path / "missing.gguf")
    (tmp_path / "text.gguf").write_text("not a model")
    assert "not a GGUF file" in _one_line_error(tmp_path / "text.gguf")
    shipped = packaged_gguf(SHIPPED_CHAT_MODEL)
    assert shipped is not None
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(shipped.read_bytes()[: shipped.stat().st_size // 2])
    assert "truncated" in _one_line_error(truncated)
    header_only = tmp_path / "header.gguf"
    header_only.write_bytes(shipped.read_bytes()[:4000])
    assert "truncated" in _one_line_error(header_only)
    gpt2 = _write_gguf(tmp_path / "gpt2.gguf", "gpt2", gguf.GGMLQuantizationType.F32)
    message = _one_line_error(gpt2)
    assert "architecture 'gpt2'" in message and "local_runtime=transformers" in message
    q5 = _write_gguf(tmp_path / "q5.gguf", "llama", gguf.GGMLQuantizationType.Q5_1)
    message = _one_line_error(q5)
    assert "quantisation Q5_1" in message and "local_runtime=transformers" in message


def test_the_shipped_file_is_read_as_llama_with_q4_1_weights() -> None:
    shipped = packaged_gguf(SHIPPED_CHAT_MODEL)
    assert shipped is not None
    model = inspect_gguf(shipped)
    assert model.architecture == "llama" and model.weights[0] == "Q4_1"
