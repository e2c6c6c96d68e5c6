"""The command line: `cluster-etl refresh | replay | backfill | ingest | status | validate | diff |
sample-portal`. Parsing, settings and exit statuses live here; the work is in commands.py.

Arguments and settings are checked before anything starts: a bad one is a one-line error and exit
status 2. No expected failure shows a traceback; an unexpected one (a bug) prints a one-line
summary, then the traceback, and exits 70.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from cluster_etl.exits import (EXIT_DROP, EXIT_INCOMPLETE, EXIT_INVALID, EXIT_LAYOUT, EXIT_OK,
                               EXIT_PUBLISH, EXIT_USAGE)

LIVE_PORTAL = "https://clusters.wallonie.be"
EXIT_BUG = 70  # EX_SOFTWARE: an unexpected error, with its traceback

__all__ = ["EXIT_BUG", "EXIT_DROP", "EXIT_INCOMPLETE", "EXIT_INVALID", "EXIT_LAYOUT", "EXIT_OK",
           "EXIT_PUBLISH", "EXIT_USAGE", "build_parser", "main"]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the command and what is wrong), exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _settings_options(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    """Options whose value may also come from CLUSTER_ETL_<NAME> or --config (settings.py)."""
    specs = {
        "out": ("DIR", "output folder (default: output)"),
        "release_date": ("YYYY-MM-DD", "date of the release (default: today, UTC; replay: the run's)"),
        "rate": ("R", "requests per second, 0 = no limit (default 1; --sample: no limit); "
                      "robots.txt's Crawl-delay always applies"),
        "concurrency": ("N", "requests in flight at once (default 2; --sample: 8)"),
        "contact": ("URL", "contact URL sent in the User-Agent"),
        "timeout": ("SECONDS", "read timeout of a request (default 30)"),
        "retries": ("N", "retries of a request (default 4)"),
        "archive": ("DIR", "folder of the raw WARC archive and its index (default: DIR/archive)"),
        "base_url": ("URL", "public URL of the output folder, for absolute links in catalog.ttl"),
        "notify": ("URL", "webhook that receives last-failure.json when a run fails "
                          "(default: $CLUSTER_ETL_NOTIFY_URL)"),
        "task_runner": ("threads|dask", "where backfill replays run (default: threads)"),
        "dask_address": ("HOST:PORT", "a running Dask scheduler for --task-runner dask "
                                      "(default: a local cluster of processes)"),
        "dask_workers": ("N", "worker processes of the local Dask cluster (default 2)"),
        "as_of": ("YYYY-MM-DD", "reference date of the listing's figures"),
        "kbo": ("EXTRACT", "KBO Open Data extract (zip or folder) to enrich members from "
                           "(default: $CLUSTER_ETL_KBO)"),
        "kbo_cache": ("DIR", "cache of the extract's filtered rows (default: DIR/kbo-cache)"),
        "expect_clusters": ("N", "declared number of clusters"),
        "expect_members": ("N", "declared number of memberships (exact)"),
        "expect_company_share": ("PCT", "declared share of companies, whole percent"),
        "expect_sme_share": ("PCT", "declared share of SMEs, whole percent"),
    }
    for name in names:
        option = "--" + name.replace("_", "-")
        if name in ("allow_drop", "rebuild"):
            helps = {"allow_drop": "publish even when the memberships fell by more than 20%% against "
                                   "the previous release (the release records it)",
                     "rebuild": "rebuild releases that already exist"}
            parser.add_argument(option, action="store_true", default=None, help=helps[name])
            continue
        metavar, help_text = specs[name]
        parser.add_argument(option, metavar=metavar, help=help_text)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="TOML file of settings (options and CLUSTER_ETL_* variables win)")
    parser.add_argument("--verbose", action="store_true", default=None,
                        help="show Prefect's own log lines on the screen")


RUN_SETTINGS = ("out", "release_date", "allow_drop", "base_url", "notify", "kbo", "kbo_cache")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="cluster-etl", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    refresh = commands.add_parser("refresh", help="scrape a portal and publish a validated release")
    source = refresh.add_mutually_exclusive_group()
    source.add_argument("--portal", metavar="URL", help=f"portal base URL (live: {LIVE_PORTAL})")
    source.add_argument("--sample", action="store_true",
                        help="generate the bundled sample portal and serve it on 127.0.0.1")
    refresh.add_argument("--sample-week", type=int, default=0, metavar="N",
                         help="with --sample: the sample portal N weeks later (members joined, left, "
                              "moved)")
    _settings_options(refresh, (*RUN_SETTINGS, "rate", "concurrency", "contact", "timeout",
                                "retries", "archive"))

    replay = commands.add_parser("replay", help="rebuild a release from a run's WARC file, offline")
    replay.add_argument("warc", type=Path, metavar="ARCHIVE", help="a run's .warc.gz file")
    _settings_options(replay, RUN_SETTINGS)

    backfill = commands.add_parser("backfill", help="one release per archived run, in date order")
    backfill.add_argument("archives", type=Path, nargs="+", metavar="ARCHIVE",
                          help="WARC files of runs, or folders of them")
    _settings_options(backfill, (*RUN_SETTINGS[:1], "rebuild", "allow_drop", "base_url", "notify",
                                 "kbo", "kbo_cache", "task_runner", "dask_address", "dask_workers"))

    ingest = commands.add_parser("ingest", help="publish a member listing (CSV or XLSX)")
    ingest.add_argument("listing", type=Path, metavar="LISTING")
    ingest.add_argument("--cluster-file", type=Path, required=True, metavar="FILE",
                        help="the clusters (CSV or XLSX): Cluster, and optionally Identifiant, "
                             "Domaine d'activités, Description, Site web, Nombre de membres")
    _settings_options(ingest, (*RUN_SETTINGS, "as_of", "expect_clusters", "expect_members",
                               "expect_company_share", "expect_sme_share"))

    status = commands.add_parser("status", help="the latest release, its checks, the last failure")
    _settings_options(status, ("out",))

    validate = commands.add_parser("validate", help="re-check a published release offline")
    validate.add_argument("release", type=Path, metavar="RELEASE_DIR")

    diff = commands.add_parser("diff", help="the changes between two releases, as changes.json")
    diff.add_argument("before", type=Path, metavar="RELEASE_A")
    diff.add_argument("after", type=Path, metavar="RELEASE_B")

    sample_kbo = commands.add_parser("sample-kbo", help="write an invented KBO Open Data extract, "
                                                        "consistent with the sample portal, to DIR")
    sample_kbo.add_argument("dir", type=Path)
    sample_kbo.add_argument("--entities", type=int, default=0, metavar="N",
                            help="invented filler enterprises besides the sample portal's (default 0)")

    sample = commands.add_parser("sample-portal", help="write the sample portal's files to DIR")
    sample.add_argument("dir", type=Path)
    sample.add_argument("--week", type=int, default=0, metavar="N",
                        help="the portal N weeks later: members joined, left and moved")
    for command in (refresh, replay, backfill, ingest, status, validate, diff, sample_kbo, sample):
        _common(command)
    return parser


# Commands that run a Prefect flow: Prefect's temporary server starts before the pipeline is
# imported (prefect_env.start_early), so the two overlap.
FLOW_COMMANDS = ("refresh", "replay", "backfill", "ingest")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in FLOW_COMMANDS:
        from cluster_etl import prefect_env

        prefect_env.start_early()
    from cluster_etl import commands
    from cluster_etl.settings import SettingsError

    try:
        run = commands.prepare(args)
    except SettingsError as exc:
        print(f"cluster-etl {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return run()
    except KeyboardInterrupt:
        print("cluster-etl: interrupted; nothing more was published", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line, then show where
        print(f"cluster-etl: unexpected error ({type(exc).__name__}: {exc}); this is a bug, "
              "traceback follows", file=sys.stderr)
        traceback.print_exc()
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
