"""The `local` answer model on the CPU: speed and answer agreement by precision and threads,
and the cost of an unmerged LoRA adapter.

    .venv/bin/python bench/local_model.py                       # demo questions
    .venv/bin/python bench/local_model.py --store /tmp/bench-2wiki --questions \\
        ../shared/bench-data/2wikimultihopqa_questions_dev.jsonl --limit 20

For each configuration it answers the same grounded prompts (greedy, `--max-new-tokens`)
and reports seconds per answer, prefill and decode tokens/s, and agreement with float32: the
share of identical answers and the share the verifier judges the same. `int8` is dynamic
quantisation of every linear layer but the output head (what `answer.local_precision=int8`
does); `int8-mlp` quantises the MLP layers only. The adapter rows time a rank-16 LoRA adapter
on every linear layer, unmerged (PEFT's wrapped layers) and merged into the weights.
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from demo_questions import DEMO_QUESTIONS
from peft import LoraConfig, get_peft_model
from results import record

from groundgraph import GroundGraph
from groundgraph.retrieval.answering.prompts import grounded_messages
from groundgraph.retrieval.answering.verify import AnswerVerifier
from groundgraph.retrieval.base import Context
from groundgraph.retrieval.chat_models.hf_model import (
    LoadedModel,
    generate,
    load_causal_lm,
    render_prompt,
)
from groundgraph.retrieval.chat_models.hf_model import to_precision as set_precision
from groundgraph.retrieval.chat_models.model_sources import SHIPPED_CHAT_MODEL

REPO = Path(__file__).resolve().parent.parent


def prompts_for(
    gg: GroundGraph, questions: list[str], passages: int
) -> list[tuple[list[dict[str, str]], Context]]:
    found = []
    for question in questions:
        context = gg.retrieve(question, passages)
        messages = grounded_messages(
            question, [(c.document_title, c.chunk.text) for c in context.chunks]
        )
        found.append((messages, context))
    return found


def with_precision(base: LoadedModel, name: str) -> LoadedModel:
    if name in ("float32", "bfloat16", "int8"):
        return set_precision(base, name)
    mlp = {
        n: torch.ao.quantization.default_dynamic_qconfig
        for n, m in base.model.named_modules()
        if isinstance(m, torch.nn.Linear) and ".mlp." in n
    }
    model = torch.ao.quantization.quantize_dynamic(base.model.eval(), mlp, dtype=torch.qint8)
    return LoadedModel(model, base.tokenizer, base.device, base.quantized)


@torch.no_grad()
def prefill_seconds(loaded: LoadedModel, prompt: str) -> tuple[float, int]:
    ids = loaded.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    began = time.perf_counter()
    loaded.model(**ids)
    return time.perf_counter() - began, int(ids["input_ids"].shape[1])


def run_config(
    loaded: LoadedModel,
    prompts: list,
    max_new_tokens: int,
    verify: Callable[[Context, str], bool],
) -> dict[str, object]:
    outputs, seconds, prefill, decode = [], [], [], []
    for messages, _ in prompts:
        prompt = render_prompt(loaded.tokenizer, messages)
        fill, tokens = prefill_seconds(loaded, prompt)
        began = time.perf_counter()
        out = generate(loaded, prompt, max_new_tokens)
        spent = time.perf_counter() - began
        produced = len(loaded.tokenizer(out, add_special_tokens=False)["input_ids"]) or 1
        outputs.append(out)
        seconds.append(spent)
        prefill.append(tokens / fill)
        decode.append(produced / max(spent - fill, 1e-6))
    verdicts = [verify(context, out) for (_, context), out in zip(prompts, outputs, strict=True)]
    return {
        "outputs": outputs,
        "verdicts": verdicts,
        "seconds_per_answer": round(statistics.fmean(seconds), 3),
        "prefill_tokens_per_s": round(statistics.median(prefill), 1),
        "decode_tokens_per_s": round(statistics.median(decode), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store to retrieve from (default: demo)")
    parser.add_argument("--questions", type=Path, help="JSON Lines with a `question` field")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--model", default=SHIPPED_CHAT_MODEL)
    parser.add_argument("--precisions", default="float32,bfloat16,int8,int8-mlp")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    store = args.store
    if store is None:
        store = Path("/tmp/groundgraph-local-bench")
        with GroundGraph.open(store) as gg:
            gg.ingest([REPO / "demo" / "corpus"])
    questions = DEMO_QUESTIONS
    if args.questions:
        rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line]
        questions = [r["question"] for r in rows[: args.limit]]
    gg = GroundGraph.open(store)
    prompts = prompts_for(gg, questions, gg.settings.answer.model_passages)
    check = AnswerVerifier(gg.embedder, gg.parts.nlp, gg.settings.answer.support_threshold)

    def verify(context: Context, out: str) -> bool:
        return check.verify(context.question, out, context).grounded

    rows: list[dict] = []
    reference: dict | None = None
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for precision in args.precisions.split(","):
            loaded = with_precision(load_causal_lm(args.model), precision)
            result = run_config(loaded, prompts, args.max_new_tokens, verify)
            if reference is None:
                reference = result
            same = statistics.fmean(
                a == b for a, b in zip(result["outputs"], reference["outputs"], strict=True)
            )
            agree = statistics.fmean(
                a == b for a, b in zip(result["verdicts"], reference["verdicts"], strict=True)
            )
            rows.append(
                {
                    "config": f"{precision}, {threads} thread{'s' if threads > 1 else ''}",
                    **{k: v for k, v in result.items() if k not in ("outputs", "verdicts")},
                    "same_answer": round(100 * same, 1),
                    "same_verdict": round(100 * agree, 1),
                    "verified": round(100 * statistics.fmean(result["verdicts"]), 1),
                }
            )
            print(rows[-1], flush=True)
        rows.extend(adapter_rows(args.model, prompts, args.max_new_tokens, threads))
    if args.json:
        print(json.dumps(rows))
        return
    table = markdown(rows, len(prompts))
    print(table)
    if not args.no_record:
        record(
            "Local answer model on the CPU",
            f"Model {args.model}; {len(prompts)} grounded prompts "
            f"({'demo questions' if not args.questions else args.questions.name}), greedy, "
            f"{args.max_new_tokens} new tokens at most. Command: `python bench/local_model.py"
            f"{' --questions ' + str(args.questions) if args.questions else ''}`.",
            table,
        )


def adapter_rows(model: str, prompts: list, max_new_tokens: int, threads: int) -> list[dict]:
    """Seconds per answer with a rank-16 LoRA adapter, unmerged and merged."""
    loaded = load_causal_lm(model)
    torch.manual_seed(0)
    config = LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM")
    peft = get_peft_model(loaded.model, config).eval()
    found = []
    for label, net in (("unmerged", peft), ("merged", None)):
        if net is None:
            net = peft.merge_and_unload()
        adapted = LoadedModel(net, loaded.tokenizer, loaded.device, False)
        began = time.perf_counter()
        for messages, _ in prompts:
            generate(adapted, render_prompt(loaded.tokenizer, messages), max_new_tokens)
        found.append(
            {
                "config": f"float32 + LoRA adapter {label}, {threads} thread(s)",
                "seconds_per_answer": round((time.perf_counter() - began) / len(prompts), 3),
            }
        )
        print(found[-1], flush=True)
    return found


def markdown(rows: list[dict], prompts: int) -> str:
    lines = [
        f"{prompts} prompts.",
        "",
        "| configuration | s/answer | prefill tok/s | decode tok/s | same answer as float32 | "
        "same verdict | verified |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['config']} | {r['seconds_per_answer']} | {r.get('prefill_tokens_per_s', '')} | "
            f"{r.get('decode_tokens_per_s', '')} | {r.get('same_answer', '')} | "
            f"{r.get('same_verdict', '')} | {r.get('verified', '')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
