"""The cluster file: one row per cluster (name, optional identifier, domain, description,
website and declared member count), read like a listing.

Unlike a listing's member rows, a bad cluster row is an error, not a finding: every member row of
that cluster would otherwise be skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cluster_etl.listing.columns import (
    CLUSTER_FILE_COLUMNS, CLUSTER_FILE_REQUIRED, column_key, map_columns)
from cluster_etl.listing.read import ListingError, Sheet, read_sheet
from cluster_etl.schema import CLUSTERS, Check

_CLUSTER_ID = re.compile(CLUSTERS.column("cluster_id").pattern or ".*")
_NUMBER = re.compile(r"\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+")  # 87, 1.000, 1 000


@dataclass(frozen=True)
class ClusterRow:
    cluster_id: str
    name: str
    domain: str | None
    description: str | None
    website: str | None
    declared_member_count: int | None


@dataclass(frozen=True)
class ClusterFile:
    sheet: Sheet
    clusters: list[ClusterRow]
    findings: list[Check] = field(default_factory=list)

    def find(self, text: str) -> ClusterRow | None:
        """The cluster a listing's `Cluster` cell names, by its name or its identifier (folded)."""
        key = column_key(text)
        return next((c for c in self.clusters
                     if key in (column_key(c.name), column_key(c.cluster_id))), None)


def slugify(name: str) -> str:
    """A cluster identifier from its name: lowercase, no accents, other characters -> `-`."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.casefold()).strip("-")


def _count(text: str | None, where: str) -> int | None:
    if text is None:
        return None
    if not _NUMBER.fullmatch(text):
        raise ListingError(f"{where}: member count {text!r} is not a whole number")
    return int(re.sub(r"\D", "", text))


def read_cluster_file(path: Path) -> ClusterFile:
    """The clusters, in file order. Raises ListingError on a missing column, a row without a
    name, an identifier that is not a slug, or two rows naming the same cluster."""
    sheet = read_sheet(path)
    columns = map_columns(sheet, CLUSTER_FILE_COLUMNS, CLUSTER_FILE_REQUIRED)
    clusters: list[ClusterRow] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        where = f"{sheet.name} row {row.number}"
        name = columns.value(row.cells, "name")
        if name is None:
            raise ListingError(f"{where}: no cluster name (column {CLUSTER_FILE_COLUMNS['name'][0]})")
        cluster_id = columns.value(row.cells, "cluster_id") or slugify(name)
        if not _CLUSTER_ID.fullmatch(cluster_id):
            raise ListingError(f"{where}: identifier {cluster_id!r} is not lowercase letters, "
                               "digits and '-'")
        for key in {column_key(name), column_key(cluster_id)}:
            if key in seen:
                raise ListingError(f"{where}: {name!r} ({cluster_id}) is the same cluster as "
                                   f"row {seen[key]}")
            seen[key] = row.number
        clusters.append(ClusterRow(
            cluster_id=cluster_id, name=name, domain=columns.value(row.cells, "domain"),
            description=columns.value(row.cells, "description"),
            website=columns.value(row.cells, "website"),
            declared_member_count=_count(columns.value(row.cells, "declared_member_count"), where)))
    if not clusters:
        raise ListingError(f"{sheet.name}: no cluster rows below the header")
    return ClusterFile(sheet, clusters, columns.findings)
