"""Scheduled and on-demand runs: one long-running process serves the refresh and backfill deployments.

    .venv/bin/prefect server start                       # the server that holds schedules and runs
    PREFECT_API_URL=http://127.0.0.1:4200/api .venv/bin/python -m flows.serve \\
        --portal https://clusters.wallonie.be --out /srv/cluster-etl --contact mailto:you@example.be

serves `cluster-etl-refresh/weekly-refresh` (Mondays 06:00 Europe/Brussels) and
`cluster-etl-backfill/backfill` (no schedule). This process is the worker: Prefect 3's `serve`
needs no work pool. Manual runs and backfills are started with `prefect deployment run`; any
parameter of the flow can be overridden per run (`-p release_date=2026-11-23`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cluster_etl.prefect_env import quiet_prefect

quiet_prefect()  # before Prefect is imported

from prefect import serve  # noqa: E402
from prefect.deployments.runner import EntrypointType  # noqa: E402
from prefect.schedules import Cron  # noqa: E402
from prefect.settings import get_current_settings  # noqa: E402

from flows.refresh import refresh  # noqa: E402

LIVE_PORTAL = "https://clusters.wallonie.be"
REFRESH_DEPLOYMENT = "weekly-refresh"
BACKFILL_DEPLOYMENT = "backfill"
DEFAULT_CRON = "0 6 * * 1"  # Mondays 06:00, in the timezone below
DEFAULT_TIMEZONE = "Europe/Brussels"
# Refreshes and backfills write the same output folder: one run at a time, the others wait.
DEFAULT_RUN_LIMIT = 1
TAGS = ["cluster-etl"]
# Runs load the flow by module (flows.refresh.refresh), not by a path relative to the directory
# `serve` was started in: the installed package is found from anywhere.
ENTRYPOINT = EntrypointType.MODULE_PATH


def build_deployment(portal_url: str, out_dir: Path, cron: str | None = DEFAULT_CRON,
                     timezone: str = DEFAULT_TIMEZONE, name: str = REFRESH_DEPLOYMENT,
                     parameters: dict | None = None):
    """The refresh deployment; `cron=None` serves it on demand only. `parameters` (rate,
    concurrency, contact_url, base_url...) become the deployment's defaults for every run."""
    return refresh.to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone) if cron else None,
        parameters={"portal_url": portal_url, "out_dir": str(out_dir), **(parameters or {})},
        description="Weekly refresh of the Walloon clusters open data",
        tags=TAGS,
        entrypoint_type=ENTRYPOINT,
    )


def build_backfill_deployment(out_dir: Path, name: str = BACKFILL_DEPLOYMENT):
    """The backfill deployment (on demand, into the same output folder); None while
    flows/backfill.py does not exist."""
    try:
        from flows.backfill import backfill
    except ModuleNotFoundError as error:
        if error.name != "flows.backfill":
            raise
        return None
    return backfill.to_deployment(
        name=name,
        parameters={"out_dir": str(out_dir)},
        description="Rebuild past releases from archived runs (WARC files), on demand",
        tags=TAGS,
        entrypoint_type=ENTRYPOINT,
    )


def build_deployments(portal_url: str, out_dir: Path, cron: str | None = DEFAULT_CRON,
                      timezone: str = DEFAULT_TIMEZONE, parameters: dict | None = None) -> list:
    deployments = [build_deployment(portal_url, out_dir, cron, timezone, parameters=parameters)]
    backfill = build_backfill_deployment(out_dir)
    if backfill is None:
        print("flows/backfill.py not found: serving the refresh deployment only", file=sys.stderr)
    else:
        deployments.append(backfill)
    return deployments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m flows.serve",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--portal", default=LIVE_PORTAL, metavar="URL",
                        help=f"portal base URL (default {LIVE_PORTAL})")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    schedule = parser.add_mutually_exclusive_group()
    schedule.add_argument("--cron", default=DEFAULT_CRON,
                          help=f"schedule of the refresh (default {DEFAULT_CRON!r})")
    schedule.add_argument("--no-schedule", action="store_true",
                          help="serve the refresh on demand only")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE,
                        help=f"timezone of the cron schedule (default {DEFAULT_TIMEZONE})")
    parser.add_argument("--limit", type=int, default=DEFAULT_RUN_LIMIT, metavar="N",
                        help=f"runs at once (default {DEFAULT_RUN_LIMIT}: they share the output folder)")
    # Defaults of the refresh's parameters; left out, the flow's own defaults apply.
    parser.add_argument("--contact", dest="contact_url", metavar="URL",
                        help="contact URL sent in the User-Agent")
    parser.add_argument("--rate", type=float, metavar="R", help="requests per second, 0 = no limit")
    parser.add_argument("--concurrency", type=int, metavar="N", help="requests in flight at once")
    parser.add_argument("--base-url", metavar="URL",
                        help="public URL of the output folder, for absolute links in catalog.ttl")
    return parser


def deployments_from(args: argparse.Namespace) -> list:
    parameters = {key: value for key in ("contact_url", "rate", "concurrency", "base_url")
                  if (value := getattr(args, key)) is not None}
    cron = None if args.no_schedule else args.cron
    return build_deployments(args.portal, args.out.resolve(), cron, args.timezone, parameters)


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not get_current_settings().api.url:
        # Without a server Prefect would serve against a temporary one that forgets the
        # schedule when this process stops.
        parser.error("no Prefect server: start one (`prefect server start`) and set PREFECT_API_URL")
    serve(*deployments_from(args), limit=args.limit)


if __name__ == "__main__":
    main()
