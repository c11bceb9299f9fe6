"""The monthly fine-tune as assets: examples → adapter → evaluation and promotion.

Each asset is one `groundgraph.finetune.run` stage. Monthly partitions give every run a
month in the UI; the evaluation's gate is an asset check that receives the scores.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetsDefinition,
    MetadataValue,
    MonthlyPartitionsDefinition,
    Output,
    asset,
)

from groundgraph.finetune.base import Evaluation, TrainResult
from groundgraph.finetune.examples import ExampleSet
from groundgraph.finetune.run import (
    evaluate_adapter,
    gate_and_promote,
    prepare_examples,
    train_adapter,
)
from groundgraph.pipelines.reporting import feedback_table, markdown_table
from groundgraph.pipelines.resources import GroundGraphResource
from groundgraph.pipelines.settings import PipelineSettings

FINETUNE_GROUP = "finetune"


@dataclass
class PreparedExamples:
    examples: ExampleSet
    run: str


def monthly_partitions(settings: PipelineSettings, start: date) -> MonthlyPartitionsDefinition:
    first = start.replace(day=1).isoformat()
    return MonthlyPartitionsDefinition(start_date=first, timezone=settings.timezone, end_offset=1)


def training_examples(
    context: AssetExecutionContext, groundgraph: GroundGraphResource
) -> Output[PreparedExamples]:
    """Grounded question–answer examples from the graph's relations (single-hop and
    bridge), with gold evidence, retrieved distractors and leak-free splits, plus users'
    corrections that the documents state (trained on, never tested on)."""
    began = time.perf_counter()
    parts = groundgraph.parts
    run = parts.registry.new_run()
    examples = prepare_examples(
        parts.store,
        parts.retriever,
        parts.settings.finetune,
        run,
        parts.feedback.corrections(),
    )
    counts = examples.counts()
    context.log.info(f"examples {counts} in {run}")
    for refused in examples.refused:
        context.log.warning(f"correction {refused['feedback_id']}: {refused['reason']}")
    return Output(
        PreparedExamples(examples, str(run)),
        metadata={
            **counts,
            "refused_corrections": len(examples.refused),
            "feedback_per_month": feedback_table(parts.feedback.months()),
            "fingerprint": examples.fingerprint,
            "graph_fingerprint": examples.snapshot["fingerprint"],
            "run": str(run),
            "seconds": round(time.perf_counter() - began, 3),
        },
    )


def lora_adapter(
    groundgraph: GroundGraphResource, training_examples: PreparedExamples
) -> Output[TrainResult]:
    """A LoRA adapter on the base model, trained on the examples (resumes from the last
    checkpoint if the run was interrupted)."""
    parts = groundgraph.parts
    finetune = parts.settings.finetune
    result = train_adapter(
        training_examples.examples,
        finetune,
        Path(training_examples.run),
        cache=parts.settings.model_cache,
    )
    return Output(
        result,
        metadata={
            "base_model": finetune.base_model,
            "steps": result.steps,
            "validation_loss_before": result.validation_loss_before,
            "validation_loss_after": result.validation_loss_after,
            "tokens_per_second": round(result.tokens_per_second, 1),
            "peak_memory_mb": round(result.peak_memory_mb, 1),
            "device": result.device,
            "seconds": round(result.seconds, 3),
        },
    )


def adapter_evaluation(
    groundgraph: GroundGraphResource,
    training_examples: PreparedExamples,
    lora_adapter: TrainResult,
) -> Iterator[Output | AssetCheckResult]:
    """Base model and adapter on the held-out test examples; the adapter is promoted only
    if it beats the current one (or the base model) by `finetune.promote_margin`."""
    parts = groundgraph.parts
    finetune = parts.settings.finetune
    examples = training_examples.examples
    current = parts.registry.current()
    evaluation = evaluate_adapter(
        examples,
        finetune,
        lora_adapter.adapter,
        parts.verifier,
        current,
        cache=parts.settings.model_cache,
    )
    record, decision = gate_and_promote(
        parts.registry, Path(training_examples.run), examples, finetune, evaluation, current
    )
    fixed = evaluation.corrections_adapter
    yield Output(
        {"run": record.name, "promoted": decision.promoted},
        metadata={
            "metrics": MetadataValue.md(
                markdown_table(["metric", "base model", "adapter"], _metric_rows(evaluation))
            ),
            "adapter_score": evaluation.adapter.score,
            "base_score": evaluation.base.score,
            "adapter_verified": evaluation.adapter.verified,
            "test_examples": decision.test_examples,
            "corrections_score": fixed.score if fixed is not None else None,
            "promoted": decision.promoted,
            "reason": decision.reason,
        },
    )
    yield AssetCheckResult(
        check_name="adapter_beats_current",
        passed=decision.promoted,
        metadata={
            "adapter_score": evaluation.adapter.score,
            "bar_score": decision.bar.score,
            "adapter_verified": evaluation.adapter.verified,
            "bar_verified": decision.bar.verified,
            "test_examples": decision.test_examples,
            "min_test_examples": finetune.min_test_examples,
            "margin": finetune.promote_margin,
        },
        description=decision.reason,
    )


def _metric_rows(evaluation: Evaluation) -> list[tuple[str, str, str]]:
    """Each metric for the base model and the adapter, and on the corrections when any."""
    keys = ("exact_match", "token_f1", "citation_accuracy", "verified", "score")
    rows = [
        (key, f"{getattr(evaluation.base, key):.3f}", f"{getattr(evaluation.adapter, key):.3f}")
        for key in keys
    ]
    fixed, was = evaluation.corrections_adapter, evaluation.corrections_base
    if fixed is not None and was is not None:
        rows += [
            (f"{key}, corrections", f"{getattr(was, key):.3f}", f"{getattr(fixed, key):.3f}")
            for key in ("token_f1", "citation_accuracy", "score")
        ]
    return rows


def finetune_assets(settings: PipelineSettings, start: date) -> list[AssetsDefinition]:
    """The monthly fine-tune's assets, partitioned by month from `start`'s month."""
    partitions = monthly_partitions(settings, start)
    evaluation_check = AssetCheckSpec("adapter_beats_current", asset="adapter_evaluation")
    return [
        asset(group_name=FINETUNE_GROUP, partitions_def=partitions, kinds={"python"})(
            training_examples
        ),
        asset(group_name=FINETUNE_GROUP, partitions_def=partitions, kinds={"pytorch"})(
            lora_adapter
        ),
        asset(
            group_name=FINETUNE_GROUP,
            partitions_def=partitions,
            kinds={"pytorch"},
            check_specs=[evaluation_check],
        )(adapter_evaluation),
    ]
