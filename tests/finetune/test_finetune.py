"""Examples from the demo graph, LoRA training of a tiny model, the gate and the registry."""

import json
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from peft import get_peft_model

from groundgraph import GroundGraph, Settings
from groundgraph.cli import app
from groundgraph.finetune.base import Metrics
from groundgraph.finetune.examples import ExampleSet, build_examples
from groundgraph.finetune.gate import decide
from groundgraph.finetune.registry import AdapterRegistry
from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.finetune.train import LoraTrainer
from groundgraph.retrieval.answering.prompts import markers
from groundgraph.retrieval.chat_models.hf_model import load_causal_lm, load_with_adapter
from groundgraph.retrieval.chat_models.local import LocalChat


@pytest.fixture(scope="module")
def examples(demo_store: GroundGraph) -> ExampleSet:
    return build_examples(demo_store.store, demo_store.retriever, distractors=2)


def tiny_settings(model: str, **overrides: object) -> FinetuneSettings:
    values = {
        "base_model": model,
        "rank": 8,
        "alpha": 16,
        "learning_rate": 3e-3,
        "max_length": 384,
        "batch_size": 4,
        "gradient_accumulation": 1,
        "max_new_tokens": 12,
        **overrides,
    }
    return FinetuneSettings(**values)


def test_examples_are_well_formed_cited_and_leak_free(examples: ExampleSet, tmp_path: Path) -> None:
    assert len(examples.train) >= 30 and examples.test and examples.validation
    assert {e.kind for e in examples.train} == {"object", "subject", "bridge"}
    for example in examples.train + examples.validation + examples.test:
        roles = [m["role"] for m in example.messages()]
        assert roles == ["system", "user", "assistant"]
        assert markers(example.target) == list(example.gold_markers)
        assert all(1 <= m <= len(example.passages) for m in example.gold_markers)
        assert example.question in example.messages()[1]["content"]
    test_answers = {e.answer_entity for e in examples.test}
    assert not test_answers & {e.answer_entity for e in examples.train + examples.validation}
    names = {e.answer.casefold() for e in examples.test}
    assert not any(n in e.question.casefold() for e in examples.train for n in names)
    assert len({e.id for e in examples.train}) == len(examples.train)

    examples.write(tmp_path)
    record = json.loads((tmp_path / "train.jsonl").read_text().splitlines()[0])
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["snapshot"]["relations"] > 0 and len(manifest["snapshot"]["fingerprint"]) == 64
    assert ExampleSet.read(tmp_path).fingerprint == examples.fingerprint


def test_training_lowers_validation_loss_and_resumes(
    examples: ExampleSet, tiny_model: str, tmp_path: Path
) -> None:
    settings = tiny_settings(tiny_model, max_steps=30, checkpoint_every=10)
    result = LoraTrainer(settings).train(examples.train, examples.validation, tmp_path)
    assert result.steps == 30 and result.tokens > 0
    assert result.validation_loss_after < result.validation_loss_before - 0.5
    longer = tiny_settings(tiny_model, max_steps=34, checkpoint_every=10)
    resumed = LoraTrainer(longer).train(examples.train, examples.validation, tmp_path)
    assert resumed.resumed_from == 30 and resumed.steps == 34


def test_saved_adapter_reloads_with_identical_logits(tiny_model: str, tmp_path: Path) -> None:
    loaded = load_causal_lm(tiny_model)
    model = get_peft_model(loaded.model, LoraTrainer(tiny_settings(tiny_model)).lora_config())
    with torch.no_grad():
        for name, weight in model.named_parameters():
            if "lora_B" in name:
                weight.normal_(std=0.5)
    inputs = loaded.tokenizer("Who discovered polonium?", return_tensors="pt")
    model.eval()
    with torch.no_grad():
        trained = model(**inputs).logits
    model.save_pretrained(tmp_path / "adapter")
    reloaded = load_with_adapter(tiny_model, str(tmp_path / "adapter"))  # merged into weights
    assert not any("lora" in name for name, _ in reloaded.model.named_modules())
    with torch.no_grad():
        again = reloaded.model(**inputs).logits
        plain = load_causal_lm(tiny_model).model(**inputs).logits
    assert torch.allclose(trained, again, atol=1e-5)
    assert not torch.allclose(again, plain)


def metrics(f1: float, citations: float, verified: float, examples: int = 40) -> Metrics:
    return Metrics(f1 / 2, f1, citations, verified, examples)


BASE = metrics(0.30, 0.40, 0.50)


@pytest.mark.parametrize(
    ("adapter", "promoted", "reason"),
    [
        (metrics(0.50, 0.60, 0.60), True, "beats the base model"),
        (metrics(0.20, 0.30, 0.60), False, "does not beat the base model"),
        (metrics(0.50, 0.60, 0.60, examples=7), False, "judged on 7 test examples, fewer than"),
        (metrics(0.60, 0.70, 0.40), False, "the verifier accepts fewer of its answers"),
        (metrics(0.32, 0.42, 0.60), False, "by more than 0.05"),
    ],
    ids=["better", "worse", "too-few-examples", "higher-f1-fewer-verified", "within-margin"],
)
def test_gate_decides_on_score_verified_share_and_test_size(
    adapter: Metrics, promoted: bool, reason: str
) -> None:
    decision = decide(adapter, BASE, "the base model", margin=0.05, min_examples=20)
    assert decision.promoted is promoted
    assert reason in decision.reason
    assert decision.test_examples == adapter.examples and decision.bar == BASE


def test_registry_keeps_runs_and_points_at_the_promoted_one(tmp_path: Path) -> None:
    registry = AdapterRegistry(tmp_path)
    assert registry.current() is None
    first = registry.record(registry.new_run(), "tiny", "f" * 64, {"adapter": {}})
    second = registry.record(registry.new_run(), "tiny", "e" * 64, {"adapter": {}})
    registry.promote(first)
    assert registry.current().name == first.name
    registry.promote(second)
    assert registry.current().name == second.name and registry.load(first.name) == first


def test_the_promoted_adapter_answers_when_its_base_model_is_the_configured_one(
    demo_store: GroundGraph, tiny_model: str, tmp_path: Path
) -> None:
    registry = AdapterRegistry(tmp_path / "adapters")
    run = registry.record(registry.new_run(), tiny_model, "f" * 64, {})
    registry.promote(run)

    def local_chat(model: str | None) -> LocalChat:
        settings = Settings.load(
            store=demo_store.directory,
            generator="local",
            local_model=model,
            finetune={"registry": str(tmp_path / "adapters")},
        )
        gg = GroundGraph(settings, store=demo_store.store, embedder=demo_store.embedder)
        chat = gg.parts.chat_model("local")
        assert isinstance(chat, LocalChat)
        return chat

    for configured in (None, tiny_model):  # unset: the adapter's own base model
        chat = local_chat(configured)
        assert chat.model == tiny_model and chat.adapter == str(run.adapter)
        assert f"with adapter {run.adapter}" in chat.description
    other = local_chat("some/other-model")
    assert other.adapter is None and "(no adapter)" in other.description


def test_a_finetune_judged_on_too_few_examples_is_recorded_but_not_promoted(
    demo_store: GroundGraph, tiny_model: str, tmp_path: Path
) -> None:
    settings = Settings.load(
        store=demo_store.directory,
        finetune=tiny_settings(
            tiny_model, max_steps=4, registry=tmp_path / "adapters", min_test_examples=1000
        ).model_dump(),
    )
    gg = GroundGraph(settings, store=demo_store.store, embedder=demo_store.embedder)
    result = gg.finetune()
    tested = result.examples["test"]
    assert tested > 0 and result.evaluation.adapter.examples == tested
    assert not result.decision.promoted and gg.registry.current() is None
    assert f"judged on {tested} test examples, fewer than" in result.decision.reason
    assert 0.0 <= result.evaluation.adapter.verified <= 1.0
    recorded = gg.registry.load(result.run.name).metrics
    assert recorded["adapter"]["examples"] == tested and "verified" in recorded["base"]


def test_cli_finetune_prints_metrics_and_decision(
    small_corpus: Path, tiny_model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "kg"
    with GroundGraph.open(store) as gg:
        assert gg.ingest([small_corpus]).ok
    for key, value in {"MAX_LENGTH": "256", "MAX_NEW_TOKENS": "8", "BATCH_SIZE": "2"}.items():
        monkeypatch.setenv(f"GROUNDGRAPH_FINETUNE_{key}", value)
    result = CliRunner().invoke(
        app,
        [
            "finetune",
            "--store",
            str(store),
            "--base-model",
            tiny_model,
            "--max-steps",
            "3",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["training"]["steps"] == 3 and payload["base_model"] == tiny_model
    metrics = {"exact_match", "token_f1", "citation_accuracy", "verified", "score"}
    assert metrics <= set(payload["adapter_metrics"]) and metrics <= set(payload["base"])
    assert payload["test_examples"] == payload["examples"]["test"] < 20
    # The default gate wants 20 test examples; five documents give fewer.
    assert (
        payload["promoted"] is False
        and "fewer than finetune.min_test_examples" in payload["reason"]
    )
    assert Path(payload["adapter"], "adapter_model.safetensors").exists()
