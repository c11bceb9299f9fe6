"""The `local` answer model on each runtime and precision: load seconds, prefill and decode
tokens/s, peak RSS, and agreement with transformers float32 on the same grounded prompts.

    .venv/bin/python bench/local_llm.py                                   # demo questions
    .venv/bin/python bench/local_llm.py --store /tmp/bench-2wiki \\
        --questions ../shared/bench-data/2wikimultihopqa_questions_dev.jsonl --limit 60

Each configuration runs in a process of its own (so peak RSS is its own): it loads the model
(timed), answers every prompt greedily and unconstrained (the same prompts, the same budget,
so the answers compare), and times each prompt's prefill alone (one new token). Agreement is
against transformers float32: the share of identical answers, and, where the questions have
gold answers, the share whose correctness (a gold answer in the text) is the same.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_questions import DEMO_QUESTIONS
from results import record

REPO = Path(__file__).resolve().parent.parent
# runtime:precision[:weights] — weights is OpenVINO's `answer.local_weights` (the shipped
# file's Q4_1 as it is, or requantised to Q8_0, or F16).
CONFIGS = (
    "transformers:float32",
    "transformers:bfloat16",
    "transformers:int8",
    "openvino:float32:file",
    "openvino:float32:q8_0",
    "openvino:float32:f16",
    "openvino:bfloat16:q8_0",
    "openvino:int8:q8_0",
)


def prompts_file(store: Path | None, questions: Path | None, limit: int, into: Path) -> Path:
    """The grounded messages of each question (the retrieval of `ask`), with gold answers."""
    from groundgraph import GroundGraph
    from groundgraph.retrieval.answering.prompts import grounded_messages

    if store is None:
        store = Path(tempfile.mkdtemp(prefix="groundgraph-local-llm-"))
        with GroundGraph.open(store) as gg:
            gg.ingest([REPO / "demo" / "corpus"])
    rows = [{"question": q, "answer": None} for q in DEMO_QUESTIONS]
    if questions is not None:
        lines = questions.read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()][:limit]
    found = []
    with GroundGraph.open(store) as gg:
        passages = gg.settings.answer.model_passages
        for row in rows:
            context = gg.retrieve(row["question"], passages)
            shown = [(c.document_title, c.chunk.text) for c in context.chunks]
            found.append({"messages": grounded_messages(row["question"], shown), **row})
    path = into / "prompts.json"
    path.write_text(json.dumps(found), encoding="utf-8")
    return path


def _chat(runtime: str, precision: str, weights: str, model: str) -> tuple:
    """The chat model (loaded), a token counter and the prompt renderer of a runtime."""
    if runtime == "openvino":
        from groundgraph.retrieval.chat_models.openvino_chat import OpenVINOChat, _prompt

        chat = OpenVINOChat(model, precision=precision, weights=weights)  # type: ignore[arg-type]
        tokenizer = chat.batcher.tokenizer  # loads the model now, to time it
        return (
            chat,
            lambda text: int(tokenizer.encode(text).input_ids.data.shape[1]),
            lambda messages: _prompt(tokenizer, messages),
        )
    from groundgraph.retrieval.chat_models.hf_model import render_prompt
    from groundgraph.retrieval.chat_models.local import LocalChat

    local = LocalChat(model, None, precision=precision)  # type: ignore[arg-type]
    hf = local.loaded.tokenizer
    return (
        local,
        lambda text: len(hf(text, add_special_tokens=False)["input_ids"]),
        lambda messages: render_prompt(hf, messages),
    )


def worker(config: str, model: str, prompts: Path, budget: int) -> None:
    """One configuration, in this process: prints one JSON object."""
    runtime, precision, *rest = config.split(":")
    weights = rest[0] if rest else ""
    rows = json.loads(prompts.read_text(encoding="utf-8"))
    began = time.perf_counter()
    chat, count, render = _chat(runtime, precision, weights or "file", model)
    load_s = time.perf_counter() - began
    outputs, prefill, decode = [], [], []
    for row in rows:
        began = time.perf_counter()
        chat.complete(row["messages"], 1)
        first = time.perf_counter() - began
        prompt_tokens = count(render(row["messages"]))
        began = time.perf_counter()
        out = chat.complete(row["messages"], budget)
        spent = time.perf_counter() - began
        outputs.append(out)
        prefill.append(prompt_tokens / first)
        new = max(count(out) - 1, 1)
        decode.append(new / max(spent - first, 1e-6))
    print(
        json.dumps(
            {
                "runtime": runtime,
                "precision": precision,
                "weights": weights or "float32 (dequantised)",
                "load_s": round(load_s, 2),
                "prefill_tokens_per_s": round(statistics.median(prefill), 1),
                "decode_tokens_per_s": round(statistics.median(decode), 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "outputs": outputs,
            }
        )
    )


def correct(output: str, gold: list[str] | None) -> bool | None:
    from groundgraph.evaluation import contains

    return None if not gold else contains(output, gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store to retrieve from (default: demo)")
    parser.add_argument("--questions", type=Path, help="JSON Lines with `question`, `answer`")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-record", action="store_true", help="leave RESULTS.md alone")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--prompts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    from groundgraph.retrieval.chat_models.model_sources import SHIPPED_CHAT_MODEL

    if args.worker:
        worker(args.worker, SHIPPED_CHAT_MODEL, args.prompts, args.max_new_tokens)
        return
    with tempfile.TemporaryDirectory() as scratch:
        prompts = prompts_file(args.store, args.questions, args.limit, Path(scratch))
        rows = json.loads(prompts.read_text(encoding="utf-8"))
        results = [run_config(c, prompts, args.max_new_tokens) for c in args.configs.split(",")]
    summary = compare(results, rows)
    if args.json:
        print(json.dumps({"model": SHIPPED_CHAT_MODEL, "prompts": len(rows), "runtimes": summary}))
    table = markdown(summary, len(rows))
    if not args.json:
        print(table)
    if not args.no_record:
        source = args.questions.name if args.questions else "demo questions"
        record(
            "Local answer model: runtimes and precisions",
            f"Model {SHIPPED_CHAT_MODEL} (the shipped Q4_1 GGUF; transformers dequantises it to "
            f"float32 first); {len(rows)} grounded prompts ({source}), greedy, unconstrained, "
            f"{args.max_new_tokens} new tokens at most. Command: `python bench/local_llm.py"
            f"{' --store ' + str(args.store) if args.store else ''}"
            f"{' --questions ' + str(args.questions) if args.questions else ''}`.",
            table,
        )


def run_config(config: str, prompts: Path, budget: int) -> dict:
    command = [sys.executable, __file__, "--worker", config, "--prompts", str(prompts)]
    command += ["--max-new-tokens", str(budget)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{config} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{config}: load {result['load_s']} s, decode {result['decode_tokens_per_s']} tok/s",
        file=sys.stderr,
        flush=True,
    )
    return result


def compare(results: list[dict], rows: list[dict]) -> list[dict]:
    reference = results[0]["outputs"]
    right = [correct(o, r.get("answer")) for o, r in zip(reference, rows, strict=True)]
    summary = []
    for result in results:
        outputs = result["outputs"]
        same = statistics.fmean(
            a.strip() == b.strip() for a, b in zip(outputs, reference, strict=True)
        )
        judged = [
            (correct(o, r.get("answer")), ref)
            for o, r, ref in zip(outputs, rows, right, strict=True)
            if ref is not None
        ]
        entry = {k: v for k, v in result.items() if k != "outputs"}
        entry["agreement"] = round(same, 3)
        entry["same_correctness"] = (
            round(statistics.fmean(a == b for a, b in judged), 3) if judged else None
        )
        entry["correct"] = (
            round(statistics.fmean(bool(a) for a, _ in judged), 3) if judged else None
        )
        summary.append(entry)
    return summary


def markdown(summary: list[dict], prompts: int) -> str:
    lines = [
        f"{prompts} prompts; agreement with transformers float32.",
        "",
        "| runtime | precision | weights | load s | prefill tok/s | decode tok/s | peak RSS MB | "
        "identical answers | same correctness | correct |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in summary:
        lines.append(
            f"| {r['runtime']} | {r['precision']} | {r['weights']} | {r['load_s']} "
            f"| {r['prefill_tokens_per_s']} "
            f"| {r['decode_tokens_per_s']} | {r['peak_rss_mb']} | {r['agreement']} | "
            f"{r['same_correctness'] if r['same_correctness'] is not None else '–'} | "
            f"{r['correct'] if r['correct'] is not None else '–'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
