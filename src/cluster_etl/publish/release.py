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

from cluster_etl.publish import metadata as meta
from cluster_etl.publish import writers
from cluster_etl.schema import TABLES, Report
from cluster_etl.validate import Tables, is_null

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LATEST = "latest"
RELEASES = "releases"


class PublishError(RuntimeError):
    """Publication refused or failed; what was published before is unchanged."""


def _as_of(tables: Tables) -> dt.date | None:
    dates = [d for d in tables.clusters["as_of"].tolist() if not is_null(d)]
    return max(dates) if dates else None


def write_release_files(tables: Tables, report: Report, folder: Path, release_date: dt.date,
                        metadata: dict[str, Any]) -> None:
    """Every file of a release, into an existing empty folder."""
    for name, table in TABLES.items():
        df = getattr(tables, name)
        for fmt in writers.FORMATS:
            # Looked up on the module at call time, so a test can make one writer fail.
            getattr(writers, f"write_{fmt}")(df, table, folder / f"{name}.{fmt}")
    as_of = _as_of(tables)
    meta.write_validation(report.to_dict(), folder)
    meta.write_datapackage(folder, release_date, metadata, as_of)
    meta.write_readme(folder, release_date, metadata, as_of)
    meta.write_checksums(folder)


def verify_release(folder: Path, tables: Tables) -> None:
    """Read every format back and compare it with the tables; raise PublishError on a difference."""
    for fmt in writers.FORMATS:
        published = writers.read_release(folder, fmt)
        for name, table in TABLES.items():
            if writers.column_values(published[name], table) != writers.column_values(
                    getattr(tables, name), table):
                raise PublishError(f"{name}.{fmt} does not read back as the table written")


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


def release_dates(out_dir: Path) -> list[dt.date]:
    """Dates of the published releases, oldest first."""
    dates = []
    for path in (Path(out_dir) / RELEASES).glob("*"):
        with contextlib.suppress(ValueError):
            date = dt.date.fromisoformat(path.name)
            if path.is_dir() and path.name == date.isoformat():
                dates.append(date)
    return sorted(dates)


def latest_date(out_dir: Path) -> dt.date | None:
    """Release date of the copy in latest/, from its datapackage.json; None when unknown."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        package = json.loads((Path(out_dir) / LATEST / "datapackage.json").read_text(encoding="utf-8"))
        return dt.date.fromisoformat(package["cluster_etl"]["release_date"])
    return None


def update_latest(out_dir: Path, release_date: dt.date) -> bool:
    """Make latest/ a copy of the newest release, when `release_date` is it or latest/ is not.

    Returns whether latest/ was replaced. A backfill of an older date leaves it alone.
    """
    newest = max(release_dates(out_dir), default=None)
    if newest is None or (release_date != newest and latest_date(out_dir) == newest):
        return False
    tmp = out_dir / f".tmp-{LATEST}-{secrets.token_hex(4)}"
    try:
        shutil.copytree(out_dir / RELEASES / newest.isoformat(), tmp)
        _swap_in(tmp, out_dir / LATEST)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


def write_release(tables: Tables, report: Report, out_dir: Path, release_date: dt.date,
                  metadata: dict[str, Any]) -> Path:
    """Publish `tables` as releases/<release_date>/ and refresh latest/; return the release folder.

    Refuses, changing nothing, when the report failed. A release of the same date is replaced
    whole; latest/ follows the newest date, so a backfill does not move it.
    """
    if report.status == "fail":
        names = ", ".join(c.name for c in report.failed)
        raise PublishError(f"validation failed, nothing published: {names}")
    out_dir = Path(out_dir)
    releases = out_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    final = releases / release_date.isoformat()
    with _publish_lock(out_dir):
        _tidy(releases)
        _tidy(out_dir)
        tmp = _new_dir(releases, f".tmp-{release_date.isoformat()}")
        try:
            write_release_files(tables, report, tmp, release_date, metadata)
            verify_release(tmp, tables)
            _swap_in(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        update_latest(out_dir, release_date)
    return final
