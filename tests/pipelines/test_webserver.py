"""The real Dagster UI: `groundgraph ui` serves the definitions, GraphQL lists them, and
headless Chromium renders the asset graph (screenshot under test-output/)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import headless_chromium

REPO = Path(__file__).resolve().parents[2]
OUTPUT = Path(os.environ.get("GROUNDGRAPH_TEST_OUTPUT", REPO / "test-output"))
LOCATION = {"repositoryName": "__repository__", "repositoryLocationName": "groundgraph.pipelines"}
_STARTUP_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{url}/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.load(response)
    assert "errors" not in payload, payload
    return payload["data"]


def _wait_until_loaded(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"groundgraph ui exited with {server.returncode}:\n{log.read_text()}")
        try:
            data = _graphql(url, "{ assetNodes { id } }")
            if data["assetNodes"]:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    pytest.fail(f"Dagster UI not up after {_STARTUP_SECONDS} s:\n{log.read_text()}")


def _bin(name: str) -> str:
    local = REPO / ".venv" / "bin" / name
    return str(local) if local.exists() else shutil.which(name) or name


def _refresh_once(tmp: Path) -> None:
    """A daily refresh of three demo documents, run as the daemon runs one, into the
    instance `groundgraph ui` will show."""
    sources = tmp / "sources"
    for name in ("marie_curie.md", "polonium.md", "pierre_curie.md"):
        shutil.copy(REPO / "demo" / "corpus" / "science" / name, sources / name)
    home = tmp / "store" / "dagster"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GROUNDGRAPH_")},
        "DAGSTER_HOME": str(home),
        "GROUNDGRAPH_STORE": str(tmp / "store"),
        "GROUNDGRAPH_PIPELINE_SOURCES": json.dumps([str(sources)]),
        "GROUNDGRAPH_PIPELINE_START_DATE": "2026-01-01",
    }
    tags = json.dumps({"dagster/partition": "2026-03-01"})
    command = [_bin("dagster"), "job", "execute", "-m", "groundgraph.pipelines"]
    done = subprocess.run(
        [*command, "-j", "daily_refresh", "--tags", tags],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui")
    (tmp / "sources").mkdir()
    _refresh_once(tmp)
    port = _free_port()
    log = tmp / "ui.log"
    command = [
        _bin("groundgraph"),
        "ui",
        "--store",
        str(tmp / "store"),
        "--source",
        str(tmp / "sources"),
        "--port",
        str(port),
    ]
    env = {**os.environ, "GROUNDGRAPH_PIPELINE_START_DATE": "2026-01-01"}
    with log.open("w") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_loaded(url, server, log)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_graphql_lists_assets_checks_schedule_and_sensor(dagster_ui: str) -> None:
    nodes = _graphql(
        dagster_ui,
        "{ assetNodes { assetKey { path } groupName"
        " assetChecksOrError { ... on AssetChecks { checks { name } } } } }",
    )["assetNodes"]
    assets = {n["assetKey"]["path"][0]: n for n in nodes}
    assert set(assets) == {
        "source_changes",
        "document_graphs",
        "knowledge_graph",
        "vector_index",
        "communities",
        "graph_statistics",
        "published_store",
        "training_examples",
        "lora_adapter",
        "adapter_evaluation",
    }
    assert {n["groupName"] for n in nodes} == {"refresh", "finetune"}
    checks = {c["name"] for n in nodes for c in n["assetChecksOrError"]["checks"]}
    assert checks == {
        "vectors_match_chunks",
        "graph_references_resolve",
        "entity_count_stable",
        "adapter_beats_current",
    }
    schedules = _graphql(
        dagster_ui,
        "query($s: RepositorySelector!) { schedulesOrError(repositorySelector: $s) {"
        " ... on Schedules { results { name cronSchedule executionTimezone } } } }",
        {"s": LOCATION},
    )["schedulesOrError"]["results"]
    assert sorted(schedules, key=lambda s: s["name"]) == [
        {"name": "daily_refresh_schedule", "cronSchedule": "0 2 * * *", "executionTimezone": "UTC"},
        {
            "name": "monthly_finetune_schedule",
            "cronSchedule": "0 3 1 * *",
            "executionTimezone": "UTC",
        },
    ]
    sensors = _graphql(
        dagster_ui,
        "query($s: RepositorySelector!) { sensorsOrError(repositorySelector: $s) {"
        " ... on Sensors { results { name sensorState { status } } } } }",
        {"s": LOCATION},
    )["sensorsOrError"]["results"]
    assert sensors == [{"name": "source_files_changed", "sensorState": {"status": "RUNNING"}}]


_TABLES = """
query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
  assetMaterializations(limit: 1) { partition metadataEntries { label __typename
    ... on TableMetadataEntry { table { records schema { columns { name } } } } } } } } }
"""


def _tables(url: str, asset: str) -> tuple[str, dict[str, list[dict]]]:
    found = _graphql(url, _TABLES, {"key": {"path": [asset]}})["assetOrError"]
    [materialization] = found["assetMaterializations"]
    tables = {
        e["label"]: [json.loads(r) for r in e["table"]["records"]]
        for e in materialization["metadataEntries"]
        if e["__typename"] == "TableMetadataEntry"
    }
    return materialization["partition"], tables


def test_the_refresh_metadata_are_native_tables_an_analyst_can_read(dagster_ui: str) -> None:
    partition, changes = _tables(dagster_ui, "source_changes")
    assert partition == "2026-03-01"
    changed = changes["changed_documents"]
    assert sorted(Path(r["document"]).name for r in changed) == [
        "marie_curie.md",
        "pierre_curie.md",
        "polonium.md",
    ]
    assert {r["change"] for r in changed} == {"added"}
    _, stats = _tables(dagster_ui, "graph_statistics")
    assert {"top_entity_types", "most_connected_entities", "top_predicates", "stage_seconds"} <= (
        stats.keys()
    )
    assert any(r["entity"] == "Marie Curie" for r in stats["most_connected_entities"])
    assert all({"predicate", "relations", "example"} <= r.keys() for r in stats["top_predicates"])
    _, communities = _tables(dagster_ui, "communities")
    assert all(r["summary"] for r in communities["largest"])


def test_the_graph_asset_shows_the_configured_backend_and_partitions_start_as_set(
    dagster_ui: str,
) -> None:
    nodes = _graphql(
        dagster_ui,
        "{ assetNodes { assetKey { path } kinds partitionKeysByDimension { partitionKeys } } }",
    )["assetNodes"]
    graph = next(n for n in nodes if n["assetKey"]["path"] == ["knowledge_graph"])
    assert graph["kinds"] == ["sqlite"]
    keys = graph["partitionKeysByDimension"][0]["partitionKeys"]
    assert keys[0] == "2026-01-01"


def _chromium() -> list[str]:
    return headless_chromium(
        "--hide-scrollbars", "--window-size=1600,1000", "--virtual-time-budget=20000"
    )


def test_chromium_renders_the_materialised_asset_page(dagster_ui: str) -> None:
    _graphql(dagster_ui, "mutation { setNuxSeen }")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    screenshot = OUTPUT / "dagster-source-changes.png"
    screenshot.unlink(missing_ok=True)
    page = f"{dagster_ui}/assets/source_changes?view=events"
    dom = subprocess.run(
        [*_chromium(), "--dump-dom", page], capture_output=True, text=True, timeout=120
    ).stdout
    assert "changed_documents" in dom and "polonium.md" in dom, dom[-2000:]
    subprocess.run(
        [*_chromium(), f"--screenshot={screenshot}", page], capture_output=True, timeout=120
    )
    assert screenshot.stat().st_size > 20_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chromium_renders_the_asset_graph(dagster_ui: str) -> None:
    # The first visit from localhost opens a newsletter dialog over the graph; the UI's own
    # mutation marks it seen.
    _graphql(dagster_ui, "mutation { setNuxSeen }")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    screenshot = OUTPUT / "dagster-asset-graph.png"
    screenshot.unlink(missing_ok=True)
    browser = _chromium()
    page = f"{dagster_ui}/locations/groundgraph.pipelines/asset-groups/refresh"
    dom = subprocess.run(
        [*browser, "--dump-dom", page], capture_output=True, text=True, timeout=120
    ).stdout
    for name in ("source_changes", "document_graphs", "knowledge_graph", "vector_index"):
        assert name in dom, f"{name} not rendered on {page}"
    subprocess.run([*browser, f"--screenshot={screenshot}", page], capture_output=True, timeout=120)
    assert screenshot.stat().st_size > 20_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
