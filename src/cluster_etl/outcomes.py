"""How a run ended, for the operator: exit statuses, `DIR/last-failure.json` and the webhook.

Every expected way a run stops (a failed check, pages that could not be fetched, a layout change,
an archive that cannot be replayed, a refused or failed publication) is classified once here, so
the command line, scheduled runs and backfills report it the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

import requests

from cluster_etl.backfill import BackfillFailed
from cluster_etl.crawl import IncompleteRun
from cluster_etl.fetch.archive import ArchiveError
from cluster_etl.kbo import KboError
from cluster_etl.listing import ListingError
from cluster_etl.portal import LayoutError
from cluster_etl.publish import DropRefused, PublishError
from cluster_etl.run import ValidationFailed

from cluster_etl.exits import (  # noqa: F401 - the statuses are used as outcomes.EXIT_*
    EXIT_DROP, EXIT_INCOMPLETE, EXIT_INVALID, EXIT_LAYOUT, EXIT_OK, EXIT_PUBLISH, EXIT_USAGE)

LAST_FAILURE = "last-failure.json"
NOTIFY_ENV = "CLUSTER_ETL_NOTIFY_URL"
NOTIFY_TIMEOUT = 10  # seconds: a webhook that hangs must not hold the run's own report back

log = logging.getLogger(__name__)


@dataclass
class Failure:
    """What stopped a run, as last-failure.json and the webhook carry it."""

    kind: str  # validation | incomplete | layout | archive | publish | drop_refused | backfill
    exit_status: int
    message: str
    checks: list[dict[str, Any]] = field(default_factory=list)  # the failed checks
    urls: list[dict[str, Any]] = field(default_factory=list)  # pages that failed, last status
    archive: str | None = None
    when: str = ""
    out_dir: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _failed_checks(exc: ValidationFailed) -> list[dict[str, Any]]:
    return [c.to_dict() for c in exc.result.report.failed]


def classify(exc: BaseException) -> Failure | None:
    """The Failure an expected exception stands for; None for anything unexpected (a bug)."""
    if isinstance(exc, ValidationFailed):
        failed = exc.result.report.failed
        archive = str(exc.result.archive) if exc.result.archive else None
        if failed and any(c.layout_change for c in failed):
            names = ", ".join(c.name for c in failed if c.layout_change)
            return Failure("layout", EXIT_LAYOUT, f"the portal's layout changed: {names} "
                           "(nothing published; see portal/layout.py)", _failed_checks(exc),
                           archive=archive)
        return Failure("validation", EXIT_INVALID, str(exc), _failed_checks(exc), archive=archive)
    if isinstance(exc, IncompleteRun):
        urls = [{"url": f.url, "reason": f.reason, "status": f.status} for f in exc.failures]
        return Failure("incomplete", EXIT_INCOMPLETE, str(exc), urls=urls)
    if isinstance(exc, ArchiveError):
        return Failure("archive", EXIT_INCOMPLETE, f"the archive cannot be replayed: {exc}")
    if isinstance(exc, LayoutError):
        return Failure("layout", EXIT_LAYOUT, f"the portal's layout changed: {exc}",
                       urls=[{"url": exc.url, "reason": f"expected {exc.expected}", "status": 200}])
    if isinstance(exc, ListingError):
        return Failure("input", EXIT_USAGE, f"the listing cannot be ingested: {exc}")
    if isinstance(exc, KboError):
        return Failure("input", EXIT_USAGE, f"the KBO extract cannot be used: {exc}")
    if isinstance(exc, DropRefused):
        return Failure("drop_refused", EXIT_DROP, str(exc))
    if isinstance(exc, PublishError):
        return Failure("publish", EXIT_PUBLISH, f"publication failed: {exc}")
    if isinstance(exc, BackfillFailed):  # the failed runs' own status when they share one, else 1
        statuses = {failure.exit_status for failure in exc.failures}
        return Failure("backfill", statuses.pop() if len(statuses) == 1 else EXIT_INVALID, str(exc))
    return None


def write_last_failure(out_dir: Path, failure: Failure) -> Path:
    """DIR/last-failure.json, replaced whole (a reader never sees half a file)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LAST_FAILURE
    tmp = out_dir / f".{LAST_FAILURE}.{secrets.token_hex(4)}"
    tmp.write_text(json.dumps(failure.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def notify(url: str | None, payload: dict[str, Any]) -> bool:
    """POST `payload` as JSON to the webhook; a webhook that fails is logged, never raised, so it
    cannot hide the run's own outcome. Returns whether the webhook accepted it (2xx)."""
    if not url:
        return False
    try:
        response = requests.post(url, json=payload, timeout=NOTIFY_TIMEOUT)
    except requests.RequestException as exc:
        log.warning("notification to %s failed: %s", url, exc)
        return False
    if not response.ok:
        log.warning("notification to %s answered HTTP %s", url, response.status_code)
    return response.ok


def notify_url(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get(NOTIFY_ENV) or None


def report_failure(exc: BaseException, out_dir: Path, webhook: str | None,
                   archive: Path | None = None) -> Failure:
    """Write DIR/last-failure.json and notify the webhook; an unexpected exception (a bug) is
    reported too, as kind "error"."""
    failure = classify(exc) or Failure("error", EXIT_INVALID,
                                       f"unexpected error: {type(exc).__name__}: {exc}")
    failure.when = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    failure.out_dir = str(Path(out_dir).resolve())
    if failure.archive is None and archive is not None:
        failure.archive = str(archive)
    try:
        write_last_failure(out_dir, failure)
    except OSError as exc_write:  # an unwritable folder must not hide the run's own failure
        log.warning("could not write %s in %s: %s", LAST_FAILURE, out_dir, exc_write)
    notify(notify_url(webhook), failure.to_dict())
    return failure


@contextlib.contextmanager
def failures_reported(out_dir: Path, webhook: str | None) -> Iterator[dict[str, Any]]:
    """Around a run: any exception it raises is reported (last-failure.json, webhook), then
    re-raised unchanged. The run may set state["archive"] once its WARC file exists."""
    state: dict[str, Any] = {"archive": None}
    try:
        yield state
    except Exception as exc:
        report_failure(exc, out_dir, webhook, state["archive"])
        raise
