"""The series of releases in an output folder: which exist, which came before a date, the
tables and membership history each published, and the drop guard between two of them."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import pandas as pd

from cluster_etl.publish import changes as changes_module
from cluster_etl.publish import writers
from cluster_etl.schema import MEMBERSHIP_HISTORY, SNAPSHOT_TABLES, TABLES, Check

LATEST = "latest"
RELEASES = "releases"
Frames = dict[str, pd.DataFrame]


class PublishError(RuntimeError):
    """Publication refused or failed; what was published before is unchanged."""


DROP_LIMIT = 0.20  # memberships may fall by at most this share against the previous release


class DropRefused(PublishError):
    """The memberships fell by more than DROP_LIMIT against the previous release."""


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


def previous_release(out_dir: Path, release_date: dt.date) -> dt.date | None:
    """The newest release of an earlier date, or None."""
    return max((d for d in release_dates(out_dir) if d < release_date), default=None)


def release_folder(out_dir: Path, date: dt.date) -> Path:
    return Path(out_dir) / RELEASES / date.isoformat()


def read_snapshot(out_dir: Path, date: dt.date) -> Frames:
    """The tables normalise produced for a published release (read from its Parquet files)."""
    return read_folder_snapshot(release_folder(out_dir, date))


def read_folder_snapshot(folder: Path) -> Frames:
    return {name: writers.read_parquet(Path(folder) / f"{name}.parquet", table)
            for name, table in SNAPSHOT_TABLES.items()}


def folder_release_date(folder: Path) -> dt.date:
    """A release folder's date: its datapackage.json's, else the folder's name."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        package = json.loads((Path(folder) / "datapackage.json").read_text(encoding="utf-8"))
        return dt.date.fromisoformat(package["cluster_etl"]["release_date"])
    return dt.date.fromisoformat(Path(folder).resolve().name)


def diff_releases(before: Path, after: Path) -> dict:
    """changes.json of release folder `after` against release folder `before` (any two)."""
    old, new = read_folder_snapshot(before), read_folder_snapshot(after)
    return changes_module.compare_releases(old, new, folder_release_date(after),
                                           folder_release_date(before))


def history_until(out_dir: Path, date: dt.date | None) -> pd.DataFrame:
    """membership_history as of the published release `date` (empty for None). Releases
    published before the table existed get theirs recomputed from their memberships."""
    if date is None:
        return changes_module.empty_history()
    path = release_folder(out_dir, date) / f"{MEMBERSHIP_HISTORY.name}.parquet"
    if path.exists():
        return writers.read_parquet(path, MEMBERSHIP_HISTORY)
    memberships = writers.read_parquet(release_folder(out_dir, date) / "memberships.parquet",
                                       TABLES["memberships"])
    return changes_module.extend_history(history_until(out_dir, previous_release(out_dir, date)),
                                         memberships, date)


def check_drop(before: Frames | None, after: Frames, previous: dt.date | None,
               allow_drop: bool) -> Check:
    """The drop guard: memberships may fall by at most DROP_LIMIT against the previous release.

    Raises DropRefused (with both figures) unless `allow_drop`; the returned check records the
    comparison, and that the drop was allowed when it was."""
    old = None if before is None else len(before["memberships"])
    new = len(after["memberships"])
    expected = f"at most a {DROP_LIMIT:.0%} fall against the previous release"
    if not old:
        return Check("membership_drop", "pass", expected=expected, observed=None,
                     detail="no previous release with memberships to compare with")
    fall = (old - new) / old
    figures = (f"memberships fell from {old} (release {previous}) to {new} ({-fall:+.1%})"
               if fall > 0 else f"memberships went from {old} (release {previous}) to {new}")
    if fall <= DROP_LIMIT:
        return Check("membership_drop", "pass", expected=expected, observed=new - old, detail=figures)
    if not allow_drop:
        raise DropRefused(f"publication refused: {figures}, more than the {DROP_LIMIT:.0%} allowed; "
                          "if the portal really shrank, publish with --allow-drop")
    return Check("membership_drop", "warn", expected=expected, observed=new - old,
                 detail=f"{figures}; published because the operator allowed it (--allow-drop)")
