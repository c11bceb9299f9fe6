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


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui")
    (tmp / "sources").mkdir()
    port = _free_port()
    log = tmp / "ui.log"
    command = [
        str(REPO / ".venv" / "bin" / "groundgraph"),
        "ui",
        "--store",
        str(tmp / "store"),
        "--source",
        str(tmp / "sources"),
        "--port",
        str(port),
    ]
    if not Path(command[0]).exists():
        command[0] = shutil.which("groundgraph") or "groundgraph"
    with log.open("w") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
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
        "canary_recall",
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


def test_chromium_renders_the_asset_graph(dagster_ui: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (scripts/chromium.sh could not install it)")
    # The first visit from localhost opens a newsletter dialog over the graph; the UI's own
    # mutation marks it seen.
    _graphql(dagster_ui, "mutation { setNuxSeen }")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    screenshot = OUTPUT / "dagster-asset-graph.png"
    screenshot.unlink(missing_ok=True)
    browser = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1600,1000",
        "--virtual-time-budget=20000",
    ]
    page = f"{dagster_ui}/locations/groundgraph.pipelines/asset-groups/refresh"
    dom = subprocess.run(
        [*browser, "--dump-dom", page], capture_output=True, text=True, timeout=120
    ).stdout
    for name in ("source_changes", "document_graphs", "knowledge_graph", "vector_index"):
        assert name in dom, f"{name} not rendered on {page}"
    subprocess.run([*browser, f"--screenshot={screenshot}", page], capture_output=True, timeout=120)
    assert screenshot.stat().st_size > 20_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
