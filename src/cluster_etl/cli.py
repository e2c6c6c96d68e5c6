"""The command line: `cluster-etl refresh | replay | sample-portal`. Nothing else lives here."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import tempfile
from pathlib import Path

LIVE_PORTAL = "https://clusters.wallonie.be"
SAMPLE_RATE = 0.0  # loopback: no limit
SAMPLE_CONCURRENCY = 8

EXIT_OK, EXIT_INVALID, EXIT_INCOMPLETE, EXIT_LAYOUT, EXIT_PUBLISH, EXIT_DROP = 0, 1, 2, 3, 4, 5


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
    refresh.add_argument("--timeout", type=float, metavar="SECONDS",
                         help=f"read timeout of a request (default {FetchSettings.read_timeout:g})")
    refresh.add_argument("--retries", type=int, metavar="N",
                         help=f"retries of a request (default {FetchSettings.retries})")
    refresh.add_argument("--archive", type=Path, metavar="DIR",
                         help="folder of the raw WARC archive and its index (default: DIR/archive)")
    refresh.add_argument("--sample-week", type=int, default=0, metavar="N",
                         help="with --sample: the sample portal N weeks later (members joined, left, "
                              "moved)")

    replay = commands.add_parser("replay", help="rebuild a release from a run's WARC file, offline")
    replay.add_argument("warc", type=Path, metavar="ARCHIVE", help="a run's .warc.gz file")
    replay.add_argument("--out", type=Path, default=Path("output"), metavar="DIR")
    replay.add_argument("--release-date", type=_date, metavar="YYYY-MM-DD",
                        help="date of the release (default: the recorded run's date)")

    for command in (refresh, replay):
        command.add_argument("--allow-drop", action="store_true",
                             help="publish even when the memberships fell by more than 20%% against "
                                  "the previous release (the release records it)")
        command.add_argument("--base-url", metavar="URL",
                             help="public URL of the output folder, for absolute links in catalog.ttl "
                                  "(default: links relative to the file)")

    sample = commands.add_parser("sample-portal", help="write the sample portal's files to DIR")
    sample.add_argument("dir", type=Path)
    sample.add_argument("--week", type=int, default=0, metavar="N",
                        help="the portal N weeks later: members joined, left and moved")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sample-portal":
        return cmd_sample_portal(args)
    if args.command == "replay":
        return cmd_replay(args)
    return cmd_refresh(args)


def cmd_sample_portal(args) -> int:
    from cluster_etl.sample.generate import write_sample_portal

    manifest = write_sample_portal(args.dir, week=args.week)
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
        write_sample_portal(Path(root), week=args.sample_week)
        with serve_portal(Path(root)) as base_url:
            print(f"sample portal served at {base_url}")
            yield base_url


def cmd_refresh(args) -> int:
    from flows.refresh import refresh

    options = {"contact_url": args.contact, "archive_dir": args.archive,
               "allow_drop": args.allow_drop, "base_url": args.base_url}
    rate = args.rate if args.rate is not None else (SAMPLE_RATE if args.sample else None)
    concurrency = args.concurrency or (SAMPLE_CONCURRENCY if args.sample else None)
    if rate is not None:
        options["rate"] = rate
    if concurrency is not None:
        options["concurrency"] = concurrency
    for name in ("timeout", "retries"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)

    def run_flow():
        with _portal(args) as portal_url:
            return refresh(portal_url=portal_url, out_dir=args.out,
                           release_date=args.release_date, **options)

    return _report(run_flow, args.out)


def cmd_replay(args) -> int:
    from flows.refresh import replay

    if not args.warc.is_file():
        return _fail(EXIT_INCOMPLETE, f"no such archive: {args.warc}")
    return _report(lambda: replay(archive=args.warc, out_dir=args.out,
                                  release_date=args.release_date, allow_drop=args.allow_drop,
                                  base_url=args.base_url), args.out)


def _report(run_flow, out: Path) -> int:
    """Runs a flow; prints the summary, or what stopped it, and returns the exit status."""
    from cluster_etl.crawl import IncompleteRun
    from cluster_etl.fetch.archive import ArchiveError
    from cluster_etl.portal import LayoutError
    from cluster_etl.publish import DropRefused, PublishError
    from cluster_etl.run import ValidationFailed

    try:
        result = run_flow()
    except ValidationFailed as exc:
        print("\n".join(exc.result.summary_lines()))
        return _fail(EXIT_INVALID, str(exc))
    except IncompleteRun as exc:
        return _fail(EXIT_INCOMPLETE, str(exc))
    except ArchiveError as exc:
        return _fail(EXIT_INCOMPLETE, f"the archive cannot be replayed: {exc}")
    except LayoutError as exc:
        return _fail(EXIT_LAYOUT, f"the portal's layout changed: {exc}")
    except DropRefused as exc:
        return _fail(EXIT_DROP, str(exc))
    except PublishError as exc:
        return _fail(EXIT_PUBLISH, f"publication failed: {exc}")
    print("\n".join(result.summary_lines()))
    print(f"\nrelease published: {result.release}")
    print(f"latest:            {out / 'latest'}")
    return EXIT_OK


def _fail(code: int, message: str) -> int:
    print(f"cluster-etl: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
