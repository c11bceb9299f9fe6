"""A real monthly fine-tune and its gate: examples from a store's graph, LoRA training of the
shipped SmolLM2-135M-Instruct (or `--base-model`), base model against adapter on the held-out
test examples, and the promotion decision.

    .venv/bin/python bench/finetune_run.py --store /tmp/bench-2wiki --max-examples 800
    .venv/bin/python bench/finetune_run.py --store .groundgraph/demo      # the demo graph

It records training tokens/s, peak memory, the validation loss before and after, exact match,
token F1, citation accuracy and verified share of both models, and the decision with its
reason. The run's adapter registry is a temporary folder: the store's own is not touched.
"""

import argparse
import json
import tempfile
from pathlib import Path

from results import record

from groundgraph import GroundGraph, Settings

METRICS = ("exact_match", "token_f1", "citation_accuracy", "verified", "score")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--base-model")
    parser.add_argument("--max-examples", type=int)
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    overrides = {
        "registry": tempfile.mkdtemp(prefix="bench-adapters-"),
        **{
            key: value
            for key, value in {
                "base_model": args.base_model,
                "max_examples": args.max_examples,
                "max_steps": args.max_steps,
                "learning_rate": args.learning_rate,
            }.items()
            if value is not None
        },
    }
    settings = Settings.load(store=args.store, finetune=overrides)
    with GroundGraph.open(settings) as gg:
        result = gg.finetune(progress=lambda stage, done, total: None)
    payload = result.to_dict()
    if args.json:
        print(json.dumps(payload, default=str))
        return
    training = result.training
    lines = [
        f"Store {args.store.name}: {payload['examples']} examples; base model "
        f"{settings.finetune.base_model}; {training.steps} steps of "
        f"{settings.finetune.batch_size}×{settings.finetune.gradient_accumulation} examples, "
        f"lr {settings.finetune.learning_rate}, LoRA r={settings.finetune.rank}; "
        f"{training.tokens_per_second:.1f} training tokens/s on {training.device}, peak "
        f"{training.peak_memory_mb:,.0f} MB, {training.seconds:.0f} s; validation loss "
        f"{training.validation_loss_before:.3f} → {training.validation_loss_after:.3f}.",
        "",
        f"| metric ({payload['test_examples']} test examples) | base model | adapter |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {key} | {payload['base'][key]:.3f} | {payload['adapter_metrics'][key]:.3f} |"
        for key in METRICS
    ]
    lines += [
        "",
        f"Decision: {'promoted' if result.decision.promoted else 'not promoted'} — "
        f"{result.decision.reason}.",
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_record:
        record(
            "Monthly fine-tune, judged",
            f"Command: `python bench/finetune_run.py --store {args.store}"
            + "".join(
                f" --{k.replace('_', '-')} {v}" for k, v in overrides.items() if k != "registry"
            )
            + "`.",
            table,
        )


if __name__ == "__main__":
    main()
