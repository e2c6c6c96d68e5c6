"""Benchmark: Prefect's fixed cost in `cluster-etl refresh --sample`, in one run.

1. Its parts: importing Prefect (a fresh interpreter); Prefect's temporary server as the command
   line starts it (src/cluster_etl/prefect_env.py), from spawn to its first answer, on a cold
   PREFECT_HOME (database created and migrated) and a warm one, and its shutdown; an empty flow on
   it, with Prefect's default flow heartbeats and without (as the command line runs flows); and
   Prefect's own default for comparison: the first flow of a fresh interpreter, which starts the
   server when it first calls the API, then a second flow.
2. Whole `cluster-etl refresh --sample` commands, on a cold PREFECT_HOME (a new one each) and a
   warm one: wall time, the sum of the stages the command reports, the difference (target: at
   most 4 s on a warm PREFECT_HOME).
3. The bare baseline: the same stages without Prefect in a fresh interpreter (the sample portal
   written and served, the crawl on 4 threads as the flow's task runner, normalise, validate,
   publish): wall time, stages, difference (Python, imports and the sample portal).

Run with `.venv/bin/python bench/prefect_bench.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from cluster_etl.prefect_env import (PREFECT_DEFAULTS, TemporaryServer, quiet_prefect,
                                     start_temporary_server, use_temporary_server)

TARGET_OVERHEAD = 4.0  # seconds: refresh --sample wall time minus its stages, warm PREFECT_HOME
CLI = Path(sys.executable).with_name("cluster-etl")
STAGES_LINE = re.compile(r"^stages\s+(.*)$", re.M)
FIRST_FLOWS = """
import time
started = time.perf_counter()
from prefect import flow
imported = time.perf_counter()

@flow
def empty():
    pass

empty()
first = time.perf_counter()
empty()
print(imported - started, first - imported, time.perf_counter() - first)
"""


def python(code: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                          text=True).stdout


def wait_until_answering(api_url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def server_start_and_stop(home: Path) -> tuple[float, float]:
    started = time.perf_counter()
    server = TemporaryServer({**os.environ, "PREFECT_HOME": str(home)})
    wait_until_answering(server.api_url)
    ready = time.perf_counter()
    server.stop()
    return ready - started, time.perf_counter() - ready


def row(label: str, values: list[float], unit: str = "s") -> None:
    cells = " ".join(f"{v:6.2f}" for v in values)
    print(f"  {label:<52} {cells}   median {statistics.median(values):.2f} {unit}")


def parts(tmp: Path, runs: int) -> None:
    env = {**os.environ, **PREFECT_DEFAULTS}
    imports = [float(python("import time; t = time.perf_counter(); import prefect; "
                            "print(time.perf_counter() - t)", env)) for _ in range(runs)]
    print("\n1. Prefect's parts, seconds")
    row("import prefect (fresh interpreter)", imports)
    cold = [server_start_and_stop(tmp / f"cold-home-{i}") for i in range(runs)]
    warm = [server_start_and_stop(tmp / "cold-home-0") for _ in range(runs)]
    row("temporary server start, cold PREFECT_HOME", [start for start, _ in cold])
    row("temporary server start, warm PREFECT_HOME", [start for start, _ in warm])
    row("temporary server shutdown", [stop for _, stop in cold + warm])
    env["PREFECT_HOME"] = os.environ["PREFECT_HOME"] = str(tmp / "cold-home-0")  # warm by now
    default = [[float(x) for x in python(FIRST_FLOWS, env).split()] for _ in range(runs)]
    row("Prefect's default: import prefect", [d[0] for d in default])
    row("  first flow (starts the server), warm PREFECT_HOME", [d[1] for d in default])
    row("  second flow", [d[2] for d in default])
    # In this process (Prefect not imported yet): the server as the command line starts it.
    started = time.perf_counter()
    server = start_temporary_server()
    from prefect import flow
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    imported = time.perf_counter()
    use_temporary_server(server)

    @flow
    def empty() -> None:
        pass

    empty()  # waits for the server to answer
    row("command line's way: import prefect, server starting", [imported - started])
    row("  first flow (the server answers), warm PREFECT_HOME", [time.perf_counter() - imported])
    with_heartbeats = []
    for _ in range(runs):
        started = time.perf_counter()
        empty()
        with_heartbeats.append(time.perf_counter() - started)
    without = []
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        for _ in range(runs):
            started = time.perf_counter()
            empty()
            without.append(time.perf_counter() - started)
    row("empty flow, with Prefect's default heartbeats", with_heartbeats)
    row("empty flow, no heartbeats (as the command line)", without)


def refresh(home: Path, out: Path) -> tuple[float, float]:
    """(wall time, sum of the stages) of one `cluster-etl refresh --sample`."""
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)  # this process's server: the command starts its own
    started = time.perf_counter()
    done = subprocess.run([str(CLI), "refresh", "--sample", "--out", str(out)], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    stages = STAGES_LINE.search(done.stdout)
    if done.returncode or not stages:
        sys.exit(f"refresh failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return wall, sum(float(s) for s in re.findall(r" ([\d.]+)s", stages.group(1)))


def bare(out: Path) -> tuple[float, float]:
    """(wall time, sum of the stages) of the same stages without Prefect, in a fresh interpreter."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--bare", str(out)], capture_output=True,
                          text=True, check=True)
    wall = time.perf_counter() - started
    return wall, sum(json.loads(done.stdout).values())


def bare_refresh(out: Path) -> dict[str, float]:
    """What the refresh flow does, called directly: stage timings in seconds."""
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor

    from cluster_etl import crawl, normalise, publish, run, validate
    from cluster_etl.commands import SAMPLE_CONCURRENCY, SAMPLE_RATE
    from cluster_etl.fetch import FetchSettings, recording_client
    from cluster_etl.raw import RawPortal
    from cluster_etl.sample.generate import write_sample_portal
    from cluster_etl.sample.server import serve_portal

    timer, started = run.StageTimer(), dt.datetime.now(dt.timezone.utc)
    settings = FetchSettings(rate=SAMPLE_RATE, concurrency=SAMPLE_CONCURRENCY)
    with tempfile.TemporaryDirectory(prefix="cluster-etl-bench-") as root:
        write_sample_portal(Path(root))
        with serve_portal(Path(root)) as base, \
                recording_client(base, settings, out / "archive", started) as client:
            with timer("fetch"), ThreadPoolExecutor(max_workers=4) as pool:
                overview, findings = crawl.crawl_overview(client)
                clusters = list(pool.map(lambda link: crawl.crawl_cluster(client, link),
                                         overview["clusters"]))
                raw = RawPortal(portal_url=client.base_url, overview=overview, clusters=clusters,
                                retrieved_at=started, findings=findings)
            with timer("normalise"):
                tables = normalise.normalise(raw)
            with timer("validate"):
                report = validate.validate(tables, raw.overview, run.collect_findings(raw, tables))
            result = run.RunResult.of(raw, tables, report, client.stats, started, timer.seconds)
            with timer("publish"):
                publish.write_release(tables, report, out, started.date(),
                                      result.metadata(client.settings, out), False)
    return timer.seconds


def commands(tmp: Path, runs: int) -> None:
    print("\n2. whole commands: wall time, sum of the stages, difference (seconds)")
    measured: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "bare": []}
    warm_home = tmp / "refresh-home"
    for i in range(runs):  # taking turns, so that a busy moment of the machine hits all three
        measured["cold"].append(refresh(tmp / f"refresh-cold-{i}", tmp / f"out-cold-{i}"))
        if i == 0:
            refresh(warm_home, tmp / "out-warming")  # creates and migrates its database
        measured["warm"].append(refresh(warm_home, tmp / f"out-warm-{i}"))
        measured["bare"].append(bare(tmp / f"out-bare-{i}"))
    labels = {"cold": "refresh --sample, cold PREFECT_HOME",
              "warm": "refresh --sample, warm PREFECT_HOME",
              "bare": "bare baseline: same stages, no Prefect"}
    for key, label in labels.items():
        print(f"  {label}")
        row("    wall time", [wall for wall, _ in measured[key]])
        row("    sum of the stages", [stages for _, stages in measured[key]])
        row("    difference", [wall - stages for wall, stages in measured[key]])
    warm = statistics.median(wall - stages for wall, stages in measured["warm"])
    verdict = "met" if warm <= TARGET_OVERHEAD else f"missed by {warm - TARGET_OVERHEAD:.2f} s"
    print(f"  target: warm difference at most {TARGET_OVERHEAD:.0f} s: {verdict} "
          f"(median {warm:.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measure (3)")
    parser.add_argument("--bare", type=Path, metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare_refresh(args.bare)))
        return 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    with tempfile.TemporaryDirectory(prefix="cluster-etl-bench-") as tmp:
        os.environ["PREFECT_HOME"] = str(Path(tmp) / "import-home")
        quiet_prefect(PREFECT_LOGGING_LEVEL="WARNING")
        parts(Path(tmp), args.runs)
        commands(Path(tmp), args.runs)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average at the end {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
