"""One writer and one reader per published format (CSV, JSON, Parquet), typed by schema.py.

Writers take the clean DataFrames and turn each column into values of its logical type first
(arrays.typed_columns, by column_values' rules), so no format lets pandas guess a type: integers
stay integers, dates stay dates, null is empty. Readers return DataFrames in the same shape
normalise produces (object str/None, Int64, float64, datetime.date objects), so the formats can
be compared; `read_columns` gives a table's columns before they become a DataFrame, for the
read-back check of a release. CSV and JSON have a module each (csv_format, json_format).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cluster_etl.publish.arrays import (  # noqa: F401 - the writers' API, used by the others
    ReadColumn, arrow_type, column_values, frame_of, to_frame, typed_columns)
from cluster_etl.publish.csv_format import (  # noqa: F401
    FORMULA_RULE, _csv_text, _parse_text, needs_apostrophe, read_csv_columns, write_csv)
from cluster_etl.publish.json_format import read_json_columns, write_json  # noqa: F401
from cluster_etl.schema import TABLES, Table

FORMATS = ("csv", "json", "parquet")


def read_csv(path: Path, table: Table) -> pd.DataFrame:
    return frame_of(table, read_csv_columns(path, table))


def read_json(path: Path, table: Table) -> pd.DataFrame:
    return frame_of(table, read_json_columns(path, table))


# --- Parquet: the schema's Arrow types, nothing inferred ---------------------------------------

PARQUET_COMPRESSION = "zstd"


def arrow_table(df: pd.DataFrame, table: Table) -> pa.Table:
    schema = table.arrow_schema
    arrays = [a.cast(f.type) for a, f in zip(typed_columns(df, table), schema)]
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


def _parquet_column(values: pa.ChunkedArray, table: Table, name: str) -> ReadColumn:
    """A column as an array when it has the schema's type; as Python values otherwise."""
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    values = values.combine_chunks()
    expected = arrow_type(table.column(name))
    if values.type == expected or (pa.types.is_string(values.type) and
                                   pa.types.is_large_string(expected)):
        return values.cast(expected)
    return values.to_pylist()


def read_parquet_columns(path: Path, table: Table) -> list[ReadColumn]:
    data = pq.read_table(path, columns=None)
    if data.schema.names != table.column_names:
        raise ValueError(f"{path}: columns {data.schema.names} are not the schema's")
    return [_parquet_column(data.column(c.name), table, c.name) for c in table.columns]


def read_parquet(path: Path, table: Table) -> pd.DataFrame:
    return frame_of(table, read_parquet_columns(path, table))


# --- whole releases ----------------------------------------------------------------------------

_READERS = {"csv": read_csv_columns, "json": read_json_columns, "parquet": read_parquet_columns}


def read_columns(path: Path, fmt: str, table: Table) -> list[ReadColumn]:
    """A table's columns from its file in one format."""
    if fmt not in _READERS:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    return _READERS[fmt](Path(path), table)


def read_release(path: Path, fmt: str = "parquet") -> dict[str, pd.DataFrame]:
    """Every schema table of a release folder, read from one format."""
    path = Path(path)
    return {name: frame_of(table, read_columns(path / f"{name}.{fmt}", fmt, table))
            for name, table in TABLES.items()}


def read_release_csv(path: Path) -> dict[str, pd.DataFrame]:
    return read_release(path, "csv")


def read_release_json(path: Path) -> dict[str, pd.DataFrame]:
    return read_release(path, "json")


def read_release_parquet(path: Path) -> dict[str, pd.DataFrame]:
    return read_release(path, "parquet")
