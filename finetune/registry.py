"""The adapter registry: every run kept with its config, metrics and data fingerprint; one
promoted as current.

    REGISTRY/runs/RUN/adapter/        the LoRA weights (PEFT format)
    REGISTRY/runs/RUN/run.json        base model, settings, metrics, examples fingerprint
    REGISTRY/current.json             {"run": RUN}

Whether a run is promoted is the gate's decision (`gate.py`); the registry only keeps runs
and the pointer to the current one.
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
    """A finished run: where its adapter is, what it was trained from, how it scored.

    Attributes:
        metrics: `base`, `adapter` (and `current`, the adapter it was compared with) as
            `Metrics.to_dict()`, the settings and the graph snapshot.
    """

    name: str
    directory: Path
    base_model: str
    fingerprint: str
    metrics: dict

    @property
    def adapter(self) -> Path:
        return self.directory / "adapter"


class AdapterRegistry:
    """Runs of one store's monthly fine-tune (`finetune.registry`, inside the store)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def new_run(self) -> Path:
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        folder = self.directory / "runs" / name
        folder.mkdir(parents=True)
        return folder

    def record(self, run: Path, base_model: str, fingerprint: str, metrics: dict) -> RunRecord:
        payload = {"base_model": base_model, "fingerprint": fingerprint, "metrics": metrics}
        (run / RUN_FILE).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        return self.load(run.name)

    def load(self, name: str) -> RunRecord:
        folder = self.directory / "runs" / name
        try:
            data = json.loads((folder / RUN_FILE).read_text())
            return RunRecord(name, folder, data["base_model"], data["fingerprint"], data["metrics"])
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as e:
            raise ModelError(
                f"adapter run {folder} is unreadable ({e}); delete {self.directory / CURRENT_FILE} "
                "to answer without an adapter"
            ) from e

    def current(self) -> RunRecord | None:
        pointer = self.directory / CURRENT_FILE
        if not pointer.exists():
            return None
        try:
            name = json.loads(pointer.read_text())["run"]
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as e:
            raise ModelError(f"{pointer} is unreadable ({e}); delete it to start afresh") from e
        return self.load(name)

    def promote(self, run: RunRecord) -> None:
        pointer = self.directory / CURRENT_FILE
        partial = pointer.with_suffix(".partial")
        partial.write_text(json.dumps({"run": run.name}) + "\n")
        partial.replace(pointer)
