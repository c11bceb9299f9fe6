"""Load test of `groundgraph serve`: concurrent clients asking while new documents are ingested.

    .venv/bin/python bench/serve_load.py --store /tmp/bench-2wiki \\
        --questions ../shared/bench-data/2wikimultihopqa_questions_dev.jsonl

The store is copied first (the ingest changes it). For each batching mode (`on`: questions
arriving within `serve.batch_window_ms` share the embedder's forward passes; `off`: one pass
per call) a fresh server is started on a fresh copy, `--clients` threads ask questions for
`--seconds` while another uploads `--documents` a few files at a time, and afterwards every
cited chunk is looked up: an answer citing a chunk that does not exist is a failure, as is
any 5xx. Prints requests/s and p50/p95 latency, and records them in bench/RESULTS.md.

`--generator local` answers with the local model (OpenVINO GenAI by default, which schedules
concurrent questions into one continuous batch); `--sequential` adds a run with one client,
the same server answering one question at a time, for comparison in the same table:

    .venv/bin/python bench/serve_load.py --store /tmp/bench-2wiki --questions ... \
        --generator local --clients 8 --sequential --modes on --documents /tmp/empty
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from results import record

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo" / "corpus"
GROUNDGRAPH = Path(sys.executable).with_name("groundgraph")


@dataclass
class Load:
    """What one run measured."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    ingested: int = 0
    ingest_seconds: float = 0.0
    seconds: float = 0.0


def start_server(
    store: Path, port: int, batching: bool, generator: str, settings: list[str]
) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDGRAPH_")}
    env.update(s.split("=", 1) for s in settings)
    env["GROUNDGRAPH_SERVE_BATCH_WINDOW_MS"] = "5" if batching else "0"
    env["GROUNDGRAPH_GENERATOR"] = generator
    env["GROUNDGRAPH_SERVE_WRITE_WAIT"] = "600"
    command = [str(GROUNDGRAPH), "serve", "--store", str(store), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read().decode()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).is_success:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start in 180 s")


def ask_loop(
    url: str, questions: list[str], until: float, load: Load, lock: threading.Lock
) -> None:
    rng = random.Random(threading.get_ident())
    with httpx.Client(timeout=120) as client:
        while time.monotonic() < until:
            question = rng.choice(questions)
            began = time.perf_counter()
            response = client.post(f"{url}/ask", json={"question": question})
            elapsed = time.perf_counter() - began
            with lock:
                load.latencies.append(elapsed)
                load.statuses.append(response.status_code)
                if response.status_code == 200:
                    load.answers.append(response.json())


def ingest_loop(url: str, documents: list[Path], per_request: int, load: Load) -> None:
    began = time.perf_counter()
    with httpx.Client(timeout=600) as client:
        for start in range(0, len(documents), per_request):
            group = documents[start : start + per_request]
            files = [("files", (p.name, p.read_bytes(), "text/markdown")) for p in group]
            response = client.post(f"{url}/ingest", files=files)
            response.raise_for_status()
            load.ingested += response.json()["added"]
    load.ingest_seconds = time.perf_counter() - began


def dangling_citations(url: str, answers: list[dict]) -> int:
    """Answers citing a chunk that no stored document has."""
    chunks: dict[str, set[str]] = {}
    with httpx.Client(timeout=60) as client:
        for doc in {c["document_id"] for a in answers for c in a["citations"]}:
            page = client.get(f"{url}/documents/{doc}")
            chunks[doc] = {c["id"] for c in page.json()["chunks"]} if page.is_success else set()
    return sum(
        any(c["chunk_id"] not in chunks[c["document_id"]] for c in a["citations"]) for a in answers
    )


def run(
    store: Path,
    questions: list[str],
    documents: list[Path],
    args: argparse.Namespace,
    batching: bool,
    clients: int,
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(store, copy)
        port = 8600 + (1 if batching else 2)
        server = start_server(copy, port, batching, args.generator, args.env)
        url = f"http://127.0.0.1:{port}"
        try:
            for question in questions[:3]:
                httpx.post(f"{url}/ask", json={"question": question}, timeout=120)
            load, lock = Load(), threading.Lock()
            began = time.monotonic()
            until = began + args.seconds
            threads = [
                threading.Thread(target=ask_loop, args=(url, questions, until, load, lock))
                for _ in range(clients)
            ]
            writer = threading.Thread(
                target=ingest_loop, args=(url, documents, args.per_request, load)
            )
            for thread in [*threads, writer]:
                thread.start()
            for thread in threads:
                thread.join()
            load.seconds = time.monotonic() - began
            writer.join()
            dangling = dangling_citations(url, load.answers)
            stats = httpx.get(f"{url}/stats").json()
        finally:
            server.terminate()
            server.wait(30)
    latencies = sorted(load.latencies)
    return {
        "batching": "on" if batching else "off",
        "clients": clients,
        "own_answers": sum(a["generator"] == args.generator for a in load.answers),
        "requests": len(latencies),
        "requests_per_second": len(latencies) / load.seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "server_errors": sum(s >= 500 for s in load.statuses),
        "client_errors": sum(400 <= s < 500 for s in load.statuses),
        "dangling_citations": dangling,
        "ingested": load.ingested,
        "ingest_seconds": load.ingest_seconds,
        "embedding": stats.get("embedding"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="store to copy and serve")
    parser.add_argument("--questions", type=Path, required=True, help="JSONL with 'question'")
    parser.add_argument("--documents", type=Path, default=DEMO, help="folder to ingest")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--per-request", type=int, default=4, help="files per upload")
    parser.add_argument("--modes", default="on,off", help="batching modes to run")
    parser.add_argument("--generator", default="extractive", help="extractive, local or openai")
    parser.add_argument("--sequential", action="store_true", help="also run with one client")
    parser.add_argument(
        "--env", action="append", default=[], help="GROUNDGRAPH_X=value for the server"
    )
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    documents = sorted(args.documents.rglob("*.md"))
    counts = [args.clients, 1] if args.sequential else [args.clients]
    results = [
        run(args.store, questions, documents, args, mode == "on", clients)
        for mode in args.modes.split(",")
        for clients in counts
    ]
    header = (
        "| batching | clients | requests | requests/s | p50 ms | p95 ms | 5xx | 4xx | "
        f"{args.generator}'s own answers | dangling citations "
        "| documents ingested meanwhile | ingest s | embed passes / calls |"
    )
    rows = [header, "|" + " ---: |" * 13]
    for r in results:
        embedding = r["embedding"]
        shared = f"{embedding['passes']} / {embedding['requests']}" if embedding else "n/a"
        rows.append(
            f"| {r['batching']} | {r['clients']} | {r['requests']} | "
            f"{r['requests_per_second']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['server_errors']} | {r['client_errors']} | {r['own_answers']} | "
            f"{r['dangling_citations']} | {r['ingested']} | "
            f"{r['ingest_seconds']:.1f} | {shared} |"
        )
    table = "\n".join(rows)
    print(table)
    print(json.dumps(results, indent=2))
    if not args.no_record:
        record(
            "Serving under load",
            f"`bench/serve_load.py`: {', then '.join(map(str, counts))} client(s) asking "
            f"({args.generator} answers{', ' + ' '.join(args.env) if args.env else ''}) for "
            f"{args.seconds:.0f} s against `groundgraph serve` on a copy of {args.store.name} "
            f"({len(questions)} questions), while {len(documents)} new documents are uploaded "
            f"{args.per_request} per request; one server process, in-process writer.",
            table,
        )


if __name__ == "__main__":
    main()
