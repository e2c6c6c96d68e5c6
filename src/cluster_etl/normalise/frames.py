"""DataFrames that follow schema.TABLES exactly: column order and dtype conventions.

Conventions, relied on by validate and publish:
- string columns: dtype `object`, each value a Python `str` or None (never "", never NaN);
- integer columns: nullable `Int64`;
- number columns: `float64` (NaN for no value);
- date columns: dtype `object`, each value a `datetime.date` or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cluster_etl.normalise.text import is_missing
from cluster_etl.schema import TABLES, Table


def _string(value: Any) -> str | None:
    if is_missing(value):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _integer(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _number(value: Any) -> float:
    return float("nan") if is_missing(value) else float(value)


def _date(value: Any) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):  # pd.Timestamp is a datetime too
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


_CONVERTERS = {"string": (_string, object), "integer": (_integer, "Int64"),
               "number": (_number, "float64"), "date": (_date, object)}


def _table(table: str | Table) -> Table:
    return TABLES[table] if isinstance(table, str) else table


def conform(frame: pd.DataFrame, table: str | Table) -> pd.DataFrame:
    """A copy of `frame` with exactly the table's columns, in schema order, with its dtypes.

    Raises ValueError when a column is missing or extra: that is a bug in the caller, not data.
    """
    spec = _table(table)
    names = spec.column_names
    missing = [c for c in names if c not in frame.columns]
    extra = [c for c in frame.columns if c not in names]
    if missing or extra:
        raise ValueError(f"{spec.name}: missing columns {missing}, unexpected columns {extra}")
    return _from_columns({c: frame[c].tolist() for c in names}, spec, len(frame))


def _strings(values: list[Any]) -> list[str | None]:
    # _string, with the common case (a str) inline: a million rows make the call count.
    return [(v if v.strip() else None) if type(v) is str else _string(v) for v in values]


def _from_columns(columns: Mapping[str, list[Any]], spec: Table, length: int) -> pd.DataFrame:
    data = {}
    for column in spec.columns:
        convert, dtype = _CONVERTERS[column.type]
        values = columns[column.name]
        converted = _strings(values) if column.type == "string" else [convert(v) for v in values]
        data[column.name] = pd.Series(converted, dtype=dtype)
    return pd.DataFrame(data, columns=spec.column_names, index=pd.RangeIndex(length))


def frame_from_records(records: Iterable[Mapping[str, Any]], table: str | Table) -> pd.DataFrame:
    """Build a conforming table from dicts keyed by column name (missing keys -> no value)."""
    spec = _table(table)
    records = list(records)
    return _from_columns({name: [record.get(name) for record in records]
                          for name in spec.column_names}, spec, len(records))


def empty_table(table: str | Table) -> pd.DataFrame:
    return frame_from_records([], table)
