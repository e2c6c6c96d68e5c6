import threading
import time

import pytest

from cluster_etl.fetch import FetchError, FetchSettings, PortalClient, decode_body
from cluster_etl.fetch.client import RobotsDisallowed
from cluster_etl.fetch.decode import DecodeError
from tests.portal_server import Reply, ScriptedPortal, html, serve

FAST = FetchSettings(rate=0, concurrency=2, retries=3, backoff_factor=0.01, backoff_jitter=0.0,
                     read_timeout=2.0, connect_timeout=2.0)
ROBOTS = Reply(body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})


def client_for(routes, settings=FAST):
    portal = ScriptedPortal({"/robots.txt": ROBOTS, **routes})
    return portal, settings


def test_page_is_fetched_and_decoded_with_user_agent():
    portal, settings = client_for({"/a.html": html("<p>Liège</p>")})
    with serve(portal) as base, PortalClient(base, settings) as client:
        page = client.get(f"{base}/a.html")
    assert page.status == 200 and "Liège" in page.text
    agent = portal.log[-1][2]["User-Agent"]
    assert agent.startswith("cluster-etl/") and settings.contact_url in agent


def test_robots_is_read_first_and_disallow_obeyed():
    portal, settings = client_for({"/private/x.html": html("secret")})
    with serve(portal) as base, PortalClient(base, settings) as client:
        with pytest.raises(RobotsDisallowed):
            client.get(f"{base}/private/x.html")
    assert [p for _, p, _ in portal.log] == ["/robots.txt"]


def test_missing_robots_allows_everything():
    portal = ScriptedPortal({"/robots.txt": Reply(status=404), "/a.html": html("ok")})
    with serve(portal) as base, PortalClient(base, FAST) as client:
        assert client.get(f"{base}/a.html").status == 200


def test_5xx_burst_is_retried_then_succeeds():
    portal, settings = client_for({"/a.html": [Reply(status=503), Reply(status=502), html("ok")]})
    with serve(portal) as base, PortalClient(base, settings) as client:
        page = client.get(f"{base}/a.html")
        assert page.text == "ok"
        assert client.stats.requests >= 4  # robots + 3 attempts
    assert portal.hits("/a.html") == 3


def test_persistent_5xx_fails_with_last_status():
    portal, settings = client_for({"/a.html": Reply(status=500)})
    with serve(portal) as base, PortalClient(base, settings) as client:
        with pytest.raises(FetchError) as info:
            client.get(f"{base}/a.html")
    assert info.value.status == 500 and "/a.html" in str(info.value)
    assert portal.hits("/a.html") == 1 + FAST.retries


def test_404_is_handed_back_not_raised():
    portal, settings = client_for({})
    with serve(portal) as base, PortalClient(base, settings) as client:
        assert client.get(f"{base}/gone.html").status == 404


def test_truncated_body_is_retried():
    portal, settings = client_for({"/a.html": [html("x" * 500, truncate_to=100), html("y" * 500)]})
    with serve(portal) as base, PortalClient(base, settings) as client:
        assert client.get(f"{base}/a.html").text == "y" * 500


def test_off_host_link_and_redirect_are_refused():
    portal, settings = client_for({"/r.html": Reply(status=302, headers={"Location": "http://example.org/x"})})
    with serve(portal) as base, PortalClient(base, settings) as client:
        with pytest.raises(FetchError, match="not on the portal's host"):
            client.get("http://example.org/page.html")
        with pytest.raises(FetchError, match="not on the portal's host"):
            client.get(f"{base}/r.html")
    assert all("example.org" not in p for _, p, _ in portal.log)


def test_same_host_redirect_is_followed_and_loop_detected():
    portal, settings = client_for({
        "/old.html": Reply(status=301, headers={"Location": "/new.html"}),
        "/new.html": html("new"),
        "/loop1.html": Reply(status=302, headers={"Location": "/loop2.html"}),
        "/loop2.html": Reply(status=302, headers={"Location": "/loop1.html"}),
    })
    with serve(portal) as base, PortalClient(base, settings) as client:
        page = client.get(f"{base}/old.html")
        assert page.text == "new" and page.final_url.endswith("/new.html")
        with pytest.raises(FetchError, match="redirect loop"):
            client.get(f"{base}/loop1.html")


def test_rate_limit_spaces_requests():
    portal, _ = client_for({"/a.html": html("a")})
    settings = FetchSettings(rate=10, concurrency=4)
    with serve(portal) as base, PortalClient(base, settings) as client:
        for _ in range(5):
            client.get(f"{base}/a.html")
    starts = [t for t, p, _ in portal.log]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.09  # 1 / 10 requests per second, less clock slack


def test_crawl_delay_slows_a_faster_rate():
    robots = Reply(body=b"User-agent: *\nCrawl-delay: 0.3\n", headers={"Content-Type": "text/plain"})
    portal = ScriptedPortal({"/robots.txt": robots, "/a.html": html("a")})
    with serve(portal) as base, PortalClient(base, FetchSettings(rate=0)) as client:
        client.get(f"{base}/a.html")
        client.get(f"{base}/a.html")
    starts = [t for t, p, _ in portal.log if p == "/a.html"]
    assert starts[1] - starts[0] >= 0.28


def test_decode_body_prefers_header_then_meta_then_utf8():
    latin = "Liège".encode("iso-8859-1")
    assert decode_body(latin, "text/html; charset=ISO-8859-1") == "Liège"
    meta = b'<meta charset="iso-8859-1"><p>' + latin
    assert decode_body(meta, "text/html").endswith("Liège")
    assert decode_body("Liège".encode(), None) == "Liège"
    with pytest.raises(DecodeError):
        decode_body(latin, "text/html")


def test_slow_response_times_out_and_is_reported():
    portal, _ = client_for({"/slow.html": Reply(delay=1.0, body=b"late")})
    settings = FetchSettings(rate=0, retries=1, backoff_factor=0.01, read_timeout=0.2)
    with serve(portal) as base, PortalClient(base, settings) as client:
        started = time.monotonic()
        with pytest.raises(FetchError):
            client.get(f"{base}/slow.html")
        assert time.monotonic() - started < 10


def test_429_retry_after_in_seconds_is_honoured():
    portal, settings = client_for({"/a.html": [Reply(status=429, headers={"Retry-After": "1"}), html("ok")]})
    with serve(portal) as base, PortalClient(base, settings) as client:
        assert client.get(f"{base}/a.html").text == "ok"
    first, second = [t for t, p, _ in portal.log if p == "/a.html"]
    assert second - first >= 0.95


def test_503_retry_after_as_http_date_is_honoured():
    from email.utils import formatdate

    # HTTP dates have whole seconds: 2 s ahead means a wait between 1 and 2 s.
    later = formatdate(time.time() + 2, usegmt=True)
    portal, settings = client_for({"/a.html": [Reply(status=503, headers={"Retry-After": later}), html("ok")]})
    with serve(portal) as base, PortalClient(base, settings) as client:
        assert client.get(f"{base}/a.html").text == "ok"
    first, second = [t for t, p, _ in portal.log if p == "/a.html"]
    assert second - first >= 0.9


def test_retry_after_is_capped():
    portal, _ = client_for({"/a.html": [Reply(status=503, headers={"Retry-After": "3600"}), html("ok")]})
    settings = FetchSettings(rate=0, retries=2, backoff_factor=0.01, max_retry_after=0.2)
    with serve(portal) as base, PortalClient(base, settings) as client:
        started = time.monotonic()
        assert client.get(f"{base}/a.html").text == "ok"
        assert time.monotonic() - started < 5


def test_connection_reset_is_retried():
    portal, settings = client_for({"/a.html": [Reply(reset=True), Reply(reset=True), html("ok")]})
    with serve(portal) as base, PortalClient(base, settings) as client:
        assert client.get(f"{base}/a.html").text == "ok"
    assert portal.hits("/a.html") == 3


def test_response_slower_than_read_timeout_is_retried():
    portal, _ = client_for({"/a.html": [Reply(delay=1.5, body=b"late"), html("on time")]})
    settings = FetchSettings(rate=0, retries=2, backoff_factor=0.01, read_timeout=0.3)
    with serve(portal) as base, PortalClient(base, settings) as client:
        assert client.get(f"{base}/a.html").text == "on time"


def test_undecodable_body_is_retried_then_reported():
    bad = Reply(body="Liège".encode("iso-8859-1"), headers={"Content-Type": "text/html; charset=utf-8"})
    portal, settings = client_for({"/a.html": bad})
    with serve(portal) as base, PortalClient(base, settings) as client:
        with pytest.raises(FetchError, match="not valid utf-8"):
            client.get(f"{base}/a.html")
    assert portal.hits("/a.html") == 1 + FAST.retries


def test_truncated_body_that_never_recovers_is_reported():
    portal, settings = client_for({"/a.html": html("x" * 500, truncate_to=10)})
    with serve(portal) as base, PortalClient(base, settings) as client:
        with pytest.raises(FetchError, match="cut short|Content-Length"):
            client.get(f"{base}/a.html")


def test_response_larger_than_the_cap_is_refused():
    portal, _ = client_for({"/big.html": html("x" * 5000)})
    settings = FetchSettings(rate=0, max_body_bytes=1000)
    with serve(portal) as base, PortalClient(base, settings) as client:
        with pytest.raises(FetchError, match="larger than 1000 bytes"):
            client.get(f"{base}/big.html")
    assert portal.hits("/big.html") == 1  # not worth retrying


def test_concurrency_bound_holds(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    portal, _ = client_for({"/a.html": Reply(delay=0.2, body=b"a")})
    settings = FetchSettings(rate=0, concurrency=2)
    in_flight, peak, lock = [0], [0], threading.Lock()
    with serve(portal) as base, PortalClient(base, settings) as client:
        client.load_robots()
        original = client._session.get

        def counting_get(*args, **kwargs):
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            try:
                return original(*args, **kwargs)
            finally:
                with lock:
                    in_flight[0] -= 1

        monkeypatch.setattr(client._session, "get", counting_get)
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda _: client.get(f"{base}/a.html"), range(6)))
    assert peak[0] == 2


def test_proxy_and_netrc_credentials_from_the_environment_are_used(monkeypatch, tmp_path):
    # Read once, when the client is made, rather than on every request: still obeyed.
    target = "http://portal.invalid"
    proxy = ScriptedPortal({f"{target}/robots.txt": ROBOTS,
                            f"{target}/a.html": html("<p>via the proxy</p>")})
    netrc = tmp_path / "netrc"
    netrc.write_text("machine portal.invalid login user password secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with serve(proxy) as proxy_base:
        monkeypatch.setenv("HTTP_PROXY", proxy_base)
        monkeypatch.setenv("http_proxy", proxy_base)
        with PortalClient(target, FAST) as client:
            page = client.get(f"{target}/a.html")
    assert "via the proxy" in page.text
    assert proxy.hits(f"{target}/a.html") == 1
    assert proxy.log[-1][2]["Authorization"] == "Basic dXNlcjpzZWNyZXQ="


def test_no_proxy_for_the_portal_host_is_obeyed(monkeypatch):
    portal, settings = client_for({"/a.html": html("<p>direct</p>")})
    with serve(portal) as base:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
        monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        with PortalClient(base, settings) as client:
            assert "direct" in client.get(f"{base}/a.html").text
