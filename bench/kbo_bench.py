"""Benchmark: KBO enrichment against a full-size invented extract, cold and cached.

    .venv/bin/python bench/kbo_bench.py [--dir /tmp/cluster-etl-kbo-bench] [--entities 2000000]

Generates once (it takes a few minutes; later runs reuse it) the sample KBO extract with the
sample portal's organisations plus `--entities` filler enterprises (2 million: ~1.3 million
establishments, ~31 million activity rows, ~1.8 GB of CSV, ~220 MB zipped), then measures
open_extract + select + enrich for the sample portal's members, each in a fresh process:
- cold: empty cache folder (the zip is hashed, every big file streamed);
- cached: the same cache folder again (the zip's hash and the rows come from the cache);
and, for scale, baselines over the same five big files: inflating them with zipfile alone (the
floor for reading the zip from Python), a plain pyarrow CSV scan of them (every column a
string, no filter, pyarrow's defaults otherwise), and DuckDB (a dev dependency, when installed)
filtering the same numbers out of the files unzipped beforehand (decompression not counted).
Each line gives the operation's wall time, the whole process's wall time (Python start and
imports included) and CPU time, and the process's peak RSS (VmHWM), with the targets beside.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

FILES = ("establishment.csv", "enterprise.csv", "activity.csv", "denomination.csv", "address.csv")
TARGETS = {"cold": "< 60 s, < 1 GB", "cached": "< 2 s"}
LABELS = {"cold": "cold: open + select + enrich, empty cache",
          "cached": "cached: open + select + enrich",
          "inflate": "baseline: inflate the 5 big files (zipfile only)",
          "scan": "baseline: pyarrow CSV scan of the 5 files, no filter",
          "duckdb": "baseline: DuckDB filter of the 5 files, unzipped"}


def ensure_extract(folder: Path, entities: int) -> Path:
    from cluster_etl.kbo.sample import write_sample_extract

    marker = folder / "extract.json"
    if marker.is_file():
        info = json.loads(marker.read_text())
        if info["entities"] == entities and Path(info["path"]).is_file():
            print(f"Reusing {info['path']} ({info['rows']['activity.csv']:,} activity rows)")
            return Path(info["path"])
    print(f"Generating the full-size extract ({entities:,} filler enterprises) in {folder}: "
          "this may take a few minutes, once; later runs reuse it.", flush=True)
    started = time.perf_counter()
    manifest = write_sample_extract(folder, entities=entities)
    marker.write_text(json.dumps({"entities": entities, "path": str(manifest.path), "rows": manifest.rows}))
    print(f"  written in {time.perf_counter() - started:.0f}s: "
          + ", ".join(f"{f} {n:,}" for f, n in manifest.rows.items()))
    return manifest.path


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries a forking parent's peak into
    ru_maxrss across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def members_of_the_sample_portal():
    import pandas as pd

    from cluster_etl.kbo.sample_portal import portal_organisations

    orgs = portal_organisations(weeks=0)
    members = pd.DataFrame({"member_id": ["BE" + o.number.replace(".", "") for o in orgs],
                            "name": [o.name for o in orgs], "enterprise_number": [o.number for o in orgs],
                            "postal_code": [o.postal_code for o in orgs]}, dtype=object)
    memberships = pd.DataFrame({"cluster_id": [o.clusters[0] for o in orgs],
                                "member_id": members["member_id"], "member_page_url": None})
    return members, memberships


def duckdb_filter(folder: Path, numbers: list[str]) -> int:
    import duckdb

    wanted = ", ".join(f"'{n}'" for n in numbers)
    con = duckdb.connect()
    read = "read_csv('{}', all_varchar=true, header=true)"
    establishments = [r[0] for r in con.execute(
        f"SELECT EstablishmentNumber FROM {read.format(folder / 'establishment.csv')} "
        f"WHERE EnterpriseNumber IN ({wanted})").fetchall()]
    entities = wanted + "".join(f", '{n}'" for n in establishments)
    total = len(establishments)
    for file, column in (("enterprise.csv", "EnterpriseNumber"), ("activity.csv", "EntityNumber"),
                         ("denomination.csv", "EntityNumber"), ("address.csv", "EntityNumber")):
        total += con.execute(f"SELECT count(*) FROM {read.format(folder / file)} "
                             f"WHERE {column} IN ({entities if column == 'EntityNumber' else wanted})"
                             ).fetchone()[0]
    return total


def measure(mode: str, zip_path: Path, cache_dir: Path) -> dict:
    """Run in a fresh process: the operation's wall time, measured after the imports."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    from cluster_etl.kbo import enrich, open_extract

    members, memberships = members_of_the_sample_portal()
    started = time.perf_counter()
    if mode in ("cold", "cached"):
        rows = open_extract(zip_path, cache_dir).select(members["enterprise_number"])
        result = enrich(members, memberships, rows)
        detail = f"{(result.members['kbo_status'] == 'active').sum()} members found"
    elif mode == "duckdb":
        detail = f"{duckdb_filter(zip_path.parent / 'unzipped', list(members['enterprise_number'])):,} rows kept"
    else:
        total = 0
        with zipfile.ZipFile(zip_path) as archive:
            for file in FILES:
                with archive.open(file) as stream:
                    if mode == "inflate":
                        while chunk := stream.read(16 << 20):
                            total += len(chunk)
                    else:
                        header = pacsv.open_csv(stream).schema.names
                        with archive.open(file) as again:
                            types = pacsv.ConvertOptions(column_types={c: pa.string() for c in header})
                            total += sum(b.num_rows for b in pacsv.open_csv(again, convert_options=types))
        detail = f"{total:,} {'bytes' if mode == 'inflate' else 'rows'}"
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": time.perf_counter() - started, "detail": detail, "peak_rss_mb": peak_rss_mb(),
            "cpu_seconds": usage.ru_utime + usage.ru_stime}


def unzip_once(zip_path: Path) -> None:
    folder = zip_path.parent / "unzipped"
    done = folder / ".complete"
    if done.is_file() and done.read_text() == zip_path.name:
        return
    print(f"Unzipping the extract once for the DuckDB baseline into {folder}", flush=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder, members=FILES)
    done.write_text(zip_path.name)


def run_measure(mode: str, zip_path: Path, cache_dir: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--measure", mode, "--zip", str(zip_path),
                           "--cache", str(cache_dir)], check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "cluster-etl-kbo-bench")
    parser.add_argument("--entities", type=int, default=2_000_000)
    parser.add_argument("--measure", choices=list(LABELS), help=argparse.SUPPRESS)
    parser.add_argument("--zip", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.zip, args.cache)))
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    zip_path = ensure_extract(args.dir, args.entities)
    print(f"{zip_path.name}: {zip_path.stat().st_size / 1e6:,.0f} MB zipped")
    modes = list(LABELS)
    if importlib.util.find_spec("duckdb") is None:
        modes.remove("duckdb")
        print("DuckDB is not installed (a dev dependency): its baseline is skipped")
    else:
        unzip_once(zip_path)
    with tempfile.TemporaryDirectory(prefix="cluster-etl-kbo-cache-") as cache_dir:
        results = {mode: run_measure(mode, zip_path, Path(cache_dir)) for mode in modes}
    print(f"\n{'':<52} {'operation':>10} {'process':>9} {'CPU':>8} {'peak RSS':>10}   target")
    for mode, r in results.items():
        print(f"{LABELS[mode]:<52} {r['seconds']:>9.2f}s {r['process_seconds']:>8.2f}s "
              f"{r['cpu_seconds']:>7.2f}s {r['peak_rss_mb']:>7.0f} MB   {TARGETS.get(mode, ''):<16} "
              f"({r['detail']})")
    print("\noperation: open + select + enrich (or the baseline's work) after the imports; process: "
          "the whole\nprocess, Python start and imports included; CPU: the process's user + system "
          "time (on a\nshared machine, the figure that does not depend on the load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
