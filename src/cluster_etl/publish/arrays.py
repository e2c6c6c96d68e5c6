"""Typed column values, the one rule every published format follows, in two shapes.

`column_values` turns each column of a clean DataFrame into plain Python values of its logical
type, so no format lets pandas guess a type: integers stay integers, dates stay dates, "" and NaN
are null. `typed_columns` gives the same values as Arrow arrays (text as large_string) without a
Python object per value, which the writers and the read-back check use at scale; where a column is
not plainly typed it falls back on column_values, whose errors it keeps.

Readers give columns as Arrow arrays, or as Python lists where a file holds something the fast
path leaves to Python; `frame_of` makes the normalise-shaped DataFrame of either (object str/None,
Int64, float64, datetime.date objects) and `typed_values` applies column_values' rules to them.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import math
import numbers
from collections.abc import Iterator
from typing import Any, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cluster_etl.schema import Column, Table

ReadColumn = Union[pa.Array, list]  # what a reader gives for one column


# --- Python values -----------------------------------------------------------------------------

def _python_value(value: Any, column: Column) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and math.isnan(value)):
        return None
    kind = column.type
    if kind == "string" and isinstance(value, str):
        return value or None  # CSV cannot tell "" from null: both publish as null
    if kind == "integer" and isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if kind == "number" and isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    if kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise TypeError(f"{column.name}: {value!r} is not a {kind} value")


def _checked_values(values: list[Any], column: Column, table: Table) -> list[Any]:
    out = [_python_value(v, column) for v in values]
    if column.required and None in out:
        raise ValueError(f"{table.name}.{column.name}: null in a required column")
    return out


def _check_names(df: pd.DataFrame, table: Table) -> None:
    if list(df.columns) != table.column_names:
        raise ValueError(f"{table.name}: columns {list(df.columns)} are not the schema's "
                         f"{table.column_names}")


def column_values(df: pd.DataFrame, table: Table) -> dict[str, list[Any]]:
    """Each schema column as a list of str/int/float/datetime.date or None, in schema order."""
    _check_names(df, table)
    return {c.name: _checked_values(df[c.name].tolist(), c, table) for c in table.columns}


def _frame_column(column: Column, values: list[Any]) -> Any:
    if column.type == "integer":
        return pd.array(values, dtype="Int64")
    if column.type == "number":
        return pd.Series([math.nan if v is None else v for v in values], dtype="float64")
    return pd.Series(values, dtype=object)


def to_frame(table: Table, columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The normalise-shaped DataFrame for typed column values."""
    return pd.DataFrame({c.name: _frame_column(c, columns[c.name]) for c in table.columns},
                        columns=table.column_names)


# --- the bytes of text arrays --------------------------------------------------------------------

def byte_set(*codes: int) -> np.ndarray:
    member = np.zeros(256, dtype=bool)
    member[list(codes)] = True
    return member


def buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A large_string array's offsets (one more than its values) and its UTF-8 bytes."""
    _, offsets, data = text.buffers()
    if offsets is None:
        return np.zeros(len(text) + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(offsets, np.int64)[text.offset:text.offset + len(text) + 1]
    if data is None:
        return offsets, np.zeros(0, np.uint8)
    return offsets, np.frombuffer(data, np.uint8)[:offsets[-1]]  # the buffer may be longer


def holding(text: pa.Array, codes: np.ndarray) -> np.ndarray | None:
    """Which values hold a byte of the set `codes`; None when none does."""
    offsets, data = buffers(text)
    hits = np.flatnonzero(codes[data[offsets[0]:offsets[-1]]]) + offsets[0]
    if not len(hits):
        return None
    found = np.zeros(len(text), dtype=bool)
    # The value whose bytes hold each hit: the last to start at or before it ("right" passes over
    # empty values, which start where the next one does).
    found[np.searchsorted(offsets, hits, side="right") - 1] = True
    return found


def first_bytes(text: pa.Array) -> np.ndarray:
    """Each value's first byte (0 for an empty or null value)."""
    offsets, data = buffers(text)
    if not len(data):
        return np.zeros(len(text), dtype=np.uint8)
    first = data[np.minimum(offsets[:-1], len(data) - 1)]
    return np.where(offsets[1:] > offsets[:-1], first, 0).astype(np.uint8)


def text(value: str | None) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


# --- Arrow arrays --------------------------------------------------------------------------------

def arrow_type(column: Column) -> pa.DataType:
    # Text as large_string: one column may hold more than the 2 GB a string array holds.
    return pa.large_string() if column.type == "string" else column.arrow_type


def _plain(array: pa.Array, column: Column) -> pa.Array | None:
    """An array of the column's type with column_values' nulls ("" and NaN), if `array` plainly
    holds values of that type (None otherwise)."""
    kind = array.type
    plain = {"string": pa.types.is_string(kind) or pa.types.is_large_string(kind),
             "integer": pa.types.is_integer(kind),
             "number": pa.types.is_floating(kind) or pa.types.is_integer(kind),
             "date": pa.types.is_date32(kind)}[column.type]
    if not (plain or pa.types.is_null(kind)):
        return None
    try:
        array = array.cast(arrow_type(column))  # safe: an overflow raises
    except pa.ArrowException:
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if column.type == "string":  # as column_values: "" is null
        array = pc.if_else(pc.equal(array, ""), text(None), array)
    elif column.type == "number" and pc.any(pc.is_nan(array)).as_py():
        array = pc.if_else(pc.is_nan(array), pa.scalar(None, array.type), array)
    return array


def _fast_array(series: pd.Series, column: Column) -> pa.Array | None:
    if column.type == "date" and not {type(v) for v in series.tolist()} <= {dt.date, type(None)}:
        return None  # Arrow would cut a datetime to its date
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowException, OverflowError, UnicodeEncodeError):
        return None
    return _plain(array, column)


def _required(table: Table, arrays: list[pa.Array]) -> list[pa.Array]:
    for column, array in zip(table.columns, arrays):
        if column.required and array.null_count:
            raise ValueError(f"{table.name}.{column.name}: null in a required column")
    return arrays


# (id of the DataFrame, table name) -> (the DataFrame, its arrays), while converted_once() runs.
_converted: contextvars.ContextVar[dict[tuple[int, str], tuple[pd.DataFrame, list[pa.Array]]]
                                   | None] = contextvars.ContextVar("converted", default=None)


@contextlib.contextmanager
def converted_once() -> Iterator[None]:
    """Within it, typed_columns converts each DataFrame once: a release's writers and its
    read-back check share the arrays of its tables. A writer given another frame (even one made
    from a table, as df.assign makes) gets that frame's own arrays. The frames must not change in
    place meanwhile; the memo holds them, so an id is never reused for another frame."""
    token = _converted.set({})
    try:
        yield
    finally:
        _converted.reset(token)


def typed_columns(df: pd.DataFrame, table: Table) -> list[pa.Array]:
    """The table's columns as Arrow arrays of the schema's types (text as large_string), by
    column_values' rules and errors (text no UTF-8 can hold raises UnicodeEncodeError), without a
    Python object per value where the DataFrame is typed as normalise makes it."""
    memo = _converted.get()
    if memo is None:
        return _typed_columns(df, table)
    key = (id(df), table.name)
    if key not in memo:
        memo[key] = (df, _typed_columns(df, table))
    return memo[key][1]


def _typed_columns(df: pd.DataFrame, table: Table) -> list[pa.Array]:
    _check_names(df, table)
    arrays = [_fast_array(df[c.name], c) for c in table.columns]
    if any(a is None for a in arrays):
        values = column_values(df, table)
        return [pa.array(values[c.name], type=arrow_type(c)) for c in table.columns]
    return _required(table, arrays)


def typed_values(table: Table, columns: list[ReadColumn]) -> list[pa.Array]:
    """Columns a reader gave, as typed_columns gives the same values (column_values' rules)."""
    arrays = []
    for column, values in zip(table.columns, columns):
        array = _plain(values, column) if isinstance(values, (pa.Array, pa.ChunkedArray)) else None
        if array is None:
            values = values if isinstance(values, list) else values.to_pylist()
            array = pa.array(_checked_values(values, column, table), type=arrow_type(column))
        arrays.append(array)
    return _required(table, arrays)


# --- DataFrames ----------------------------------------------------------------------------------

def _objects(array: pa.Array) -> np.ndarray:
    """Python values (None for null). Where values repeat (cities, types, dates), one object per
    distinct value: less memory, and faster."""
    if pa.types.is_date(array.type):
        return array.to_pandas(date_as_object=True).to_numpy()
    if not len(array):
        return np.array([], dtype=object)
    sample = array.take(np.linspace(0, len(array) - 1, min(len(array), 4096), dtype=np.int64))
    if pc.count_distinct(sample).as_py() * 4 > len(sample):
        return array.to_numpy(zero_copy_only=False)
    encoded = array.dictionary_encode()
    objects = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
    return objects[encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()]


def frame_of(table: Table, columns: list[ReadColumn]) -> pd.DataFrame:
    """The DataFrame to_frame makes from the same values, for columns a reader gave."""
    data: dict[str, Any] = {}
    for column, array in zip(table.columns, columns):
        if isinstance(array, list):
            data[column.name] = _frame_column(column, array)
        elif column.type == "integer":
            data[column.name] = pd.arrays.IntegerArray(
                array.fill_null(0).to_numpy(), pc.is_null(array).to_numpy(zero_copy_only=False))
        elif column.type == "number":
            data[column.name] = pd.Series(array.fill_null(np.nan).to_numpy(), dtype="float64")
        else:
            data[column.name] = pd.Series(_objects(array), dtype=object)
    return pd.DataFrame(data, columns=table.column_names)
