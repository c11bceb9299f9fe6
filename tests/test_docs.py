"""The README stays short, and the documentation site names only what exists."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hooks():
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", REPO / "scripts/mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_is_at_most_200_lines_and_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert "scripts/demo.sh" in readme and "scripts/test.sh" in readme
    assert "scripts/test.sh" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_every_docs_page_and_the_readme_name_only_what_exists(hooks) -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    problems = {p.name: hooks.unknown_references(p.read_text(encoding="utf-8")) for p in pages}
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Set `GROUNDGRAPH_RETRIEVAL_TOPK=8`.", "read from GROUNDGRAPH_RETRIEVAL_TOPK"),
        ("Set `retrieval.topk` in the file.", "no setting retrieval.topk"),
        ("See `groundgraph.retrieval.embedder`.", "attribute groundgraph.retrieval.embedder"),
        ("See `groundgraph.facade.GroundGraph.gone`.", "groundgraph.facade.GroundGraph.gone"),
        ("Run `groundgraph reindex --store DIR`.", "no command `groundgraph reindex`"),
        ("```bash\ngroundgraph reindex --store DIR\n```\n", "no command `groundgraph reindex`"),
    ],
)
def test_a_page_naming_a_missing_setting_module_or_command_is_refused(
    hooks, text: str, problem: str
) -> None:
    [found] = hooks.unknown_references(text)
    assert found.endswith(problem)


def test_real_names_pass(hooks) -> None:
    text = (
        "`GROUNDGRAPH_RETRIEVAL_TOP_K`, `retrieval.top_k`, `GROUNDGRAPH_PIPELINE_CANARY_FILE`, "
        "`groundgraph.write_stages.scan`, `groundgraph ask`, `GROUNDGRAPH_NEO4J_*`"
    )
    assert hooks.unknown_references(text) == []


def test_the_configuration_reference_lists_every_setting(hooks) -> None:
    from groundgraph.settings import Settings

    page = hooks.configuration_page()
    for field in Settings.model_fields["retrieval"].annotation.model_fields:
        assert f"`retrieval.{field}`" in page and f"GROUNDGRAPH_RETRIEVAL_{field.upper()}" in page


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "configuration" / "index.html").exists()


def test_the_neo4j_script_exports_only_groundgraph_settings(hooks) -> None:
    """A variable with groundgraph's prefix that is not a setting breaks every later command
    in the shell ("unknown setting"), so the script reads and prints no other."""
    script = (REPO / "scripts" / "neo4j.sh").read_text(encoding="utf-8")
    named = set(re.findall(r"GROUNDGRAPH_[A-Z0-9_]*[A-Z0-9]", script))
    assert named and named <= hooks.setting_variables()
