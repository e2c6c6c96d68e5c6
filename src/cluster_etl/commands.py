"""What each command of the command line does, once its arguments are parsed.

`prepare(args)` resolves and checks every setting first (settings.py: option, CLUSTER_ETL_*,
--config), raising SettingsError before anything starts; it returns the command to run, which
returns the exit status.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cluster_etl import outcomes
from cluster_etl.settings import SettingsError, output_folder, resolve

SAMPLE_RATE = 0.0  # loopback: no limit
SAMPLE_CONCURRENCY = 8
DEFAULT_OUT = Path("output")
LOG_FILE = "cluster-etl.log"

Command = Callable[[], int]


def prepare(args) -> Command:
    handler = {"refresh": _refresh, "replay": _replay, "backfill": _backfill, "ingest": _ingest,
               "status": _status, "validate": _validate, "diff": _diff,
               "sample-kbo": _sample_kbo, "sample-portal": _sample_portal}[args.command]
    return handler(args)


def _settings(args, names: tuple[str, ...]) -> dict[str, Any]:
    options = {name: getattr(args, name, None) for name in (*names, "verbose")}
    return resolve([*names, "verbose"], options, getattr(args, "config", None))


def _out(s: dict[str, Any]) -> Path:
    if "out" in s:
        return s["out"]
    try:
        return output_folder(DEFAULT_OUT)
    except ValueError as exc:
        raise SettingsError(f"--out (default {DEFAULT_OUT}): {exc}") from None


def _fail(code: int, message: str) -> int:
    print(f"cluster-etl: {message}", file=sys.stderr)
    return code


# --- running a flow ------------------------------------------------------------------------------

def _run(flow_call: Callable[[], Any], out: Path, verbose: bool) -> int:
    """Runs a flow; prints its summary, or what stopped it, and returns the exit status."""
    from cluster_etl.prefect_env import prefect_session
    from cluster_etl.run import ValidationFailed

    try:
        with prefect_session(out / LOG_FILE, verbose):
            result = flow_call()
    except Exception as exc:
        failure = outcomes.classify(exc)
        if failure is None:
            raise
        if isinstance(exc, ValidationFailed):
            print("\n".join(exc.result.summary_lines()))
        for published in getattr(exc, "results", []):  # a backfill: the runs that went through
            print("\n".join(published.summary_lines()))
            print(f"\nrelease published: {published.release}\n")
        print(f"details: {out / outcomes.LAST_FAILURE}", file=sys.stderr)
        return _fail(failure.exit_status, failure.message)
    results = result if isinstance(result, list) else [result]
    if not results:
        print("nothing to build: every release date is already published (--rebuild rebuilds them)")
    for one in results:
        print("\n".join(one.summary_lines()))
        print(f"\nrelease published: {one.release}")
    print(f"latest:            {out / 'latest'}")
    return outcomes.EXIT_OK


# --- commands ----------------------------------------------------------------------------------

RUN = ("out", "release_date", "allow_drop", "base_url", "notify", "kbo", "kbo_cache")


def _refresh(args) -> Command:
    s = _settings(args, (*RUN, "portal", "rate", "concurrency", "contact", "timeout", "retries",
                         "archive"))
    if not args.sample and "portal" not in s:
        raise SettingsError("--portal URL or --sample is required (or CLUSTER_ETL_PORTAL)")
    if args.sample and args.sample_week < 0:
        raise SettingsError(f"--sample-week: must be at least 0, not {args.sample_week}")
    out = _out(s)
    options = {"out_dir": out, "release_date": s.get("release_date"),
               "allow_drop": s.get("allow_drop", False), "base_url": s.get("base_url"),
               "notify_url": s.get("notify"), "archive_dir": s.get("archive"),
               **_kbo_options(s)}
    for name, parameter in (("rate", "rate"), ("concurrency", "concurrency"),
                            ("contact", "contact_url"), ("timeout", "timeout"), ("retries", "retries")):
        if name in s:
            options[parameter] = s[name]
    if args.sample:
        options.setdefault("rate", SAMPLE_RATE)
        options.setdefault("concurrency", SAMPLE_CONCURRENCY)

    def run() -> int:
        def call():
            from flows.refresh import refresh

            with _portal(args, s.get("portal")) as portal_url:
                return refresh(portal_url=portal_url, **options)
        return _run(call, out, s.get("verbose", False))
    return run


@contextlib.contextmanager
def _portal(args, portal_url: str | None):
    if not args.sample:
        yield portal_url
        return
    from cluster_etl.sample.generate import write_sample_portal
    from cluster_etl.sample.server import serve_portal

    with tempfile.TemporaryDirectory(prefix="cluster-etl-sample-") as root:
        write_sample_portal(Path(root), week=args.sample_week)
        with serve_portal(Path(root)) as base_url:
            print(f"sample portal served at {base_url}")
            yield base_url


def _replay(args) -> Command:
    s = _settings(args, RUN)
    if not args.warc.is_file():
        raise SettingsError(f"no such archive: {args.warc}")
    out = _out(s)

    def run() -> int:
        def call():
            from flows.refresh import replay

            return replay(archive=args.warc, out_dir=out, release_date=s.get("release_date"),
                          allow_drop=s.get("allow_drop", False), base_url=s.get("base_url"),
                          notify_url=s.get("notify"), **_kbo_options(s))
        return _run(call, out, s.get("verbose", False))
    return run


def _backfill(args) -> Command:
    s = _settings(args, ("out", "rebuild", "allow_drop", "base_url", "notify", "task_runner",
                         "dask_address", "dask_workers", "kbo", "kbo_cache"))
    missing = [str(p) for p in args.archives if not p.exists()]
    if missing:
        raise SettingsError(f"no such archive file or folder: {', '.join(missing)}")
    if s.get("task_runner", "threads") not in ("threads", "dask"):
        raise SettingsError(f"--task-runner: threads or dask, not {s['task_runner']!r}")
    out = _out(s)

    def run() -> int:
        def call():
            from flows.backfill import backfill

            return backfill(
                archives=[str(p) for p in args.archives], out_dir=str(out),
                rebuild=s.get("rebuild", False), allow_drop=s.get("allow_drop", False),
                base_url=s.get("base_url"), notify_url=s.get("notify"),
                task_runner=s.get("task_runner", "threads"), dask_address=s.get("dask_address"),
                dask_workers=s.get("dask_workers", 2), **_kbo_options(s))
        return _run(call, out, s.get("verbose", False))
    return run


def _ingest(args) -> Command:
    s = _settings(args, (*RUN, "as_of", "expect_clusters", "expect_members", "expect_company_share",
                         "expect_sme_share"))
    for path, what in ((args.listing, "listing"), (args.cluster_file, "--cluster-file")):
        if not path.is_file():
            raise SettingsError(f"{what}: no such file: {path}")
    if "as_of" not in s:
        raise SettingsError("--as-of YYYY-MM-DD is required: the reference date of the listing")
    out = _out(s)

    def run() -> int:
        def call():
            from flows.ingest import ingest

            return ingest(
                listing=args.listing, cluster_file=args.cluster_file, out_dir=out, as_of=s["as_of"],
                release_date=s.get("release_date"), allow_drop=s.get("allow_drop", False),
                notify_url=s.get("notify"), **_kbo_options(s),
                **{k: s.get(k) for k in ("expect_clusters", "expect_members",
                                         "expect_company_share", "expect_sme_share")})
        return _run(call, out, s.get("verbose", False))
    return run


def _status(args) -> Command:
    s = _settings(args, ("out",))
    out = _out(s)

    def run() -> int:
        from cluster_etl.status import status_lines

        lines, healthy = status_lines(out)
        print("\n".join(lines))
        return outcomes.EXIT_OK if healthy else outcomes.EXIT_INVALID
    return run


def _validate(args) -> Command:
    _settings(args, ())
    if not args.release.is_dir():
        raise SettingsError(f"no such release folder: {args.release}")

    def run() -> int:
        from cluster_etl.publish.audit import audit_release

        report = audit_release(args.release)
        for check in report.checks:
            if check.status != "pass" or getattr(args, "verbose", False):
                print(f"{check.status:<4}  {check.name}: {check.detail}")
        problems = len(report.failed)
        print(f"{args.release}: {'OK' if not problems else f'{problems} problem(s)'} "
              f"({len(report.checks)} checks)")
        return outcomes.EXIT_OK if not problems else outcomes.EXIT_INVALID
    return run


def _diff(args) -> Command:
    _settings(args, ())
    for folder in (args.before, args.after):
        if not (folder / "memberships.parquet").is_file():
            raise SettingsError(f"not a release folder (no memberships.parquet): {folder}")

    def run() -> int:
        from cluster_etl.publish.series import diff_releases

        print(json.dumps(diff_releases(args.before, args.after), ensure_ascii=False, indent=1))
        return outcomes.EXIT_OK
    return run


def _kbo_options(s: dict[str, Any]) -> dict[str, Any]:
    """--kbo and --kbo-cache for a flow; the extract is checked when the flow starts (exit 2)."""
    return {"kbo": str(s["kbo"]) if "kbo" in s else None,
            "kbo_cache": str(s["kbo_cache"]) if "kbo_cache" in s else None}


def _sample_kbo(args) -> Command:
    _settings(args, ())
    if args.entities < 0:
        raise SettingsError(f"--entities: must be at least 0, not {args.entities}")

    def run() -> int:
        from cluster_etl.kbo.sample import write_sample_extract

        manifest = write_sample_extract(args.dir, entities=args.entities)
        print(f"sample KBO extract written to {manifest.path}; use it with --kbo {manifest.path}")
        return outcomes.EXIT_OK
    return run


def _sample_portal(args) -> Command:
    _settings(args, ())
    if args.week < 0:
        raise SettingsError(f"--week: must be at least 0, not {args.week}")

    def run() -> int:
        from cluster_etl.sample.generate import write_sample_portal

        manifest = write_sample_portal(args.dir, week=args.week)
        print(f"sample portal written to {args.dir} ({manifest.memberships} memberships in "
              f"{len(manifest.clusters)} clusters); serve it with any static server, "
              "or run `cluster-etl refresh --sample`.")
        return outcomes.EXIT_OK
    return run
