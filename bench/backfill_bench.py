"""Benchmark: a backfill of N archived runs against N separate `cluster-etl replay` commands.

The archive: N weekly runs of the sample portal (weeks 0 to N-1, one week apart), recorded as a
weekly refresh records them: one archive folder, the portal at the same address every week, so
that pages unchanged since an earlier run are asked for conditionally and archived as revisits of
that run's response. Then, on a warm PREFECT_HOME, each timed as a whole:
(a) N `cluster-etl replay WARC --out A` commands, oldest first, as an operator would run them;
(b) one `cluster-etl backfill FOLDER --out B` (replays on threads, one process);
(c) one `cluster-etl backfill FOLDER --out C --task-runner dask` (a local Dask cluster of 2
    processes, both cores).
The releases of (b) and (c) are compared with those of (a) file by file (SHA-256 of every file of
every release, `latest/`, the site's index and catalogue). Target: (b) at least 3x faster than (a).

Run with `.venv/bin/python bench/backfill_bench.py [--runs N]` (default 20).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cluster_etl.backfill import crawl_archive
from cluster_etl.commands import SAMPLE_CONCURRENCY, SAMPLE_RATE
from cluster_etl.fetch import FetchSettings, recording_client
from cluster_etl.fetch.archive import WARC_SUFFIX
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal

TARGET_SPEEDUP = 3.0
FIRST_RELEASE = dt.date(2026, 1, 5)
CLI = Path(sys.executable).with_name("cluster-etl")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def record_runs(archive: Path, runs: int, tmp: Path) -> None:
    """`runs` weekly runs of the sample portal recorded into `archive` (see the docstring above)."""
    port = free_port()
    settings = FetchSettings(rate=SAMPLE_RATE, concurrency=SAMPLE_CONCURRENCY)
    for week in range(runs):
        root = tmp / f"portal-week-{week}"
        write_sample_portal(root, week=week)
        started = dt.datetime.now(dt.timezone.utc)
        release_date = FIRST_RELEASE + dt.timedelta(weeks=week)
        with serve_portal(root, port=port) as base, \
                recording_client(base, settings, archive, started, release_date) as client:
            crawl_archive(client, started)


def cli(*args: str) -> float:
    """Seconds one command took; exits with its output when it fails."""
    started = time.perf_counter()
    done = subprocess.run([str(CLI), *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}"
                 f"{done.stderr[-3000:]}")
    return time.perf_counter() - started


def digests(out: Path) -> dict[str, str]:
    """SHA-256 of every file of the releases, latest/ and the site's own files, by path."""
    paths = [*(out / "releases").rglob("*"), *(out / "latest").rglob("*"),
             out / "index.html", out / "catalog.ttl"]
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in paths if p.is_file()}


def compare(label: str, ours: dict[str, str], reference: dict[str, str]) -> bool:
    differing = sorted(p for p in ours.keys() & reference.keys() if ours[p] != reference[p])
    missing, extra = sorted(reference.keys() - ours.keys()), sorted(ours.keys() - reference.keys())
    same = not (differing or missing or extra)
    releases = len({p.split("/")[1] for p in reference if p.startswith("releases/")})
    print(f"  {label}: {'identical' if same else 'DIFFERENT'} ({len(reference)} files, "
          f"{releases} releases)")
    for what, paths in (("differ", differing), ("missing", missing), ("extra", extra)):
        if paths:
            print(f"    {len(paths)} file(s) {what}: {', '.join(paths[:8])}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="archived runs (20)")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    with tempfile.TemporaryDirectory(prefix="cluster-etl-bench-") as name:
        tmp = Path(name)
        os.environ["PREFECT_HOME"] = str(tmp / "prefect-home")
        os.environ.pop("PREFECT_API_URL", None)
        archive = tmp / "archive"
        started = time.perf_counter()
        record_runs(archive, args.runs, tmp)
        warcs = sorted(archive.glob(f"*{WARC_SUFFIX}"))  # by name: by start, oldest first
        size = sum(w.stat().st_size for w in warcs)
        print(f"{len(warcs)} runs recorded in {time.perf_counter() - started:.0f}s "
              f"({size / 1e6:.1f} MB of WARC files)")
        cli("replay", str(warcs[0]), "--out", str(tmp / "warming"))  # warms PREFECT_HOME

        each = [cli("replay", str(warc), "--out", str(tmp / "a")) for warc in warcs]
        threads = cli("backfill", str(archive), "--out", str(tmp / "b"))
        dask = cli("backfill", str(archive), "--out", str(tmp / "c"), "--task-runner", "dask")

        print(f"\n(a) {len(warcs)} separate `cluster-etl replay` commands: {sum(each):.1f}s "
              f"(each {min(each):.1f} to {max(each):.1f}s, mean {sum(each) / len(each):.1f}s)")
        print(f"(b) one `cluster-etl backfill`, threads:      {threads:.1f}s, "
              f"speed-up {sum(each) / threads:.1f}x")
        print(f"(c) one `cluster-etl backfill`, dask (2 processes): {dask:.1f}s, "
              f"speed-up {sum(each) / dask:.1f}x")
        print("\nreleases against those of (a):")
        reference = digests(tmp / "a")
        same = [compare(label, digests(tmp / folder), reference)
                for label, folder in (("(b) threads", "b"), ("(c) dask", "c"))]
        verdict = "met" if sum(each) / threads >= TARGET_SPEEDUP else "missed"
        print(f"\ntarget: (b) at least {TARGET_SPEEDUP:.0f}x faster than (a): {verdict}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end {load}")
    return 0 if all(same) else 1


if __name__ == "__main__":
    sys.exit(main())
