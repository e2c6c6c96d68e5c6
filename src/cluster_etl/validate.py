"""Checks over the clean tables -> a Report (validation.json); a failed check blocks publication.

Each check_* function returns a list of `Check`; `validate` runs them all and appends the
normalisation and crawl findings unchanged. Checks never raise on bad data: a table that lacks a
column the check needs yields a failed Check saying so.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import pandas as pd
from pandas.api.types import is_object_dtype

from cluster_etl import raw
from cluster_etl.schema import TABLES, Check, CheckStatus, Column, Report, Table

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


def percent_half_up(part: int, whole: int) -> int:
    """100 * part / whole rounded half up, in exact integer arithmetic (74.5 -> 75)."""
    return (200 * part + whole) // (2 * whole)


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

def _type_problem(series: pd.Series, column: Column) -> str | None:
    """Why the column's dtype or values do not fit its logical type, or None when they do."""
    dtype, values = series.dtype, [v for v in series.tolist() if not is_null(v)]
    if column.type == "string":
        ok_dtype = is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)
        bad = [v for v in values if not isinstance(v, str)]
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
    name = column.name
    type_problem = _type_problem(series, column)
    problems = [f"{name}: {type_problem}"] if type_problem else []
    nulls = sum(is_null(v) or v == "" for v in series.tolist())
    if column.required and nulls:
        problems.append(f"{name}: {nulls} null or empty value(s) in a required column")
    present = [v for v in series.tolist() if not is_null(v) and v != ""]  # "" publishes as null
    if column.enum is not None:
        outside = [v for v in present if v not in column.enum]
        if outside:
            problems.append(f"{name}: {len(outside)} value(s) outside {list(column.enum)}, "
                            f"e.g. {_examples(outside)}")
    if column.pattern is not None:
        unmatched = [v for v in present if not (isinstance(v, str) and re.fullmatch(column.pattern, v))]
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
    return [tuple(None if is_null(v) else v for v in row)
            for row in zip(*(df[c].tolist() for c in columns))]


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
    counts: dict[tuple[Any, ...], int] = {}
    for t in tuples:
        counts[t] = counts.get(t, 0) + 1
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


# --- totals ------------------------------------------------------------------------------------

def check_cluster_count(tables: Tables, overview: raw.Overview) -> Check:
    in_overview = len(overview["clusters"])
    in_table = len(tables.clusters)
    declared = overview["declared_cluster_count"]
    counts = f"overview table {in_overview}, clusters table {in_table}, prose {declared}"
    if declared is None:
        return Check("cluster_count", "fail", expected=None, observed=in_table,
                     detail=f"no cluster count found in the overview prose (layout change?); {counts}")
    if in_overview == in_table == declared:
        return Check("cluster_count", "pass", expected=declared, observed=in_table, detail=counts)
    named = {"overview table": in_overview, "clusters table": in_table, "prose": declared}
    odd = [k for k, v in named.items() if list(named.values()).count(v) == 1]
    which = f"the {odd[0]} disagrees" if len(odd) == 1 else "all three disagree"
    detail = f"{which}: {counts}"
    if "cluster_id" in tables.clusters.columns:
        ids_overview = {c["cluster_id"] for c in overview["clusters"]}
        ids_table = set(tables.clusters["cluster_id"].dropna().tolist())
        detail += (f"; only in overview {sorted(ids_overview - ids_table)}, "
                   f"only in clusters table {sorted(ids_table - ids_overview)}")
    return Check("cluster_count", "fail", expected=declared, observed=in_table, detail=detail)


def check_membership_total(tables: Tables, overview: raw.Overview) -> Check:
    total, lower_bound = overview["member_total"], overview["member_total_is_lower_bound"]
    observed = len(tables.memberships)
    if total is None:
        return Check("membership_total", "fail", observed=observed,
                     detail="no member total found in the overview prose (layout change?)")
    ok = observed > total if lower_bound else observed == total
    expected: Any = f"> {total}" if lower_bound else total
    detail = f"{observed} memberships; the overview declares {'more than ' if lower_bound else ''}{total}"
    if "declared_member_count" in tables.clusters.columns:
        declared = [v for v in tables.clusters["declared_member_count"].tolist() if not is_null(v)]
        detail += f"; clusters' declared counts add up to {sum(int(v) for v in declared)}"
    return Check("membership_total", "pass" if ok else "fail", expected=expected, observed=observed,
                 detail=detail)


def check_shares(tables: Tables, overview: raw.Overview) -> list[Check]:
    """Companies and SMEs as whole percents of the memberships, against the overview's figures."""
    members, memberships = tables.members, tables.memberships
    missing = _missing(members, ("member_id", "member_type", "size_class")) + _missing(
        memberships, ("member_id",))
    kinds = {} if missing else dict(zip(members["member_id"].tolist(), zip(
        members["member_type"].tolist(), members["size_class"].tolist())))
    of_memberships = [] if missing else [kinds.get(m, (None, None))
                                         for m in memberships["member_id"].tolist()]
    whole = len(memberships)
    checks = []
    for name, what, declared, part in (
            ("company_share", "companies", overview["company_share_pct"],
             sum(t == "company" for t, _ in of_memberships)),
            ("sme_share", "SMEs", overview["sme_share_pct"],
             sum(t == "company" and s == "sme" for t, s in of_memberships))):
        if missing:
            check = Check(name, "fail", expected=declared, detail=f"column(s) missing: {missing}")
        elif declared is None:
            check = Check(name, "fail", detail=f"no {what} share found in the overview prose "
                                               "(layout change?)")
        elif whole == 0:
            check = Check(name, "fail", expected=declared, detail="no memberships to take a share of")
        else:
            observed = percent_half_up(part, whole)
            check = Check(name, "pass" if observed == declared else "fail", expected=declared,
                          observed=observed,
                          detail=f"{part} of {whole} memberships are {what}: "
                                 f"{100 * part / whole:.2f}%, {observed}% rounded half up; "
                                 f"the overview declares {declared}%")
        checks.append(check)
    return checks


def check_headline_totals(tables: Tables, overview: raw.Overview) -> list[Check]:
    """The SPEC's checks of the scraped tables against the overview page's headline figures."""
    return [check_cluster_count(tables, overview), check_membership_total(tables, overview),
            *check_shares(tables, overview)]


def check_cluster_counts(tables: Tables) -> list[Check]:
    """Per cluster, directory entries vs the count its home page declares.

    A disagreement is a finding (warn); a directory that listed nothing while the cluster declares
    members means the directory markup was not understood: fail.
    """
    clusters = tables.clusters
    if missing := _missing(clusters, ("cluster_id", "declared_member_count", "listed_member_count")):
        return [Check("cluster_member_counts", "fail", detail=f"column(s) missing: {missing}")]
    checks, disagreeing = [], []
    for cluster_id, declared, listed in zip(*(clusters[c].tolist() for c in (
            "cluster_id", "declared_member_count", "listed_member_count"))):
        declared = None if is_null(declared) else int(declared)
        listed = None if is_null(listed) else int(listed)
        if declared is not None and declared == listed:
            continue
        name = f"cluster_member_count:{cluster_id}"
        if declared is None:
            check = Check(name, "warn", observed=listed,
                          detail="the cluster's home page declares no member count")
        elif not listed and declared > 0:
            check = Check(name, "fail", expected=declared, observed=listed,
                          detail="the directory listed no member while the cluster declares some "
                                 "(layout change?)")
        else:
            check = Check(name, "warn", expected=declared, observed=listed,
                          detail=f"directory lists {listed}, home page declares {declared}")
        checks.append(check)
        disagreeing.append(f"{cluster_id} ({listed} listed / {declared} declared)")
    worst: CheckStatus = "fail" if any(c.status == "fail" for c in checks) else "warn" if checks else "pass"
    summary = Check("cluster_member_counts", worst, expected=0, observed=len(disagreeing),
                    detail=("disagreeing: " + ", ".join(disagreeing)) if disagreeing
                    else f"all {len(clusters)} clusters list as many members as they declare")
    return [summary, *checks]


def validate(tables: Tables, overview: raw.Overview, findings: Iterable[Check] = ()) -> Report:
    """All checks, then the given findings in their order, then any of tables.findings they did
    not already include (the same objects are not repeated)."""
    checks = [*check_schema(tables), *check_keys(tables), *check_not_empty(tables),
              *check_headline_totals(tables, overview), *check_cluster_counts(tables)]
    carried = list(findings)
    carried += [f for f in tables.findings if not any(f is c for c in carried)]
    return Report(checks=checks + carried)
