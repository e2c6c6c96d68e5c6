"""The clean tables of a run, enriched from the extract's rows: what the flow calls."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cluster_etl.kbo.enrich import enrich
from cluster_etl.kbo.rows import KboRows
from cluster_etl.kbo.sectors import build_member_sectors
from cluster_etl.normalise.frames import conform
from cluster_etl.normalise.tables import NormalisedTables


def enrich_tables(tables: NormalisedTables, rows: KboRows) -> tuple[NormalisedTables, dict[str, Any]]:
    """(the tables with the KBO columns of members, member_activities and member_sectors filled,
    the KBO findings added to the tables' findings; the metadata naming the extract)."""
    enrichment = enrich(tables.members, tables.memberships, rows)
    members = conform(enrichment.members, "members")
    activities = conform(enrichment.member_activities, "member_activities")
    sectors = conform(build_member_sectors(tables.memberships, members, activities), "member_sectors")
    enriched = replace(tables, members=members, member_activities=activities, member_sectors=sectors,
                       findings=[*tables.findings, *enrichment.findings])
    return enriched, enrichment.metadata
