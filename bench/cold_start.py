"""Cold start and Dagster run cost: wall seconds of each CLI verb in a fresh process, and of
the daily refresh job on the demo corpus (first run, a day with no change, a day with two
changed files and one deleted).

    .venv/bin/python bench/cold_start.py                       # this checkout's install
    .venv/bin/python bench/cold_start.py --venv /tmp/before/.venv --label before --no-record

Every figure is the median of `--repeat` runs (the Dagster runs are one each, in order). The
job runs as `dagster job execute`, with a persistent instance, as the daemon runs it. The
server figures are one run: seconds until `/health` says ok, the first `/ask` after it, and
the median of the next nine (each a demo question it has not answered).
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from results import record

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo" / "corpus"
QUESTION = "Who discovered polonium?"
QUESTIONS = REPO / "demo" / "questions.jsonl"


def timed(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return seconds


def median(command: list[str], env: dict[str, str], repeat: int) -> float:
    return statistics.median(timed(command, env) for _ in range(repeat))


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GROUNDGRAPH_", "DAGSTER_"))}


def cli_verbs(bin_dir: Path, work: Path, repeat: int) -> dict[str, float]:
    groundgraph = str(bin_dir / "groundgraph")
    store = work / "store"
    env = clean_env()
    figures = {
        "ingest (38 documents, first)": timed(
            [groundgraph, "ingest", str(DEMO), "--store", str(store), "--json"], env
        )
    }
    verbs = {
        "--help": [groundgraph, "--help"],
        "stats --json": [groundgraph, "stats", "--store", str(store), "--json"],
        "refresh (no change)": [groundgraph, "refresh", "--store", str(store), "--json"],
        "ask (extractive)": [groundgraph, "ask", QUESTION, "--store", str(store), "--json"],
        "ask --generator local": [
            *(groundgraph, "ask", QUESTION, "--store", str(store), "--json"),
            *("--generator", "local"),
        ],
        "export": [groundgraph, "export", "--store", str(store), "-o", str(work / "kg.ttl")],
    }
    for name, command in verbs.items():
        figures[name] = median(command, env, repeat)
    figures.update(served_asks(groundgraph, store, env))
    return figures


def served_asks(groundgraph: str, store: Path, env: dict[str, str]) -> dict[str, float]:
    """`groundgraph serve`: seconds until `/health` says ok, the first `/ask` after that,
    and the median of the next nine (other demo questions, so no answer is one it read)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    command = [groundgraph, "serve", "--store", str(store), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not _healthy(url):
            if server.poll() is not None or time.perf_counter() - began > 300:
                raise SystemExit(f"the server did not become healthy: {server.stderr}")
            time.sleep(0.05)
        ready = time.perf_counter() - began
        asked = [json.loads(line)["question"] for line in QUESTIONS.open(encoding="utf-8")][:10]
        seconds = []
        for question in asked:
            start = time.perf_counter()
            httpx.post(f"{url}/ask", json={"question": question}, timeout=120).raise_for_status()
            seconds.append(time.perf_counter() - start)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "serve: until /health ok": ready,
        "serve: first /ask": seconds[0],
        "serve: next nine /ask, median": statistics.median(seconds[1:]),
    }


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def dagster_runs(bin_dir: Path, work: Path) -> dict[str, float]:
    corpus = work / "sources"
    shutil.copytree(DEMO, corpus)
    home = work / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **clean_env(),
        "DAGSTER_HOME": str(home),
        "GROUNDGRAPH_STORE": str(work / "dagster-store"),
        "GROUNDGRAPH_PIPELINE_SOURCES": json.dumps([str(corpus)]),
    }
    dagster = str(bin_dir / "dagster")

    def run(day: str) -> float:
        tags = json.dumps({"dagster/partition": day})
        command = [dagster, "job", "execute", "-m", "groundgraph.pipelines"]
        return timed([*command, "-j", "daily_refresh", "--tags", tags], env)

    figures = {"first run (38 documents)": run("2026-03-01"), "no change": run("2026-03-02")}
    for name in ("ulm.txt", "stockholm.txt"):
        path = corpus / "places" / name
        path.write_text(path.read_text() + "\nIt has a new museum of modern art.\n")
    (corpus / "places" / "vienna.md").unlink()
    figures["2 files changed, 1 deleted"] = run("2026-03-03")
    return figures


def markdown(label: str, verbs: dict[str, float], runs: dict[str, float]) -> str:
    lines = [f"{label}:", "", "| CLI verb (fresh process) | seconds |", "| --- | ---: |"]
    lines += [f"| `{name}` | {seconds:.2f} |" for name, seconds in verbs.items()]
    if "ask (extractive)" in verbs and "stats --json" in verbs:
        ratio = verbs["ask (extractive)"] / verbs["stats --json"]
        served = verbs["serve: first /ask"] / verbs["serve: next nine /ask, median"]
        lines += [
            "",
            f"Cold `ask` ÷ cold `stats`: {ratio:.1f}; first served `/ask` ÷ the next "
            f"nine's median: {served:.1f}.",
        ]
    if runs:
        lines += ["", "| Dagster `daily_refresh` on the demo corpus | seconds |", "| --- | ---: |"]
        lines += [f"| {name} | {seconds:.1f} |" for name, seconds in runs.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=REPO / ".venv", help="install to measure")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--no-dagster", action="store_true", help="CLI verbs only")
    args = parser.parse_args()
    bin_dir = args.venv / "bin"
    with tempfile.TemporaryDirectory(prefix="groundgraph-cold-") as tmp:
        verbs = cli_verbs(bin_dir, Path(tmp), args.repeat)
        runs = {} if args.no_dagster else dagster_runs(bin_dir, Path(tmp))
    if args.json:
        print(json.dumps({"label": args.label, "cli": verbs, "dagster": runs}))
        return
    table = markdown(args.label, verbs, runs)
    print(table)
    if not args.no_record:
        record(
            "Cold start and Dagster run seconds",
            f"Command: `python bench/cold_start.py --repeat {args.repeat}"
            f"{' --no-dagster' if args.no_dagster else ''}`; medians of "
            f"{args.repeat} runs per verb.",
            table,
        )


if __name__ == "__main__":
    main()
