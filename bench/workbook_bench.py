"""Benchmark: the release workbook written and read back, on generated members-like tables.

    .venv/bin/python bench/workbook_bench.py [--rows 100000,1000000] [--release]
                                             [--impl path/to/workbook.py]

`--rows N` times a workbook whose members sheet has N rows (the other sheets empty); `--release`
builds a release-shaped set instead: N/1.1 members, N memberships, N history rows. `--impl`
loads write_workbook/read_workbook from another file (an older version, to compare). Each size
runs in a fresh process. Wall and CPU seconds per step; the peak RSS of each step is measured
from the RSS before it (Linux: /proc/self/clear_refs resets the peak).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = ["Mosa", "Tec", "Liège", "Namur", "Sambre", "Meuse", "Ardenne", "Hainaut", "Lumière",
         "Bio", "Nova", "Wallo", "Espace", "Logi", "Plast", "Eco", "Agro", "Info", "Data", "Solar"]
PLACES = [("4000", "Liège", "Liège", "Wallonie"), ("5000", "Namur", "Namur", "Wallonie"),
          ("6000", "Charleroi", "Hainaut", "Wallonie"), ("7000", "Mons", "Hainaut", "Wallonie"),
          ("1300", "Wavre", "Brabant wallon", "Wallonie"),
          ("6700", "Arlon", "Luxembourg", "Wallonie"),
          ("1000", "Bruxelles", None, "Bruxelles-Capitale"), ("9000", "Gent", None, "Flandre")]
FORMS = ["SA", "SRL", "ASBL", None, "NV"]
TYPES = ["company", "company", "research_centre", "higher_education", None]
RELEASE = dt.date(2026, 1, 5)


def members_frame(n: int) -> pd.DataFrame:
    """n members as normalise hands them over: object columns of str/None, some of them empty."""
    from cluster_etl.schema import MEMBERS

    rng = random.Random(9)
    pick = lambda values: [rng.choice(values) for _ in range(n)]  # noqa: E731
    places, words, other, kinds = pick(PLACES), pick(WORDS), pick(WORDS), pick(TYPES)
    numbers = [f"{200000000 + i * 7:010d}" for i in range(n)]
    has_number = [i % 10 != 3 for i in range(n)]
    data = {
        "member_id": [f"BE{x}" if ok else f"membre-{i}"
                      for i, (x, ok) in enumerate(zip(numbers, has_number))],
        "name": [f"{a}{b.lower()} {i}" for i, (a, b) in enumerate(zip(words, other))],
        "legal_form": pick(FORMS),
        "enterprise_number": [f"{x[:4]}.{x[4:7]}.{x[7:]}" if ok else None
                              for x, ok in zip(numbers, has_number)],
        "member_type": kinds,
        "size_class": [("large" if i % 5 == 0 else "sme") if k == "company" else None
                       for i, k in enumerate(kinds)],
        "street": [f"Rue {w} {i % 200}" for i, w in enumerate(other)],
        "postal_code": [p[0] for p in places], "city": [p[1] for p in places],
        "province": [p[2] for p in places], "region": [p[3] for p in places],
        "website": [f"http://www.{w.lower()}{i % 1000}.be" for i, w in enumerate(words)],
        "email": [f"info@{w.lower()}{i % 1000}.be" for i, w in enumerate(words)],
        "phone": [f"+3281234{i % 1000:03d}" for i in range(n)],
        "activities": [f"Activité {i % 13}, services & <conseil>" for i in range(n)],
    }
    # columns the schema has beyond these (KBO) are empty
    return pd.DataFrame({c.name: pd.Series(data.get(c.name, [None] * n), dtype=object)
                         for c in MEMBERS.columns})


def release_frames(rows: int, release: bool) -> dict[str, pd.DataFrame]:
    from cluster_etl.schema import TABLES
    from tests.tables_factory import frame

    frames = {name: frame(name, []) for name in TABLES}
    members = frames["members"] = members_frame(int(rows / 1.1) if release else rows)
    if not release:
        return frames
    rng = random.Random(3)
    owners = [*range(len(members)),
              *(rng.randrange(len(members)) for _ in range(rows - len(members)))]
    ids = members["member_id"].tolist()
    clusters = [f"cluster-{o % 40:02d}" for o in owners]
    frames["memberships"] = frame("memberships", [
        {"cluster_id": c, "member_id": ids[o],
         "member_page_url": f"https://clusters.wallonie.be/sites/{c}/home/membres/m{o}.html"}
        for c, o in zip(clusters, owners)])
    weeks = [RELEASE - dt.timedelta(days=7 * k) for k in range(60)]
    frames["membership_history"] = frame("membership_history", [
        {"cluster_id": c, "member_id": ids[o], "first_seen": weeks[o % 60], "last_seen": RELEASE}
        for c, o in zip(clusters, owners)])
    return frames


def _load(impl: str | None) -> Any:
    if impl is None:
        from cluster_etl.publish import workbook
        return workbook
    spec = importlib.util.spec_from_file_location("workbook_under_test", impl)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measure(step: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """step()'s result, its wall and CPU seconds and its peak RSS above the RSS before it."""
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _rss_mb("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                    "rss": _rss_mb("VmHWM") - before}


def run_one(rows: int, release: bool, impl: str | None) -> dict:
    from cluster_etl.publish.writers import column_values
    from cluster_etl.schema import TABLES

    workbook = _load(impl)
    frames = release_frames(rows, release)
    with tempfile.TemporaryDirectory(prefix="cluster-etl-workbook-") as out:
        path = Path(out) / "release.xlsx"
        _, write = _measure(lambda: workbook.write_workbook(frames, path, RELEASE))
        size = path.stat().st_size
        read, read_figures = _measure(lambda: workbook.read_workbook(path))
    same = all(column_values(read[name], table) == column_values(frames[name], table)
               for name, table in TABLES.items())  # verify_release's comparison
    return {"rows": sum(len(f) for f in frames.values()), "write": write, "read": read_figures,
            "bytes": size, "same": same}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--release", action="store_true")
    parser.add_argument("--impl")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.release, args.impl)))
        return 0
    for size in (int(s) for s in args.rows.split(",")):
        cmd = [sys.executable, __file__, "--one", str(size)] + ["--release"] * args.release
        cmd += ["--impl", args.impl] if args.impl else []
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        steps = "  ".join(
            f"{step} {r[step]['wall']:.1f}s wall {r[step]['cpu']:.1f}s CPU "
            f"({r['rows'] / r[step]['wall']:,.0f} rows/s, +{r[step]['rss']:,.0f} MB RSS)"
            for step in ("write", "read"))
        what = "memberships" if args.release else "member rows"
        print(f"{size:>9,} {what} ({r['rows']:,} rows): {steps}  {r['bytes'] / 1e6:,.1f} MB  "
              f"read back equal: {r['same']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
