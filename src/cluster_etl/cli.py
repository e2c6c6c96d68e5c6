"""The command line: `cluster-etl refresh | sample-portal`. Nothing else lives here."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

LIVE_PORTAL = "https://clusters.wallonie.be"
SAMPLE_RATE = 0.0  # loopback: no limit
SAMPLE_CONCURRENCY = 8

EXIT_OK, EXIT_INVALID, EXIT_INCOMPLETE, EXIT_LAYOUT, EXIT_PUBLISH = 0, 1, 2, 3, 4


def _quiet_prefect() -> None:
    """Prefect's temporary local server must not phone home; give it time on a loaded machine."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    from cluster_etl.fetch import FetchSettings

    parser = argparse.ArgumentParser(prog="cluster-etl", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    refresh = commands.add_parser("refresh", help="scrape a portal and publish a validated release")
    source = refresh.add_mutually_exclusive_group(required=True)
    source.add_argument("--portal", metavar="URL", help=f"portal base URL (live: {LIVE_PORTAL})")
    source.add_argument("--sample", action="store_true",
                        help="generate the bundled sample portal and serve it on 127.0.0.1")
    refresh.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                         help="output folder (default: output)")
    refresh.add_argument("--release-date", type=_date, metavar="YYYY-MM-DD",
                         help="date of the release (default: today, UTC)")
    refresh.add_argument("--rate", type=float, metavar="R",
                         help=f"requests per second, 0 = no limit (default {FetchSettings.rate}; "
                              "--sample: no limit); robots.txt's Crawl-delay always applies")
    refresh.add_argument("--concurrency", type=int, metavar="N",
                         help=f"requests in flight at once (default {FetchSettings.concurrency})")
    refresh.add_argument("--contact", metavar="URL", default=FetchSettings.contact_url,
                         help="contact URL sent in the User-Agent")

    sample = commands.add_parser("sample-portal", help="write the sample portal's files to DIR")
    sample.add_argument("dir", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sample-portal":
        return cmd_sample_portal(args)
    return cmd_refresh(args)


def cmd_sample_portal(args) -> int:
    from cluster_etl.sample.generate import write_sample_portal

    manifest = write_sample_portal(args.dir)
    print(f"sample portal written to {args.dir} ({manifest.memberships} memberships in "
          f"{len(manifest.clusters)} clusters); serve it with any static server, "
          "or run `cluster-etl refresh --sample`.")
    return EXIT_OK


@contextlib.contextmanager
def _portal(args):
    if not args.sample:
        yield args.portal
        return
    from cluster_etl.sample.generate import write_sample_portal
    from cluster_etl.sample.server import serve_portal

    with tempfile.TemporaryDirectory(prefix="cluster-etl-sample-") as root:
        write_sample_portal(Path(root))
        with serve_portal(Path(root)) as base_url:
            print(f"sample portal served at {base_url}")
            yield base_url


def cmd_refresh(args) -> int:
    _quiet_prefect()
    from cluster_etl.crawl import IncompleteRun
    from cluster_etl.portal import LayoutError
    from cluster_etl.publish import PublishError
    from cluster_etl.run import ValidationFailed
    from flows.refresh import refresh

    options = {"contact_url": args.contact}
    rate = args.rate if args.rate is not None else (SAMPLE_RATE if args.sample else None)
    concurrency = args.concurrency or (SAMPLE_CONCURRENCY if args.sample else None)
    if rate is not None:
        options["rate"] = rate
    if concurrency is not None:
        options["concurrency"] = concurrency
    try:
        with _portal(args) as portal_url:
            result = refresh(portal_url=portal_url, out_dir=args.out,
                             release_date=args.release_date, **options)
    except ValidationFailed as exc:
        print("\n".join(exc.result.summary_lines()))
        return _fail(EXIT_INVALID, str(exc))
    except IncompleteRun as exc:
        return _fail(EXIT_INCOMPLETE, str(exc))
    except LayoutError as exc:
        return _fail(EXIT_LAYOUT, f"the portal's layout changed: {exc}")
    except PublishError as exc:
        return _fail(EXIT_PUBLISH, f"publication failed: {exc}")
    print("\n".join(result.summary_lines()))
    print(f"\nrelease published: {result.release}")
    print(f"latest:            {args.out / 'latest'}")
    return EXIT_OK


def _fail(code: int, message: str) -> int:
    print(f"cluster-etl: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
