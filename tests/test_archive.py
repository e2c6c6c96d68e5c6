import datetime as dt

import pytest
from warcio.archiveiterator import ArchiveIterator

from cluster_etl.fetch import FetchSettings, PortalClient, recording_client, replay_client
from cluster_etl.fetch.archive import ArchiveError, RunArchive, ValidatorCache, read_record, read_run
from tests.portal_server import Reply, ScriptedPortal, html, serve

T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.timezone.utc)
FAST = FetchSettings(rate=0, retries=1, backoff_factor=0.01)


def test_responses_round_trip_through_a_warc_file(tmp_path):
    archive = RunArchive(tmp_path, {"portal_url": "http://p"}, T0)
    ref = archive.write_response("http://p/a.html", 200, "OK",
                                 {"Content-Type": "text/html", "Content-Encoding": "gzip", "ETag": '"1"'},
                                 "Liège".encode(), T0)
    archive.write_response("http://p/b.html", 404, "Not Found", {}, b"gone", T0)
    archive.close()
    info, records = read_run(archive.path)
    assert info["portal_url"] == "http://p" and info["started"].startswith("2026-11-02T06:00:00")
    assert [(r.url, r.status, r.body) for r in records] == [
        ("http://p/a.html", 200, "Liège".encode()), ("http://p/b.html", 404, b"gone")]
    assert "Content-Encoding" not in records[0].headers  # the body is stored decoded
    assert read_record(tmp_path, ref).body == "Liège".encode()


def test_revisit_reuses_the_body_of_an_earlier_run(tmp_path):
    first = RunArchive(tmp_path, {"portal_url": "http://p"}, T0)
    ref = first.write_response("http://p/a.html", 200, "OK", {"ETag": '"1"'}, b"body", T0)
    first.close()
    second = RunArchive(tmp_path, {"portal_url": "http://p"}, T0 + dt.timedelta(days=7))
    second.write_revisit("http://p/a.html", 304, "Not Modified", {"ETag": '"1"'}, ref,
                         T0 + dt.timedelta(days=7))
    second.close()
    with open(second.path, "rb") as fh:
        (warcinfo, revisit) = [(r.rec_type, r.rec_headers.get_header("WARC-Refers-To")) for r in ArchiveIterator(fh)]
    assert revisit == ("revisit", ref.record_id)
    _, records = read_run(second.path)
    assert (records[0].status, records[0].body) == (200, b"body")

    first.path.unlink()
    with pytest.raises(ArchiveError, match="refers to"):
        read_run(second.path)


def test_validator_cache_survives_between_runs_and_forgets(tmp_path):
    cache = ValidatorCache(tmp_path)
    archive = RunArchive(tmp_path, {}, T0)
    ref = archive.write_response("http://p/a", 200, "OK", {}, b"x", T0)
    cache.remember("http://p/a", {"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 06:00:00 GMT"}, ref)
    cache.remember("http://p/b", {}, ref)  # nothing to revalidate with: not kept
    cache.save()
    again = ValidatorCache(tmp_path)
    assert again.conditional_headers("http://p/a") == {
        "If-None-Match": '"v1"', "If-Modified-Since": "Mon, 02 Nov 2026 06:00:00 GMT"}
    assert again.conditional_headers("http://p/b") == {}
    assert again.lookup("http://p/a") == ref
    again.forget("http://p/a")
    assert again.lookup("http://p/a") is None


def test_damaged_index_costs_only_a_full_download(tmp_path):
    (tmp_path / "index.json").write_text("{not json")
    assert ValidatorCache(tmp_path).conditional_headers("http://p/a") == {}


def _etag_portal():
    page = html("<p>v1</p>", headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 06:00:00 GMT"})
    return ScriptedPortal({
        "/robots.txt": Reply(status=404),
        "/a.html": [page, Reply(status=304, headers={"ETag": '"v1"'})],
    })


def test_second_run_sends_conditional_requests_and_reuses_archived_bodies(tmp_path):
    portal = _etag_portal()
    with serve(portal) as base:
        with recording_client(base, FAST, tmp_path, T0) as client:
            first = client.get(f"{base}/a.html")
        with recording_client(base, FAST, tmp_path, T0 + dt.timedelta(days=7)) as client:
            second = client.get(f"{base}/a.html")
            assert client.stats.statuses == {404: 1, 304: 1} and client.stats.body_bytes == 0
    assert (first.revalidated, second.revalidated) == (False, True)
    assert second.text == first.text == "<p>v1</p>"
    asked = [h for _, p, h in portal.log if p == "/a.html"]
    assert "If-None-Match" not in asked[0]
    assert asked[1]["If-None-Match"] == '"v1"' and asked[1]["If-Modified-Since"]


def test_304_whose_archived_body_is_gone_fetches_the_page_again(tmp_path):
    portal = _etag_portal()
    with serve(portal) as base:
        with recording_client(base, FAST, tmp_path, T0) as client:
            client.get(f"{base}/a.html")
        for warc in tmp_path.glob("*.warc.gz"):
            warc.unlink()
        portal.routes["/a.html"] = [Reply(status=304), html("<p>v2</p>")]
        with recording_client(base, FAST, tmp_path, T0 + dt.timedelta(days=7)) as client:
            assert client.get(f"{base}/a.html").text == "<p>v2</p>"


def test_replay_answers_from_the_archive_without_network(tmp_path):
    portal = ScriptedPortal({"/robots.txt": Reply(status=404),
                             "/old.html": Reply(status=301, headers={"Location": "/a.html"}),
                             "/a.html": html("<p>Liège</p>", charset="iso-8859-1")})
    with serve(portal) as base:
        with recording_client(base, FAST, tmp_path, T0) as client:
            recorded = client.get(f"{base}/old.html")
            warc = client.archive.path
    # The server is gone: only the archive can answer.
    with replay_client(warc) as replayed:
        assert replayed.base_url == base
        page = replayed.get(f"{base}/old.html")
        assert (page.text, page.final_url, page.status) == (recorded.text, recorded.final_url, 200)
        with pytest.raises(Exception, match="not in the archive"):
            replayed.get(f"{base}/never-fetched.html")
