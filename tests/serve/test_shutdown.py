"""A server told to stop during a long ingest exits within seconds and leaves a whole store."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from groundgraph import Settings
from groundgraph.facade import GroundGraph
from tests.conftest import DEMO_CORPUS
from tests.uvicorn_server import free_port

PEOPLE = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John"]


def _write_corpus(folder: Path, documents: int) -> None:
    folder.mkdir(parents=True)
    for i in range(documents):
        who, other = PEOPLE[i % len(PEOPLE)], PEOPLE[(i + 3) % len(PEOPLE)]
        text = " ".join(
            f"{who} Example{i} met {other} Sample{j} in Paris in {1900 + j}. "
            f"They wrote report {i}-{j} for the Curie Institute."
            for j in range(40)
        )
        (folder / f"memo_{i:04d}.txt").write_text(f"Memo {i}\n\n{text}\n")


def test_sigterm_during_an_ingest_exits_within_seconds_and_the_store_checks(
    tmp_path: Path,
) -> None:
    store, sources = tmp_path / "store", tmp_path / "sources"
    _write_corpus(sources, 400)
    seed = tmp_path / "seed"
    seed.mkdir()
    shutil.copy(DEMO_CORPUS / "science" / "polonium.md", seed)
    with GroundGraph.open(Settings.load(store=store)) as gg:
        assert gg.ingest([seed]).ok
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GROUNDGRAPH_")},
        "GROUNDGRAPH_SERVE_SOURCE_ROOTS": json.dumps([str(sources)]),
    }
    command = Path(sys.executable).with_name("groundgraph")
    server = subprocess.Popen(
        [str(command), "serve", "--store", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        ingest = threading.Thread(
            target=lambda: _post_ignoring_disconnect(f"{url}/ingest", {"paths": [str(sources)]}),
            daemon=True,
        )
        ingest.start()
        time.sleep(4)  # the ingest is under way: 400 documents take far longer
        began = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert time.monotonic() - began < 10
    finally:
        if server.poll() is None:
            server.kill()
    with GroundGraph.open(Settings.load(store=store)) as gg:
        found = gg.check()
        # The graph is whole (a batch is one transaction); the vectors of the batches written
        # before the stop may lag, which a repair (or the next refresh) makes up.
        assert found.database == [] and found.references == [], found
        assert gg.stats().graph.documents < 401  # it stopped before the end
        gg.check(repair=True)
        assert gg.check().ok


def _post_ignoring_disconnect(url: str, body: dict) -> None:
    with contextlib.suppress(httpx.TransportError):  # the server goes away mid-request
        httpx.post(url, json=body, timeout=120)
