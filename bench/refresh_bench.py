"""Benchmark: refreshes of the sample portal through the real Prefect flow, beside a bare crawl.

The sample portal is served on 127.0.0.1 from its own process (as a production server would be:
one write per response, TCP_NODELAY; `--server thread` serves it from a thread of this process
instead, as `refresh --sample` does). In the same run, against the same server, taking turns:
  (a) the fetch stage of a cold refresh (empty archive: every page downloaded, archived, parsed)
      at --concurrency 8, as `refresh --sample` runs it;
  (b) a bare crawl (bench/bare.py): requests + lxml, 8 threads, no Prefect, no archive, no
      politeness, the same pages (overview, cluster homes, every directory page, every member
      page) and the same fields;
  (c) the ratio of their medians. Target: (a) within 1.5x of (b).
Beside them, to tell what the flow's tasks cost from what the crawl costs: the same crawl
(crawl.py, the same client, WARC archive and parsers) without Prefect, its clusters on 4 threads
as the flow's task runner has them.
Then a warm refresh of the unchanged portal (conditional requests: 304s, no bodies). For each
refresh: wall time, requests, 304s, body bytes, pages per second, time per stage, and how long a
live run at the default rate limit would take. Prefect's temporary server is started first and
timed apart. Run with `make bench` or `.venv/bin/python bench/refresh_bench.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cluster_etl.prefect_env import quiet_prefect

quiet_prefect(PREFECT_LOGGING_LEVEL="WARNING")

from bare import bare_crawl  # noqa: E402
from prefect import flow  # noqa: E402

from cluster_etl import crawl  # noqa: E402
from cluster_etl.commands import SAMPLE_CONCURRENCY  # noqa: E402
from cluster_etl.fetch import FetchSettings, recording_client  # noqa: E402
from cluster_etl.sample.generate import write_sample_portal  # noqa: E402
from cluster_etl.sample.server import serve_portal  # noqa: E402
from flows.refresh import refresh  # noqa: E402

TARGET_RATIO = 1.5
FLOW_TASK_THREADS = 4  # flows/refresh.py: ThreadPoolTaskRunner(max_workers=4)


@flow
def _start_prefect() -> None:
    """An empty flow: the first flow of a process starts Prefect's temporary server."""


@contextlib.contextmanager
def served(root: Path, where: str) -> Iterator[tuple[str, Callable[[], float] | None]]:
    """The portal at `root` served from a thread of this process or from a process of its own:
    its base URL, and for a process a function giving the CPU seconds it has used so far."""
    if where == "thread":
        with serve_portal(root) as base:
            yield base, None
        return
    server = subprocess.Popen([sys.executable, "-m", "cluster_etl.sample.server", str(root)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield server.stdout.readline().strip(), lambda: cpu_seconds(server.pid)
    finally:
        server.stdin.close()  # the server stops at the end of its input
        server.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux: /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawl_without_prefect(base: str, archive: Path) -> float:
    """Seconds to crawl the portal as the flow's fetch stage does, with no flow around it."""
    settings = FetchSettings(rate=0, concurrency=SAMPLE_CONCURRENCY)
    started = time.perf_counter()
    with recording_client(base, settings, archive, dt.datetime.now(dt.timezone.utc)) as client:
        overview, _ = crawl.crawl_overview(client)
        with ThreadPoolExecutor(max_workers=FLOW_TASK_THREADS) as pool:
            list(pool.map(lambda link: crawl.crawl_cluster(client, link), overview["clusters"]))
    return time.perf_counter() - started


def report(label: str, wall: float, result) -> None:
    fetch = result.fetch
    fetch_time = result.timings.get("fetch", 0.0)
    not_modified = fetch["statuses"].get("304", 0)
    live = fetch["requests"] / FetchSettings.rate
    print(f"\n{label}")
    print(f"  wall time            {wall:.2f}s")
    print(f"  requests             {fetch['requests']} ({fetch['pages']} pages, {not_modified} answered 304)")
    print(f"  body bytes           {fetch['body_bytes']:,}")
    if fetch_time:
        print(f"  pages per second     {fetch['pages'] / fetch_time:.0f} (fetch stage, loopback, "
              f"{SAMPLE_CONCURRENCY} in flight, no rate limit)")
    for stage, seconds in result.timings.items():
        print(f"  stage {stage:<14} {seconds:.2f}s")
    print(f"  flow overhead        {wall - sum(result.timings.values()):.2f}s")
    print(f"  live run at the default {FetchSettings.rate:g} request/s: about {live / 60:.0f} min "
          f"({fetch['requests']} requests)")


def timing_row(label: str, seconds: list[float]) -> str:
    return (f"  {label:<50} " + " ".join(f"{s:6.2f}" for s in seconds)
            + f"  {statistics.median(seconds):6.2f}")


def side_by_side(ours: list[float], bare: list[float], unflowed: list[float], crawled,
                 result) -> None:
    """The fetch stage of each cold refresh beside each bare crawl, their medians and ratio."""
    ratio = statistics.median(ours) / statistics.median(bare)
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    members = sum(1 for fields in crawled.members.values() if fields)
    print(f"\nfetch stage of a cold refresh at --concurrency {SAMPLE_CONCURRENCY} beside a bare "
          f"crawl (requests + lxml, {SAMPLE_CONCURRENCY} threads), seconds, taking turns")
    print(f"  {'run':<50} " + " ".join(f"{i + 1:>6}" for i in range(len(ours))) + "  median")
    print(timing_row("(a) ours: fetch stage (fetch, archive, parse)", ours))
    print(timing_row("(b) bare: requests + lxml, threads", bare))
    print(f"  {'(c) ratio of the medians (a) / (b)':<50} {ratio:6.2f}x")
    print(timing_row("    ours without Prefect (crawl.py on 4 threads)", unflowed))
    print(f"  {'    its ratio to (b)':<50} "
          f"{statistics.median(unflowed) / statistics.median(bare):6.2f}x")
    print(f"  (a) fetched {result.fetch['pages']} pages (robots.txt included); (b) fetched "
          f"{crawled.pages}, read {len(crawled.clusters)} clusters, "
          f"{sum(len(e) for _, e in crawled.clusters.values())} directory entries, "
          f"{members} member pages with fields")
    print(f"  {f'target: (a) within {TARGET_RATIO}x of (b)':<50} {verdict:>6}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold refreshes and bare crawls (3)")
    parser.add_argument("--server", choices=("process", "thread"), default="process",
                        help="serve the sample portal from its own process (default) or a thread")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    started = time.perf_counter()
    _start_prefect()
    print(f"Prefect temporary server start: {time.perf_counter() - started:.2f}s")
    with tempfile.TemporaryDirectory(prefix="cluster-etl-bench-") as tmp:
        root = Path(tmp) / "portal"
        started = time.perf_counter()
        manifest = write_sample_portal(root)
        print(f"sample portal generated in {time.perf_counter() - started:.2f}s "
              f"({manifest.files} files), served from a {args.server}")
        ours, bare, unflowed, server_cpu = [], [], [], {"ours": [], "bare": []}
        with served(root, args.server) as (base, server_seconds):
            used = server_seconds or (lambda: 0.0)
            for run in range(args.runs):
                started, cpu = time.perf_counter(), used()
                crawled = bare_crawl(base, threads=SAMPLE_CONCURRENCY)
                bare.append(time.perf_counter() - started)
                server_cpu["bare"].append(used() - cpu)
                unflowed.append(crawl_without_prefect(base, Path(tmp) / f"archive-{run}"))
                out = Path(tmp) / f"out-{run}"
                started, cpu = time.perf_counter(), used()
                cold = refresh(portal_url=base, out_dir=out, release_date=dt.date(2000, 1, 1),
                               rate=0, concurrency=SAMPLE_CONCURRENCY)
                cold_wall = time.perf_counter() - started
                server_cpu["ours"].append(used() - cpu)
                ours.append(cold.timings["fetch"])
            started = time.perf_counter()
            warm = refresh(portal_url=base, out_dir=out, release_date=dt.date(2000, 1, 8), rate=0,
                           concurrency=SAMPLE_CONCURRENCY)
            warm_wall = time.perf_counter() - started
        report(f"cold refresh (empty archive), run {args.runs}", cold_wall, cold)
        report("warm refresh (unchanged portal)", warm_wall, warm)
        side_by_side(ours, bare, unflowed, crawled, cold)
        if server_seconds is not None:
            print(timing_row("the server's CPU seconds while (a) ran", server_cpu["ours"]))
            print(timing_row("the server's CPU seconds while (b) ran", server_cpu["bare"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
