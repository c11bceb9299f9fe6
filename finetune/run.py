"""One monthly fine-tune, stage by stage: examples → adapter → evaluation → gate.

The stages are separate functions so the Dagster assets can run them one by one;
`run_finetune` chains them for the Python API and the CLI. The trainer and the evaluator
(torch, transformers, PEFT: 5 s to import) are imported by the stages that run them, so the
Dagster definitions, which every daily run's process loads, import none of them.
"""

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from groundgraph.finetune.base import Evaluation, FinetuneResult, GateDecision, Metrics, TrainResult
from groundgraph.finetune.corrections import correction_examples
from groundgraph.finetune.examples import ExampleSet, build_examples
from groundgraph.finetune.feedback import Feedback
from groundgraph.finetune.gate import decide
from groundgraph.finetune.registry import AdapterRegistry, RunRecord
from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.graph.base import GraphReader
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.retrieval.answering.verify import AnswerVerifier
from groundgraph.retrieval.base import Retriever

EXAMPLES_DIR = "examples"


def prepare_examples(
    store: GraphReader,
    retriever: Retriever,
    settings: FinetuneSettings,
    run: Path,
    corrections: Sequence[Feedback] = (),
    progress: Progress = no_progress,
) -> ExampleSet:
    """Examples from the graph, plus those from users' corrections whose evidence, retrieved
    again now, states them."""
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
    fixed = correction_examples(list(corrections), retriever, settings.distractors + 1)
    examples.corrections = fixed.examples
    examples.refused = [vars(r) for r in fixed.refused]
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
    return trainer.train(examples.training, examples.validation, run)


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
    same base model) on the same test examples and prompts; the base model and the new
    adapter also on the corrections, when there are any."""
    from groundgraph.finetune.evaluate import evaluate
    from groundgraph.retrieval.chat_models.hf_model import apply_adapter, load_causal_lm

    def metrics(with_adapter: str | None, on_corrections: bool) -> tuple[Metrics, Metrics | None]:
        loaded = load_causal_lm(settings.base_model, cache=cache)
        if with_adapter is not None:
            loaded = apply_adapter(loaded, with_adapter)
        test = evaluate(loaded, examples.test, settings.max_new_tokens, verifier, progress)
        if not (on_corrections and examples.corrections):
            return test, None
        fixed = evaluate(loaded, examples.corrections, settings.max_new_tokens, verifier)
        return test, fixed

    comparable = current is not None and current.base_model == settings.base_model
    base, base_fixed = metrics(None, True)
    new, new_fixed = metrics(adapter, True)
    previous = metrics(str(current.adapter), False)[0] if current and comparable else None
    return Evaluation(base, new, previous, base_fixed, new_fixed)


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
            "corrections_base": _dict(evaluation.corrections_base),
            "corrections_adapter": _dict(evaluation.corrections_adapter),
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
    if evaluation.corrections_adapter is not None and evaluation.corrections_base is not None:
        fixed, was = evaluation.corrections_adapter, evaluation.corrections_base
        decision = dataclasses.replace(
            decision,
            reason=f"{decision.reason}; on {fixed.examples} past corrections (trained on, not "
            f"decided on): score {fixed.score:.4f} against the base model's {was.score:.4f}",
        )
    if decision.promoted:
        registry.promote(record)
    return record, decision


def _dict(metrics: Metrics | None) -> dict | None:
    return metrics.to_dict() if metrics is not None else None


def run_finetune(
    store: GraphReader,
    retriever: Retriever,
    verifier: AnswerVerifier,
    settings: FinetuneSettings,
    registry: AdapterRegistry,
    progress: Progress = no_progress,
    cache: Path | None = None,
    corrections: Sequence[Feedback] = (),
) -> FinetuneResult:
    """Every stage; `corrections` are users' corrected answers (`FeedbackStore.corrections`)."""
    run = registry.new_run()
    current = registry.current()
    examples = prepare_examples(store, retriever, settings, run, corrections, progress)
    training = train_adapter(examples, settings, run, progress, cache)
    evaluation = evaluate_adapter(
        examples, settings, training.adapter, verifier, current, progress, cache
    )
    record, decision = gate_and_promote(registry, run, examples, settings, evaluation, current)
    return FinetuneResult(record, examples.counts(), training, evaluation, decision)
