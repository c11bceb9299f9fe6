"""The adapter registry: every run kept with its config, metrics and data fingerprint; one
promoted as current, and only when it beats the current one (or the base model) by a margin.

    REGISTRY/runs/RUN/adapter/        the LoRA weights (PEFT format)
    REGISTRY/runs/RUN/run.json        base model, settings, metrics, examples fingerprint
    REGISTRY/current.json             {"run": RUN}
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from groundgraph.retrieval.base import ModelError

RUN_FILE = "run.json"
CURRENT_FILE = "current.json"


@dataclass(frozen=True)
class RunRecord:
    """A finished run: where its adapter is, what it was trained from, how it scored."""

    name: str
    directory: Path
    base_model: str
    fingerprint: str
    base_score: float
    adapter_score: float
    metrics: dict

    @property
    def adapter(self) -> Path:
        return self.directory / "adapter"


@dataclass(frozen=True)
class GateDecision:
    promoted: bool
    reason: str
    current_score: float | None


class AdapterRegistry:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def new_run(self) -> Path:
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        folder = self.directory / "runs" / name
        folder.mkdir(parents=True)
        return folder

    def record(
        self,
        run: Path,
        base_model: str,
        fingerprint: str,
        base_score: float,
        adapter_score: float,
        metrics: dict,
    ) -> RunRecord:
        payload = {
            "base_model": base_model,
            "fingerprint": fingerprint,
            "base_score": base_score,
            "adapter_score": adapter_score,
            "metrics": metrics,
        }
        (run / RUN_FILE).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        return self.load(run.name)

    def load(self, name: str) -> RunRecord:
        folder = self.directory / "runs" / name
        try:
            data = json.loads((folder / RUN_FILE).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ModelError(f"adapter run {folder} is unreadable: {e}") from e
        return RunRecord(
            name,
            folder,
            data["base_model"],
            data["fingerprint"],
            data["base_score"],
            data["adapter_score"],
            data["metrics"],
        )

    def current(self) -> RunRecord | None:
        pointer = self.directory / CURRENT_FILE
        if not pointer.exists():
            return None
        return self.load(json.loads(pointer.read_text())["run"])

    def gate(self, run: RunRecord, margin: float) -> GateDecision:
        """Compare with the current adapter; with none, with the base model on the same
        examples."""
        current = self.current()
        bar = current.adapter_score if current else run.base_score
        against = f"current adapter {current.name}" if current else "the base model"
        if run.adapter_score > bar + margin:
            return GateDecision(
                True,
                f"score {run.adapter_score:.4f} beats {against} ({bar:.4f}) by more than {margin}",
                bar,
            )
        return GateDecision(
            False,
            f"score {run.adapter_score:.4f} does not beat {against} "
            f"({bar:.4f}) by more than {margin}",
            bar,
        )

    def promote(self, run: RunRecord) -> None:
        pointer = self.directory / CURRENT_FILE
        partial = pointer.with_suffix(".partial")
        partial.write_text(json.dumps({"run": run.name}) + "\n")
        partial.replace(pointer)
