"""bench/backfill_bench.py's archive is recorded as weekly refreshes record theirs (one folder,
the portal at one address, unchanged pages archived as revisits), and its comparison of releases
tells identical from different."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from cluster_etl.fetch.archive import WARC_SUFFIX, read_run_info, run_release_date

BENCH = Path(__file__).resolve().parents[1] / "bench" / "backfill_bench.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("backfill_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record_types(warc: Path) -> list[str]:
    with open(warc, "rb") as fh:
        return [record.rec_type for record in ArchiveIterator(fh)]


def test_runs_are_weekly_in_one_folder_with_revisits(tmp_path):
    bench = load_bench()
    bench.record_runs(tmp_path / "archive", 2, tmp_path)
    first, second = sorted((tmp_path / "archive").glob(f"*{WARC_SUFFIX}"))
    dates = [run_release_date(read_run_info(warc)) for warc in (first, second)]
    assert dates == [bench.FIRST_RELEASE, bench.FIRST_RELEASE + dt.timedelta(weeks=1)]
    assert "revisit" not in record_types(first)
    assert record_types(second).count("revisit") > 100  # week 1 left most pages unchanged


def test_comparison_tells_identical_from_different(capsys):
    bench = load_bench()
    reference = {"releases/2026-01-05/a.csv": "1", "releases/2026-01-05/b.csv": "2"}
    assert bench.compare("same", dict(reference), reference)
    assert not bench.compare("changed", {**reference, "releases/2026-01-05/b.csv": "3"}, reference)
    assert not bench.compare("short", {"releases/2026-01-05/a.csv": "1"}, reference)
    printed = capsys.readouterr().out
    assert "same: identical" in printed and "1 file(s) differ: releases/2026-01-05/b.csv" in printed
    assert "1 file(s) missing: releases/2026-01-05/b.csv" in printed
