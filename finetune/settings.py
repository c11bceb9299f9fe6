"""Settings of the monthly fine-tune: which model, how LoRA trains, and the promotion gate."""

from pathlib import Path

from pydantic import BaseModel, Field


class FinetuneSettings(BaseModel):
    """How examples are built, how the adapter trains, and when it is promoted.

    Attributes:
        base_model: Hugging Face causal LM, by hub name or local path. The default suits a
            machine with a hub connection; tests build a tiny model locally.
        registry: folder of runs and the promoted adapter; relative paths are inside the store.
        distractors: chunks the retriever returns for a question, beside its gold evidence.
        max_examples: cap on examples built per run (the fine-tune must fit in a night).
        validation_fraction, test_fraction: share of answer entities held out per split.
        rank, alpha, dropout, target_modules: LoRA shape; `all-linear` adapts every linear
            layer but the output head.
        learning_rate, epochs, max_steps: training length; `max_steps` wins when set.
        max_length: tokens per example, prompt and answer together (longer are cut from the
            left of the prompt's evidence).
        batch_size, gradient_accumulation: 4 examples × 4 steps = 16 examples per update.
        checkpoint_every: optimizer steps between checkpoints a run resumes from.
        promote_margin: how much the score (mean of token F1 and citation accuracy) must beat
            the current adapter's to replace it.
        max_new_tokens: answer budget during evaluation.
    """

    base_model: str = "Qwen/Qwen2.5-0.5B-Instruct"
    registry: Path = Path("adapters")
    distractors: int = Field(default=3, ge=0)
    max_examples: int = Field(default=2000, ge=1)
    validation_fraction: float = Field(default=0.1, gt=0, lt=0.5)
    test_fraction: float = Field(default=0.1, gt=0, lt=0.5)
    rank: int = Field(default=16, ge=1)
    alpha: int = Field(default=32, ge=1)
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] | str = "all-linear"
    learning_rate: float = Field(default=2e-4, gt=0)
    epochs: int = Field(default=2, ge=1)
    max_steps: int | None = Field(default=None, ge=1)
    max_length: int = Field(default=768, ge=32)
    batch_size: int = Field(default=4, ge=1)
    gradient_accumulation: int = Field(default=4, ge=1)
    checkpoint_every: int = Field(default=50, ge=1)
    seed: int = 0
    promote_margin: float = Field(default=0.0, ge=0)
    max_new_tokens: int = Field(default=64, ge=1)
