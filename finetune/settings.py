"""Settings of the monthly fine-tune: which model, how LoRA trains, and the promotion gate.

The defaults are for the shipped SmolLM2-135M-Instruct on a 2-core CPU (see the measured run
in bench/RESULTS.md): 2 examples × 2 accumulation steps = 4 examples per update, 512 tokens
per example, 40 updates = 160 examples seen, about 6 minutes at 125 training tokens/s. Give
a larger model and more steps on a GPU.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from groundgraph.retrieval.chat_models.model_sources import SHIPPED_CHAT_MODEL


class FinetuneSettings(BaseModel):
    """How examples are built, how the adapter trains, and when it is promoted.

    Attributes:
        base_model: causal LM by hub name, local folder or `.gguf` file; the default is the
            shipped SmolLM2-135M-Instruct (no hub needed).
        registry: folder of runs and the promoted adapter; relative paths are inside the store.
        distractors: chunks the retriever returns for a question, beside its gold evidence.
        max_examples: cap on examples built per run (the fine-tune must fit in a night).
        validation_fraction, test_fraction: share of answer entities held out per split.
        rank, alpha, dropout, target_modules: LoRA shape; `all-linear` adapts every linear
            layer but the output head.
        learning_rate, epochs, max_steps: training length; `max_steps` wins when set.
        max_length: tokens per example, prompt and answer together (longer are cut from the
            left of the prompt's evidence).
        batch_size, gradient_accumulation: examples per forward pass, and passes per update.
        checkpoint_every: optimizer steps between checkpoints a run resumes from.
        promote_margin: how much the score (mean of token F1 and citation accuracy) must beat
            the current adapter's (or the base model's) to replace it.
        min_test_examples: fewest test examples a promotion may be decided on.
        max_new_tokens: answer budget during evaluation.
    """

    model_config = ConfigDict(extra="forbid")

    base_model: str = SHIPPED_CHAT_MODEL
    registry: Path = Path("adapters")
    distractors: int = Field(default=2, ge=0)
    max_examples: int = Field(default=2000, ge=1)
    validation_fraction: float = Field(default=0.1, gt=0, lt=0.5)
    test_fraction: float = Field(default=0.1, gt=0, lt=0.5)
    rank: int = Field(default=8, ge=1)
    alpha: int = Field(default=16, ge=1)
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] | str = "all-linear"
    learning_rate: float = Field(default=5e-4, gt=0)
    epochs: int = Field(default=2, ge=1)
    max_steps: int | None = Field(default=40, ge=1)
    max_length: int = Field(default=512, ge=32)
    batch_size: int = Field(default=2, ge=1)
    gradient_accumulation: int = Field(default=2, ge=1)
    checkpoint_every: int = Field(default=20, ge=1)
    seed: int = 0
    promote_margin: float = Field(default=0.0, ge=0)
    min_test_examples: int = Field(default=20, ge=1)
    max_new_tokens: int = Field(default=32, ge=1)
