"""RawPortal -> the four clean tables: clusters, members, memberships, member_types."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from cluster_etl.bulk import without_cyclic_gc
from cluster_etl.normalise.contacts import normalise_website
from cluster_etl.normalise.frames import empty_table, frame_from_records
from cluster_etl.normalise.members import normalise_members, raw_members_frame
from cluster_etl.normalise.text import collapse_whitespace, is_missing
from cluster_etl.raw import RawPortal
from cluster_etl.schema import SNAPSHOT_TABLES, Check


@dataclass
class NormalisedTables:
    """The clean tables (columns, order and dtypes exactly as schema.TABLES) and the findings."""

    clusters: pd.DataFrame
    members: pd.DataFrame
    memberships: pd.DataFrame
    member_types: pd.DataFrame
    member_sectors: pd.DataFrame
    member_activities: pd.DataFrame
    findings: list[Check] = field(default_factory=list)  # status "warn"

    def frames(self) -> dict[str, pd.DataFrame]:
        """Table name -> DataFrame, in schema.SNAPSHOT_TABLES order."""
        return {name: getattr(self, name) for name in SNAPSHOT_TABLES}


def normalise_clusters(raw: RawPortal) -> pd.DataFrame:
    """One row per crawled cluster, in the overview's order."""
    records = []
    for cluster in raw.clusters:
        link, home = cluster.link, cluster.home
        records.append({
            "cluster_id": link["cluster_id"],
            "name": collapse_whitespace(home.get("name")) or collapse_whitespace(link["name"]),
            "domain": collapse_whitespace(link.get("domain")) or collapse_whitespace(home.get("domain")),
            "description": collapse_whitespace(home.get("description")),
            "website": normalise_website(home.get("website")),
            "portal_url": home.get("url") or link["url"],
            "declared_member_count": home.get("declared_member_count"),
            "listed_member_count": len(cluster.directory),
            "as_of": raw.overview.get("as_of"),
        })
    return frame_from_records(records, "clusters")


def _none_last(value: str | None) -> tuple[bool, str]:
    return value is None, value or ""


def build_member_types(memberships: pd.DataFrame, members: pd.DataFrame,
                       clusters: pd.DataFrame | None = None) -> pd.DataFrame:
    """Memberships counted by (member_type, size_class): all clusters (cluster_id None), then each.

    share = count / the scope's memberships. Only combinations that occur get a row; an unknown
    type is member_type None, a non-company size_class None. Rows: all-clusters first, then by
    cluster_id, member_type, size_class (None last). Raises ValueError when a membership names a
    cluster missing from `clusters` (a bug upstream, not data).
    """
    if clusters is not None:
        unknown = set(memberships["cluster_id"]) - set(clusters["cluster_id"])
        if unknown:
            raise ValueError(f"memberships of clusters not in the clusters table: {sorted(unknown)}")
    def value(v: object) -> object:
        return None if is_missing(v) or v == "" else v

    type_of = {member_id: (value(member_type), value(size_class)) for member_id, member_type, size_class
               in zip(*(members[c].tolist() for c in ("member_id", "member_type", "size_class")))}
    # Counted per (cluster, type) in C by Counter, then summed into both scopes.
    per_cluster = Counter(zip(memberships["cluster_id"].tolist(),
                              [type_of.get(m, (None, None)) for m in memberships["member_id"].tolist()]))
    counts: Counter[tuple[str | None, str | None, str | None]] = Counter()
    totals: Counter[str | None] = Counter()
    for (cluster_id, (member_type, size_class)), n in per_cluster.items():
        for scope in (None, cluster_id):
            counts[scope, member_type, size_class] += n
            totals[scope] += n
    order = sorted(counts, key=lambda k: (k[0] is not None, k[0] or "", _none_last(k[1]),
                                          _none_last(k[2])))
    records = [{"cluster_id": scope, "member_type": mt, "size_class": sc,
                "member_count": counts[scope, mt, sc], "share": counts[scope, mt, sc] / totals[scope]}
               for scope, mt, sc in order]
    return frame_from_records(records, "member_types")


@without_cyclic_gc
def normalise(raw: RawPortal) -> NormalisedTables:
    """The clean tables and the normalisation findings (crawl findings stay on `raw`). The KBO
    columns are empty and member_activities has no rows until `kbo.enrich_tables` fills them."""
    from cluster_etl.kbo.sectors import build_member_sectors  # kbo imports normalise's cleaners

    clusters = normalise_clusters(raw)
    members, memberships, findings = normalise_members(raw_members_frame(raw))
    member_types = build_member_types(memberships, members, clusters)
    sectors = frame_from_records(build_member_sectors(memberships, members).to_dict("records"),
                                 "member_sectors")
    return NormalisedTables(clusters, members, memberships, member_types, sectors,
                            empty_table("member_activities"), findings)
