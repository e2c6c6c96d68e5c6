"""Scheduled refreshes: serve the refresh flow with a cron schedule from a long-running process.

    PREFECT_API_URL=http://127.0.0.1:4200/api .venv/bin/python -m flows.serve \\
        --portal https://clusters.wallonie.be --out /srv/cluster-etl --cron "0 6 * * 1"

Needs a Prefect server (`prefect server start`) for the schedule to live in; manual runs and
backfills can then be started from its UI or with `prefect deployment run`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from flows.refresh import refresh

DEFAULT_CRON = "0 6 * * 1"  # Mondays 06:00, in the timezone below
DEFAULT_TIMEZONE = "Europe/Brussels"


def build_deployment(portal_url: str, out_dir: Path, cron: str = DEFAULT_CRON,
                     timezone: str = DEFAULT_TIMEZONE, name: str = "weekly-refresh"):
    from prefect.schedules import Cron

    return refresh.to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters={"portal_url": portal_url, "out_dir": str(out_dir)},
        description="Weekly refresh of the Walloon clusters open data",
        tags=["cluster-etl"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal", default="https://clusters.wallonie.be")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cron", default=DEFAULT_CRON)
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE)
    args = parser.parse_args(argv)
    from prefect import serve

    serve(build_deployment(args.portal, args.out.resolve(), args.cron, args.timezone))


if __name__ == "__main__":
    main()
