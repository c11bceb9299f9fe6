"""The same corpus ingested and asked on a CPU that computes bfloat16 natively and on one
that does not (emulated here by holding oneDNN and ATen to AVX2) gives the same answers and
citations, for the default store (float32) and for one made in bfloat16: the store's
precision does not follow the CPU, and no answer hinges on a score difference below
bfloat16's error."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.retrieval.test_trusted_answers import DOCUMENTS, _write_roster

QUESTIONS = (
    "When does the Leven warehouse close?",
    "What is the price of the office chair?",
    "Who leads the team that owns the Invoice Hub?",
    "Who should a new starter ask for on their first day?",
    "What budget did Andrew Cole approve for the Leven warehouse?",
    "Which costs more, the desk lamp or the standing desk?",
)
WITHOUT_BFLOAT16 = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}


def _answers(store: Path, corpus: Path, extra_env: dict[str, str], precision: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDGRAPH_")}
    env.update(extra_env)
    env["GROUNDGRAPH_RETRIEVAL_EMBEDDING_PRECISION"] = precision
    done = subprocess.run(
        [sys.executable, "-m", "tests.answers_on_cpu", str(store), str(corpus), *QUESTIONS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("precision", ["auto", "bfloat16"])
def test_answers_are_the_same_with_and_without_native_bfloat16(
    tmp_path: Path, precision: str
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCUMENTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    _write_roster(corpus / "rota.xlsx")
    native = _answers(tmp_path / "native", corpus, {}, precision)
    emulated = _answers(tmp_path / "emulated", corpus, WITHOUT_BFLOAT16, precision)
    stored = "float32" if precision == "auto" else precision
    assert native["variants"] == emulated["variants"] == [f"torch {stored}"]
    assert native["answers"] == emulated["answers"]
    shorts = [a[0] for a in native["answers"]]
    assert shorts == ["12 May 2025", "240", "Emil Sand", "Tessa Grey", None, "standing desk"]


def test_the_emulated_path_really_leaves_avx512() -> None:
    # The environment above is what makes the second run a CPU without native bfloat16.
    probe = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    env = {**os.environ, **WITHOUT_BFLOAT16}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "AVX2"
