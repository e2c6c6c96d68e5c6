"""JSON text of release files (changes.json, validation.json, datapackage.json): the bytes of
json.dumps(jsonable(value), ensure_ascii=False, indent=1), written faster than json.dumps writes
them with an indent."""

from __future__ import annotations

import datetime as dt
import json
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any


def jsonable(value: Any) -> Any:
    """Plain JSON values for run metadata: dates/datetimes as ISO text, paths and others as str."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _text_records(items: Any, level: int) -> list[str] | None:
    """Items that are all dicts of the same keys holding texts only (the pairs of changes.json),
    encoded a key at a time rather than a dict at a time; None for any other items."""
    first = items[0] if isinstance(items, (list, tuple)) else None
    if type(first) is not dict or not first:
        return None
    keys = list(first)
    if not all(type(item) is dict and list(item) == keys for item in items):
        return None
    columns = [[item[k] for item in items] for k in keys]
    if not all(type(v) is str for column in columns for v in column):
        return None
    pad = "\n" + " " * (level + 2)
    template = ("{" + ",".join(f"{pad}{encode_basestring(str(k)).replace('%', '%%')}: %s"
                               for k in keys) + "\n" + " " * (level + 1) + "}")
    return list(map(template.__mod__, zip(*[map(encode_basestring, c) for c in columns])))


def _encoded(value: Any, level: int) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    pad = "\n" + " " * (level + 1)
    if isinstance(value, dict) and value:
        # Texts, most of the values, encoded here rather than through a call each.
        items = [f"{encode_basestring(str(k))}: "
                 f"{encode_basestring(v) if type(v) is str else _encoded(v, level + 1)}"
                 for k, v in value.items()]
        return "{" + pad + ("," + pad).join(items) + "\n" + " " * level + "}"
    if isinstance(value, (list, tuple, set, frozenset)) and value:
        items = jsonable(value) if isinstance(value, (set, frozenset)) else value  # sorted
        encoded = _text_records(items, level)
        if encoded is None:
            encoded = [encode_basestring(v) if type(v) is str else _encoded(v, level + 1)
                       for v in items]
        return "[" + pad + ("," + pad).join(encoded) + "\n" + " " * level + "]"
    return json.dumps(jsonable(value), ensure_ascii=False)


def dumps(value: Any) -> str:
    """json.dumps(jsonable(value), ensure_ascii=False, indent=1) and a newline, its bytes exactly;
    json.dumps with an indent runs its Python encoder, which takes a minute for the changes.json
    of a million memberships: here the containers are joined, and texts encoded in C."""
    return _encoded(value, 0) + "\n"
