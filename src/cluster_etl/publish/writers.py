"""One writer and one reader per published format (CSV, JSON, Parquet), typed by schema.py.

Writers take the clean DataFrames and turn each column into plain Python values of its logical
type first (`column_values`), so no format lets pandas guess a type: integers stay integers,
dates stay dates, null is empty. Readers return DataFrames in the same shape normalise produces
(object str/None, Int64, float64, datetime.date objects), so the three formats can be compared.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import numbers
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cluster_etl.schema import TABLES, Column, Table

FORMATS = ("csv", "json", "parquet")


# --- typed values ------------------------------------------------------------------------------

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


def column_values(df: pd.DataFrame, table: Table) -> dict[str, list[Any]]:
    """Each schema column as a list of str/int/float/datetime.date or None, in schema order."""
    if list(df.columns) != table.column_names:
        raise ValueError(f"{table.name}: columns {list(df.columns)} are not the schema's "
                         f"{table.column_names}")
    out = {}
    for column in table.columns:
        values = [_python_value(v, column) for v in df[column.name].tolist()]
        if column.required and None in values:
            raise ValueError(f"{table.name}.{column.name}: null in a required column")
        out[column.name] = values
    return out


def to_frame(table: Table, columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The normalise-shaped DataFrame for typed column values."""
    data: dict[str, Any] = {}
    for column in table.columns:
        values = columns[column.name]
        if column.type == "integer":
            data[column.name] = pd.array(values, dtype="Int64")
        elif column.type == "number":
            data[column.name] = pd.Series([math.nan if v is None else v for v in values],
                                          dtype="float64")
        else:
            data[column.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=table.column_names)


def _rows(columns: dict[str, list[Any]]) -> list[list[Any]]:
    return [list(row) for row in zip(*columns.values())]


# --- CSV: RFC 4180 (comma, double quotes when needed, CRLF), UTF-8 without BOM, "" = null ------

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


def write_csv(df: pd.DataFrame, table: Table, path: Path) -> Path:
    columns = column_values(df, table)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(table.column_names)
        writer.writerows([_csv_text(v) for v in row] for row in _rows(columns))
    return path


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


def read_csv(path: Path, table: Table) -> pd.DataFrame:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != table.column_names:
            raise ValueError(f"{path}: header {header} is not the schema's {table.column_names}")
        rows = list(reader)
    columns = {c.name: [_parse_text(row[i], c) for row in rows] for i, c in enumerate(table.columns)}
    return to_frame(table, columns)


# --- JSON: an array of records, one a line; keys in schema order; null for empty -----------------

def write_json(df: pd.DataFrame, table: Table, path: Path) -> Path:
    columns = column_values(df, table)
    names = table.column_names
    lines = [json.dumps(dict(zip(names, (v.isoformat() if isinstance(v, dt.date) else v
                                         for v in row))),
                        ensure_ascii=False, allow_nan=False, separators=(",", ":"))
             for row in _rows(columns)]
    text = "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def read_json(path: Path, table: Table) -> pd.DataFrame:
    records = json.loads(path.read_text(encoding="utf-8"))
    for record in records:
        if list(record) != table.column_names:
            raise ValueError(f"{path}: record keys {list(record)} are not the schema's columns")
    columns = {c.name: [None if r[c.name] is None else
                        _parse_text(r[c.name], c) if c.type == "date" else
                        float(r[c.name]) if c.type == "number" else r[c.name]
                        for r in records]
               for c in table.columns}
    return to_frame(table, columns)


# --- Parquet: the schema's Arrow types, nothing inferred ---------------------------------------

PARQUET_COMPRESSION = "zstd"


def arrow_table(df: pd.DataFrame, table: Table) -> pa.Table:
    columns = column_values(df, table)
    schema = table.arrow_schema
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _parquet_table(df: pd.DataFrame, table: Table, metadata: dict[str, str]) -> pa.Table:
    """Enumerations dictionary-encoded (readers get categories), schema metadata attached."""
    data = arrow_table(df, table)
    for i, column in enumerate(table.columns):
        if column.enum is not None:
            data = data.set_column(i, data.field(i).with_type(pa.dictionary(pa.int8(), pa.string())),
                                   data.column(i).dictionary_encode().cast(
                                       pa.dictionary(pa.int8(), pa.string())))
    return data.replace_schema_metadata({**(data.schema.metadata or {}),
                                         **{k.encode(): v.encode() for k, v in metadata.items()}})


def parquet_metadata(table: Table, release_date: dt.date | None) -> dict[str, str]:
    """Key-value metadata of a table's Parquet file: what it is and which release it belongs to."""
    meta = {"cluster_etl.table": table.name, "cluster_etl.title": table.title,
            "cluster_etl.description": table.description}
    if release_date is not None:
        meta["cluster_etl.release"] = release_date.isoformat()
    return meta


def write_parquet(df: pd.DataFrame, table: Table, path: Path,
                  release_date: dt.date | None = None) -> Path:
    # Parquet carries no write time; with fixed options the bytes depend on the rows, the
    # release date and the pyarrow version (its "created_by" string) only.
    pq.write_table(_parquet_table(df, table, parquet_metadata(table, release_date)), path,
                   compression=PARQUET_COMPRESSION, version="2.6", use_dictionary=True,
                   write_statistics=True, store_schema=True)
    return path


def read_parquet(path: Path, table: Table) -> pd.DataFrame:
    data = pq.read_table(path, columns=None)
    if data.schema.names != table.column_names:
        raise ValueError(f"{path}: columns {data.schema.names} are not the schema's")
    return to_frame(table, {c.name: data.column(c.name).to_pylist() for c in table.columns})


# --- whole releases ----------------------------------------------------------------------------

_READERS = {"csv": read_csv, "json": read_json, "parquet": read_parquet}


def read_release(path: Path, fmt: str = "parquet") -> dict[str, pd.DataFrame]:
    """Every schema table of a release folder, read from one format."""
    if fmt not in _READERS:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    path = Path(path)
    return {name: _READERS[fmt](path / f"{name}.{fmt}", table) for name, table in TABLES.items()}


def read_release_csv(path: Path) -> dict[str, pd.DataFrame]:
    return read_release(path, "csv")


def read_release_json(path: Path) -> dict[str, pd.DataFrame]:
    return read_release(path, "json")


def read_release_parquet(path: Path) -> dict[str, pd.DataFrame]:
    return read_release(path, "parquet")
