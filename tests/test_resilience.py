"""The real flow against the sample portal behind a fault-injecting server on 127.0.0.1:
faults that clear, a fault that never clears, replay of a recorded run, and an incremental run."""

import datetime as dt
import json
import re
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import requests

from cluster_etl import cli
from cluster_etl.crawl import IncompleteRun
from cluster_etl.fetch import FetchSettings
from cluster_etl.publish import read_release_parquet
from cluster_etl.run import ValidationFailed
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import _make_handler, serve_in_thread
from cluster_etl.schema import SNAPSHOT_TABLES
from flows.refresh import refresh, replay
from tests.portal_server import Reply, write_reply
from tests.test_end_to_end import published_digest

CLEAN_DAY, FAULTY_DAY, WARM_DAY = dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)
FAST_RETRIES = {"timeout": 1.0, "retries": 4, "retry_delay": 0.1, "rate": 0, "concurrency": 8}


class FaultySample:
    """Serves the sample portal; `plan` maps a request path to replies given before the real page."""

    def __init__(self, root: Path):
        self.plan: dict[str, list[Reply]] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        content_types = json.loads((root / "_headers.json").read_text("utf-8"))
        sample_handler = _make_handler(root, content_types)
        faults = self

        class Handler(sample_handler):
            def do_GET(self):  # noqa: N802
                fault = faults.next_fault(self.path, dict(self.headers))
                if fault is None:
                    return super().do_GET()
                if fault.status == 0:  # a slow answer: wait, then the real page
                    time.sleep(fault.delay)
                    return super().do_GET()
                return write_reply(self, fault)

        self.handler = Handler

    def next_fault(self, path: str, headers: dict[str, str]) -> Reply | None:
        with self._lock:
            self.log.append((path, headers))
            queue = self.plan.get(path)
            if not queue:
                return None
            return queue.pop(0) if len(queue) > 1 else queue[0]  # the last one repeats

    def take_all(self, path: str, replies: list[Reply]) -> None:
        """Give these replies in turn, then the real page (the sentinel None at the end)."""
        self.plan[path] = [*replies, None]


def slow(seconds: float) -> Reply:
    return Reply(status=0, delay=seconds)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal")
    manifest = write_sample_portal(root)
    faulty = FaultySample(root)
    with serve_in_thread(faulty.handler) as base:
        yield base, faulty, manifest


@pytest.fixture(scope="module")
def clean(portal, tmp_path_factory):
    base, faulty, _ = portal
    out = tmp_path_factory.mktemp("clean")
    faulty.plan.clear()
    result = refresh(portal_url=base, out_dir=out, release_date=CLEAN_DAY, **FAST_RETRIES)
    return out, result


def release_bytes(out: Path, day: dt.date) -> dict[str, object]:
    """The tables a run published, to compare releases of other dates: CSV and JSON bytes, and
    the Parquet rows (its file metadata names the release date; membership_history's dates are
    release dates, so it is compared in tests of its own)."""
    folder = out / "releases" / day.isoformat()
    published: dict[str, object] = {
        f"{t}.{ext}": (folder / f"{t}.{ext}").read_bytes() for t in SNAPSHOT_TABLES for ext in ("csv", "json")}
    published.update({f"{t}.parquet": pq.read_table(folder / f"{t}.parquet").to_pylist() for t in SNAPSHOT_TABLES})
    return published


def test_faults_that_clear_on_retry_publish_the_same_tables(portal, clean, tmp_path):
    base, faulty, manifest = portal
    clean_out, _ = clean
    overview = "/sites/federateur/home/les-clusters.html"
    home = "/sites/tweed/home.html"
    directory_2 = "/sites/infopole/home/membres.html?page=2"
    members = _some_member_paths(clean_out, 4)
    faulty.take_all(overview, [Reply(status=503), Reply(status=503)])
    faulty.take_all(home, [Reply(status=429, headers={"Retry-After": "1"})])
    faulty.take_all(directory_2, [Reply(reset=True)])
    faulty.take_all(members[0], [slow(2.5)])
    faulty.take_all(members[1], [Reply(status=200, body=b"x" * 2000, truncate_to=100)])
    faulty.take_all(members[2], [Reply(status=500), Reply(status=502)])
    faulty.take_all(members[3], [Reply(reset=True), Reply(status=503, headers={"Retry-After": "1"})])
    out = tmp_path / "faulty"
    result = refresh(portal_url=base, out_dir=out, release_date=CLEAN_DAY, **FAST_RETRIES)
    assert result.fetch["requests"] > clean[1].fetch["requests"]  # the faults were met and retried
    assert all(not queue or queue == [None] for queue in faulty.plan.values())
    assert release_bytes(out, CLEAN_DAY) == release_bytes(clean_out, CLEAN_DAY)
    faulty.plan.clear()


def test_a_fault_that_never_clears_publishes_nothing_and_keeps_the_previous_release(portal, clean, tmp_path):
    base, faulty, _ = portal
    clean_out, _ = clean
    before = published_digest(clean_out)
    member = _some_member_paths(clean_out, 1)[0]
    faulty.plan[member] = [Reply(status=503)]  # forever
    try:
        with pytest.raises(IncompleteRun) as info:
            refresh(portal_url=base, out_dir=clean_out, release_date=FAULTY_DAY,
                    archive_dir=tmp_path / "archive", **{**FAST_RETRIES, "retries": 2})
    finally:
        faulty.plan.clear()
    assert member in str(info.value) and "last status 503" in str(info.value)
    assert published_digest(clean_out) == before


def test_replay_of_a_recorded_run_gives_identical_tables(clean, tmp_path):
    clean_out, result = clean
    warc = result.archive
    assert warc.parent == clean_out / "archive" and warc.name.endswith(".warc.gz")
    replayed = replay(archive=warc, out_dir=tmp_path / "replayed", release_date=CLEAN_DAY)
    assert release_bytes(tmp_path / "replayed", CLEAN_DAY) == release_bytes(clean_out, CLEAN_DAY)
    assert replayed.fetch["pages"] == result.fetch["pages"]


def test_replay_command_rebuilds_the_release_of_the_recorded_date(clean, tmp_path, capsys):
    clean_out, result = clean
    out = tmp_path / "backfill"
    assert cli.main(["replay", str(result.archive), "--out", str(out)]) == cli.EXIT_OK
    # the release date the run was published under, recorded in its WARC's warcinfo
    assert release_bytes(out, CLEAN_DAY) == release_bytes(clean_out, CLEAN_DAY)
    assert not (out / "releases" / result.started.date().isoformat()).exists() or \
        result.started.date() == CLEAN_DAY
    assert "release published" in capsys.readouterr().out
    assert cli.main(["replay", str(tmp_path / "nope.warc.gz"), "--out", str(out)]) == cli.EXIT_INCOMPLETE


def test_release_metadata_names_its_archive(clean):
    clean_out, result = clean
    package = json.loads((clean_out / "releases" / CLEAN_DAY.isoformat() / "datapackage.json").read_text("utf-8"))
    assert package["cluster_etl"]["archive"] == f"archive/{result.archive.name}"


def test_second_run_of_an_unchanged_portal_downloads_no_body(portal, clean, tmp_path):
    base, faulty, manifest = portal
    clean_out, first = clean
    faulty.log.clear()
    second = refresh(portal_url=base, out_dir=clean_out, release_date=WARM_DAY, **FAST_RETRIES)
    missing = {p for p in manifest.missing_member_paths}
    statuses = second.fetch["statuses"]
    assert set(statuses) == {"304", "404"} and statuses["404"] == len(missing)
    assert second.fetch["body_bytes"] == len(b"404 Not Found\n") * len(missing)
    for path, headers in faulty.log:
        if path not in missing:
            assert "If-None-Match" in headers and "If-Modified-Since" in headers, path
    assert release_bytes(clean_out, WARM_DAY) == release_bytes(clean_out, CLEAN_DAY)
    frames = read_release_parquet(clean_out / "latest")
    assert len(frames["memberships"]) == manifest.memberships
    # The warm run's WARC holds revisits; replay finds their bodies in the earlier WARC beside it.
    replay(archive=second.archive, out_dir=tmp_path / "replayed", release_date=WARM_DAY)
    assert release_bytes(tmp_path / "replayed", WARM_DAY) == release_bytes(clean_out, WARM_DAY)


def _some_member_paths(out: Path, count: int) -> list[str]:
    """Paths of member pages that exist (from a published release)."""
    from urllib.parse import urlsplit

    frames = read_release_parquet(out / "releases" / CLEAN_DAY.isoformat())
    urls = sorted(frames["memberships"]["member_page_url"])
    return [urlsplit(u).path for u in urls[::97][:count]]


def test_robots_txt_disallowing_a_directory_is_obeyed_and_named(portal, tmp_path):
    base, faulty, _ = portal
    directory = "/sites/tweed/home/membres.html"
    faulty.plan["/robots.txt"] = [Reply(body=f"User-agent: *\nDisallow: {directory}\n".encode(),
                                        headers={"Content-Type": "text/plain"})]
    faulty.log.clear()
    try:
        with pytest.raises(IncompleteRun) as info:
            refresh(portal_url=base, out_dir=tmp_path / "out", release_date=CLEAN_DAY, **FAST_RETRIES)
    finally:
        faulty.plan.clear()
    assert f"{base}{directory}: disallowed by robots.txt" in str(info.value)
    assert not any(path.startswith(directory) for path, _ in faulty.log)
    assert not (tmp_path / "out" / "releases").exists()


def test_endless_pagination_is_a_finding_not_an_endless_loop(portal, tmp_path):
    base, faulty, _ = portal
    directory = "/sites/tweed/home/membres.html"
    member = "memberList/" + _first_tweed_member(faulty, base)
    for page in range(1, 3 * FetchSettings.max_directory_pages):
        path = directory if page == 1 else f"{directory}?page={page}"
        faulty.plan[path] = [Reply(body=(f'<ul><li><a href="membres/{member}">M</a> Namur PME</li></ul>'
                                         f'<a href="membres.html?page={page + 1}">Suivant</a>').encode(),
                                   headers={"Content-Type": "text/html; charset=utf-8"})]
    faulty.log.clear()
    try:
        try:
            report = refresh(portal_url=base, out_dir=tmp_path / "out", release_date=CLEAN_DAY,
                             **FAST_RETRIES).report
        except ValidationFailed as failed:
            report = failed.result.report
    finally:
        faulty.plan.clear()
    names = [c.name for c in report.checks]
    assert "directory_page_cap:tweed" in names
    asked = [p for p, _ in faulty.log if p.startswith(directory)]
    assert len(asked) == FetchSettings.max_directory_pages


def _first_tweed_member(faulty: FaultySample, base: str) -> str:
    html = requests.get(f"{base}/sites/tweed/home/membres.html", timeout=10).text
    return re.search(r"memberList/([a-z0-9-]+\.html)", html).group(1)
