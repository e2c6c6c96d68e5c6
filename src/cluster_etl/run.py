"""What one refresh produced: figures for the operator's summary and the release's metadata."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from cluster_etl import __version__
from cluster_etl.crawl import IncompleteRun
from cluster_etl.raw import RawCluster, RawPortal
from cluster_etl.schema import Check, Report


class ValidationFailed(Exception):
    """A check failed: nothing was published."""

    def __init__(self, result: RunResult):
        self.result = result
        names = ", ".join(c.name for c in result.report.failed)
        super().__init__(f"validation failed, nothing published; failed check(s): {names}")


class StageTimer:
    """Wall time per stage, for the operator's summary and the benchmark."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started


def gather(futures) -> list[RawCluster]:
    """Waits for every cluster; fetch failures of all clusters are reported together."""
    for future in futures:
        future.wait()
    failures, results = [], []
    for future in futures:
        if future.state.is_completed():
            results.append(future.result())
            continue
        exc = future.result(raise_on_failure=False)
        if isinstance(exc, IncompleteRun):
            failures.extend(exc.failures)
        elif isinstance(exc, BaseException):
            raise exc
        else:
            raise RuntimeError(f"cluster task ended in state {future.state.type}")
    if failures:
        raise IncompleteRun(failures)
    return results


def collect_findings(raw: RawPortal, tables) -> list[Check]:
    findings = list(raw.findings)
    for cluster in raw.clusters:
        findings.extend(cluster.findings)
    findings.extend(tables.findings)
    return findings


def _relative(path: Path, folder: Path) -> str:
    """`archive/<run>.warc.gz` when the archive lies in the output folder, else the full path."""
    try:
        return Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
    except ValueError:
        return str(Path(path).resolve())


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class RunResult:
    portal_url: str
    started: dt.datetime
    as_of: dt.date | None
    source: str | None
    clusters: int
    members: int
    memberships: int
    companies: int
    smes: int
    report: Report
    fetch: dict[str, Any]
    release: Path | None = None
    archive: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, filled as they end

    @classmethod
    def of(cls, raw: RawPortal, tables, report: Report, stats, started: dt.datetime,
           timings: dict[str, float]) -> RunResult:
        types = tables.memberships.merge(tables.members[["member_id", "member_type", "size_class"]],
                                         on="member_id", how="left")
        companies = types["member_type"].eq("company")
        return cls(
            portal_url=raw.portal_url, started=started, as_of=raw.overview.get("as_of"),
            source=raw.overview.get("source"), clusters=len(tables.clusters),
            members=len(tables.members), memberships=len(tables.memberships),
            companies=int(companies.sum()),
            smes=int((companies & types["size_class"].eq("sme")).sum()),
            report=report, fetch=stats.as_dict(), timings=timings,
        )

    @property
    def company_share(self) -> float | None:
        return _share(self.companies, self.memberships)

    @property
    def sme_share(self) -> float | None:
        return _share(self.smes, self.memberships)

    def metadata(self, settings, out_dir: Path) -> dict[str, Any]:
        """Run facts recorded in the release's datapackage.json."""
        return {
            "tool": f"cluster-etl {__version__}",
            "portal_url": self.portal_url,
            "retrieved_at": self.started.isoformat(timespec="seconds"),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": self.source,
            "user_agent": settings.user_agent,
            "fetch": self.fetch,
            "archive": _relative(self.archive, out_dir) if self.archive else None,
        }

    def _source_line(self) -> str:
        if "listing_rows" in self.fetch:  # an ingested listing, not a crawl
            return (f"listing       {self.fetch['listing_rows']} rows, "
                    f"{self.fetch.get('listing_rows_used', 0)} used, "
                    f"{self.fetch.get('listing_rows_skipped', 0)} skipped")
        return (f"fetch         {self.fetch.get('pages', 0)} pages, {self.fetch.get('requests', 0)} "
                f"requests, {self.fetch.get('statuses', {}).get('304', 0)} not modified (304), "
                f"{self.fetch.get('body_bytes', 0) / 1e6:.1f} MB of bodies")

    def summary_lines(self) -> list[str]:
        pct = lambda x: "n/a" if x is None else f"{100 * x:.1f}%"  # noqa: E731
        lines = [
            f"{'listing' if 'listing_rows' in self.fetch else 'portal':<14}{self.portal_url}  "
            f"(figures as of {self.as_of or 'unknown'})",
            f"clusters      {self.clusters}",
            f"members       {self.members} organisations",
            f"memberships   {self.memberships}",
            f"companies     {self.companies} ({pct(self.company_share)} of memberships)",
            f"SMEs          {self.smes} ({pct(self.sme_share)} of memberships)",
            self._source_line(),
            f"archive       {self.archive or 'none'}",
            "stages        " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()),
            f"validation    {self.report.status.upper()}",
        ]
        lines += _check_lines(self.report.checks)
        return lines


def _check_lines(checks: list[Check]) -> list[str]:
    """One line per check family ("schema", "primary_key", a finding repeated per page...)."""
    families: dict[str, list[Check]] = {}
    for check in checks:
        families.setdefault(check.name.split(":")[0], []).append(check)
    lines = []
    for family, members in families.items():
        if len(members) == 1:
            check = members[0]
            detail = check.detail or f"expected {check.expected}, observed {check.observed}"
            lines.append(f"  {check.status:<4}  {check.name}: {detail}")
            continue
        statuses = Counter(c.status for c in members)
        worst = _worst(statuses)
        counts = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        first = next((c for c in members if c.status == worst), members[0])
        note = "" if worst == "pass" else f"; first: {first.name}: {first.detail or first.observed}"
        lines.append(f"  {worst:<4}  {family} x{len(members)} ({counts}){note}")
    return lines


def _worst(statuses: Counter) -> str:
    for status in ("fail", "warn", "pass"):
        if statuses.get(status):
            return status
    return "pass"
