"""A member listing and its cluster file -> the raw records a crawl hands to normalisation.

Each listing row becomes a directory entry and its "detail page" in its cluster, keyed by a
reference to the row (`membres.csv row 12`) where a crawl keys them by URL: normalisation then
cleans, deduplicates and reports exactly as for a scrape, and its findings name the file and the
row. The references are not published: `without_member_page_urls` empties the column after
normalisation (a listing has no member pages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from cluster_etl import raw
from cluster_etl.listing.clusters import ClusterFile, ClusterRow, read_cluster_file
from cluster_etl.listing.columns import LISTING_COLUMNS, LISTING_REQUIRED, ColumnMap, map_columns
from cluster_etl.listing.read import Sheet, SheetRow, read_sheet
from cluster_etl.portal import layout
from cluster_etl.schema import Check


@dataclass(frozen=True)
class DeclaredFigures:
    """The headline figures the operator declares for a listing (None: not declared)."""

    clusters: int | None = None
    members: int | None = None  # exact number of memberships, not a lower bound
    company_share_pct: int | None = None
    sme_share_pct: int | None = None


@dataclass
class ListingStats:
    """What loading read, in RunResult.fetch's place (`as_dict`)."""

    rows: int = 0  # non-blank rows below the header
    rows_used: int = 0
    rows_skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"listing_rows": self.rows, "listing_rows_used": self.rows_used,
                "listing_rows_skipped": self.rows_skipped}


@dataclass
class LoadedListing:
    raw: raw.RawPortal
    sheet: Sheet
    cluster_file: ClusterFile
    stats: ListingStats = field(default_factory=ListingStats)

    def metadata(self) -> dict[str, Any]:
        """The release's source: the listing (and cluster file) by name and SHA-256."""
        sheet, clusters = self.sheet, self.cluster_file.sheet
        return {
            "portal_url": None,
            "source_listing": {"file": sheet.name, "sha256": sheet.sha256, "rows": self.stats.rows_used,
                               "cluster_file": {"file": clusters.name, "sha256": clusters.sha256}},
            "sources": [{"title": f"Listing {sheet.name}", "path": sheet.name,
                         "hash": f"sha256:{sheet.sha256}"}],
        }


def listing_overview(cluster_file: ClusterFile, sheet: Sheet, as_of: dt.date,
                     figures: DeclaredFigures) -> raw.Overview:
    """The overview a listing stands on: the cluster file's clusters and the declared figures.

    `figures_optional` tells validation that a figure left out was not declared (a warn), where
    a figure missing from the portal's overview page is a layout change.
    """
    overview = raw.Overview(
        url=sheet.name, declared_cluster_count=figures.clusters, member_total=figures.members,
        member_total_is_lower_bound=False, company_share_pct=figures.company_share_pct,
        sme_share_pct=figures.sme_share_pct, as_of=as_of, source=sheet.name,
        clusters=[_link(c) for c in cluster_file.clusters], off_host_links=[])
    overview["figures_optional"] = True
    return overview


def _link(cluster: ClusterRow) -> raw.ClusterLink:
    # The cluster's home page as the portal's URL scheme has it: clusters.portal_url is required.
    url = layout.cluster_home_url(layout.PORTAL_BASE_URL, cluster.cluster_id)
    return raw.ClusterLink(cluster_id=cluster.cluster_id, name=cluster.name, domain=cluster.domain,
                           url=url)


def _raw_cluster(cluster: ClusterRow) -> raw.RawCluster:
    link = _link(cluster)
    home = raw.ClusterHome(
        url=link["url"], cluster_id=cluster.cluster_id, name=cluster.name, domain=cluster.domain,
        description=cluster.description, website=cluster.website,
        declared_member_count=cluster.declared_member_count,
        directory_url=layout.directory_url(link["url"]))
    return raw.RawCluster(link=link, home=home, directory=[], directory_pages=0, members={})


def row_reference(sheet: Sheet, row: SheetRow) -> str:
    """How findings name a listing row: the file and the row number a spreadsheet shows."""
    return f"{sheet.name} row {row.number}"


def _row_problems(sheet: Sheet, row: SheetRow, columns: ColumnMap, clusters: ClusterFile
                  ) -> list[str]:
    if len(row.cells) != len(sheet.header):
        return [f"{len(row.cells)} cells where the header has {len(sheet.header)} "
                "(a delimiter or line break inside an unquoted value?)"]
    problems = []
    cluster = columns.value(row.cells, "cluster")
    if cluster is None:
        problems.append(f"no {LISTING_COLUMNS['cluster'][0]}")
    elif clusters.find(cluster) is None:
        problems.append(f"cluster {cluster!r} is not in {clusters.sheet.name}")
    if columns.value(row.cells, "name") is None:
        problems.append(f"no {LISTING_COLUMNS['name'][0]}")
    return problems


def _add_member(cluster: raw.RawCluster, reference: str, columns: ColumnMap, cells: tuple[str, ...]
                ) -> None:
    fields = {f: columns.value(cells, f) for f in raw.MEMBER_FIELDS}
    cluster.directory.append(raw.DirectoryEntry(
        name=fields["name"] or "", city=fields["city"],
        member_type_label=fields["member_type_label"], detail_url=reference))
    cluster.members[reference] = raw.MemberPage(url=reference, fields=fields, unknown_labels=[])
    cluster.member_status[reference] = 200


def load_listing(listing: Path, cluster_file: Path, as_of: dt.date,
                 figures: DeclaredFigures = DeclaredFigures(),
                 retrieved_at: dt.datetime | None = None) -> LoadedListing:
    """The listing as raw records. Raises ListingError (before anything is published) when
    either file cannot be read or lacks a required column; a bad row is a finding
    (`listing_row_invalid`) and is skipped."""
    clusters = read_cluster_file(cluster_file)
    sheet = read_sheet(listing)
    columns = map_columns(sheet, LISTING_COLUMNS, LISTING_REQUIRED)
    raw_clusters = {c.cluster_id: _raw_cluster(c) for c in clusters.clusters}
    findings = [*clusters.findings, *columns.findings]
    stats = ListingStats(rows=len(sheet.rows))
    for row in sheet.rows:
        reference = row_reference(sheet, row)
        if problems := _row_problems(sheet, row, columns, clusters):
            findings.append(Check("listing_row_invalid", "warn", expected="a known cluster and a name",
                                  observed=row.number,
                                  detail=f"{reference}: {'; '.join(problems)}; row skipped"))
            stats.rows_skipped += 1
            continue
        cluster = clusters.find(columns.value(row.cells, "cluster") or "")
        assert cluster is not None  # _row_problems checked it
        _add_member(raw_clusters[cluster.cluster_id], reference, columns, row.cells)
        stats.rows_used += 1
    portal = raw.RawPortal(portal_url=sheet.name,
                           overview=listing_overview(clusters, sheet, as_of, figures),
                           clusters=list(raw_clusters.values()), retrieved_at=retrieved_at,
                           findings=findings)
    return LoadedListing(portal, sheet, clusters, stats)


def without_member_page_urls(tables: Any) -> Any:
    """The normalised tables with memberships.member_page_url emptied: from a listing it holds
    row references, which name no page (the findings keep them)."""
    memberships = tables.memberships.copy()
    memberships["member_page_url"] = pd.Series([None] * len(memberships), dtype=object,
                                               index=memberships.index)
    return replace(tables, memberships=memberships)
