"""Joining links to their page's URL fast, and exactly as urllib does.

A directory page holds some thirty links, each joined to the page's URL and split: done with
urljoin and urlsplit that was a fifth of the page's parse (bench/parse_bench.py). The common
forms of a link, `/dir/page.html?q`, `dir/page.html`, `./dir/page.html` and `../dir/page.html`,
are joined here with string operations into what urllib gives; any other link goes through
urllib. tests/portal/test_urls.py compares the two on thousands of links and bases.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import SplitResult, urljoin, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# What urllib treats specially when joining: empty and dot segments (removed), `;` (path
# parameters, split off and put back without an empty one) and the characters urlsplit deletes.
_NOT_PLAIN_RE = re.compile(r"//|/\.|[;\t\r\n]")
_DELETED_RE = re.compile(r"[\t\r\n]")  # urlsplit deletes them wherever they are
_NETLOC_RE = re.compile(r"[^/?#]*")


def join_split(href: str, base: str) -> SplitResult:
    """urlsplit(urljoin(base, href)), `href` stripped."""
    start = _base_parts(base) if href and not _NOT_PLAIN_RE.search(href) else None
    if start is not None:
        scheme, netloc, folder, parent = start
        if href[0] == "/":
            joined: str | None = href
        else:
            prefix, rest = ((parent, href[3:]) if href.startswith("../") else
                            (folder, href[2:]) if href.startswith("./") else (folder, href))
            plain = rest[:1].isalnum() and ":" not in rest.partition("/")[0]
            joined = prefix + rest if plain and prefix is not None else None
        if joined is not None:
            rest, _, fragment = joined.partition("#")
            path, _, query = rest.partition("?")
            return SplitResult(scheme, netloc, path, query, fragment)
    return urlsplit(urljoin(base, href))


@functools.lru_cache(maxsize=1024)
def _base_parts(base: str) -> tuple[str, str, str | None, str | None] | None:
    """(scheme, netloc, folder, parent folder) of an http(s) URL, None for another scheme.

    The folder is the path up to its last `/`; it and its parent are None when a link relative
    to them would not join plainly (dot or empty segments, parameters; the root has no parent).
    """
    parts = urlsplit(base)
    if parts.scheme not in DEFAULT_PORTS:
        return None
    folder: str | None = (parts.path or "/").rpartition("/")[0] + "/"
    if _NOT_PLAIN_RE.search(folder):
        folder = None
    parent = folder[:-1].rpartition("/")[0] + "/" if folder and folder != "/" else None
    return parts.scheme, parts.netloc, folder, parent


@functools.lru_cache(maxsize=1024)
def canonical_netloc(scheme: str, netloc: str) -> str:
    """`host[:port]`: host lower-cased, the scheme's default port dropped, user info dropped."""
    parts = urlsplit(f"//{netloc}")
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port and parts.port != DEFAULT_PORTS[scheme] else host


@functools.lru_cache(maxsize=8192)
def split_url(url: str) -> SplitResult:
    """urlsplit(url): string operations for a plain `http(s)://host/path?query#fragment`."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in DEFAULT_PORTS and not _DELETED_RE.search(url):
        rest, _, fragment = rest.partition("#")
        rest, _, query = rest.partition("?")
        netloc = _NETLOC_RE.match(rest).group()
        if netloc.isascii() and "[" not in netloc and "]" not in netloc:  # else urlsplit checks it
            return SplitResult(scheme, netloc, rest[len(netloc):], query, fragment)
    return urlsplit(url)


def host_key(url: str) -> tuple[str, int | None] | None:
    """(host without `www.`, port unless the scheme's default); None for a URL without a host."""
    parts = split_url(url)
    return _netloc_key(parts.scheme, parts.netloc)


@functools.lru_cache(maxsize=1024)
def _netloc_key(scheme: str, netloc: str) -> tuple[str, int | None] | None:
    parts = urlsplit(f"//{netloc}")
    if not parts.hostname:
        return None
    port = parts.port if parts.port != DEFAULT_PORTS.get(scheme) else None
    return parts.hostname.lower().removeprefix("www."), port
