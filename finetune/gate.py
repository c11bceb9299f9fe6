"""The promotion gate: an adapter becomes current only if it answers better than what it
would replace, on enough held-out examples, without failing the grounding check more often.

What it replaces is the current adapter when there is one trained on the same base model
(scored on this run's test examples too), else the base model. An adapter must:

1. have been judged on at least `finetune.min_test_examples` test examples: a score on a
   handful says nothing;
2. beat the bar's score (mean of token F1 and citation accuracy) by more than
   `finetune.promote_margin`;
3. not lower the share of its answers the verifier accepts: an adapter that raises exact
   match by answering confidently past its evidence is worse for users, not better.
"""

from groundgraph.finetune.base import GateDecision, Metrics


def decide(
    adapter: Metrics, bar: Metrics, against: str, margin: float, min_examples: int
) -> GateDecision:
    """Whether `adapter` replaces `bar` (the current adapter's or the base model's metrics,
    `against` names which), and why."""
    n = adapter.examples
    if n < min_examples:
        return GateDecision(
            False,
            f"judged on {n} test examples, fewer than finetune.min_test_examples "
            f"({min_examples}): too few to tell whether it is better",
            bar,
            n,
        )
    if adapter.score <= bar.score + margin:
        return GateDecision(
            False,
            f"score {adapter.score:.4f} does not beat {against} ({bar.score:.4f}) by more than "
            f"{margin} on {n} test examples",
            bar,
            n,
        )
    if adapter.verified < bar.verified:
        return GateDecision(
            False,
            f"score {adapter.score:.4f} beats {against} ({bar.score:.4f}), but the verifier "
            f"accepts fewer of its answers ({adapter.verified:.2f} against {bar.verified:.2f}) "
            f"on {n} test examples",
            bar,
            n,
        )
    return GateDecision(
        True,
        f"score {adapter.score:.4f} beats {against} ({bar.score:.4f}) by more than {margin}, "
        f"verified share {adapter.verified:.2f} against {bar.verified:.2f}, on {n} test examples",
        bar,
        n,
    )
