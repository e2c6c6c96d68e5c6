"""portal/urls.py joins and splits links as urllib does, and layout's canonical_url and same_host
give what they gave when built on urljoin and urlsplit alone (the reference functions below)."""

import itertools
import random
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest

from cluster_etl.portal import layout, urls

PORTS = {"http": 80, "https": 443}
OLD_FORM = re.compile(r"^/(?!sites/)(?P<rest>[^/]+/home(?:\.html|/.*))$", re.I)

BASES = [
    "https://clusters.wallonie.be/sites/tweed/home/membres.html",
    "https://clusters.wallonie.be/sites/tweed/home/membres.html?page=2#f",
    "http://127.0.0.1:8000/sites/federateur/home/les-clusters.html",
    "http://www.clusters.wallonie.be/sites/x/home.html",
    "https://CLUSTERS.wallonie.be:443/sites/x/home.html",
    "http://user@127.0.0.1:8000/sites/a/home.html",
    "https://clusters.wallonie.be",
    "https://clusters.wallonie.be/",
    "http://h/a/./b.html", "http://h/a//b.html", "http://h/a/b/", "http://h/a;p/b.html",
    "http://h/a/b.html;p", "HTTP://H/x/y", "file:///tmp/x.html", "http:relative",
]
LINKS = [
    "", "#", "#x", "?page=2", "membres.html?page=3", "/sites/tweed/home.html",
    "/tweed/home/membres.html", "../../tweed/home.html", "./membres/memberList/a.html",
    "../home/membres/memberList/a.html", "HTTP://WWW.Clusters.Wallonie.BE:80/sites/x/home.html",
    "https://clusters.wallonie.be:443/a", "http://clusters.wallonie.be:8080/tweed/home.html",
    "//clusters.wallonie.be/tweed/home.html", "//other.example/tweed/home.html", "mailto:a@b.be",
    "tel:+32", "javascript:void(0)", "ftp://x/y", "http://user:pw@Host.example:81/p?q#f",
    "http://[::1]:8080/x", "http://[::1/x", "  /sites/a/home.html  ", "/a/../b/./c",
    "http://x:99999/", "http://x:abc/", "www.tweed.be", "/", "/.", "/..", "/a/.", "/a/..", "/a/.b",
    "/a?x=/../y", "/a#/./b", "/a;p?q#f", "/a;", "/a\tb/c", "/a\nb", "/a b", "/?", "/#", "/a?",
    "/%2e%2e/x", "/a//b", "/\\a", "a", "a/b", "a/./b", "a/../b", "a//b", "a/\t./b", "/a/\t./b",
    "a:b", "a:b/c", "a/b:c", "1a/b", "é/b", "a?x:y/z", "a#b", "a?b", "a;p", "\x01a", "_a", "-a",
    "%41/b", "a/.", "a/..", ".hidden", "./", "../", "./?x", "../a:b", "C:/x", "data:text/html,x",
    "http://ÉXAMPLE.be/x", "http://exa\u00admple.be/", "http://a.be\uff03x/", "//A@//x/../",
    "http://@//x",
]


def hostile_links(count: int) -> list[str]:
    pieces = [*"ab/.?#:;%é\t-_~ 1@[]A", "//", "../", "./", "\n", "\x01", "www.", ":80", ":443"]
    rnd = random.Random(7)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 10))) for _ in range(count)]


def outcome(function, *args):
    try:
        return function(*args)
    except ValueError as exc:
        return f"ValueError: {exc}"


def reference_canonical_url(url: str, base: str) -> str:
    parts = urlsplit(urljoin(base, url.strip()))
    if parts.scheme not in PORTS:
        return urlunsplit(parts._replace(fragment=""))
    netloc = (parts.hostname or "").lower()
    if parts.port and parts.port != PORTS[parts.scheme]:
        netloc = f"{netloc}:{parts.port}"
    path = parts.path or "/"
    old = OLD_FORM.match(path)
    if old and reference_same_host(urlunsplit((parts.scheme, netloc, "/", "", "")), base):
        path = "/sites/" + old.group("rest")
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def reference_same_host(a: str, b: str) -> bool:
    def key(url: str) -> tuple[str, int | None]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = parts.port if parts.port != PORTS.get(parts.scheme.lower()) else None
        return host, port

    return bool(urlsplit(a).hostname) and key(a) == key(b)


@pytest.fixture(scope="module")
def links(sample_pages) -> list[str]:
    found = set(LINKS) | set(hostile_links(2500))
    for pages in sample_pages.values():
        for _, html in pages[::5]:
            found |= set(re.findall(r'href="([^"]*)"', html))
    return sorted(found)


def test_join_split_is_urljoin_then_urlsplit(links):
    for link, base in itertools.product(links, BASES):
        expected = outcome(lambda: urlsplit(urljoin(base, link.strip())))
        assert outcome(urls.join_split, link.strip(), base) == expected, (link, base)


def test_split_url_is_urlsplit(links):
    for url in [*BASES, *(prefix + link for link in links
                          for prefix in ("http://", "https://", "HTTP://", "http:", ""))]:
        assert outcome(urls.split_url, url) == outcome(urlsplit, url), url


def test_canonical_url_and_same_host_as_built_on_urllib(links):
    targets = set()
    for link, base in itertools.product(links, BASES):
        expected = outcome(reference_canonical_url, link, base)
        assert outcome(layout.canonical_url, link, base) == expected, (link, base)
        targets.add(expected)
    for a, b in itertools.product(sorted(targets), [b for b in BASES if urlsplit(b).hostname]):
        assert outcome(layout.same_host, a, b) == outcome(reference_same_host, a, b), (a, b)


def test_common_links_skip_urljoin(monkeypatch):
    monkeypatch.setattr(urls, "urljoin", lambda *args: pytest.fail(f"urljoin{args}"))
    base = "http://127.0.0.1:8000/sites/tweed/home/membres.html?page=2"
    for link, path in [("/sites/a/home.html", "/sites/a/home.html"),
                       ("membres/memberList/x.html", "/sites/tweed/home/membres/memberList/x.html"),
                       ("./membres.html?page=3", "/sites/tweed/home/membres.html"),
                       ("../home/membres/memberList/x.html",
                        "/sites/tweed/home/membres/memberList/x.html")]:
        assert urls.join_split(link, base).path == path
