"""One monthly fine-tune, stage by stage: examples → adapter → evaluation → gate.

The stages are separate functions so the Dagster assets can run them one by one;
`run_finetune` chains them for the Python API and the CLI. The trainer and the evaluator
(torch, transformers, PEFT: 5 s to import) are imported by the stages that run them, so the
Dagster definitions, which every daily run's process loads, import none of them.
"""

from pathlib import Path

from groundgraph.finetune.base import Evaluation, FinetuneResult, GateDecision, Metrics, TrainResult
from groundgraph.finetune.examples import ExampleSet, build_examples
from groundgraph.finetune.gate import decide
from groundgraph.finetune.registry import AdapterRegistry, RunRecord
from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.graph.base import GraphReader
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.retrieval.base import Retriever
from groundgraph.retrieval.verify import AnswerVerifier

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
    examples: ExampleSet,
    settings: FinetuneSettings,
    run: Path,
    progress: Progress = no_progress,
    cache: Path | None = None,
) -> TrainResult:
    from groundgraph.finetune.train import LoraTrainer

    trainer = LoraTrainer(settings, progress, cache)
    return trainer.train(examples.train, examples.validation, run)


def evaluate_adapter(
    examples: ExampleSet,
    settings: FinetuneSettings,
    adapter: str,
    verifier: AnswerVerifier,
    current: RunRecord | None = None,
    progress: Progress = no_progress,
    cache: Path | None = None,
) -> Evaluation:
    """The base model, the new adapter and the current adapter (when it was trained on the
    same base model) on the same test examples and prompts."""
    from groundgraph.finetune.evaluate import evaluate
    from groundgraph.retrieval.hf_model import apply_adapter, load_causal_lm

    def metrics(with_adapter: str | None) -> Metrics:
        loaded = load_causal_lm(settings.base_model, cache=cache)
        if with_adapter is not None:
            loaded = apply_adapter(loaded, with_adapter)
        return evaluate(loaded, examples.test, settings.max_new_tokens, verifier, progress)

    comparable = current is not None and current.base_model == settings.base_model
    return Evaluation(
        metrics(None), metrics(adapter), metrics(str(current.adapter)) if comparable else None
    )


def gate_and_promote(
    registry: AdapterRegistry,
    run: Path,
    examples: ExampleSet,
    settings: FinetuneSettings,
    evaluation: Evaluation,
    current: RunRecord | None = None,
) -> tuple[RunRecord, GateDecision]:
    """Record the run, then promote its adapter if the gate (`gate.py`) lets it through."""
    record = registry.record(
        run,
        settings.base_model,
        examples.fingerprint,
        {
            "base": evaluation.base.to_dict(),
            "adapter": evaluation.adapter.to_dict(),
            "current": evaluation.current.to_dict() if evaluation.current else None,
            "settings": settings.model_dump(mode="json"),
            "snapshot": examples.snapshot,
        },
    )
    if evaluation.current is not None and current is not None:
        bar, against = evaluation.current, f"current adapter {current.name}"
    else:
        bar, against = evaluation.base, "the base model"
    decision = decide(
        evaluation.adapter, bar, against, settings.promote_margin, settings.min_test_examples
    )
    if decision.promoted:
        registry.promote(record)
    return record, decision


def run_finetune(
    store: GraphReader,
    retriever: Retriever,
    verifier: AnswerVerifier,
    settings: FinetuneSettings,
    registry: AdapterRegistry,
    progress: Progress = no_progress,
    cache: Path | None = None,
) -> FinetuneResult:
    run = registry.new_run()
    current = registry.current()
    examples = prepare_examples(store, retriever, settings, run, progress)
    training = train_adapter(examples, settings, run, progress, cache)
    evaluation = evaluate_adapter(
        examples, settings, training.adapter, verifier, current, progress, cache
    )
    record, decision = gate_and_promote(registry, run, examples, settings, evaluation, current)
    counts = {s: len(getattr(examples, s)) for s in ("train", "validation", "test")}
    return FinetuneResult(record, counts, training, evaluation, decision)
