"""The bare baselines the benchmarks measure the pipeline against: lxml, requests and threads.

No bs4, no Prefect, no archive, no politeness, no retries: what a plain script would do to read
the same fields from the sample portal. The parse functions read what ours read (parse_bench.py
checks that they agree, page by page); `bare_crawl` walks the portal as our crawl does (overview,
cluster homes, every directory page by its `Suivant` link, every member page) with a pool of
threads and a keep-alive session per thread. Imported by parse_bench.py and refresh_bench.py.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
import requests

from cluster_etl.fetch.decode import decode_body
from cluster_etl.portal import layout

_SEPARATORS = re.compile(r"\s[-\u2013\u2014]\s|[|\u00b7,]")
_POSTAL_CODE = re.compile(r"^(?:B ?-? ?)?\d{4}$")
_OLD_FORM = re.compile(r"^(https?://[^/]+)/(?!sites/)")  # /tweed/home/... is /sites/tweed/home/...
_MEMBER_COUNT = re.compile(r"Nombre de membres\s*:?\s*(\d+)")

Entry = tuple[str, str, list[str]]  # (member URL, name, [city, type])


def _absolute(url: str, href: str) -> str:
    return _OLD_FORM.sub(r"\1/sites/", urljoin(url, href.strip()))


def bare_overview(html: str, url: str) -> list[str]:
    """The URLs of the cluster home pages the overview's table links to."""
    doc = lxml.html.fromstring(html)
    return [_absolute(url, href) for href in doc.xpath("//table//td/a/@href")]


def bare_home(html: str, url: str) -> tuple[str | None, int | None]:
    """(member directory URL, declared member count) of a cluster home page."""
    doc = lxml.html.fromstring(html)
    directory = doc.xpath("//a[contains(@href, 'membres.html')]/@href")
    count = _MEMBER_COUNT.search(" ".join(doc.text_content().split()))
    return (_absolute(url, directory[0]) if directory else None,
            int(count.group(1)) if count else None)


def bare_member(html: str, url: str) -> dict[str, str]:
    """The fields of the `<dl>` with the most known labels: label -> value."""
    best: dict[str, str] = {}
    for dl in lxml.html.fromstring(html).xpath("//dl"):
        fields = {}
        for dt in dl.xpath(".//dt"):
            key = layout.member_field_key(dt.text_content())
            dd = dt.xpath("following-sibling::dd[1]")
            if key and key not in fields and dd:
                fields[key] = " ".join(dd[0].text_content().split())
        if len(fields) > len(best):
            best = fields
    return best


def bare_directory(html: str, url: str) -> tuple[list[Entry], str | None]:
    """(member URL, name, [city, type]) per member link, and the next page's URL."""
    doc = lxml.html.fromstring(html)
    entries = []
    for a in doc.xpath("//a[contains(@href, '/memberList/')]"):
        box = next(a.iterancestors("tr", "li", "dd", "div", "p"), a.getparent())
        name = " ".join(a.text_content().split())
        text = " | ".join(" ".join(t.split()) for t in box.itertext())
        pieces = [p for p in (s.strip(" -\u2013\u2014|\u00b7,") for s in _SEPARATORS.split(text))
                  if p and p != name and not _POSTAL_CODE.match(p)]
        entries.append((_absolute(url, a.get("href")), name, pieces[:2]))
    following = doc.xpath("//a[starts-with(normalize-space(.), 'Suivant')]/@href")
    return entries, urljoin(url, following[0]) if following else None


# --- the bare crawl ------------------------------------------------------------------------------


@dataclass
class BareCrawl:
    """What the bare crawl read: pages fetched, body bytes, clusters, directory entries, members."""

    pages: int = 0
    body_bytes: int = 0
    clusters: dict[str, tuple[int | None, list[Entry]]] = field(default_factory=dict)
    members: dict[str, dict[str, str]] = field(default_factory=dict)


class _Fetcher:
    """GET with a keep-alive session per thread; counts pages and bytes."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.crawl = BareCrawl()

    def get(self, url: str) -> str:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        response = session.get(url, timeout=30)  # a 404 member page is read like any other
        with self._lock:
            self.crawl.pages += 1
            self.crawl.body_bytes += len(response.content)
        return decode_body(response.content, response.headers.get("Content-Type"))


def _cluster(fetcher: _Fetcher, home_url: str) -> tuple[str, int | None, list[Entry]]:
    """A cluster's home page and every page of its directory, one after the other."""
    directory, declared = bare_home(fetcher.get(home_url), home_url)
    entries: list[Entry] = []
    seen: set[str] = set()
    url = directory
    while url and url not in seen:
        seen.add(url)
        found, url = bare_directory(fetcher.get(url), url)
        entries += found
    return home_url, declared, entries


def _member(fetcher: _Fetcher, url: str) -> tuple[str, dict[str, str]]:
    return url, bare_member(fetcher.get(url), url)


def bare_crawl(portal_url: str, threads: int = 8) -> BareCrawl:
    """The whole portal with `threads` threads: clusters in parallel, and each cluster's member
    pages queued as soon as its directory is read."""
    fetcher = _Fetcher()
    overview = layout.overview_url(portal_url)
    homes = bare_overview(fetcher.get(overview), overview)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        member_futures: list[Future] = []
        for done in as_completed([pool.submit(_cluster, fetcher, home) for home in homes]):
            home, declared, entries = done.result()
            fetcher.crawl.clusters[home] = declared, entries
            member_futures += [pool.submit(_member, fetcher, url)
                               for url in dict.fromkeys(e[0] for e in entries)]
        fetcher.crawl.members = dict(future.result() for future in member_futures)
    return fetcher.crawl
