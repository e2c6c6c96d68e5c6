"""The crawler's judgement of what pages mean, on an in-memory portal (no sockets)."""

import datetime as dt
import re

import pytest

from cluster_etl.crawl import IncompleteRun, crawl_cluster, crawl_directory, crawl_overview
from cluster_etl.fetch import FetchSettings, PortalClient
from cluster_etl.fetch.client import Exchange

BASE = "http://portal.test"
HOME = f"{BASE}/sites/tweed/home.html"
DIRECTORY = f"{BASE}/sites/tweed/home/membres.html"
LINK = {"cluster_id": "tweed", "name": "TWEED", "domain": "Energie", "url": HOME}


class MemoryPortal(PortalClient):
    """PortalClient whose network is a dict (or a function) of URL -> (status, html)."""

    def __init__(self, pages, robots: str = "", max_directory_pages: int = 100):
        super().__init__(BASE, FetchSettings(rate=0, retries=0, max_directory_pages=max_directory_pages))
        self.pages, self.robots_txt, self.asked = pages, robots, []

    def _exchange(self, url):
        self.asked.append(url)
        now = dt.datetime.now(dt.timezone.utc)
        if url.endswith("/robots.txt"):
            return Exchange(200, "OK", {"Content-Type": "text/plain"}, self.robots_txt.encode(), now)
        answer = self.pages(url) if callable(self.pages) else self.pages.get(url)
        status, body, headers = answer if answer else (404, "", {})
        return Exchange(status, "", {"Content-Type": "text/html; charset=utf-8", **headers}, body.encode(), now)


def entry(slug: str, host: str = "") -> str:
    return f'<li><a href="{host}/sites/tweed/home/membres/memberList/{slug}.html">{slug.title()}</a> Namur PME</li>'


def member(name: str) -> tuple[int, str, dict]:
    return 200, f"<dl><dt>Dénomination</dt><dd>{name}</dd><dt>Type de membre</dt><dd>PME</dd></dl>", {}


def home(count: int) -> tuple[int, str, dict]:
    return 200, f'<h1>TWEED</h1><p>Nombre de membres : {count}</p><a href="home/membres.html">Membres</a>', {}


def test_endless_pagination_stops_at_the_cap_with_a_finding():
    def endless(url):
        page = int(re.search(r"page=(\d+)", url).group(1)) if "page=" in url else 1
        return 200, f'<ul>{entry(f"m{page}")}</ul><a href="membres.html?page={page + 1}">Suivant</a>', {}

    client = MemoryPortal(endless, max_directory_pages=5)
    entries, pages, findings = crawl_directory(client, DIRECTORY, "tweed")
    assert pages == 5 and len(entries) == 5
    assert [f.name for f in findings] == ["directory_page_cap:tweed"]
    assert len([u for u in client.asked if "membres.html" in u]) == 5


def test_pagination_loop_is_a_finding():
    pages = {DIRECTORY: (200, f'<ul>{entry("a")}</ul><a href="membres.html?page=2">Suivant</a>', {}),
             f"{DIRECTORY}?page=2": (200, f'<ul>{entry("b")}</ul><a href="membres.html">Suivant</a>', {})}
    entries, count, findings = crawl_directory(MemoryPortal(pages), DIRECTORY, "tweed")
    assert [e["name"] for e in entries] == ["A", "B"] and count == 2
    assert [f.name for f in findings] == ["directory_pagination_loop:tweed"]


def test_robots_disallowing_a_directory_makes_the_run_incomplete():
    pages = {HOME: home(1), DIRECTORY: (200, f"<ul>{entry('a')}</ul>", {})}
    client = MemoryPortal(pages, robots="User-agent: *\nDisallow: /sites/tweed/home/membres.html\n")
    with pytest.raises(IncompleteRun) as info:
        crawl_cluster(client, LINK)
    assert "disallowed by robots.txt" in str(info.value) and DIRECTORY in str(info.value)
    assert not info.value.transient  # not worth a second try
    assert DIRECTORY not in client.asked


def test_member_pages_refused_by_robots_or_redirected_off_host_are_findings():
    a = f"{BASE}/sites/tweed/home/membres/memberList/a.html"
    b = f"{BASE}/sites/tweed/home/membres/memberList/b.html"
    c = f"{BASE}/sites/tweed/home/membres/memberList/c.html"
    pages = {HOME: home(3),
             DIRECTORY: (200, f"<ul>{entry('a')}{entry('b')}{entry('c')}"
                              f"{entry('d', 'https://elsewhere.example')}</ul>", {}),
             a: member("A SA"),
             b: (302, "", {"Location": "https://elsewhere.example/b.html"})}
    client = MemoryPortal(pages, robots="User-agent: *\nDisallow: /sites/tweed/home/membres/memberList/c.html\n")
    cluster = crawl_cluster(client, LINK)
    assert cluster.members[a]["fields"]["name"] == "A SA"
    assert cluster.members[b] is None and cluster.members[c] is None
    names = sorted(f.name for f in cluster.findings)
    assert names == ["member_page_disallowed", "member_page_off_host", "off_host_link"]
    assert all(f.status == "warn" for f in cluster.findings)
    assert not any("elsewhere.example" in u for u in client.asked)


def test_a_member_page_that_keeps_failing_makes_the_run_incomplete():
    a = f"{BASE}/sites/tweed/home/membres/memberList/a.html"
    pages = {HOME: home(1), DIRECTORY: (200, f"<ul>{entry('a')}</ul>", {}), a: (500, "oops", {})}
    with pytest.raises(IncompleteRun) as info:
        crawl_cluster(MemoryPortal(pages), LINK)
    assert info.value.failures[0].url == a and info.value.failures[0].status == 500
    assert info.value.transient


def test_member_pages_that_all_miss_the_layout_fail_the_cluster():
    a = f"{BASE}/sites/tweed/home/membres/memberList/a.html"
    pages = {HOME: home(1), DIRECTORY: (200, f"<ul>{entry('a')}</ul>", {}), a: (200, "<p>redesigned</p>", {})}
    cluster = crawl_cluster(MemoryPortal(pages), LINK)
    statuses = {f.name: f.status for f in cluster.findings}
    assert statuses == {"member_page_unparsed": "warn", "layout:member_pages:tweed": "fail"}


def test_overview_reports_cluster_links_to_another_host():
    overview_url = f"{BASE}/sites/federateur/home/les-clusters.html"
    pages = {overview_url: (200, "<p>1 clusters, plus de 1 membres, 50% sont des entreprises, PME (40%)</p><table>"
                                 '<tr><td><a href="/sites/tweed/home.html">TWEED</a></td><td>E</td></tr>'
                                 '<tr><td><a href="http://x.example/sites/twist/home.html">TWIST</a></td></tr>'
                                 "</table>", {})}
    overview, findings = crawl_overview(MemoryPortal(pages))
    assert [c["cluster_id"] for c in overview["clusters"]] == ["tweed"]
    assert [(f.name, f.observed) for f in findings] == [("off_host_link", "http://x.example/sites/twist/home.html")]
