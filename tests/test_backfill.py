"""Backfills from archives: runs recorded by real refreshes of the sample portal (weeks 0, 1, 2 on
three release dates) are replayed into fresh output folders, in date order whatever the order they
are named in, on threads and on a local Dask cluster of processes."""

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import distributed
import pytest

from cluster_etl import cli, outcomes, publish
from cluster_etl.backfill import (BackfillFailed, ReplayFailed, find_archives, outcome_rows, plan,
                                  replay_snapshot)
from cluster_etl.fetch.archive import ArchiveError, RunArchive, parse_warc_date, read_run
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal
from flows.backfill import backfill
from flows.refresh import refresh

D1, D2, D3 = dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)
SERIES_FILES = ("membership_history.csv", "membership_history.json", "membership_history.parquet",
                "changes.json", "CHANGES.md")


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """Three refreshes in date order into one folder (one archive folder), and a copy of that
    archive folder: the backfills' input."""
    out = tmp_path_factory.mktemp("refreshed")
    for week, day in enumerate((D1, D2, D3)):
        root = tmp_path_factory.mktemp(f"portal-week-{week}")
        write_sample_portal(root, week=week)
        with serve_portal(root) as base:
            refresh(portal_url=base, out_dir=out, release_date=day, rate=0, concurrency=8)
    archives = tmp_path_factory.mktemp("archives") / "archive"
    shutil.copytree(out / "archive", archives)
    return out, archives


def warcs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.warc.gz"))  # by name: the runs' start, weeks 0, 1, 2


def files(out: Path) -> dict[str, bytes]:
    """Every file of every release, latest/ and the site's own files, by path."""
    paths = [*(out / "releases").rglob("*"), *(out / "latest").rglob("*"),
             out / "index.html", out / "catalog.ttl"]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def fingerprints(out: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def threaded(refreshed, tmp_path_factory):
    """Backfill of the three runs, named out of order: a file, the folder (all three), a file."""
    _, archives = refreshed
    out = tmp_path_factory.mktemp("threaded")
    named = [str(warcs(archives)[2]), str(archives), str(warcs(archives)[0])]
    return out, backfill(archives=named, out_dir=str(out))


def test_one_release_per_run_in_date_order_with_the_refreshes_history_and_changes(refreshed, threaded):
    scratch, archives = refreshed
    out, results = threaded
    assert publish.release_dates(out) == [D1, D2, D3]
    assert publish.latest_date(out) == D3
    assert [r.release for r in results] == [out / "releases" / d.isoformat() for d in (D1, D2, D3)]
    assert [r.archive for r in results] == [w.resolve() for w in warcs(archives)]
    for day in (D1, D2, D3):
        for name in (*SERIES_FILES, "memberships.csv", "members.parquet", "validation.json"):
            assert (out / "releases" / day.isoformat() / name).read_bytes() == (
                scratch / "releases" / day.isoformat() / name).read_bytes(), (day, name)
    assert (out / "latest" / "changes.json").read_bytes() == (
        scratch / "releases" / D3.isoformat() / "changes.json").read_bytes()
    package = json.loads((out / "releases" / D2.isoformat() / "datapackage.json").read_text())
    assert package["cluster_etl"]["archive"] == str(warcs(archives)[1].resolve())


def test_a_second_backfill_skips_what_exists_and_rebuild_rebuilds_it_identically(
        refreshed, threaded, tmp_path):
    _, archives = refreshed
    out = tmp_path / "out"
    shutil.copytree(threaded[0], out)
    before = fingerprints(out)
    assert backfill(archives=[str(archives)], out_dir=str(out)) == []
    assert fingerprints(out) == before  # nothing rewritten
    results = backfill(archives=[str(archives)], out_dir=str(out), rebuild=True)
    assert [r.release.name for r in results] == [d.isoformat() for d in (D1, D2, D3)]
    assert files(out) == files(threaded[0])
    assert fingerprints(out) != before  # really written again


def test_a_local_dask_cluster_of_two_processes_gives_identical_releases(
        refreshed, threaded, tmp_path, monkeypatch):
    clusters = []

    class RecordedCluster(distributed.LocalCluster):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            clusters.append({"workers": [w.address for w in self.workers.values()],
                             "nannies": all(isinstance(w, distributed.Nanny)
                                            for w in self.workers.values()),
                             "scheduler": self.scheduler_address, "dashboard": self.dashboard_link})

    monkeypatch.setattr(distributed, "LocalCluster", RecordedCluster)
    _, archives = refreshed
    out = tmp_path / "out"
    results = backfill(archives=[str(archives)], out_dir=str(out), task_runner="dask",
                       dask_workers=2)
    assert len(clusters) == 1 and clusters[0]["nannies"]  # worker processes, not threads
    assert len(clusters[0]["workers"]) == 2
    for address in (*clusters[0]["workers"], clusters[0]["scheduler"], clusters[0]["dashboard"]):
        assert "//127.0.0.1:" in address
    assert [r.release.name for r in results] == [d.isoformat() for d in (D1, D2, D3)]
    threaded_files = files(threaded[0])
    assert len(threaded_files) > 3 * 20
    assert files(out) == threaded_files


def rewritten(warc: Path, folder: Path, edit=lambda body: body, **info) -> Path:
    """A copy of a run's WARC (revisits resolved) whose warcinfo has `info` changed (a value of
    None drops the field) and whose bodies went through `edit`."""
    recorded, records = read_run(warc)
    started = parse_warc_date(recorded.pop("started"))
    fields = {k: v for k, v in {**recorded, **info}.items() if v is not None}
    archive = RunArchive(folder, fields, started)
    for r in records:
        archive.write_response(r.url, r.status, r.reason, r.headers, edit(r.body), r.date)
    archive.close()
    return archive.path


def test_an_archive_without_a_recorded_release_date_is_released_under_its_run_date(
        refreshed, tmp_path):
    _, archives = refreshed
    old = rewritten(warcs(archives)[0], tmp_path / "old", release_date=None)
    assert "release_date" not in read_run(old)[0]
    started = parse_warc_date(read_run(old)[0]["started"])
    assert started.date() != D1  # the test means something
    [planned] = plan([old], tmp_path / "out")
    assert (planned.release_date, planned.action) == (started.date(), "build")
    [result] = backfill(archives=[str(old)], out_dir=str(tmp_path / "out"))
    assert publish.release_dates(tmp_path / "out") == [started.date()]
    assert result.release == tmp_path / "out" / "releases" / started.date().isoformat()


def test_of_two_runs_published_under_one_date_the_later_one_wins(refreshed, tmp_path):
    scratch, archives = refreshed
    week0, week1 = warcs(archives)[:2]
    again = rewritten(week1, tmp_path / "runs", release_date=D1.isoformat())  # week 1, dated D1
    shutil.copy(week0, tmp_path / "runs")
    [planned] = plan(find_archives([tmp_path / "runs"]), tmp_path / "out")
    assert (planned.archive, planned.release_date) == (again.resolve(), D1)
    assert planned.superseded == ((tmp_path / "runs" / week0.name).resolve(),)
    rows = outcome_rows([planned], [], [])
    assert [r["outcome"] for r in rows] == ["not run", f"superseded by {again.name}"]
    backfill(archives=[str(tmp_path / "runs")], out_dir=str(tmp_path / "out"))
    assert publish.release_dates(tmp_path / "out") == [D1]
    assert (tmp_path / "out" / "releases" / D1.isoformat() / "memberships.csv").read_bytes() == (
        scratch / "releases" / D2.isoformat() / "memberships.csv").read_bytes()  # week 1's


def test_a_broken_archive_stops_only_its_own_release(refreshed, tmp_path, capsys):
    scratch, archives = refreshed
    folder = tmp_path / "archive"
    shutil.copytree(archives, folder)
    broken = warcs(folder)[1]
    with open(broken, "r+b") as fh:  # cut short, as a full disk leaves it: warcinfo intact
        fh.truncate(broken.stat().st_size // 3)
    out = tmp_path / "out"
    code = cli.main(["backfill", str(folder), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == outcomes.EXIT_INCOMPLETE  # the only failure's own status: pages missing
    assert publish.release_dates(out) == [D1, D3]
    assert publish.latest_date(out) == D3
    assert json.loads((out / "releases" / D3.isoformat() / "changes.json").read_text())[
        "previous_release"] == D1.isoformat()
    failure_lines = [line for line in captured.err.splitlines() if line.startswith("  ")]
    assert len(failure_lines) == 1
    # where the cut falls decides which: records lost (pages missing) or a record cut in two
    assert failure_lines[0].startswith((f"  {D2.isoformat()}  {broken.resolve()}: run incomplete",
                                        f"  {D2.isoformat()}  {broken.resolve()}: the archive cannot"))
    assert "1 run(s) not published (2 published)" in captured.err
    assert "Traceback" not in captured.err + captured.out
    record = json.loads((out / outcomes.LAST_FAILURE).read_text())
    assert (record["kind"], record["exit_status"]) == ("backfill", outcomes.EXIT_INCOMPLETE)
    assert str(broken.resolve()) in record["message"]


def test_an_unreadable_archive_is_refused_before_anything_is_replayed(refreshed, tmp_path):
    _, archives = refreshed
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"not a WARC file")
    out = tmp_path / "out"
    with pytest.raises(ArchiveError, match="junk.warc.gz: not a readable WARC file"):
        backfill(archives=[str(archives), str(junk)], out_dir=str(out))
    assert publish.release_dates(out) == []
    assert json.loads((out / outcomes.LAST_FAILURE).read_text())["kind"] == "archive"


def test_archives_are_files_as_given_and_each_folders_warc_files(refreshed, tmp_path):
    archives = tmp_path / "archive"
    shutil.copytree(refreshed[1], archives)
    (archives / "nested").mkdir()
    shutil.copy(warcs(archives)[0], archives / "nested" / "copy.warc.gz")  # not searched
    runs = warcs(archives)
    found = find_archives([runs[1], archives, runs[1]])
    assert found == [w.resolve() for w in (runs[1], runs[0], runs[2])]
    with pytest.raises(ArchiveError, match="no such archive file or folder: .*missing"):
        find_archives([archives, tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArchiveError, match="empty: no .warc.gz file in this folder"):
        find_archives([tmp_path / "empty"])


def test_a_replay_that_fails_validation_is_reported_by_its_own_checks(refreshed, tmp_path):
    from cluster_etl.run import ValidationFailed

    _, archives = refreshed
    declared = rewritten(warcs(archives)[0], tmp_path, edit=lambda body: body.replace(
        b"75% sont des entreprises", b"95% sont des entreprises"))  # the overview's figure
    with pytest.raises(ValidationFailed, match="company_share"):
        replay_snapshot(declared)


def test_backfill_failed_exits_with_the_failures_shared_status_else_1():
    def failure(status: int) -> ReplayFailed:
        return ReplayFailed("/a/run.warc.gz", "2026-03-02", "why\nmore", status)

    one = BackfillFailed([failure(outcomes.EXIT_LAYOUT), failure(outcomes.EXIT_LAYOUT)], [])
    assert outcomes.classify(one).exit_status == outcomes.EXIT_LAYOUT
    mixed = BackfillFailed([failure(outcomes.EXIT_LAYOUT), failure(outcomes.EXIT_DROP)], [])
    assert outcomes.classify(mixed).exit_status == outcomes.EXIT_INVALID
    assert str(mixed).splitlines()[1] == "  2026-03-02  /a/run.warc.gz: why"
    import pickle

    assert str(pickle.loads(pickle.dumps(mixed))) == str(mixed)


def test_a_backfill_enriches_every_run_from_the_kbo_extract(refreshed, tmp_path):
    from cluster_etl.kbo.sample import write_sample_extract

    _, archives = refreshed
    extract = write_sample_extract(tmp_path / "kbo", entities=50)
    out = tmp_path / "out"
    results = backfill(archives=[str(warcs(archives)[0])], out_dir=str(out), kbo=str(extract.path))
    assert [r.release.name for r in results] == [D1.isoformat()]
    members = publish.read_release_parquet(out / "latest")["members"]
    assert (members["kbo_status"] == "active").sum() > 500
    assert set(members.loc[members["enterprise_number"].isin(extract.absent_numbers), "kbo_status"]) == {
        "not_found"}
    package = json.loads((out / "latest" / "datapackage.json").read_text())
    assert package["cluster_etl"]["kbo_extract"]["extract_number"] == extract.extract_number
    assert (out / "kbo-cache").is_dir()  # the replays' filtered rows, for the next run
