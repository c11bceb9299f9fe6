"""Records of the fine-tune: what training, evaluation and a whole run report.

They live apart from the trainer and the evaluator so that code that only passes them on (the
Dagster assets, the CLI) does not import torch and PEFT (5 s on 2 cores).
"""

from dataclasses import dataclass

from groundgraph.finetune.registry import RunRecord


@dataclass(frozen=True)
class Metrics:
    """How a model answered the held-out examples.

    Attributes:
        exact_match, token_f1: of the answer without its markers, against the gold answer.
        citation_accuracy: share of answers citing a gold passage and no missing one.
        verified: share of answers the grounding check accepts (what users would be shown).
        examples: how many test examples these are over.
    """

    exact_match: float
    token_f1: float
    citation_accuracy: float
    verified: float
    examples: int

    @property
    def score(self) -> float:
        return (self.token_f1 + self.citation_accuracy) / 2

    def to_dict(self) -> dict[str, float]:
        return {
            "exact_match": self.exact_match,
            "token_f1": self.token_f1,
            "citation_accuracy": self.citation_accuracy,
            "verified": self.verified,
            "score": self.score,
            "examples": self.examples,
        }


@dataclass(frozen=True)
class GateDecision:
    """Whether a run's adapter was promoted, why, and what it was measured against."""

    promoted: bool
    reason: str
    bar: Metrics
    test_examples: int


@dataclass(frozen=True)
class TrainResult:
    """What a training run did and how fast."""

    adapter: str
    steps: int
    resumed_from: int
    validation_loss_before: float
    validation_loss_after: float
    train_loss: float
    tokens: int
    seconds: float
    tokens_per_second: float
    peak_memory_mb: float
    device: str


@dataclass(frozen=True)
class Evaluation:
    """The base model, the new adapter and (if any) the current adapter, on one test set;
    the base model and the new adapter also on users' past corrections (None without any)."""

    base: Metrics
    adapter: Metrics
    current: Metrics | None = None
    corrections_base: Metrics | None = None
    corrections_adapter: Metrics | None = None


@dataclass(frozen=True)
class FinetuneResult:
    run: RunRecord
    examples: dict[str, int]
    training: TrainResult
    evaluation: Evaluation
    decision: GateDecision

    def to_dict(self) -> dict:
        return {
            "run": self.run.name,
            "adapter": str(self.run.adapter),
            "base_model": self.run.base_model,
            "examples": self.examples,
            "fingerprint": self.run.fingerprint,
            "training": {
                "steps": self.training.steps,
                "validation_loss_before": self.training.validation_loss_before,
                "validation_loss_after": self.training.validation_loss_after,
                "tokens_per_second": self.training.tokens_per_second,
                "seconds": self.training.seconds,
            },
            "base": self.evaluation.base.to_dict(),
            "adapter_metrics": self.evaluation.adapter.to_dict(),
            "current_adapter": (
                self.evaluation.current.to_dict() if self.evaluation.current else None
            ),
            "corrections": (
                self.evaluation.corrections_adapter.to_dict()
                if self.evaluation.corrections_adapter
                else None
            ),
            "test_examples": self.decision.test_examples,
            "promoted": self.decision.promoted,
            "reason": self.decision.reason,
        }
