"""The backfill flow `cluster-etl-backfill`: one release per archived run, oldest date first. It
only wires cluster_etl.backfill (which run gives which release; the replay of one run) to
publication.

The replays are Prefect tasks on the task runner the `task_runner` parameter names, so that a
served deployment, which passes parameters only, chooses it per run too: "threads" (default), or
"dask" through prefect-dask: the scheduler at `dask_address` (its workers must import this
package, read the archives at the same paths and reach the Prefect API), else a local cluster of
`dask_workers` processes on 127.0.0.1, which replays on several cores. Publication stays in this
process, one release at a time in date order, while later replays run ahead.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from pathlib import Path

from cluster_etl.prefect_env import quiet_prefect

quiet_prefect()  # before Prefect is imported: whoever imports the flow runs it quietly

from prefect import flow, get_client, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from cluster_etl import outcomes, run  # noqa: E402
from cluster_etl.backfill import (  # noqa: E402
    BackfillFailed, PlannedRun, ReplayFailed, Snapshot, find_archives, outcome_rows, plan,
    plan_lines, replay_snapshot)
from flows.refresh import open_kbo, publish_release  # noqa: E402

THREAD_WORKERS = 2  # replays hold the GIL: one runs ahead while the one before is published
LOCAL_HOST = "127.0.0.1"

log = logging.getLogger(__name__)


def task_runner_for(kind: str, dask_address: str | None, dask_workers: int) -> TaskRunner:
    """The task runner the replays run on (see the module's docstring)."""
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=THREAD_WORKERS)
    if kind != "dask":
        raise ValueError(f"task_runner: threads or dask, not {kind!r}")
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    with get_client(sync_client=True) as client:
        api_url = str(client.api_url)  # Prefect's temporary server too: workers report to it
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": dask_workers, "threads_per_worker": 1, "processes": True,
                        "host": LOCAL_HOST, "dashboard_address": f"{LOCAL_HOST}:0",
                        "env": {"PREFECT_API_URL": api_url}})


def failed(planned: PlannedRun, exc: BaseException) -> ReplayFailed:
    """A run's failure as the backfill reports it: the message and exit status a lone replay
    would have had; an unexpected error (a bug) is logged with its traceback."""
    failure = outcomes.classify(exc)
    if failure is None:
        log.error("replay of %s failed unexpectedly", planned.archive, exc_info=exc)
        failure = outcomes.Failure("error", outcomes.EXIT_INVALID,
                                   f"unexpected error: {type(exc).__name__}: {exc}")
    return ReplayFailed(str(planned.archive), planned.release_date.isoformat(), failure.message,
                        failure.exit_status)


@task(name="replay-archive", task_run_name="replay-{planned.release_date}", cache_policy=NONE)
def replay_archive(planned: PlannedRun, kbo_extract: tuple[str, str] | None) -> Snapshot:
    try:
        return replay_snapshot(planned.archive, kbo_extract)
    except Exception as exc:
        raise failed(planned, exc) from exc


def publish_snapshot(planned: PlannedRun, future, out_dir: Path, allow_drop: bool,
                     base_url: str | None) -> run.RunResult | ReplayFailed:
    try:
        snapshot = future.result(raise_on_failure=False)
    except Exception as exc:  # the task runner lost the task (a worker died)
        return failed(planned, exc)
    if isinstance(snapshot, BaseException):
        return snapshot if isinstance(snapshot, ReplayFailed) else failed(planned, snapshot)
    started = time.perf_counter()
    try:
        release = publish_release(quote(snapshot.tables), quote(snapshot.report), out_dir,
                                  planned.release_date, snapshot.metadata(out_dir, base_url),
                                  allow_drop)
    except Exception as exc:
        return failed(planned, exc)
    snapshot.result.timings["publish"] = time.perf_counter() - started
    snapshot.result.release = release
    get_run_logger().info("published %s from %s", release, planned.archive)
    return snapshot.result


@flow(name="cluster-etl-backfill-replays", validate_parameters=False)
def replay_and_publish(planned: list[PlannedRun], out_dir: Path, allow_drop: bool,
                       base_url: str | None, kbo_extract: tuple[str, str] | None = None
                       ) -> list[run.RunResult | ReplayFailed]:
    """Every replay submitted at once (in date order); each release published as soon as the
    releases before it are."""
    futures = deque(replay_archive.submit(item, kbo_extract) for item in planned)
    # Each future is let go once published, so that its tables do not stay in memory.
    return [publish_snapshot(item, futures.popleft(), out_dir, allow_drop, base_url)
            for item in planned]


@flow(name="cluster-etl-backfill", log_prints=True)
def backfill(archives: list[str], out_dir: str, rebuild: bool = False, allow_drop: bool = False,
             base_url: str | None = None, notify_url: str | None = None,
             task_runner: str = "threads", dask_address: str | None = None,
             dask_workers: int = 2, kbo: str | None = None,
             kbo_cache: str | None = None) -> list[run.RunResult]:
    """One release per archived run in `archives` (WARC files, or folders of them), built in date
    order under `out_dir`; a date already published is skipped unless `rebuild`. The release date
    of a run is the one it was published under (its warcinfo record), else the date it ran; of
    runs published under the same date, the one that started last wins.

    A run that cannot be replayed or published does not stop the others: once they are published,
    BackfillFailed lists each failed run (archive, release date, why), and `out_dir`'s
    last-failure.json and the webhook `notify_url` get it. With `kbo` (default $CLUSTER_ETL_KBO)
    every replay is enriched from that KBO Open Data extract, as a refresh is.
    """
    out = Path(out_dir)
    with outcomes.failures_reported(out, notify_url):
        extract = open_kbo(kbo, out, kbo_cache)  # checked once here, before any replay
        kbo_extract = (str(extract.path), str(extract.cache_dir)) if extract is not None else None
        planned = plan(find_archives(archives), out, rebuild)
        logger = get_run_logger()
        for line in plan_lines(planned):
            logger.info(line)
        to_build = [item for item in planned if item.action != "skip"]
        done: list[run.RunResult | ReplayFailed] = []
        if to_build:
            runner = task_runner_for(task_runner, dask_address, dask_workers)
            done = replay_and_publish.with_options(task_runner=runner)(
                to_build, out, allow_drop, base_url, kbo_extract)
        create_table_artifact(key="backfill", table=outcome_rows(planned, to_build, done),
                              description="Backfill: one row per archived run")
        failures = [item for item in done if isinstance(item, ReplayFailed)]
        results = [item for item in done if isinstance(item, run.RunResult)]
        if failures:
            raise BackfillFailed(failures, results)
        return results
