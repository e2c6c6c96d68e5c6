"""Enrichment of members from Belgium's enterprise register (KBO/BCE Open Data).

    extract = open_extract(path, cache_dir)          # checks the zip/folder, reads meta.csv
    rows = extract.select(members["enterprise_number"])  # streamed once, then cached
    enrichment = enrich(members, memberships, rows)  # KBO columns, member_activities, findings
    sectors = build_member_sectors(memberships, enrichment.members, enrichment.member_activities)
    tables, metadata = enrich_tables(normalised_tables, rows)  # all of the above, conformed

Modules: layout (the extract's format), stream (streaming filtered CSV reading), extract (open,
select), cache, rows (what select returns), enrich, names (comparing names), sectors
(member_sectors), tables (enrich_tables), sample* (the invented extract of `cluster-etl sample-kbo`).
"""

from cluster_etl.kbo.enrich import (KBO_MEMBER_COLUMNS, MEMBER_ACTIVITY_COLUMNS, Enrichment, enrich,
                                    without_extract)
from cluster_etl.kbo.extract import Extract, open_extract
from cluster_etl.kbo.rows import ExtractMeta, KboRows
from cluster_etl.kbo.sectors import MEMBER_SECTOR_COLUMNS, build_member_sectors, nace_section
from cluster_etl.kbo.stream import InvalidRows, KboError
from cluster_etl.kbo.tables import enrich_tables

__all__ = ["KBO_MEMBER_COLUMNS", "MEMBER_ACTIVITY_COLUMNS", "MEMBER_SECTOR_COLUMNS", "Enrichment",
           "Extract", "ExtractMeta", "InvalidRows", "KboError", "KboRows", "build_member_sectors",
           "enrich", "enrich_tables", "nace_section", "open_extract", "without_extract"]
