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
from groundgraph.retrieval.chat_models.gguf_rewrite import prepared_gguf
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
    described = "on OpenVINO GenAI (Q8_0 weights from Q4_1+Q8_0, float32)"
    assert any(described in n for n in answer.notes), answer.notes


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
    assert local_runtime("auto", SHIPPED_CHAT_MODEL, str(tmp_path)) == "openvino"  # merged
    assert local_runtime("auto", tiny_model, str(tmp_path)) == "transformers"
    assert local_runtime("transformers", SHIPPED_CHAT_MODEL, None) == "transformers"
    (tmp_path / "ir").mkdir()
    (tmp_path / "ir" / "openvino_model.xml").write_text("<net/>")
    assert local_runtime("auto", str(tmp_path / "ir"), None) == "openvino"
    assert local_runtime("auto", str(tmp_path / "ir"), str(tmp_path)) == "transformers"
    with pytest.raises(ConfigError, match="merges a promoted adapter into a GGUF file"):
        local_runtime("openvino", str(tmp_path / "ir"), str(tmp_path))


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


# -- adapters -------------------------------------------------------------------------------


def _write_adapter(folder: Path, scale: float) -> dict[str, np.ndarray]:
    """A PEFT LoRA adapter (rank 4) on the shipped model's query, key and down projections of
    its first layers, and the update it makes to each weight (HF layout, out × in)."""
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    shapes = {"self_attn.q_proj": (576, 576), "self_attn.k_proj": (192, 576)}
    shapes["mlp.down_proj"] = (576, 1536)
    tensors, updates = {}, {}
    for layer in range(4):
        for module, (rows, cols) in shapes.items():
            name = f"base_model.model.model.layers.{layer}.{module}"
            a = rng.normal(0, scale, (4, cols)).astype(np.float32)
            b = rng.normal(0, scale, (rows, 4)).astype(np.float32)
            tensors[f"{name}.lora_A.weight"], tensors[f"{name}.lora_B.weight"] = a, b
            updates[f"{layer}.{module}"] = b @ a * 2.0  # lora_alpha / r
    folder.mkdir(parents=True)
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    (folder / "adapter_config.json").write_text('{"r": 4, "lora_alpha": 8}')
    return updates


def test_an_adapter_changes_the_answer_and_removing_it_restores_the_base(
    chat: OpenVINOChat, tmp_path: Path
) -> None:
    _write_adapter(tmp_path / "adapter", 0.3)
    messages = _messages(QUESTIONS[1])
    base = chat.complete(messages, 24)
    adapted = OpenVINOChat(SHIPPED_CHAT_MODEL, adapter=str(tmp_path / "adapter"), cache=tmp_path)
    assert adapted.complete(messages, 24) != base
    assert "with adapter" in adapted.description and "merged in" in adapted.description
    assert OpenVINOChat(SHIPPED_CHAT_MODEL).complete(messages, 24) == base
    assert len(list(tmp_path.glob("*-q8_0-lora-*.gguf"))) == 1  # made once, kept for next time


def test_a_merged_weight_is_the_base_plus_the_update_in_transformers_layout(
    tmp_path: Path,
) -> None:
    from gguf.quants import dequantize
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

    updates = _write_adapter(tmp_path / "adapter", 0.05)
    shipped = packaged_gguf(SHIPPED_CHAT_MODEL)
    assert shipped is not None
    merged = prepared_gguf(shipped, ("Q4_1", "Q8_0"), "file", tmp_path / "adapter", tmp_path)
    requantised = prepared_gguf(shipped, ("Q4_1", "Q8_0"), "q8_0", None, tmp_path)
    assert prepared_gguf(shipped, ("Q4_1", "Q8_0"), "file", None, tmp_path) == shipped
    unpermute = LlamaTensorProcessor()._reverse_permute_weights  # what transformers loads

    def weight(path: Path, name: str, heads: int | None) -> np.ndarray:
        [tensor] = [t for t in gguf.GGUFReader(str(path)).tensors if t.name == name]
        rows = int(tensor.shape[-1])
        w = dequantize(tensor.data, tensor.tensor_type).reshape(rows, -1)
        return unpermute(w, 9, heads) if heads else w

    for name, module, heads in (
        ("blk.2.attn_q.weight", "2.self_attn.q_proj", 9),
        ("blk.2.attn_k.weight", "2.self_attn.k_proj", 3),
        ("blk.2.ffn_down.weight", "2.mlp.down_proj", None),
    ):
        change = weight(merged, name, heads) - weight(shipped, name, heads)
        assert np.corrcoef(change.ravel(), updates[module].ravel())[0, 1] > 0.95, name
        kept = weight(requantised, name, heads) - weight(shipped, name, heads)
        assert np.abs(kept).max() < 0.01 * np.abs(weight(shipped, name, heads)).max(), name
    assert inspect_gguf(requantised).weights == ("Q8_0",)
    with pytest.raises(ModelError, match="not a decoder layer's projection"):
        (tmp_path / "bad").mkdir()
        (tmp_path / "bad" / "adapter_config.json").write_text('{"r": 4}')
        from safetensors.numpy import save_file

        lm_head = {
            "base_model.model.lm_head.lora_A.weight": np.zeros((4, 576), np.float32),
            "base_model.model.lm_head.lora_B.weight": np.zeros((49152, 4), np.float32),
        }
        save_file(lm_head, str(tmp_path / "bad" / "adapter_model.safetensors"))
        prepared_gguf(shipped, ("Q4_1", "Q8_0"), "file", tmp_path / "bad", tmp_path)
