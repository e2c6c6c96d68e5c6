"""The refresh flow: fetch -> parse -> normalise -> validate -> publish. It only wires the stages.

Tasks are coarse: the overview, one task per cluster (fetch and parse of its pages), then one task
per stage. Only the fetch tasks retry (once, when the site was down; never in a replay); the HTTP
client below them also retries each request.

The raw records, tables, report and result are handed to tasks `quote`d: unquoted, Prefect walks
every record of an argument, twice per task, looking for futures to wait for (about a second per
stage on the sample portal, minutes on a million memberships).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cluster_etl.prefect_env import quiet_prefect

quiet_prefect()  # before Prefect is imported: whoever imports the flow runs it quietly

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import (  # noqa: E402
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NONE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from cluster_etl import crawl, kbo, normalise, outcomes, progress, publish, run, summary, validate  # noqa: E402
from cluster_etl.fetch import FetchSettings, PortalClient, recording_client, replay_client  # noqa: E402
from cluster_etl.raw import ClusterLink, RawCluster, RawPortal  # noqa: E402

ARCHIVE_DIRNAME = "archive"
KBO_CACHE_DIRNAME = "kbo-cache"
FETCH_TASK_RETRIES = 1
FETCH_TASK_RETRY_DELAY = 30


def _transient(task, task_run, state) -> bool:
    """A fetch task is tried again only when the site was down, never for a 404 or a layout change."""
    error = state.data
    return isinstance(error, crawl.IncompleteRun) and error.transient


@task(name="fetch-overview", retry_condition_fn=_transient, cache_policy=NONE)
def fetch_overview(client: PortalClient):
    return crawl.crawl_overview(client)


@task(name="fetch-cluster", task_run_name="fetch-cluster-{link[cluster_id]}",
      retry_condition_fn=_transient, cache_policy=NONE)
def fetch_cluster(client: PortalClient, link: ClusterLink) -> RawCluster:
    return crawl.crawl_cluster(client, link)


@task(name="normalise", cache_policy=NONE)
def normalise_tables(raw: RawPortal):
    return normalise.normalise(raw)


@task(name="enrich-kbo", cache_policy=NONE)
def enrich_from_kbo(tables, extract: kbo.Extract):
    """The KBO columns, member_activities and member_sectors from the register's extract."""
    return kbo.enrich_tables(tables, extract.select(tables.members["enterprise_number"]))


def open_kbo(path: str | Path | None, out_dir: Path, cache_dir: str | Path | None) -> kbo.Extract | None:
    """The extract, checked before anything starts (KboError); $CLUSTER_ETL_KBO when no path."""
    path = path or os.environ.get("CLUSTER_ETL_KBO") or None
    if not path:
        return None
    return kbo.open_extract(Path(path), Path(cache_dir) if cache_dir else Path(out_dir) / KBO_CACHE_DIRNAME)


@task(name="validate", cache_policy=NONE)
def validate_tables(tables, raw: RawPortal):
    return validate.validate(tables, raw.overview, run.collect_findings(raw, tables))


@task(name="publish", cache_policy=NONE)
def publish_release(tables, report, out_dir: Path, release_date: dt.date, metadata: dict,
                    allow_drop: bool) -> Path:
    return publish.write_release(tables, report, out_dir, release_date, metadata, allow_drop)


@task(name="report", cache_policy=NONE)
def report_run(result: run.RunResult, base_url: str | None = None) -> None:
    """Prefect artifacts the operator reads: the checks as a table, a Markdown summary (counts,
    shares, changes since the previous release, where the files are), a link to the release."""
    changes = summary.read_changes(result.release)
    create_table_artifact(key="validation-checks", table=summary.check_rows(result.report),
                          description=f"Validation: {result.report.status.upper()}")
    create_markdown_artifact(key="run-summary", markdown=summary.summary_markdown(result, changes, base_url),
                             description="What this run did")
    if result.release:
        create_link_artifact(key="release", link=summary.release_url(result.release, base_url),
                             link_text=f"Release {result.release.name}")


def crawl_portal(client: PortalClient, started: dt.datetime, task_retries: int,
                 retry_delay: float) -> RawPortal:
    """The overview, then every cluster in its own task (fetch and parse of its pages)."""
    retrying = {"retries": task_retries, "retry_delay_seconds": retry_delay}
    overview, findings = fetch_overview.with_options(**retrying)(client)
    fetch_one = fetch_cluster.with_options(**retrying)
    futures = [fetch_one.submit(client, link) for link in overview["clusters"]]
    return RawPortal(portal_url=client.base_url, overview=overview, clusters=run.gather(futures),
                     retrieved_at=started, findings=findings)


def build_release(client: PortalClient, out_dir: Path, release_date: dt.date, started: dt.datetime,
                  archive: Path | None, task_retries: int, retry_delay: float,
                  publishing: dict) -> run.RunResult:
    """The stages after the client is ready; shared by a refresh and a replay."""
    timer = run.StageTimer()
    with timer("fetch"), progress.reporting(client.stats, logger=get_run_logger()):
        raw = crawl_portal(client, started, task_retries, retry_delay)
    with timer("normalise"):
        tables = normalise_tables(quote(raw))
    kbo_metadata = None
    if publishing.get("kbo") is not None:
        with timer("enrich"):
            tables, kbo_metadata = enrich_from_kbo(quote(tables), publishing["kbo"])
    with timer("validate"):
        report = validate_tables(quote(tables), quote(raw))
    result = run.RunResult.of(raw, tables, report, client.stats, started, timer.seconds)
    result.archive = archive
    if report.status == "fail":
        report_run(quote(result), publishing.get("base_url"))
        raise run.ValidationFailed(result)
    with timer("publish"):
        metadata = {**result.metadata(client.settings, Path(out_dir)),
                    **({"base_url": publishing["base_url"]} if publishing.get("base_url") else {}),
                    **({"kbo_extract": kbo_metadata} if kbo_metadata else {})}
        result.release = publish_release(quote(tables), quote(report), Path(out_dir), release_date,
                                         metadata, bool(publishing.get("allow_drop")))
    get_run_logger().info("published %s", result.release)
    report_run(quote(result), publishing.get("base_url"))
    return result


@flow(name="cluster-etl-refresh", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=True)
def refresh(portal_url: str, out_dir: Path, release_date: dt.date | None = None,
            rate: float = FetchSettings.rate, concurrency: int = FetchSettings.concurrency,
            contact_url: str = FetchSettings.contact_url, archive_dir: Path | None = None,
            timeout: float = FetchSettings.read_timeout, retries: int = FetchSettings.retries,
            retry_delay: float = FETCH_TASK_RETRY_DELAY, allow_drop: bool = False,
            base_url: str | None = None, notify_url: str | None = None, kbo: str | None = None,
            kbo_cache: str | None = None) -> run.RunResult:
    """Scrape a portal that follows SPEC.md and publish a validated release under `out_dir`.

    Every response is archived in a WARC file under `archive_dir` (default `out_dir/archive`);
    pages archived by earlier runs are asked for conditionally (ETag, Last-Modified). `timeout` is
    the read timeout of one request, `retries` its retries; a fetch task that still failed because
    the site was down is tried once more after `retry_delay` seconds. `allow_drop` publishes even
    when the memberships fell by more than 20% against the previous release; `base_url` is the
    public URL of `out_dir`, for absolute links in the DCAT-AP catalogue. A run that fails writes
    `out_dir/last-failure.json` and POSTs it to `notify_url` (default: $CLUSTER_ETL_NOTIFY_URL).
    `kbo` is a KBO Open Data extract (zip or folder; default $CLUSTER_ETL_KBO) to enrich members
    from, its filtered rows cached in `kbo_cache` (default `out_dir/kbo-cache`).
    """
    settings = FetchSettings(rate=rate, concurrency=concurrency, contact_url=contact_url,
                             read_timeout=timeout, retries=retries)
    started = dt.datetime.now(dt.timezone.utc)
    archive_dir = Path(archive_dir) if archive_dir else Path(out_dir) / ARCHIVE_DIRNAME
    release_date = release_date or started.date()
    with outcomes.failures_reported(Path(out_dir), notify_url) as state:
        extract = open_kbo(kbo, Path(out_dir), kbo_cache)
        with recording_client(portal_url, settings, archive_dir, started, release_date) as client:
            state["archive"] = client.archive.path
            return build_release(client, Path(out_dir), release_date, started,
                                 client.archive.path, FETCH_TASK_RETRIES, retry_delay,
                                 {"allow_drop": allow_drop, "base_url": base_url, "kbo": extract})


@flow(name="cluster-etl-replay", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=True)
def replay(archive: Path, out_dir: Path, release_date: dt.date | None = None,
           allow_drop: bool = False, base_url: str | None = None,
           notify_url: str | None = None, kbo: str | None = None,
           kbo_cache: str | None = None) -> run.RunResult:
    """Rebuild a release from a run's WARC file, with no network (backfill, audit, fixed parser).

    The release date defaults to the one the run was published under (its warcinfo record), or
    for older archives the date it ran.
    """
    with outcomes.failures_reported(Path(out_dir), notify_url) as state:
        extract = open_kbo(kbo, Path(out_dir), kbo_cache)
        with replay_client(Path(archive)) as client:
            state["archive"] = client.warc
            return build_release(client, Path(out_dir), release_date or client.release_date,
                                 client.started, client.warc, task_retries=0, retry_delay=0,
                                 publishing={"allow_drop": allow_drop, "base_url": base_url,
                                             "kbo": extract})
