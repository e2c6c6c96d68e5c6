"""CSV: RFC 4180 (comma, double quotes when needed, CRLF), UTF-8 without BOM, "" = null.

The rules are those of Python's csv module (QUOTE_MINIMAL: a field is quoted when it holds a
comma, a double quote, CR or LF; quotes inside are doubled) and of FORMULA_RULE, value by value in
`_csv_text` and `_parse_text`. The writer and the reader apply the same rules column-wise with
Arrow, so a million rows make no Python object per value: the bytes are those the csv module
writes (pyarrow's own CSV writer quotes every text, so lines are built here); the reader parses
with pyarrow.csv and leaves to Python only a column that holds something else than the writer
writes (`_parse_text` then decides, with its own errors).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cluster_etl.publish.arrays import (
    ReadColumn, buffers, byte_set, first_bytes, holding, text, typed_columns)
from cluster_etl.schema import Column, Table

CHUNK_ROWS = 65_536  # rows built and written at a time: bounds the memory a file takes

# A spreadsheet evaluates a cell whose text starts with one of these (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ...unless the text can call no function: a phone number or a signed number.
_INERT = re.compile(r"[0-9 +\-./()]+")
FORMULA_RULE = (
    "In CSV files a text value that a spreadsheet would evaluate as a formula (first character "
    "`=`, `+`, `-`, `@`, tab or carriage return) is written with a leading apostrophe `'`, except "
    "a value made only of digits, spaces and `+ - . / ( )` (a phone number, a signed number). A "
    "value that starts with an apostrophe followed by such a text gets one more, so a reader "
    "strips one leading apostrophe exactly when the rest of the value would itself get one by "
    "this rule. JSON, Parquet, SQLite and the workbook keep exact values.")
# The same rule for RE2, over a text whose leading apostrophes are trimmed.
_FORMULA_START = r"\A[=+\-@\t\r]"
_INERT_TEXT = r"\A[0-9 +\-./()]+\z"
_MAY_NEED_APOSTROPHE = byte_set(*b"=+-@\t\r'")  # first bytes worth a closer look
_QUOTED = byte_set(*b',"\r\n')  # a field holding one of these is quoted


def needs_apostrophe(text: str) -> bool:
    """Whether the CSV writer prefixes `text` with an apostrophe (FORMULA_RULE)."""
    if text.startswith("'"):
        return needs_apostrophe(text[1:])
    return text.startswith(_FORMULA_STARTS) and not _INERT.fullmatch(text)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back to the same float
    text = str(value)
    return f"'{text}" if needs_apostrophe(text) else text


def _parse_text(text: str, column: Column) -> Any:
    if text == "":
        return None
    if column.type == "integer":
        return int(text)
    if column.type == "number":
        return float(text)
    if column.type == "date":
        return dt.date.fromisoformat(text)
    if text.startswith("'") and needs_apostrophe(text[1:]):
        return text[1:]
    return text


# --- column-wise -------------------------------------------------------------------------------

def _formula_like(values: pa.Array, first: np.ndarray) -> np.ndarray | None:
    """Which values, once their leading apostrophes are trimmed, a spreadsheet would evaluate
    (needs_apostrophe), looking only at those whose first byte is in `first`; None when none."""
    candidates = first[first_bytes(values)]
    if not candidates.any():
        return None
    rest = pc.utf8_ltrim(values.filter(pa.array(candidates)), "'")
    formula = pc.and_(pc.match_substring_regex(rest, _FORMULA_START),
                      pc.invert(pc.match_substring_regex(rest, _INERT_TEXT)))
    found = np.zeros(len(values), dtype=bool)
    found[candidates] = formula.to_numpy(zero_copy_only=False)
    return found if found.any() else None


def _text_fields(values: pa.Array) -> pa.Array:
    """Text values as CSV fields: apostrophe by FORMULA_RULE, quoted when needed; null is ""."""
    if (formula := _formula_like(values, _MAY_NEED_APOSTROPHE)) is not None:
        mask = pa.array(formula)
        values = pc.replace_with_mask(values, mask, pc.binary_join_element_wise(
            text("'"), values.filter(mask), text("")))
    if (quoted := holding(values, _QUOTED)) is not None:
        mask = pa.array(quoted)
        inner = pc.replace_substring(values.filter(mask), '"', '""')
        values = pc.replace_with_mask(values, mask, pc.binary_join_element_wise(
            text('"'), inner, text('"'), text("")))
    return values.fill_null("")


def _fields(column: Column, values: pa.Array) -> pa.Array:
    if column.type == "string":
        return _text_fields(values)
    if column.type == "number":  # Python's repr, which Arrow's text of a float is not
        return pa.array([_csv_text(v) for v in values.to_pylist()], pa.large_string())
    return values.cast(pa.large_string()).fill_null("")  # integers and ISO dates as Python's


def _lines(table: Table, arrays: list[pa.Array]) -> memoryview:
    """Consecutive rows as CSV lines, in UTF-8."""
    fields = [_fields(c, a) for c, a in zip(table.columns, arrays)]
    if len(fields) == 1:  # the csv module quotes a line's only field when empty
        fields = [pc.if_else(pc.equal(fields[0], ""), text('""'), fields[0])]
    parts: list[Any] = []
    for field in fields:
        parts += [field, text(",")]
    parts[-1] = text("\r\n")
    offsets, data = buffers(pc.binary_join_element_wise(*parts, text("")))
    return memoryview(data[offsets[0]:offsets[-1]])


def _header(table: Table) -> bytes:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerow(table.column_names)
    return out.getvalue().encode("utf-8")


def write_csv(df: pd.DataFrame, table: Table, path: Path) -> Path:
    arrays = typed_columns(df, table)
    with open(path, "wb") as f:
        f.write(_header(table))
        for start in range(0, len(arrays[0]), CHUNK_ROWS):
            f.write(_lines(table, [a.slice(start, CHUNK_ROWS) for a in arrays]))
    return path


# --- reading -----------------------------------------------------------------------------------

_INTEGER = r"\A-?[0-9]+\z"  # where int() and Arrow read the same number
_DATE = r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\z"


def _all_match(values: pa.Array, pattern: str) -> bool:
    return pc.all(pc.match_substring_regex(values, pattern), min_count=0).as_py() is not False


def _read_text(fields: pa.Array) -> pa.Array:
    """Text fields as values: "" is null, FORMULA_RULE's apostrophe taken off."""
    values = pc.if_else(pc.equal(fields, ""), text(None), fields)
    if (formula := _formula_like(values, byte_set(*b"'"))) is not None:
        mask = pa.array(formula)
        values = pc.replace_with_mask(values, mask,
                                      pc.utf8_slice_codeunits(values.filter(mask), 1))
    return values


def _read_column(fields: pa.Array, column: Column) -> ReadColumn:
    if column.type == "string":
        return _read_text(fields)
    values = pc.if_else(pc.equal(fields, ""), text(None), fields)
    try:
        if column.type == "integer" and _all_match(values, _INTEGER):
            return values.cast(pa.int64())
        if column.type == "date" and _all_match(values, _DATE):
            dates = values.cast(pa.date32())  # a day that does not exist raises
            if not pc.any(pc.less(dates, pa.scalar(dt.date.min))).as_py():  # year 0: no date
                return dates
    except (pa.ArrowInvalid, OverflowError, ValueError):
        pass
    return [_parse_text(v, column) for v in fields.to_pylist()]  # floats, and any odd column


def read_csv_columns(path: Path, table: Table) -> list[ReadColumn]:
    with open(path, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    if header != table.column_names:
        raise ValueError(f"{path}: header {header} is not the schema's {table.column_names}")
    data = pacsv.read_csv(
        path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.large_string() for name in table.column_names},
            strings_can_be_null=False, quoted_strings_can_be_null=False))
    return [_read_column(data.column(i).combine_chunks(), c) for i, c in enumerate(table.columns)]
