"""Scalar cleaners for contact details: e-mail addresses, websites and phone numbers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import phonenumbers

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


def normalise_email(raw: Any) -> str:
    """The first e-mail address in the text, de-obfuscated, domain lowercased; "" when none."""
    text = _MAILTO.sub("", collapse_whitespace(raw))
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


def normalise_website(raw: Any) -> str:
    """Absolute http(s) URL, host lowercased, `http://` added when no scheme; "" when none.

    `www.example.be` -> `http://www.example.be`; an existing http/https scheme is kept. When the
    text holds more than a URL (`Site : www.example.be`), the first word that is one is taken.
    """
    for token in collapse_whitespace(raw).split(" "):
        url = _website(token) if token else ""
        if url:
            return url
    return ""


PHONE_REGION = "BE"  # numbers written without a country code are Belgian


def normalise_phone(raw: Any) -> tuple[str, bool]:
    """(E.164 form, True) for a valid number, Belgian unless it says otherwise: `081/23.45.67`
    -> `+3281234567`; (the text as published, whitespace collapsed, False) when phonenumbers
    cannot read one valid number in it (the caller reports it); ("", True) for no text."""
    text = collapse_whitespace(raw)
    if not text:
        return "", True
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return text, False
    if number.extension or not phonenumbers.is_valid_number(number):
        return text, False  # E.164 has no extension: keep what was published
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True
