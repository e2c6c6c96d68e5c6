"""Benchmark: refreshes of the sample portal served on 127.0.0.1, through the real Prefect flow.

A cold refresh (empty archive: every page downloaded), then a warm one of the unchanged portal
(conditional requests: 304s, no bodies). For each: wall time, requests, 304s, body bytes, pages per
second, time per stage, and how long a live run at the default rate limit would take.
Prefect's temporary server is started first and timed apart. Run with `make bench`.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from cluster_etl.prefect_env import quiet_prefect

quiet_prefect(PREFECT_LOGGING_LEVEL="WARNING")

from prefect import flow  # noqa: E402

from cluster_etl.commands import SAMPLE_CONCURRENCY  # noqa: E402
from cluster_etl.fetch import FetchSettings  # noqa: E402
from cluster_etl.sample.generate import write_sample_portal  # noqa: E402
from cluster_etl.sample.server import serve_portal  # noqa: E402
from flows.refresh import refresh  # noqa: E402


@flow
def _start_prefect() -> None:
    """An empty flow: the first flow of a process starts Prefect's temporary server."""


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


def main() -> int:
    started = time.perf_counter()
    _start_prefect()
    print(f"Prefect temporary server start: {time.perf_counter() - started:.2f}s")
    with tempfile.TemporaryDirectory(prefix="cluster-etl-bench-") as tmp:
        root, out = Path(tmp) / "portal", Path(tmp) / "out"
        started = time.perf_counter()
        manifest = write_sample_portal(root)
        print(f"sample portal generated in {time.perf_counter() - started:.2f}s "
              f"({manifest.files} files)")
        with serve_portal(root) as base:
            for label, day in (("cold refresh (empty archive)", dt.date(2000, 1, 1)),
                               ("warm refresh (unchanged portal)", dt.date(2000, 1, 8))):
                started = time.perf_counter()
                result = refresh(portal_url=base, out_dir=out, release_date=day, rate=0,
                                 concurrency=SAMPLE_CONCURRENCY)
                report(label, time.perf_counter() - started, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
