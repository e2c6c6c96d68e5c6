"""Bytes -> text, by the charset the response declares (header first, then <meta>), else UTF-8."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class DecodeError(ValueError):
    """The body is not valid text in the charset it declares."""


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match:
            return match.group(1)
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def decode_body(body: bytes, content_type: str | None) -> str:
    charset = declared_charset(body, content_type) or "utf-8"
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        raise DecodeError(f"unknown charset {charset!r}") from None
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"body is not valid {codec}: {exc.reason} at byte {exc.start}") from None
