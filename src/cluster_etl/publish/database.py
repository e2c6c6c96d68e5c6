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

from cluster_etl.publish.writers import column_values, to_frame
from cluster_etl.schema import TABLES, Column, Table

# DATE has NUMERIC affinity in SQLite, where ISO text stays text; it tells readers such as DuckDB
# or Datasette what the column holds.
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


def _column_sql(column: Column) -> str:
    name = quote(column.name)
    parts = [name, SQL_TYPES[column.type]]
    if column.required:
        parts.append("NOT NULL")
    if column.enum is not None:
        parts.append(f"CHECK ({name} IN ({', '.join(_literal(v) for v in column.enum)}))")
    if column.type == "date":
        # date(x, '+0 days') is NULL for what it cannot read and rolls 2008-02-30 over to March:
        # only a real yyyy-mm-dd date is its own. IS, not =, since a NULL check would pass.
        parts.append(f"CHECK ({name} IS NULL OR date({name}, '+0 days') IS {name})")
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


def _sql_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _insert(con: sqlite3.Connection, table: Table, df: pd.DataFrame) -> None:
    columns = column_values(df, table)
    rows = ([_sql_value(v) for v in row] for row in zip(*columns.values()))
    sql = (f"INSERT INTO {quote(table.name)} ({_names(tuple(table.column_names))}) "
           f"VALUES ({', '.join('?' for _ in table.columns)})")
    try:
        con.executemany(sql, rows)
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
        con.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal or -shm beside it
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


def read_database(path: Path) -> dict[str, pd.DataFrame]:
    """Every schema table from the SQLite file, as normalise-shaped DataFrames, rows as written."""
    path = Path(path)
    # Read-only: a missing file is an error rather than a new empty database.
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        frames = {}
        for name, table in TABLES.items():
            rows = con.execute(f"SELECT {_names(tuple(table.column_names))} "
                               f"FROM {quote(name)} ORDER BY rowid").fetchall()
            columns = {c.name: [_read_value(row[i], c, f"{path.name}: {name}.{c.name}")
                                for row in rows]
                       for i, c in enumerate(table.columns)}
            frames[name] = to_frame(table, columns)
        return frames
    finally:
        con.close()
