"""Checks over the clean tables -> a Report (validation.json); a failed check blocks publication.

Each check_* function returns a list of `Check`; `validate` runs them all and appends the
normalisation and crawl findings unchanged. Checks never raise on bad data: a table that lacks a
column the check needs yields a failed Check saying so.
"""

from __future__ import annotations

from collections.abc import Iterable

from cluster_etl import raw
from cluster_etl.bulk import without_cyclic_gc
from cluster_etl.schema import Check, Report
from cluster_etl.validate.structure import (
    NON_EMPTY_TABLES,
    Tables,
    check_foreign_keys,
    check_keys,
    check_not_empty,
    check_primary_key,
    check_schema,
    check_table_schema,
    is_null,
    table_frame,
)
from cluster_etl.validate.totals import (
    check_cluster_count,
    check_cluster_counts,
    check_headline_totals,
    check_membership_total,
    check_shares,
    percent_half_up,
)

__all__ = [
    "NON_EMPTY_TABLES", "Tables", "check_cluster_count", "check_cluster_counts", "check_foreign_keys",
    "check_headline_totals", "check_keys", "check_membership_total", "check_not_empty",
    "check_primary_key", "check_schema", "check_shares", "check_table_schema", "is_null",
    "percent_half_up", "table_frame", "validate",
]


@without_cyclic_gc
def validate(tables: Tables, overview: raw.Overview, findings: Iterable[Check] = ()) -> Report:
    """All checks, then the given findings in their order, then any of tables.findings they did
    not already include (the same objects are not repeated)."""
    checks = [*check_schema(tables), *check_keys(tables), *check_not_empty(tables),
              *check_headline_totals(tables, overview),
              *check_cluster_counts(tables, from_pages=not overview.get("figures_optional"))]
    carried = list(findings)
    given = {id(c) for c in carried}  # by identity: equal findings may be distinct findings
    carried += [f for f in tables.findings if id(f) not in given]
    return Report(checks=checks + carried)
