"""Examples from the demo graph, LoRA training of a tiny model, the gate and the registry."""

import json
from pathlib import Path

import pytest
import torch
from peft import get_peft_model
from typer.testing import CliRunner

from groundgraph import GroundGraph, Settings
from groundgraph.cli import app
from groundgraph.finetune.examples import ExampleSet, build_examples
from groundgraph.finetune.registry import AdapterRegistry
from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.finetune.train import LoraTrainer
from groundgraph.retrieval.hf_model import load_causal_lm, load_with_adapter
from groundgraph.retrieval.prompts import markers


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
    assert len(examples.train) > 50 and examples.test and examples.validation
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
    reloaded = load_with_adapter(tiny_model, str(tmp_path / "adapter"))
    with torch.no_grad():
        again = reloaded.model(**inputs).logits
        plain = load_causal_lm(tiny_model).model(**inputs).logits
    assert torch.equal(trained, again)
    assert not torch.allclose(again, plain)


def test_gate_refuses_a_worse_adapter_and_promotes_a_better_one(tmp_path: Path) -> None:
    registry = AdapterRegistry(tmp_path)

    def run(base: float, tuned: float):
        return registry.record(registry.new_run(), "tiny", "f" * 64, base, tuned, {})

    worse_than_base = run(0.40, 0.30)
    assert not registry.gate(worse_than_base, 0.0).promoted
    better = run(0.40, 0.55)
    decision = registry.gate(better, 0.05)
    assert decision.promoted
    registry.promote(better)
    assert registry.current().name == better.name
    slightly_better = run(0.40, 0.57)
    assert not registry.gate(slightly_better, 0.05).promoted  # within the margin
    assert registry.current().name == better.name


def test_finetune_promotes_and_the_local_generator_answers_with_it(
    demo_store: GroundGraph, tiny_model: str, tmp_path: Path
) -> None:
    settings = Settings.load(
        store=demo_store.directory,
        generator="local",
        finetune=tiny_settings(
            tiny_model, max_steps=40, registry=tmp_path / "adapters"
        ).model_dump(),
    )
    gg = GroundGraph(settings, store=demo_store.store, embedder=demo_store.embedder)
    result = gg.finetune()
    assert result.examples["test"] > 0
    assert result.evaluation.adapter.examples == result.examples["test"]
    current = gg.registry.current()
    if result.decision.promoted:
        assert current is not None and current.name == result.run.name
    else:
        gg.registry.promote(result.run)  # promote by hand to exercise the local generator
    answer = gg.ask("Who discovered polonium?")
    assert gg.parts.generator().name == "local"
    assert gg.parts.chat_model("local").adapter == str(gg.registry.current().adapter)
    assert answer.generator == "local" or any("local answer" in n for n in answer.notes)


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
    assert set(payload["adapter_metrics"]) >= {"exact_match", "token_f1", "citation_accuracy"}
    assert isinstance(payload["promoted"], bool) and payload["reason"]
    assert Path(payload["adapter"], "adapter_model.safetensors").exists()
