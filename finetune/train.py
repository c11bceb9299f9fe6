"""LoRA training of a causal LM on grounded examples, with checkpoints to resume from.

The loss covers the answer tokens only (the prompt is context, not a target). One optimizer
step is `batch_size × gradient_accumulation` examples; a checkpoint (adapter, optimizer and
step) is written every `checkpoint_every` steps, and a run started again in the same folder
continues from it.
"""

import json
import math
import random
import resource
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training
from peft.utils import set_peft_model_state_dict
from safetensors.torch import load_file

from groundgraph.finetune.base import TrainResult
from groundgraph.finetune.examples import Example
from groundgraph.finetune.settings import FinetuneSettings
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.retrieval.chat_models.hf_model import (
    LoadedModel,
    ModelError,
    end_of_answer,
    load_causal_lm,
    render_prompt,
)

_IGNORE = -100
CHECKPOINT_DIR = "checkpoint"
ADAPTER_DIR = "adapter"


def encode(loaded: LoadedModel, example: Example, max_length: int) -> tuple[list[int], list[int]]:
    """Token ids of prompt + answer + end token, and labels that mask the prompt. Too long
    an example loses prompt tokens from the left: the question and answer are at the end."""
    tokenizer = loaded.tokenizer
    prompt = tokenizer(
        render_prompt(tokenizer, example.messages(with_answer=False)), add_special_tokens=False
    )["input_ids"]
    answer = tokenizer(example.target, add_special_tokens=False)["input_ids"]
    answer = [*answer, end_of_answer(tokenizer)][:max_length]
    prompt = prompt[max(0, len(prompt) + len(answer) - max_length) :]
    return prompt + answer, [_IGNORE] * len(prompt) + answer


def _batch(rows: list[tuple[list[int], list[int]]], pad: int, device: torch.device) -> dict:
    width = max(len(ids) for ids, _ in rows)
    ids = [r[0] + [pad] * (width - len(r[0])) for r in rows]
    labels = [r[1] + [_IGNORE] * (width - len(r[1])) for r in rows]
    mask = [[1] * len(r[0]) + [0] * (width - len(r[0])) for r in rows]
    return {
        "input_ids": torch.tensor(ids, device=device),
        "labels": torch.tensor(labels, device=device),
        "attention_mask": torch.tensor(mask, device=device),
    }


@torch.no_grad()
def mean_loss(loaded: LoadedModel, rows: list[tuple[list[int], list[int]]], batch: int) -> float:
    """Token-weighted loss over examples."""
    loaded.model.eval()
    total, tokens = 0.0, 0
    pad = loaded.tokenizer.pad_token_id
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        n = sum(sum(1 for x in labels[1:] if x != _IGNORE) for _, labels in part)
        total += loaded.model(**_batch(part, pad, loaded.device)).loss.item() * n
        tokens += n
    return total / max(tokens, 1)


class LoraTrainer:
    """Trains a LoRA adapter on a base model given by name or path.

    Args:
        settings: model, LoRA shape and training length.
        progress: called with ("train", step, total steps).
        cache: where converted GGUF base models are kept.
    """

    def __init__(
        self,
        settings: FinetuneSettings,
        progress: Progress = no_progress,
        cache: Path | None = None,
    ) -> None:
        self.settings = settings
        self.progress = progress
        self.cache = cache

    def lora_config(self) -> LoraConfig:
        s = self.settings
        return LoraConfig(
            r=s.rank,
            lora_alpha=s.alpha,
            lora_dropout=s.dropout,
            target_modules=s.target_modules,
            task_type="CAUSAL_LM",
        )

    def train(self, train: list[Example], validation: list[Example], output: Path) -> TrainResult:
        """Train on `train`, report loss on `validation` before and after, save the adapter
        in `output/adapter`."""
        s = self.settings
        if not train:
            raise ModelError("no training examples: the graph has no typed relations yet")
        torch.manual_seed(s.seed)
        began = time.perf_counter()
        loaded = load_causal_lm(s.base_model, quantize=True, cache=self.cache)
        base = loaded.model
        if loaded.quantized:
            base = prepare_model_for_kbit_training(base)
        model = get_peft_model(base, self.lora_config())
        loaded = LoadedModel(model, loaded.tokenizer, loaded.device, loaded.quantized)
        rows = [encode(loaded, e, s.max_length) for e in train]
        held = [encode(loaded, e, s.max_length) for e in validation]
        before = mean_loss(loaded, held, s.batch_size) if held else math.nan

        per_step = s.batch_size * s.gradient_accumulation
        steps_per_epoch = max(1, math.ceil(len(rows) / per_step))
        total = s.max_steps or steps_per_epoch * s.epochs
        optimizer = torch.optim.AdamW(
            [p for p in model.parameters() if p.requires_grad], lr=s.learning_rate
        )
        step = self._resume(model, optimizer, output)
        resumed_from = step
        if loaded.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        pad = loaded.tokenizer.pad_token_id
        tokens, losses = 0, []
        while step < total:
            order = list(range(len(rows)))
            random.Random(f"{s.seed}:{step // steps_per_epoch}").shuffle(order)
            offset = (step % steps_per_epoch) * per_step
            model.train()
            optimizer.zero_grad()
            for micro in range(s.gradient_accumulation):
                picked = [
                    rows[order[(offset + micro * s.batch_size + i) % len(rows)]]
                    for i in range(s.batch_size)
                ]
                batch = _batch(picked, pad, loaded.device)
                loss = model(**batch).loss / s.gradient_accumulation
                loss.backward()
                losses.append(loss.item() * s.gradient_accumulation)
                tokens += int(batch["attention_mask"].sum())
            optimizer.step()
            step += 1
            self.progress("train", step, total)
            if step % s.checkpoint_every == 0 or step == total:
                self._checkpoint(model, optimizer, step, output)
        adapter = output / ADAPTER_DIR
        model.save_pretrained(str(adapter))
        after = mean_loss(loaded, held, s.batch_size) if held else math.nan
        seconds = time.perf_counter() - began
        result = TrainResult(
            adapter=str(adapter),
            steps=step,
            resumed_from=resumed_from,
            validation_loss_before=before,
            validation_loss_after=after,
            train_loss=sum(losses[-20:]) / max(len(losses[-20:]), 1),
            tokens=tokens,
            seconds=seconds,
            tokens_per_second=tokens / seconds if seconds else 0.0,
            peak_memory_mb=peak_memory_mb(loaded.device),
            device=str(loaded.device),
        )
        (output / "train.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
        return result

    def _checkpoint(
        self, model: PeftModel, optimizer: torch.optim.Optimizer, step: int, output: Path
    ) -> None:
        folder = output / CHECKPOINT_DIR
        partial = output / f".{CHECKPOINT_DIR}.partial"
        model.save_pretrained(str(partial))
        torch.save({"optimizer": optimizer.state_dict(), "step": step}, partial / "trainer.pt")
        if folder.exists():
            old = output / f".{CHECKPOINT_DIR}.old"
            folder.rename(old)
            partial.rename(folder)
            shutil.rmtree(old)
        else:
            partial.rename(folder)

    def _resume(
        self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, output: Path
    ) -> int:
        folder = output / CHECKPOINT_DIR
        if not (folder / "trainer.pt").exists():
            return 0
        set_peft_model_state_dict(model, load_file(folder / "adapter_model.safetensors"))
        state = torch.load(folder / "trainer.pt", weights_only=True)
        optimizer.load_state_dict(state["optimizer"])
        return int(state["step"])


def peak_memory_mb(device: torch.device) -> float:
    """Peak GPU memory allocated on CUDA, else the process's peak resident set (Linux KiB)."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
