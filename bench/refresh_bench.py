"""Benchmark: a refresh of the sample portal served on 127.0.0.1, through the real Prefect flow.

Prints the wall time, requests, pages per second and the time spent in each stage. The first
flow run of a process also starts Prefect's temporary server; that start-up is reported apart.
Run with `make bench`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                   "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}.items():
    os.environ.setdefault(key, value)

from cluster_etl.cli import SAMPLE_CONCURRENCY  # noqa: E402
from cluster_etl.sample.generate import write_sample_portal  # noqa: E402
from cluster_etl.sample.server import serve_portal  # noqa: E402
from flows.refresh import refresh  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cluster-etl-bench-") as tmp:
        root, out = Path(tmp) / "portal", Path(tmp) / "out"
        started = time.perf_counter()
        write_sample_portal(root)
        generated = time.perf_counter() - started
        with serve_portal(root) as base:
            runs = []
            for label in ("first run (includes Prefect's server start)", "second run"):
                started = time.perf_counter()
                result = refresh(portal_url=base, out_dir=out, release_date=dt.date(2000, 1, 1),
                                 rate=0, concurrency=SAMPLE_CONCURRENCY)
                runs.append((label, time.perf_counter() - started, result))
    print(f"sample portal generated in {generated:.2f}s")
    for label, wall, result in runs:
        fetch = result.fetch
        fetch_time = result.timings.get("fetch", 0.0)
        print(f"\n{label}")
        print(f"  wall time        {wall:.2f}s")
        print(f"  requests         {fetch['requests']} ({fetch['pages']} pages, "
              f"{fetch['body_bytes'] / 1e6:.2f} MB of bodies)")
        print(f"  pages per second {fetch['pages'] / fetch_time:.0f} (fetch stage)" if fetch_time else "")
        for stage, seconds in result.timings.items():
            print(f"  stage {stage:<10} {seconds:.2f}s")
        print(f"  Prefect and other overhead {wall - sum(result.timings.values()):.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
