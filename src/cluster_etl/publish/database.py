"""The release's tables as one SQLite database, ready for Datasette or any SQLite client.

Every table, column type and constraint comes from schema.py: TEXT, INTEGER and REAL columns,
DATE columns of ISO text (yyyy-mm-dd) checked by SQLite's date(), NOT NULL for required columns, CHECK
for enumerations, the primary key, and foreign keys enforced while the rows go in. Two more
tables document the others: `_tables` (table_name, title, description, primary_key) and
`_columns` (table_name, column_name, position, type, required, allowed_values, description),
where type is the schema's logical type (string, integer, number, date).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cluster_etl.publish.arrays import ReadColumn, arrow_type, frame_of, typed_columns
from cluster_etl.schema import TABLES, Column, Table

# DATE has NUMERIC affinity in SQLite, where ISO text stays text; it tells readers such as DuckDB
# or Datasette what the column holds.
CHUNK_ROWS = 65_536  # rows inserted, or read, at a time
SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "DATE"}

DOC_TABLES = ("""
CREATE TABLE "_tables" (
  "table_name" TEXT NOT NULL PRIMARY KEY,
  "title" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "primary_key" TEXT NOT NULL
)""", """
CREATE TABLE "_columns" (
  "table_name" TEXT NOT NULL REFERENCES "_tables" ("table_name"),
  "column_name" TEXT NOT NULL,
  "position" INTEGER NOT NULL,
  "type" TEXT NOT NULL,
  "required" INTEGER NOT NULL CHECK ("required" IN (0, 1)),
  "allowed_values" TEXT,
  "description" TEXT NOT NULL,
  PRIMARY KEY ("table_name", "column_name")
)""")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _checks(column: Column) -> list[str]:
    """The expressions of a column's CHECK constraints."""
    name = quote(column.name)
    checks = []
    if column.enum is not None:
        checks.append(f"{name} IN ({', '.join(_literal(v) for v in column.enum)})")
    if column.type == "date":
        # date(x, '+0 days') is NULL for what it cannot read and rolls 2008-02-30 over to March:
        # only a real yyyy-mm-dd date is its own. IS, not =, since a NULL check would pass.
        checks.append(f"{name} IS NULL OR date({name}, '+0 days') IS {name}")
    return checks


def _column_sql(column: Column) -> str:
    parts = [quote(column.name), SQL_TYPES[column.type]]
    if column.required:
        parts.append("NOT NULL")
    parts += [f"CHECK ({check})" for check in _checks(column)]
    return " ".join(parts)


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(quote(c) for c in columns)


def create_table_sql(table: Table) -> list[str]:
    """CREATE TABLE (and, for a key with nullable columns, CREATE UNIQUE INDEX) for a table."""
    lines = [_column_sql(c) for c in table.columns]
    if not table.nullable_key_columns:
        lines.append(f"PRIMARY KEY ({_names(table.primary_key)})")
    for fk in table.foreign_keys:
        lines.append(f"FOREIGN KEY ({_names(fk.columns)}) "
                     f"REFERENCES {quote(fk.table)} ({_names(fk.table_columns)})")
    statements = [f"CREATE TABLE {quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"]
    if table.nullable_key_columns:
        # A PRIMARY KEY or UNIQUE constraint would take two NULLs as different values, so two
        # "all clusters" rows for one member type would both go in. An index on the key with
        # NULL read as '' (which no published value is: empty text publishes as NULL) refuses them.
        key = ", ".join(f"ifnull({quote(c)}, '')" if c in table.nullable_key_columns else quote(c)
                        for c in table.primary_key)
        statements.append(f"CREATE UNIQUE INDEX {quote(table.name + '_key')} "
                          f"ON {quote(table.name)} ({key})")
    return statements


def creation_order() -> list[Table]:
    """The schema's tables, each after the tables it references (otherwise in schema order)."""
    done: list[Table] = []
    waiting = list(TABLES.values())
    while waiting:
        created = {t.name for t in done}
        ready = next((t for t in waiting
                      if all(fk.table in created or fk.table == t.name for fk in t.foreign_keys)),
                     None)
        if ready is None:
            raise ValueError(f"foreign keys of {[t.name for t in waiting]} form a cycle or "
                             "reference a table outside the schema")
        done.append(ready)
        waiting.remove(ready)
    return done


def _check_rows(con: sqlite3.Connection, table: Table) -> None:
    """Apply a table's CHECK constraints to its rows at once: a row that breaks one is rewritten
    with the constraints on, so SQLite raises the error its insert would have raised."""
    checked = [c for c in table.columns if _checks(c)]
    if not checked:
        return
    rewrite = ", ".join(f"{quote(c.name)} = {quote(c.name)}" for c in checked)
    broken = " OR ".join(f"NOT ({check})" for c in checked for check in _checks(c))
    con.execute(f"UPDATE {quote(table.name)} SET {rewrite} WHERE {broken}")


def _insert(con: sqlite3.Connection, table: Table, df: pd.DataFrame) -> None:
    arrays = typed_columns(df, table)
    sql = (f"INSERT INTO {quote(table.name)} ({_names(tuple(table.column_names))}) "
           f"VALUES ({', '.join('?' for _ in table.columns)})")
    try:
        # Inserted with CHECK constraints off, then checked in one statement: evaluated by the
        # inserting statement, row by row, they took most of its time (1.0 of 1.6 s for 91,000
        # members; the one statement over the table takes 0.06 s).
        con.execute("PRAGMA ignore_check_constraints = ON")
        for start in range(0, len(arrays[0]), CHUNK_ROWS):
            # Dates as ISO text; each column's Python values made by Arrow, in C.
            columns = [(a.cast(pa.large_string()) if c.type == "date" else a)
                       .slice(start, CHUNK_ROWS).to_pylist() for c, a in zip(table.columns, arrays)]
            con.executemany(sql, zip(*columns))
        con.execute("PRAGMA ignore_check_constraints = OFF")
        _check_rows(con, table)
    except sqlite3.IntegrityError as exc:
        raise ValueError(f"{table.name}: a row breaks a constraint of the schema: {exc}") from exc


def _document(con: sqlite3.Connection) -> None:
    for statement in DOC_TABLES:  # not executescript(), which commits the open transaction
        con.execute(statement)
    con.executemany('INSERT INTO "_tables" VALUES (?, ?, ?, ?)',
                    [(t.name, t.title, t.description, ", ".join(t.primary_key))
                     for t in TABLES.values()])
    con.executemany('INSERT INTO "_columns" VALUES (?, ?, ?, ?, ?, ?, ?)',
                    [(t.name, c.name, i, c.type, int(c.required),
                      ", ".join(c.enum) if c.enum else None, c.description)
                     for t in TABLES.values() for i, c in enumerate(t.columns, start=1)])


def write_database(frames: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write every schema table into the SQLite file `path`, replacing it only when all went in."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    con = sqlite3.connect(partial, isolation_level=None)  # transactions opened explicitly
    try:
        # A new file, removed unless every row went in (and then checked as part of a release):
        # no journal on disk nor syncs needed while it fills. Neither changes the file's bytes.
        con.execute("PRAGMA journal_mode = MEMORY")  # one file, no -journal, -wal or -shm
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA foreign_keys = ON")  # takes effect outside a transaction only
        con.execute("BEGIN")
        for table in creation_order():
            for statement in create_table_sql(table):
                con.execute(statement)
            _insert(con, table, frames[table.name])
        _document(con)
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ValueError(f"rows whose foreign key matches no row (table, rowid, parent): "
                             f"{problems[:10]}")
        con.execute("COMMIT")
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(partial, path)
    return path


def _read_value(value: Any, column: Column, where: str) -> Any:
    if value is None:
        return None
    if column.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if column.type == "number" and isinstance(value, int):
        return float(value)
    if column.type == "string" and not isinstance(value, str):
        raise ValueError(f"{where}: {value!r} is not text")
    return value  # anything else is left for column_values to reject with its type


_DATE = r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\z"
_TEXT = {str, type(None)}


def _array(values: tuple, column: Column) -> pa.Array | None:
    """Values of the column's type as an Arrow array; None when some are of another type."""
    if column.type in ("string", "date") and not set(map(type, values)) <= _TEXT:
        return None  # Arrow would take a BLOB for text
    try:
        if column.type != "date":
            return pa.array(values, arrow_type(column))
        text = pa.array(values, pa.large_string())
        if pc.all(pc.match_substring_regex(text, _DATE), min_count=0).as_py() is not False:
            dates = text.cast(pa.date32())
            if not pc.any(pc.less(dates, pa.scalar(dt.date.min))).as_py():  # year 0: no date
                return dates
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    return None


def _read_table(con: sqlite3.Connection, table: Table, where: str) -> list[ReadColumn]:
    pieces: list[list[Any]] = [[] for _ in table.columns]
    cursor = con.execute(f"SELECT {_names(tuple(table.column_names))} "
                         f"FROM {quote(table.name)} ORDER BY rowid")
    while rows := cursor.fetchmany(CHUNK_ROWS):
        for piece, values, column in zip(pieces, zip(*rows), table.columns):
            array = _array(values, column)
            piece.append(array if array is not None else
                         [_read_value(v, column, f"{where}.{column.name}") for v in values])
    columns: list[ReadColumn] = []
    for piece, column in zip(pieces, table.columns):
        if all(isinstance(p, pa.Array) for p in piece):
            columns.append(pa.concat_arrays(piece) if piece else
                           pa.array([], arrow_type(column)))
        else:  # rare: Python values throughout
            columns.append([v for p in piece for v in (p if isinstance(p, list) else
                                                         p.to_pylist())])
    return columns


def read_database_columns(path: Path) -> dict[str, list[ReadColumn]]:
    """Every schema table's columns from the SQLite file (arrays.ReadColumn), rows as written."""
    path = Path(path)
    # Read-only: a missing file is an error rather than a new empty database.
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {name: _read_table(con, table, f"{path.name}: {name}")
                for name, table in TABLES.items()}
    finally:
        con.close()


def read_database(path: Path) -> dict[str, pd.DataFrame]:
    """Every schema table from the SQLite file, as normalise-shaped DataFrames, rows as written."""
    return {name: frame_of(TABLES[name], columns)
            for name, columns in read_database_columns(path).items()}
