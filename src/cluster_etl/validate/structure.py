"""Structural checks: the clean tables against schema.py (columns, types, values), their primary
and foreign keys, and the tables that must not be empty; plus the helpers all checks share."""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import pandas as pd
from pandas.api.types import is_object_dtype

from cluster_etl.schema import SNAPSHOT_TABLES as TABLES, Check, Column, Table

NON_EMPTY_TABLES = ("clusters", "members", "memberships")
_EXAMPLES = 3  # offending values quoted in a detail
_DANGLING_LISTED = 10


class Tables(Protocol):
    """What normalise hands over: one DataFrame per schema table (attribute = table name)."""

    @property
    def clusters(self) -> pd.DataFrame: ...
    @property
    def members(self) -> pd.DataFrame: ...
    @property
    def memberships(self) -> pd.DataFrame: ...
    @property
    def member_types(self) -> pd.DataFrame: ...
    @property
    def findings(self) -> list[Check]: ...


def table_frame(tables: Tables, name: str) -> pd.DataFrame:
    return getattr(tables, name)


def is_null(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value))


def _present(values: list[Any]) -> tuple[list[Any], int]:
    """(the values that are neither null nor "", how many are null or ""). A column of text holds
    str and None only, so the common case runs without a call per value."""
    if all(type(v) is str or v is None for v in values):
        present = [v for v in values if v]
        return present, len(values) - len(present)
    present = [v for v in values if not is_null(v)]
    empty = present.count("")
    return [v for v in present if v != ""] if empty else present, len(values) - len(present) + empty


def _nulls_as_none(values: list[Any]) -> list[Any]:
    return [v if type(v) is str or v is None else None if is_null(v) else v for v in values]


def _examples(values: Iterable[Any]) -> str:
    seen: list[str] = []
    for v in values:
        r = repr(v)
        if r not in seen:
            seen.append(r)
        if len(seen) == _EXAMPLES:
            break
    return ", ".join(seen)


def _missing(df: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c not in df.columns]


# --- schema ------------------------------------------------------------------------------------

def _type_problem(series: pd.Series, column: Column, all_values: list[Any]) -> str | None:
    """Why the column's dtype or values do not fit its logical type, or None when they do."""
    dtype = series.dtype
    # Text is checked without a call per value (most values are str); other kinds are few.
    values = [] if column.type == "string" else [v for v in all_values if not is_null(v)]
    if column.type == "string":
        ok_dtype = is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)
        bad = [v for v in all_values
               if type(v) is not str and not is_null(v) and not isinstance(v, str)]
    elif column.type == "integer":
        if dtype.kind == "f" or dtype.kind == "b":
            return f"dtype {dtype} is not an integer type (expected Int64)"
        ok_dtype = dtype.kind in "iu" or is_object_dtype(dtype)
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, numbers.Integral)]
    elif column.type == "number":
        ok_dtype = dtype.kind in "iuf" or is_object_dtype(dtype)
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, numbers.Real)]
    else:  # date: datetime.date objects, and not datetimes (those would publish a time)
        ok_dtype = is_object_dtype(dtype)
        bad = [v for v in values if not isinstance(v, dt.date) or isinstance(v, dt.datetime)]
    if not ok_dtype:
        return f"dtype {dtype} does not hold {column.type} values"
    if bad:
        return f"{len(bad)} value(s) not {column.type}, e.g. {_examples(bad)}"
    return None


def _column_problems(series: pd.Series, column: Column) -> list[str]:
    name, values = column.name, series.tolist()
    type_problem = _type_problem(series, column, values)
    problems = [f"{name}: {type_problem}"] if type_problem else []
    present, nulls = _present(values)  # "" publishes as null
    if column.required and nulls:
        problems.append(f"{name}: {nulls} null or empty value(s) in a required column")
    if column.enum is not None:
        allowed = frozenset(column.enum)
        outside = [v for v in present if not (isinstance(v, str) and v in allowed)]
        if outside:
            problems.append(f"{name}: {len(outside)} value(s) outside {list(column.enum)}, "
                            f"e.g. {_examples(outside)}")
    if column.pattern is not None:
        pattern = re.compile(column.pattern)
        unmatched = [v for v in present if not (isinstance(v, str) and pattern.fullmatch(v))]
        if unmatched:
            problems.append(f"{name}: {len(unmatched)} value(s) not matching /{column.pattern}/, "
                            f"e.g. {_examples(unmatched)}")
    return problems


def check_table_schema(df: pd.DataFrame, table: Table) -> Check:
    problems: list[str] = []
    actual, expected = [str(c) for c in df.columns], table.column_names
    if actual != expected:
        missing = [c for c in expected if c not in actual]
        extra = [c for c in actual if c not in expected]
        if missing or extra:
            problems.append(f"columns differ from schema: missing {missing}, unexpected {extra}")
        else:
            problems.append(f"columns out of schema order: {actual}")
    for column in table.columns:
        if column.name in df.columns:
            problems.extend(_column_problems(df[column.name], column))
    return Check(f"schema:{table.name}", "fail" if problems else "pass", expected=0,
                 observed=len(problems),
                 detail="; ".join(problems) or f"{len(df)} rows, columns and values as schema.py")


def check_schema(tables: Tables) -> list[Check]:
    return [check_table_schema(table_frame(tables, t.name), t) for t in TABLES.values()]


# --- keys --------------------------------------------------------------------------------------

def _key_tuples(df: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    return list(zip(*(_nulls_as_none(df[c].tolist()) for c in columns)))


def check_primary_key(df: pd.DataFrame, table: Table) -> Check:
    name, key = f"primary_key:{table.name}", list(table.primary_key)
    if missing := _missing(df, key):
        return Check(name, "fail", expected=key, detail=f"key column(s) missing: {missing}")
    problems, bad_rows = [], 0
    tuples = _key_tuples(df, key)
    for column in key:
        if column in table.nullable_key_columns:
            continue
        nulls = sum(t[key.index(column)] is None for t in tuples)
        if nulls:
            bad_rows += nulls
            problems.append(f"{nulls} null {column}")
    counts = Counter(tuples)
    duplicated = {t: n for t, n in counts.items() if n > 1}
    if duplicated:
        bad_rows += sum(duplicated.values())
        problems.append(f"duplicate key(s) {_examples(list(duplicated)[:_DANGLING_LISTED])}")
    return Check(name, "fail" if problems else "pass", expected=0, observed=bad_rows,
                 detail="; ".join(problems) or f"{len(df)} unique keys {key}")


def check_foreign_keys(tables: Tables) -> list[Check]:
    checks = []
    for table in TABLES.values():
        df = table_frame(tables, table.name)
        for fk in table.foreign_keys:
            name = f"foreign_key:{table.name}.{','.join(fk.columns)}"
            target = table_frame(tables, fk.table)
            if missing := _missing(df, fk.columns) + _missing(target, fk.table_columns):
                checks.append(Check(name, "fail", expected=0, detail=f"column(s) missing: {missing}"))
                continue
            known = set(_key_tuples(target, fk.table_columns))
            # A null reference points nowhere and is allowed unless the column is required
            # (check_schema reports that case).
            dangling = [t for t in _key_tuples(df, fk.columns)
                        if None not in t and t not in known]
            shown = [t[0] if len(t) == 1 else list(t) for t in dict.fromkeys(dangling)]
            detail = (f"{len(dangling)} row(s) point to no {fk.table}: {shown[:_DANGLING_LISTED]}"
                      if dangling else f"every {','.join(fk.columns)} is in {fk.table}")
            checks.append(Check(name, "fail" if dangling else "pass", expected=0,
                                observed=len(dangling), detail=detail))
    return checks


def check_keys(tables: Tables) -> list[Check]:
    primary = [check_primary_key(table_frame(tables, t.name), t) for t in TABLES.values()]
    return primary + check_foreign_keys(tables)


def check_not_empty(tables: Tables) -> list[Check]:
    checks = []
    for name in NON_EMPTY_TABLES:
        rows = len(table_frame(tables, name))
        detail = f"{rows} rows" if rows else f"the {name} table has no rows"
        checks.append(Check(f"not_empty:{name}", "pass" if rows else "fail", expected="> 0",
                            observed=rows, detail=detail))
    return checks
