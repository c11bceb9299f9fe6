"""The layering holds: parts are built in one place, layers import downwards only, and a verb
that needs no model imports none."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LIBRARY = ("graph", "ingest", "retrieval", "finetune")
# Constructors of the parts `groundgraph.assembly` builds; nothing else in the product may call
# them (tests construct parts on purpose, to test them).
PARTS = {
    "open_graph_store",
    "SqliteGraphStore",
    "Neo4jGraphStore",
    "embedder_for",
    "SentenceTransformerEmbedder",
    "RuntimeEmbedder",
    "VectorIndexes",
    "Ingestor",
    "AdapterRegistry",
    "HybridRetriever",
    "CommunityRetriever",
    "ExtractiveGenerator",
    "GroundedLLMGenerator",
    "LocalChat",
    "OpenAIChat",
    "SpacyExtractor",
}
ASSEMBLY = REPO / "groundgraph" / "assembly.py"
# Where a part's own module builds another of its kind (the store factory opens a store, the
# embedder factory makes the embedder its settings name).
ALLOWED = {
    ("graph/stores.py", "SqliteGraphStore"),
    ("graph/stores.py", "Neo4jGraphStore"),
    ("retrieval/embedding/choice.py", "SentenceTransformerEmbedder"),
    ("retrieval/embedding/choice.py", "RuntimeEmbedder"),
}


def _product_files() -> list[Path]:
    folders = ["groundgraph", "pipelines", "serve", *LIBRARY]
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py"))


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_parts_are_constructed_only_by_the_assembly() -> None:
    offenders = [
        f"{path.relative_to(REPO)} builds {name}"
        for path in _product_files()
        if path != ASSEMBLY
        for name in _calls(path) & PARTS
        if (str(path.relative_to(REPO)), name) not in ALLOWED
    ]
    assert offenders == []


def test_neither_the_library_nor_the_pipelines_import_the_facade() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for folder in (*LIBRARY, "pipelines")
        for path in (REPO / folder).rglob("*.py")
        if "groundgraph.facade" in _imports(path) or any(m == "groundgraph" for m in _imports(path))
    ]
    assert offenders == []


def test_nothing_below_the_server_imports_it() -> None:
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for folder in (*LIBRARY, "pipelines")
        for path in (REPO / folder).rglob("*.py")
        for module in _imports(path)
        if module.startswith(("groundgraph.serve", "fastapi", "uvicorn", "mcp"))
    ]
    assert offenders == []


def test_the_bottom_layer_imports_no_other_layer() -> None:
    upper = ("groundgraph.ingest", "groundgraph.retrieval", "groundgraph.finetune")
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in (REPO / "graph").rglob("*.py")
        for module in _imports(path)
        if module.startswith((*upper, "groundgraph.pipelines", "groundgraph.facade"))
        or module in ("groundgraph.errors", "groundgraph.settings", "groundgraph.assembly")
    ]
    assert offenders == []


_LOADED = """
import json, sys
import {module}
heavy = ("spacy", "torch", "transformers", "peft", "sentence_transformers", "dagster")
print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
"""


@pytest.mark.parametrize(
    "module", ["groundgraph.cli", "groundgraph.facade", "groundgraph.assembly"]
)
def test_importing_the_entry_points_loads_no_heavy_library(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _LOADED.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == []
