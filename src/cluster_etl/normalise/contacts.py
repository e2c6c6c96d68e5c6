"""Scalar cleaners for contact details: e-mail addresses and websites (phone numbers: phones.py)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cluster_etl.normalise.text import collapse_whitespace

_OPEN, _CLOSE = r"[\[\(\{<]", r"[\]\)\}>]"
_MAILTO = re.compile(r"mailto:\s*", re.IGNORECASE)
# `info [at] example.be`, `info(at)example.be`, `info [arobase] example.be`, `info(a)example.be`,
# `info [@] example.be`; `[dot]` / `(point)` likewise. Only bracketed words are read as `.`: a bare
# `dot` could be part of a name.
_AT_BRACKETED = re.compile(rf"\s*{_OPEN}\s*(?:at|arobase|a|@)\s*{_CLOSE}\s*", re.IGNORECASE)
_DOT_BRACKETED = re.compile(rf"\s*{_OPEN}\s*(?:dot|point)\s*{_CLOSE}\s*", re.IGNORECASE)
_AT_SPACED = re.compile(r"\s*@\s*")
# A bare ` at ` is accepted only between two whole parts: `info at example.be`.
_AT_WORD = re.compile(r"(?P<local>[^\s@]+)\s+(?:at|arobase)\s+(?P<domain>[^\s@]+\.[^\s@]+)",
                      re.IGNORECASE)
_EMAIL = re.compile(r"(?P<local>[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*)"
                    r"@(?P<domain>(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,})(?![\w.-]*@)")


# The usual ways an address is written (`info@example.be`, `info [at] example.be`): plain ASCII
# parts that _EMAIL takes whole; _general_email gives the same, more slowly.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*)"
    rf"(?:@|\s*{_OPEN}\s*(?:at|arobase|a|@)\s*{_CLOSE}\s*)"
    r"(?P<domain>[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?:\.[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)*\.[A-Za-z]{2,})",
    re.IGNORECASE)


def normalise_email(raw: Any) -> str:
    """The first e-mail address in the text, de-obfuscated, domain lowercased; "" when none."""
    text = collapse_whitespace(raw)
    plain = _PLAIN_EMAIL.fullmatch(text)
    if plain:
        return f"{plain['local']}@{plain['domain'].lower()}"
    return _general_email(text)


def _general_email(text: str) -> str:
    text = _MAILTO.sub("", text)
    text = _AT_BRACKETED.sub("@", text)
    text = _DOT_BRACKETED.sub(".", text)
    text = _AT_SPACED.sub("@", text)
    if "@" not in text:
        word = _AT_WORD.fullmatch(text)
        text = f"{word['local']}@{word['domain']}" if word else text
    match = _EMAIL.search(text)
    return f"{match['local']}@{match['domain'].lower()}" if match else ""


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def _website(token: str) -> str:
    token = token.strip("<>\"'()[]").rstrip(".,;")
    if token.startswith("//"):
        token = "http:" + token
    elif not _SCHEME.match(token):
        token = "http://" + token
    try:
        parts = urlsplit(token)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("http", "https") or "@" in parts.netloc or not _HOST.fullmatch(host):
        return ""
    return urlunsplit((scheme, parts.netloc.lower(), parts.path, parts.query, parts.fragment))


# The usual way a site is written (`www.example.be`, `https://example.be/fr/`): ASCII host of
# dot-separated labels, no port, no user, no query; `_website` gives the same, more slowly.
_PLAIN_SITE = re.compile(r"(?:(?P<scheme>https?)://)?(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
                         r"(?P<path>/[A-Za-z0-9._~/-]*)?", re.IGNORECASE)


def normalise_website(raw: Any) -> str:
    """Absolute http(s) URL, host lowercased, `http://` added when no scheme; "" when none.

    `www.example.be` -> `http://www.example.be`; an existing http/https scheme is kept. When the
    text holds more than a URL (`Site : www.example.be`), the first word that is one is taken.
    """
    text = collapse_whitespace(raw)
    plain = _PLAIN_SITE.fullmatch(text)
    if plain and text[-1] not in ".,;":  # what _website would make of it, without urlsplit
        return f"{(plain['scheme'] or 'http').lower()}://{plain['host'].lower()}{plain['path'] or ''}"
    for token in text.split(" "):
        url = _website(token) if token else ""
        if url:
            return url
    return ""
