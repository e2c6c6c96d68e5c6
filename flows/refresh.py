"""The refresh flow: fetch -> parse -> normalise -> validate -> publish. It only wires the stages.

Tasks are coarse: the overview, one task per cluster (fetch and parse of its pages), then one task
per stage. Only the fetch tasks retry; the HTTP client below them also retries each request.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from cluster_etl import crawl, normalise, publish, run, validate
from cluster_etl.fetch import FetchSettings, PortalClient
from cluster_etl.raw import ClusterLink, RawCluster, RawPortal

FETCH_TASK_RETRIES = 1
FETCH_TASK_RETRY_DELAY = 30


def _transient(task, task_run, state) -> bool:
    """A fetch task is tried again only when the site was down, never for a 404 or a layout change."""
    error = state.data
    return isinstance(error, crawl.IncompleteRun) and error.transient



@task(name="fetch-overview", retries=FETCH_TASK_RETRIES, retry_delay_seconds=FETCH_TASK_RETRY_DELAY,
      retry_condition_fn=_transient, cache_policy=NONE)
def fetch_overview(client: PortalClient):
    return crawl.crawl_overview(client)


@task(name="fetch-cluster", task_run_name="fetch-cluster-{link[cluster_id]}",
      retries=FETCH_TASK_RETRIES, retry_delay_seconds=FETCH_TASK_RETRY_DELAY,
      retry_condition_fn=_transient, cache_policy=NONE)
def fetch_cluster(client: PortalClient, link: ClusterLink) -> RawCluster:
    return crawl.crawl_cluster(client, link)


@task(name="normalise", cache_policy=NONE)
def normalise_tables(raw: RawPortal):
    return normalise.normalise(raw)


@task(name="validate", cache_policy=NONE)
def validate_tables(tables, raw: RawPortal):
    return validate.validate(tables, raw.overview, run.collect_findings(raw, tables))


@task(name="publish", cache_policy=NONE)
def publish_release(tables, report, out_dir: Path, release_date: dt.date, metadata: dict) -> Path:
    return publish.write_release(tables, report, out_dir, release_date, metadata)


@flow(name="cluster-etl-refresh", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=True)
def refresh(portal_url: str, out_dir: Path, release_date: dt.date | None = None,
            rate: float = FetchSettings.rate, concurrency: int = FetchSettings.concurrency,
            contact_url: str = FetchSettings.contact_url) -> run.RunResult:
    """Scrape a portal that follows SPEC.md and publish a validated release under `out_dir`."""
    settings = FetchSettings(rate=rate, concurrency=concurrency, contact_url=contact_url)
    started = dt.datetime.now(dt.timezone.utc)
    timer = run.StageTimer()
    with timer("fetch"), PortalClient(portal_url, settings) as client:
        overview = fetch_overview(client)
        futures = [fetch_cluster.submit(client, link) for link in overview["clusters"]]
        clusters = run.gather(futures)
        raw = RawPortal(portal_url=client.base_url, overview=overview, clusters=clusters,
                        retrieved_at=started)
    with timer("normalise"):
        tables = normalise_tables(raw)
    with timer("validate"):
        report = validate_tables(tables, raw)
    result = run.RunResult.of(raw, tables, report, client.stats, started, timer.seconds)
    if report.status == "fail":
        raise run.ValidationFailed(result)
    with timer("publish"):
        result.release = publish_release(tables, report, Path(out_dir),
                                         release_date or started.date(), result.metadata(settings))
    get_run_logger().info("published %s", result.release)
    return result
