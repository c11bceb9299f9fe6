"""The distribution maps the top-level folders onto `groundgraph.*`, editable and as a wheel."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SUBPACKAGES = {
    "groundgraph": "groundgraph",
    "groundgraph.ingest": "ingest",
    "groundgraph.graph": "graph",
    "groundgraph.retrieval": "retrieval",
    "groundgraph.finetune": "finetune",
    "groundgraph.pipelines": "pipelines",
    "groundgraph.serve": "serve",
    **{
        f"groundgraph.retrieval.{part}": f"retrieval/{part}"
        for part in ("embedding", "indexes", "retrievers", "questions", "answering", "chat_models")
    },
}

_IMPORT_ALL = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1]) if len(sys.argv) > 1 else None
print(json.dumps({name: importlib.import_module(name).__file__ for name in sys.argv[2:]}))
"""


def _import_locations(extra_path: str = "") -> dict[str, str]:
    import json

    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, extra_path, *SUBPACKAGES],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    return json.loads(result.stdout)


def test_editable_install_imports_every_subpackage_from_its_top_level_folder() -> None:
    locations = _import_locations()
    for name, folder in SUBPACKAGES.items():
        assert Path(locations[name]).resolve().parent == REPO / folder, name


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), "."],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("groundgraph-*.whl")
    return built


def test_wheel_contains_every_subpackage_and_no_tests(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for name in SUBPACKAGES:
        assert f"{name.replace('.', '/')}/__init__.py" in names
    assert not any(n.startswith(("tests/", "bench/", "demo/")) for n in names)


def test_installed_wheel_imports_every_subpackage(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    locations = _import_locations(str(target))
    for name in SUBPACKAGES:
        assert Path(locations[name]).is_relative_to(target), name
