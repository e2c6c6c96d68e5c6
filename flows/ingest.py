"""The ingest flow: a member listing as an administration sends it -> normalise -> validate ->
publish, the stages of a refresh after the crawl. It only wires them (big values `quote`d, as in
flows/refresh.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cluster_etl.prefect_env import quiet_prefect

quiet_prefect()  # before Prefect is imported: whoever imports the flow runs it quietly

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from cluster_etl import __version__, outcomes, run  # noqa: E402
from cluster_etl.listing import (  # noqa: E402
    DeclaredFigures, LoadedListing, load_listing, without_member_page_urls)
from flows.refresh import (  # noqa: E402
    enrich_from_kbo, normalise_tables, open_kbo, publish_release, report_run, validate_tables)


@task(name="load-listing", cache_policy=NONE)
def load_files(listing: Path, cluster_file: Path, as_of: dt.date, figures: DeclaredFigures,
               started: dt.datetime) -> LoadedListing:
    return load_listing(listing, cluster_file, as_of, figures, started)


@flow(name="cluster-etl-ingest", log_prints=True)
def ingest(listing: Path, cluster_file: Path, out_dir: Path, as_of: dt.date,
           release_date: dt.date | None = None, expect_clusters: int | None = None,
           expect_members: int | None = None, expect_company_share: int | None = None,
           expect_sme_share: int | None = None, allow_drop: bool = False,
           notify_url: str | None = None, kbo: str | None = None,
           kbo_cache: str | None = None) -> run.RunResult:
    """Publish a validated release under `out_dir` from a member listing (CSV or XLSX) and the
    cluster file naming its clusters; `as_of` is the reference date of the listing.

    The headline checks compare with the figures given: `expect_clusters` clusters,
    `expect_members` memberships (exact), `expect_company_share` and `expect_sme_share` percent
    of the memberships; a figure not given makes its check `warn: no declared figure`.
    Raises cluster_etl.listing.ListingError (nothing published) when a file cannot be read or
    lacks a required column, run.ValidationFailed when a check fails. A failure is written to
    `out_dir/last-failure.json` and POSTed to `notify_url` (default: $CLUSTER_ETL_NOTIFY_URL).
    """
    with outcomes.failures_reported(Path(out_dir), notify_url):
        extract = open_kbo(kbo, Path(out_dir), kbo_cache)
        return _ingest(Path(listing), Path(cluster_file), Path(out_dir), as_of, release_date,
                       DeclaredFigures(clusters=expect_clusters, members=expect_members,
                                       company_share_pct=expect_company_share,
                                       sme_share_pct=expect_sme_share), allow_drop, extract)


def _ingest(listing: Path, cluster_file: Path, out_dir: Path, as_of: dt.date,
            release_date: dt.date | None, figures: DeclaredFigures, allow_drop: bool,
            extract) -> run.RunResult:
    started = dt.datetime.now(dt.timezone.utc)
    timer = run.StageTimer()
    with timer("load"):
        loaded = load_files(Path(listing), Path(cluster_file), as_of, figures, started)
    with timer("normalise"):
        tables = without_member_page_urls(normalise_tables(quote(loaded.raw)))
    kbo_metadata = None
    if extract is not None:
        with timer("enrich"):
            tables, kbo_metadata = enrich_from_kbo(quote(tables), extract)
    with timer("validate"):
        report = validate_tables(quote(tables), quote(loaded.raw))
    result = run.RunResult.of(loaded.raw, tables, report, loaded.stats, started, timer.seconds)
    if report.status == "fail":
        report_run(quote(result))
        raise run.ValidationFailed(result)
    with timer("publish"):
        metadata = {"tool": f"cluster-etl {__version__}",
                    "retrieved_at": started.isoformat(timespec="seconds"),
                    "as_of": as_of.isoformat(), **loaded.metadata(),
                    **({"kbo_extract": kbo_metadata} if kbo_metadata else {})}
        result.release = publish_release(quote(tables), quote(report), Path(out_dir),
                                         release_date or started.date(), metadata, allow_drop)
    get_run_logger().info("published %s", result.release)
    report_run(quote(result))
    return result

