"""Scoring a model on held-out examples with the prompts it will see in use.

Exact match and token F1 compare the answer without its markers to the gold answer;
citation accuracy is the share of answers that cite a gold passage and no passage that
does not exist; the verified share is how many answers the grounding check accepts against
the example's passages, as it would in `ask`. The score the gate compares is the mean of
token F1 and citation accuracy.
"""

import re
from collections import Counter

from groundgraph.finetune.base import Metrics
from groundgraph.finetune.examples import Example
from groundgraph.graph.model import Chunk
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.retrieval.answering.prompts import markers, strip_markers
from groundgraph.retrieval.answering.verify import AnswerVerifier
from groundgraph.retrieval.base import Context, ScoredChunk
from groundgraph.retrieval.chat_models.hf_model import LoadedModel, generate, render_prompt

_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def token_f1(predicted: str, gold: str) -> float:
    got, want = _tokens(predicted), _tokens(gold)
    common = sum((Counter(got) & Counter(want)).values())
    if not got or not want or not common:
        return float(got == want)
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def cites_correctly(output: str, example: Example) -> bool:
    cited = markers(output)
    valid = all(1 <= m <= len(example.passages) for m in cited)
    return valid and any(m in example.gold_markers for m in cited)


def score(examples: list[Example], outputs: list[str], verified: list[bool]) -> Metrics:
    n = max(len(examples), 1)
    answers = [strip_markers(o) for o in outputs]
    pairs = list(zip(answers, examples, strict=True))
    return Metrics(
        exact_match=sum(_tokens(a) == _tokens(e.answer) for a, e in pairs) / n,
        token_f1=sum(token_f1(a, e.answer) for a, e in pairs) / n,
        citation_accuracy=sum(cites_correctly(o, e) for o, e in zip(outputs, examples, strict=True))
        / n,
        verified=sum(verified) / n,
        examples=len(examples),
    )


def example_context(example: Example) -> Context:
    """The example's numbered passages as the retrieval context the verifier checks."""
    chunks = tuple(
        ScoredChunk(
            Chunk(f"{example.id}:{n}", example.id, n, text, 0, len(text), ""),
            f"example:{example.id}#{n}",
            title,
            1.0,
            1.0,
            0.0,
        )
        for n, (title, text) in enumerate(example.passages, start=1)
    )
    return Context(example.question, chunks)


def evaluate(
    loaded: LoadedModel,
    examples: list[Example],
    max_new_tokens: int,
    verifier: AnswerVerifier,
    progress: Progress = no_progress,
) -> Metrics:
    loaded.model.eval()
    outputs, verified = [], []
    for done, example in enumerate(examples, start=1):
        prompt = render_prompt(loaded.tokenizer, example.messages(with_answer=False))
        output = generate(loaded, prompt, max_new_tokens)
        outputs.append(output)
        check = verifier.verify(example.question, output, example_context(example))
        verified.append(check.grounded)
        progress("evaluate", done, len(examples))
    return score(examples, outputs, verified)
