"""One monthly fine-tune, stage by stage: examples → adapter → evaluation → gate.

The stages are separate functions so the Dagster assets can run them one by one;
`run_finetune` chains them for the Python API and the CLI. The trainer and the evaluator
(torch, transformers, PEFT: 5 s to import) are imported by the stages that run them, so the
Dagster definitions, which every daily run's process loads, import none of them.
"""

from pathlib import Path

from groundgraph.finetune.base import Evaluation, FinetuneResult, TrainResult
from groundgraph.finetune.examples import ExampleSet, build_examples
from groundgraph.finetune.registry import AdapterRegistry, GateDecision, RunRecord
from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.graph.base import GraphReader
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.retrieval.base import Retriever

EXAMPLES_DIR = "examples"


def prepare_examples(
    store: GraphReader,
    retriever: Retriever,
    settings: FinetuneSettings,
    run: Path,
    progress: Progress = no_progress,
) -> ExampleSet:
    examples = build_examples(
        store,
        retriever,
        settings.distractors,
        settings.max_examples,
        settings.validation_fraction,
        settings.test_fraction,
        settings.seed,
        progress,
    )
    examples.write(run / EXAMPLES_DIR)
    return examples


def train_adapter(
    examples: ExampleSet, settings: FinetuneSettings, run: Path, progress: Progress = no_progress
) -> TrainResult:
    from groundgraph.finetune.train import LoraTrainer

    return LoraTrainer(settings, progress).train(examples.train, examples.validation, run)


def evaluate_adapter(
    examples: ExampleSet,
    settings: FinetuneSettings,
    adapter: str,
    progress: Progress = no_progress,
) -> Evaluation:
    """Base model and adapter on the test split, with the same prompts; the model is loaded
    once and the adapter applied to it after the base model's turn."""
    from groundgraph.finetune.evaluate import evaluate
    from groundgraph.retrieval.hf_model import apply_adapter, load_causal_lm

    loaded = load_causal_lm(settings.base_model)
    base = evaluate(loaded, examples.test, settings.max_new_tokens, progress)
    tuned = evaluate(
        apply_adapter(loaded, adapter), examples.test, settings.max_new_tokens, progress
    )
    return Evaluation(base, tuned)


def gate_and_promote(
    registry: AdapterRegistry,
    run: Path,
    examples: ExampleSet,
    settings: FinetuneSettings,
    evaluation: Evaluation,
) -> tuple[RunRecord, GateDecision]:
    record = registry.record(
        run,
        settings.base_model,
        examples.fingerprint,
        evaluation.base.score,
        evaluation.adapter.score,
        {
            "base": evaluation.base.to_dict(),
            "adapter": evaluation.adapter.to_dict(),
            "settings": settings.model_dump(mode="json"),
            "snapshot": examples.snapshot,
        },
    )
    decision = registry.gate(record, settings.promote_margin)
    if decision.promoted:
        registry.promote(record)
    return record, decision


def run_finetune(
    store: GraphReader,
    retriever: Retriever,
    settings: FinetuneSettings,
    registry: AdapterRegistry,
    progress: Progress = no_progress,
) -> FinetuneResult:
    run = registry.new_run()
    examples = prepare_examples(store, retriever, settings, run, progress)
    training = train_adapter(examples, settings, run, progress)
    evaluation = evaluate_adapter(examples, settings, training.adapter, progress)
    record, decision = gate_and_promote(registry, run, examples, settings, evaluation)
    counts = {s: len(getattr(examples, s)) for s in ("train", "validation", "test")}
    return FinetuneResult(record, counts, training, evaluation, decision)
