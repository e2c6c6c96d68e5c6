"""JSON: an array of records, one a line; keys in schema order; null for empty.

The bytes are those of json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",",
":")) for each record, built column-wise with Arrow: a text is quoted as it is unless it holds a
character json.dumps escapes (a quote, a backslash, a control character), which json.dumps itself
quotes; floats are json.dumps' (Python's repr). A file in exactly that shape is read back
column-wise too: each line is checked against a grammar of the record (RE2, through Arrow), then
cut into values with NumPy. Any other JSON file is read with json.loads, by the same rules.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cluster_etl.publish.arrays import (
    ReadColumn, buffers, byte_set, holding, text, typed_columns)
from cluster_etl.publish.csv_format import CHUNK_ROWS, _parse_text
from cluster_etl.schema import Column, Table

READ_BYTES = 1 << 25  # bytes of a file read and cut at a time
_ESCAPED = byte_set(ord('"'), ord("\\"), *range(32))  # json.dumps escapes these


def _key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False) + ":"


def _text_values(values: pa.Array) -> pa.Array:
    quoted = pc.binary_join_element_wise(text('"'), values, text('"'), text(""))
    if (escaped := holding(values, _ESCAPED)) is not None:  # rare: json.dumps, one by one
        mask = pa.array(escaped)
        dumped = [json.dumps(v, ensure_ascii=False) for v in values.filter(mask).to_pylist()]
        quoted = pc.replace_with_mask(quoted, mask, pa.array(dumped, pa.large_string()))
    return quoted.fill_null("null")


def _values(column: Column, values: pa.Array) -> pa.Array:
    if column.type == "string":
        return _text_values(values)
    if column.type == "number":
        return pa.array(["null" if v is None else json.dumps(v, allow_nan=False)
                         for v in values.to_pylist()], pa.large_string())
    written = values.cast(pa.large_string())
    if column.type == "date":
        written = pc.binary_join_element_wise(text('"'), written, text('"'), text(""))
    return written.fill_null("null")


def _records(table: Table, arrays: list[pa.Array]) -> memoryview:
    """Consecutive records, each after ",\n", in UTF-8."""
    parts: list[Any] = []
    for i, (column, values) in enumerate(zip(table.columns, arrays)):
        parts += [text(("{" if i == 0 else ",") + _key(column.name)), _values(column, values)]
    records = pc.binary_join_element_wise(text(",\n"), *parts, text("}"), text(""))
    offsets, data = buffers(records)
    return memoryview(data[offsets[0]:offsets[-1]])


def write_json(df: pd.DataFrame, table: Table, path: Path) -> Path:
    arrays = typed_columns(df, table)
    rows = len(arrays[0])
    with open(path, "wb") as f:
        if not rows:
            f.write(b"[]\n")
            return path
        f.write(b"[\n")
        for start in range(0, rows, CHUNK_ROWS):
            records = _records(table, [a.slice(start, CHUNK_ROWS) for a in arrays])
            f.write(records[2:] if start == 0 else records)  # no ",\n" before the first
        f.write(b"\n]\n")
    return path


# --- reading -----------------------------------------------------------------------------------

class _NotPlain(Exception):
    """The file is not in the shape write_json gives it: read with json.loads."""


# A value of each type as write_json writes it; \u escapes of other characters than controls
# (json.dumps writes none) are left to json.loads.
_GRAMMAR = {"string": r'null|"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u00[0-9a-fA-F]{2})*"',
            "integer": r"null|-?(?:0|[1-9][0-9]*)",
            "number": r"null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?",
            "date": r'null|"[0-9]{4}-[0-9]{2}-[0-9]{2}"'}


def _record_grammar(table: Table) -> str:
    values = ",".join(f"{_key(c.name)}(?:{_GRAMMAR[c.type]})" for c in table.columns)
    return r"\A\{" + values + r"\},?\n\z"


def _body(path: Path) -> Iterator[bytes]:
    """The record lines of a file in write_json's shape, in pieces of whole lines."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(2)
        f.seek(max(size - 3, 0))
        if head != b"[\n" or f.read() != b"\n]\n" or size < 6:
            raise _NotPlain(path)
        f.seek(2)
        remaining, pending = size - 4, b""  # up to the "\n" that ends the last record
        while remaining:
            block = f.read(min(READ_BYTES, remaining))
            remaining -= len(block)
            pending += block
            if cut := pending.rfind(b"\n") + 1:
                yield pending[:cut]
                pending = pending[cut:]


def _cut(chunk: bytes, table: Table) -> tuple[list[pa.Array], bool]:
    """The raw JSON text of each column's values in whole record lines, and whether the last
    line ends with a comma."""
    lines_end = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10) + 1
    offsets = np.concatenate(([0], lines_end)).astype(np.int64)
    lines = pa.LargeStringArray.from_buffers(len(lines_end), pa.py_buffer(offsets),
                                             pa.py_buffer(chunk))
    try:
        lines.validate(full=True)  # UTF-8
    except pa.ArrowInvalid:
        raise _NotPlain("not UTF-8") from None
    if not pc.all(pc.match_substring_regex(lines, _record_grammar(table))).as_py():
        raise _NotPlain("a record of another shape")
    data = np.frombuffer(chunk + b"\n\n", np.uint8)
    # Under the grammar ',"' starts a key, but where its quote closes a text ending with a
    # comma: that quote is followed by ',' or '}', which no key starts with.
    keys = np.flatnonzero((data[:-2] == 44) & (data[1:-1] == 34) & (data[2:] != 44)
                          & (data[2:] != 125))
    width = len(table.columns)
    if len(keys) != len(lines_end) * (width - 1):
        raise _NotPlain("a text that holds a key")
    comma = data[lines_end - 2] == 44
    if not comma[:-1].all():
        raise _NotPlain("a record line without its comma")
    keys = keys.reshape(len(lines_end), width - 1)
    starts = np.column_stack([offsets[:-1] + 1, keys])
    ends = np.column_stack([keys, lines_end - 2 - comma])
    columns = []
    for i, column in enumerate(table.columns):
        start = starts[:, i] + len(_key(column.name)) + (i > 0)
        bounds = np.empty(2 * len(start) + 2, dtype=np.int64)
        bounds[0], bounds[-1], bounds[1:-1:2], bounds[2:-1:2] = 0, len(chunk), start, ends[:, i]
        pieces = pa.LargeStringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds),
                                                  pa.py_buffer(chunk))
        columns.append(pieces.take(pa.array(2 * np.arange(len(start)) + 1)))
    return columns, bool(comma[-1])


def _text_read(raw: pa.Array) -> pa.Array:
    values = pc.if_else(pc.equal(raw, "null"), text(None), pc.utf8_slice_codeunits(raw, 1, -1))
    if (escaped := holding(values, byte_set(ord("\\")))) is not None:  # rare: one by one
        mask = pa.array(escaped)
        loaded = [json.loads(f'"{v}"') for v in values.filter(mask).to_pylist()]
        values = pc.replace_with_mask(values, mask, pa.array(loaded, pa.large_string()))
    return values


def _column_read(raw: pa.Array, column: Column) -> ReadColumn:
    if column.type == "string":
        return _text_read(raw)
    if column.type == "number":
        return [None if (v := json.loads(t)) is None else float(v) for t in raw.to_pylist()]
    values = pc.if_else(pc.equal(raw, "null"), text(None), raw)
    try:
        if column.type == "integer":
            return values.cast(pa.int64())
        dates = pc.utf8_slice_codeunits(values, 1, -1).cast(pa.date32())
    except pa.ArrowInvalid:  # beyond 64 bits, a day that does not exist
        raise _NotPlain(column.name) from None
    if pc.any(pc.less(dates, pa.scalar(dt.date.min))).as_py():  # year 0: no date
        raise _NotPlain(column.name)
    return dates


def _read_plain(path: Path, table: Table) -> list[ReadColumn]:
    pieces: list[list[ReadColumn]] = [[] for _ in table.columns]
    last_comma = True
    for chunk in _body(path):
        if not last_comma:
            raise _NotPlain("a record line without its comma")
        columns, last_comma = _cut(chunk, table)
        for piece, raw, column in zip(pieces, columns, table.columns):
            piece.append(_column_read(raw, column))
    if last_comma:
        raise _NotPlain("a comma after the last record")
    return [[v for part in p for v in part] if c.type == "number" else pa.concat_arrays(p)
            for p, c in zip(pieces, table.columns)]


def _read_any(path: Path, table: Table) -> list[ReadColumn]:
    records = json.loads(path.read_text(encoding="utf-8"))
    for record in records:
        if list(record) != table.column_names:
            raise ValueError(f"{path}: record keys {list(record)} are not the schema's columns")
    return [[None if r[c.name] is None else
             _parse_text(r[c.name], c) if c.type == "date" else
             float(r[c.name]) if c.type == "number" else r[c.name]
             for r in records]
            for c in table.columns]


def read_json_columns(path: Path, table: Table) -> list[ReadColumn]:
    try:
        return _read_plain(Path(path), table)
    except _NotPlain:
        return _read_any(Path(path), table)
