"""Importing spaCy without torch when the pipeline has no PyTorch layer.

spaCy's machine-learning library, thinc, imports torch on its own import only to offer
PyTorch-backed layers: 2.0 of the 2.4 s that `import spacy` took here, and half of a cold
`groundgraph ask`. The CNN pipelines (the shipped `en_core_web_sm`) have no such layer, so for
them spaCy is imported while `import torch` fails, which thinc takes for "no torch"; torch
imports normally afterwards, for whatever else needs it (sentence-transformers, the local
model on transformers).

This is done only when it cannot disturb anyone: torch and thinc not imported yet, the
pipeline's config naming no PyTorch or transformer layer, and no other Python thread running
(one could import torch in that moment). Otherwise spaCy is imported as it is, and so it is
when the import without torch fails (a later spaCy or thinc that needs it).
"""

import importlib.util
import sys
import threading
from pathlib import Path

_TORCH_LAYERS = ("pytorch", "transformer")


def import_spacy(pipeline: str) -> None:
    """Import spaCy for `pipeline` (a package name or a path), without torch if it can."""
    if _torch_can_wait(pipeline):
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` fails
        try:
            import spacy
        except ImportError:
            pass  # a spaCy or thinc that needs torch after all: imported with it below
        finally:
            if "torch" in sys.modules and sys.modules["torch"] is None:
                del sys.modules["torch"]
    import spacy  # noqa: F401


def _torch_can_wait(pipeline: str) -> bool:
    """Nothing has imported torch or thinc, no other thread could import torch meanwhile,
    and the pipeline has no layer that needs it."""
    if "thinc" in sys.modules or "torch" in sys.modules or threading.active_count() > 1:
        return False
    return not needs_torch(pipeline)


def needs_torch(pipeline: str) -> bool:
    """Whether the pipeline's config names a PyTorch or transformer layer (True when its
    config cannot be found: then it may)."""
    config = _config(pipeline)
    if config is None:
        return True
    text = config.read_text(encoding="utf-8", errors="replace").lower()
    return any(word in text for word in _TORCH_LAYERS)


def _config(pipeline: str) -> Path | None:
    folder = Path(pipeline)
    if not folder.is_dir():
        try:
            spec = importlib.util.find_spec(pipeline)
        except (ImportError, ValueError):
            return None
        if spec is None or spec.origin is None:
            return None
        folder = Path(spec.origin).parent
    return next(iter(sorted(folder.glob("config.cfg")) + sorted(folder.glob("*/config.cfg"))), None)
