"""Clients for one run: a recording client on the network, or a replaying one from an archive."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from cluster_etl import __version__
from cluster_etl.fetch.archive import (
    Archived, RunArchive, ValidatorCache, parse_warc_date, read_run, run_release_date)
from cluster_etl.fetch.client import Exchange, FetchError, FetchSettings, PortalClient


@contextlib.contextmanager
def recording_client(portal_url: str, settings: FetchSettings, archive_dir: Path,
                     started: dt.datetime, release_date: dt.date | None = None
                     ) -> Iterator[PortalClient]:
    """A network client whose every response lands in a new WARC file under `archive_dir`, and
    whose requests are conditional on what earlier runs archived there. The WARC's warcinfo
    records the release date the run publishes under (default: the date it started)."""
    info = {"software": f"cluster-etl {__version__}", "portal_url": portal_url.rstrip("/"),
            "settings": dataclasses.asdict(settings),
            "release_date": (release_date or started.date()).isoformat()}
    archive = RunArchive(archive_dir, info, started)
    cache = ValidatorCache(archive_dir)
    client = PortalClient(portal_url, settings, archive=archive, cache=cache)
    try:
        yield client
    finally:
        client.close()
        archive.close()
        cache.save()


class ReplayClient(PortalClient):
    """Serves a recorded run's responses; never touches the network. Same policies as the run:
    robots.txt, host, redirects, decoding and statuses go through PortalClient's own code."""

    def __init__(self, warc: Path):
        info, records = read_run(warc)
        self.warc = Path(warc)
        self.started = parse_warc_date(info["started"])
        self.release_date = run_release_date(info)
        recorded = {f.name: info.get("settings", {}).get(f.name, f.default)
                    for f in dataclasses.fields(FetchSettings)}
        # No pacing and no retries: the answers are on disk and would not change.
        settings = FetchSettings(**{**recorded, "rate": 0.0, "retries": 0})
        super().__init__(info["portal_url"], settings)
        self._responses: dict[str, Archived] = {r.url: r for r in records}  # the last answer wins

    def _exchange(self, url: str) -> Exchange:
        archived = self._responses.get(url)
        if archived is None:
            raise FetchError(url, f"not in the archive {self.warc.name}")
        self.stats.record(1, archived.status, len(archived.body))
        return Exchange(archived.status, archived.reason, archived.headers, archived.body, archived.date)


@contextlib.contextmanager
def replay_client(warc: Path) -> Iterator[ReplayClient]:
    client = ReplayClient(warc)
    try:
        yield client
    finally:
        client.close()
