"""Backfills: one release per archived run, built in release-date order.

`find_archives` turns what the operator names (WARC files, folders of them) into files; `plan`
reads each run's warcinfo record alone (cheap) and decides which run gives which release; and
`replay_snapshot` replays one run into tables and a report, without Prefect, so that a task runner
may run it in a thread, a local process or another machine. Publication is the caller's: one
release at a time, oldest date first, in the process that owns the output folder.

Everything handed between processes (PlannedRun, Snapshot, ReplayFailed) pickles: Dask moves
task arguments, results and exceptions through pickle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from warcio.exceptions import ArchiveLoadFailed

from cluster_etl import crawl, normalise, publish, run, validate
from cluster_etl.fetch import FetchSettings, PortalClient, replay_client
from cluster_etl.fetch.archive import (
    WARC_SUFFIX, ArchiveError, parse_warc_date, read_run_info, run_release_date)
from cluster_etl.normalise import NormalisedTables
from cluster_etl.raw import RawPortal
from cluster_etl.schema import Report

Action = Literal["build", "rebuild", "skip"]


@dataclass(frozen=True)
class PlannedRun:
    """The archived run that gives the release of `release_date`, and what to do with it."""

    archive: Path
    release_date: dt.date
    started: dt.datetime
    action: Action  # skip: a release of that date exists and no rebuild was asked for
    superseded: tuple[Path, ...] = ()  # earlier runs published under the same date: not replayed


@dataclass
class Snapshot:
    """A replayed run, ready for publication."""

    tables: NormalisedTables
    report: Report
    result: run.RunResult
    settings: FetchSettings  # the recorded run's (its User-Agent goes into the release's metadata)
    kbo_metadata: dict[str, Any] | None = None  # the KBO extract it was enriched from

    def metadata(self, out_dir: Path, base_url: str | None) -> dict[str, Any]:
        """The run facts its release records, as a refresh or a replay records them."""
        return {**self.result.metadata(self.settings, Path(out_dir)),
                **({"base_url": base_url} if base_url else {}),
                **({"kbo_extract": self.kbo_metadata} if self.kbo_metadata else {})}


class ReplayFailed(Exception):
    """One archived run that could not be replayed or published. Its arguments are plain values,
    so it survives pickling (the original exception may not: ValidationFailed carries a result).
    `reason` is the first line of what a lone replay would have said (the whole of it, a list of
    pages for instance, is in the task's log): one failure, one line of the backfill's report."""

    def __init__(self, archive: str, release_date: str, reason: str, exit_status: int):
        reason = (reason.splitlines() or [""])[0]
        super().__init__(archive, release_date, reason, exit_status)
        self.archive, self.release_date, self.reason, self.exit_status = (
            archive, release_date, reason, exit_status)

    def __str__(self) -> str:
        return f"{self.release_date}  {self.archive}: {self.reason}"


class BackfillFailed(Exception):
    """Some runs of a backfill were not published (`failures`); the others were (`results`)."""

    def __init__(self, failures: list[ReplayFailed], results: list[run.RunResult]):
        super().__init__(failures, results)
        self.failures, self.results = failures, results

    def __str__(self) -> str:
        lines = [f"backfill: {len(self.failures)} run(s) not published "
                 f"({len(self.results)} published):"]
        return "\n".join([*lines, *(f"  {failure}" for failure in self.failures)])


def find_archives(paths: Iterable[str | Path]) -> list[Path]:
    """The WARC files named: files as given, and each folder's *.warc.gz (not its subfolders).
    Absolute paths, each once. ArchiveError names a path that is neither, or a folder without one."""
    found: dict[Path, None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            warcs = sorted(path.glob(f"*{WARC_SUFFIX}"))
            if not warcs:
                raise ArchiveError(f"{path}: no {WARC_SUFFIX} file in this folder")
            found.update(dict.fromkeys(w.resolve() for w in warcs))
        elif path.is_file():
            found[path.resolve()] = None
        else:
            raise ArchiveError(f"no such archive file or folder: {path}")
    return list(found)


def _run_facts(archive: Path) -> tuple[dt.date, dt.datetime]:
    try:
        info = read_run_info(archive)
    except ArchiveLoadFailed as exc:  # warcio's error for a file that is no WARC at all
        raise ArchiveError(f"{archive}: not a readable WARC file ({exc})") from None
    try:
        return run_release_date(info), parse_warc_date(str(info["started"]))
    except (KeyError, ValueError) as exc:
        raise ArchiveError(f"{archive}: unreadable run record in its warcinfo ({exc})") from None


def plan(archives: Iterable[Path], out_dir: Path, rebuild: bool = False) -> list[PlannedRun]:
    """One run per release date, oldest date first. Runs published under the same date: the one
    that started last wins. A date already published is skipped unless `rebuild`. Raises
    ArchiveError naming every archive whose warcinfo cannot be read, before anything is replayed."""
    by_date: dict[dt.date, list[tuple[dt.datetime, Path]]] = {}
    unreadable: list[str] = []
    for archive in archives:
        try:
            release_date, started = _run_facts(Path(archive))
        except ArchiveError as exc:
            unreadable.append(str(exc))
            continue
        by_date.setdefault(release_date, []).append((started, Path(archive)))
    if unreadable:
        raise ArchiveError(f"{len(unreadable)} archive(s) cannot be read, nothing replayed:\n"
                           + "\n".join(f"  {line}" for line in unreadable))
    published = set(publish.release_dates(out_dir))
    planned = []
    for release_date, runs in sorted(by_date.items()):
        runs.sort()
        started, archive = runs[-1]
        action: Action = ("build" if release_date not in published
                          else "rebuild" if rebuild else "skip")
        planned.append(PlannedRun(archive, release_date, started, action,
                                  tuple(path for _, path in runs[:-1])))
    return planned


def crawl_archive(client: PortalClient, started: dt.datetime) -> RawPortal:
    """The portal as the archived run saw it, one cluster after another: a replay runs inside one
    worker of the task runner, which is where the parallelism is."""
    overview, findings = crawl.crawl_overview(client)
    clusters, failures = [], []
    for link in overview["clusters"]:
        try:
            clusters.append(crawl.crawl_cluster(client, link))
        except crawl.IncompleteRun as exc:  # reported together, as the refresh flow does
            failures.extend(exc.failures)
    if failures:
        raise crawl.IncompleteRun(failures)
    return RawPortal(portal_url=client.base_url, overview=overview, clusters=clusters,
                     retrieved_at=started, findings=findings)


def replay_snapshot(archive: Path, kbo_extract: tuple[str, str] | None = None) -> Snapshot:
    """Replay one archived run: its tables and report, as the run itself produced them, enriched
    from the KBO extract (path, cache folder) when one is given. Raises ValidationFailed when a
    check fails, ArchiveError, IncompleteRun, LayoutError or KboError otherwise."""
    timer = run.StageTimer()
    with timer("fetch"), replay_client(Path(archive)) as client:
        raw = crawl_archive(client, client.started)
    with timer("normalise"):
        tables = normalise.normalise(raw)
    kbo_metadata = None
    if kbo_extract is not None:
        from cluster_etl import kbo  # opened in the worker: an Extract is a path and a cache

        with timer("enrich"):
            extract = kbo.open_extract(Path(kbo_extract[0]), Path(kbo_extract[1]))
            tables, kbo_metadata = kbo.enrich_tables(tables, extract.select(tables.members["enterprise_number"]))
    with timer("validate"):
        report = validate.validate(tables, raw.overview, run.collect_findings(raw, tables))
    result = run.RunResult.of(raw, tables, report, client.stats, client.started, timer.seconds)
    result.archive = Path(archive)
    if report.status == "fail":
        raise run.ValidationFailed(result)
    return Snapshot(tables, report, result, client.settings, kbo_metadata)


def plan_lines(planned: list[PlannedRun]) -> list[str]:
    """What the backfill will do, for its log: one line per run, superseded runs included."""
    lines = []
    for item in planned:
        lines.append(f"{item.release_date}  {item.action:<7}  {item.archive}")
        lines += [f"{item.release_date}  superseded  {path} (a later run has this date)"
                  for path in item.superseded]
    return lines


def outcome_rows(planned: list[PlannedRun], built: list[PlannedRun],
                 done: list[run.RunResult | ReplayFailed]) -> list[dict[str, Any]]:
    """The backfill's table for the operator: one row per archived run named (`done[i]` is what
    became of `built[i]`)."""
    outcome_of = {item.archive: outcome for item, outcome in zip(built, done)}
    rows = []
    for item in planned:
        outcome = outcome_of.get(item.archive)
        if isinstance(outcome, ReplayFailed):
            text = f"failed: {outcome.reason}"
        elif outcome is None:
            text = "skipped: already published" if item.action == "skip" else "not run"
        else:
            text = "rebuilt" if item.action == "rebuild" else "published"
        memberships = outcome.memberships if isinstance(outcome, run.RunResult) else None
        rows.append({"release_date": item.release_date.isoformat(), "archive": item.archive.name,
                     "outcome": text, "memberships": memberships})
        rows += [{"release_date": item.release_date.isoformat(), "archive": path.name,
                  "outcome": f"superseded by {item.archive.name}", "memberships": None}
                 for path in item.superseded]
    return rows
