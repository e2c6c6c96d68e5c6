"""All-or-nothing releases: write into a temporary folder, check it, swap it into place.

Layout under out_dir:
    releases/<YYYY-MM-DD>/   one folder per release date (files listed in metadata/writers)
    latest/                  a real copy of the newest release by date (not a symlink)
Temporary folders are dot-named siblings (.tmp-*, .old-*), so they never count as releases.
One publisher at a time per out_dir: a lock file (.publish.lock) holds others off where the
platform has fcntl.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cluster_etl.bulk import without_cyclic_gc
from cluster_etl.publish import catalog, chart, database, page, workbook, workbook_read, writers
from cluster_etl.publish.arrays import (
    ReadColumn, converted_once, typed_columns, typed_values)
from cluster_etl.publish import changes as changes_module
from cluster_etl.publish import metadata as meta
from cluster_etl.publish.metadata import CHART, DATABASE, WORKBOOK
from cluster_etl.publish.series import (
    LATEST, RELEASES, Frames, PublishError, check_drop, history_until, previous_release,
    read_snapshot, release_dates, release_folder)
from cluster_etl.schema import MEMBERSHIP_HISTORY, SNAPSHOT_TABLES, TABLES, Report
from cluster_etl.validate import Tables, is_null

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]



def _as_of(frames: Frames) -> dt.date | None:
    dates = [d for d in frames["clusters"]["as_of"].tolist() if not is_null(d)]
    return max(dates) if dates else None


def write_release_files(frames: Frames, report: dict[str, Any], folder: Path, release_date: dt.date,
                        metadata: dict[str, Any], changes: dict[str, Any],
                        names: dict[str, dict[str, str]]) -> None:
    """Every file of a release, into an existing empty folder; files that describe others last."""
    for name, table in TABLES.items():
        df = frames[name]
        # Looked up on the module at call time, so a test can make one writer fail.
        writers.write_csv(df, table, folder / f"{name}.csv")
        writers.write_json(df, table, folder / f"{name}.json")
        writers.write_parquet(df, table, folder / f"{name}.parquet", release_date)
    workbook.write_workbook(frames, folder / WORKBOOK, release_date)
    database.write_database(frames, folder / DATABASE)
    as_of = _as_of(frames)
    chart.write_member_type_chart(frames["member_types"], folder / CHART, as_of)
    meta.write_validation(report, folder)
    changes_module.write_changes(changes, names, folder)
    meta.write_readme(folder, release_date, metadata, as_of)
    page.write_release_page(folder, frames, report, changes, names, release_date, as_of, metadata)
    catalog.write_release_catalog(folder, release_date, as_of, metadata)
    meta.write_datapackage(folder, release_date, metadata, as_of)
    meta.write_checksums(folder)


def read_back(folder: Path, skip: tuple[str, ...] = ()
              ) -> Iterator[tuple[str, str, list[ReadColumn]]]:
    """(format, table name, columns) of every table in each format that holds them all (but
    `skip`), in format order; one table (or one file's tables) in memory at a time."""
    for fmt in writers.FORMATS:
        if fmt in skip:
            continue
        for name, table in TABLES.items():
            yield fmt, name, writers.read_columns(folder / f"{name}.{fmt}", fmt, table)
    for fmt, read in (("xlsx", workbook_read.read_workbook_columns),
                      ("sqlite", database.read_database_columns)):
        path = folder / (WORKBOOK if fmt == "xlsx" else DATABASE)
        tables = read(path)
        while tables:
            name = next(iter(tables))
            yield fmt, name, tables.pop(name)


def verify_release(folder: Path, frames: Frames) -> None:
    """Read every format back and compare it with the tables; raise PublishError on a difference.

    Compared as typed Arrow arrays (column_values' rules), one table of one format at a time."""
    written = {name: typed_columns(frames[name], table) for name, table in TABLES.items()}
    for fmt, name, columns in read_back(folder):
        read = typed_values(TABLES[name], columns)
        if not all(a.equals(b) for a, b in zip(read, written[name])):
            where = f"{name}.{fmt}" if fmt in writers.FORMATS else f"the {name} table of {fmt}"
            raise PublishError(f"{where} does not read back as the table written")


def _new_dir(parent: Path, prefix: str) -> Path:
    # os.mkdir honours the umask, unlike tempfile.mkdtemp (0700), so a published release is
    # readable as any other folder.
    path = parent / f"{prefix}-{secrets.token_hex(4)}"
    os.mkdir(path)
    return path


def _swap_in(new: Path, final: Path) -> None:
    """Rename `new` to `final`, replacing a previous `final` whole; restore it on failure."""
    if not final.exists() and not final.is_symlink():
        os.rename(new, final)
        return
    old = final.with_name(f".old-{final.name}-{secrets.token_hex(4)}")
    os.rename(final, old)
    try:
        os.rename(new, final)
    except BaseException:
        os.rename(old, final)
        raise
    if old.is_symlink():
        old.unlink()
    else:
        shutil.rmtree(old)


def _tidy(folder: Path) -> None:
    """After a crash: put back a folder renamed aside but never replaced, drop leftovers."""
    for path in folder.glob(".old-*"):
        final = folder / path.name[len(".old-"):].rsplit("-", 1)[0]
        if final.exists():
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.rename(path, final)
    for path in folder.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _publish_lock(out_dir: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(out_dir / ".publish.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def update_latest(out_dir: Path) -> bool:
    """Make latest/ a copy of the newest release (by date); False when there is none.

    Called after every publication: a backfill of an older date leaves latest/ on the newest date,
    but that release's history and changes may have been recomputed, so the copy is refreshed.
    """
    newest = max(release_dates(out_dir), default=None)
    if newest is None:
        return False
    tmp = out_dir / f".tmp-{LATEST}-{secrets.token_hex(4)}"
    try:
        shutil.copytree(out_dir / RELEASES / newest.isoformat(), tmp)
        _swap_in(tmp, out_dir / LATEST)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


# --- publication ------------------------------------------------------------------------------

def _publish_one(out_dir: Path, release_date: dt.date, snapshot: Frames, report: dict[str, Any],
                 metadata: dict[str, Any]) -> Path:
    """Write releases/<release_date>/ whole from its snapshot, with the history and changes
    against the release before it, through a temporary folder that is read back, then swapped in."""
    previous = previous_release(out_dir, release_date)
    before = read_snapshot(out_dir, previous) if previous else None
    releases = out_dir / RELEASES
    tmp = _new_dir(releases, f".tmp-{release_date.isoformat()}")
    try:
        # Each table made into typed arrays once, each file hashed once, for every file and check.
        with converted_once(), meta.hashed_once():
            history = changes_module.extend_history(history_until(out_dir, previous),
                                                    snapshot["memberships"], release_date)
            frames = {**snapshot, MEMBERSHIP_HISTORY.name: history}
            changes = changes_module.compare_releases(before, frames, release_date, previous)
            names = changes_module.release_names(frames, before)
            write_release_files(frames, report, tmp, release_date, metadata, changes, names)
            verify_release(tmp, frames)
        _swap_in(tmp, release_folder(out_dir, release_date))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return release_folder(out_dir, release_date)


def _republish(out_dir: Path, date: dt.date) -> None:
    """Rewrite a published release from its own tables, report and run metadata, after a release
    of an earlier date changed what its history and changes are computed from."""
    folder = release_folder(out_dir, date)
    report = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
    metadata = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["cluster_etl"]
    metadata = {k: v for k, v in metadata.items() if k != "release_date"}
    _publish_one(out_dir, date, read_snapshot(out_dir, date), report, metadata)


def write_site_files(out_dir: Path) -> None:
    """The output folder's own index.html and catalog.ttl, from the releases present."""
    page.write_root_index(out_dir)
    catalog.write_root_catalog(out_dir)


@without_cyclic_gc
def write_release(tables: Tables, report: Report, out_dir: Path, release_date: dt.date,
                  metadata: dict[str, Any], allow_drop: bool = False) -> Path:
    """Publish `tables` as releases/<release_date>/ and refresh latest/; return the release folder.

    Refuses, changing nothing, when the report failed or the memberships fell by more than
    DROP_LIMIT against the previous release (unless `allow_drop`). A release of the same date is
    replaced whole. Releases of later dates are rewritten after it, so their history and changes
    never depend on the order in which releases were built; latest/ stays on the newest date.
    """
    if report.status == "fail":
        names = ", ".join(c.name for c in report.failed)
        raise PublishError(f"validation failed, nothing published: {names}")
    out_dir = Path(out_dir)
    snapshot = {name: getattr(tables, name) for name in SNAPSHOT_TABLES}
    releases = out_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    with _publish_lock(out_dir):
        _tidy(releases)
        _tidy(out_dir)
        previous = previous_release(out_dir, release_date)
        before = read_snapshot(out_dir, previous) if previous else None
        drop = check_drop(before, snapshot, previous, allow_drop)
        if drop.status == "warn":
            metadata = {**metadata, "drop_allowed": {"previous_release": previous,
                                                     "detail": drop.detail}}
        report_dict = Report(checks=[*report.checks, drop]).to_dict()
        final = _publish_one(out_dir, release_date, snapshot, report_dict, metadata)
        for later in [d for d in release_dates(out_dir) if d > release_date]:
            _republish(out_dir, later)
        update_latest(out_dir)
        write_site_files(out_dir)
    return final
