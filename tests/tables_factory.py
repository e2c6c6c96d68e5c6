"""Tiny clean tables for validation and publication tests, built as normalise hands them over.

String columns: object dtype holding str or None; integer columns: Int64; numbers: float64;
dates: datetime.date objects in an object column. Columns come from schema.py.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from cluster_etl import raw
from cluster_etl.schema import TABLES, Check

AS_OF = dt.date(2008, 6, 30)


def frame(table_name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns and dtypes; columns a row lacks are None."""
    table = TABLES[table_name]
    data: dict[str, Any] = {}
    for column in table.columns:
        values = [row.get(column.name) for row in rows]
        if column.type == "integer":
            data[column.name] = pd.array(values, dtype="Int64")
        elif column.type == "number":
            data[column.name] = pd.Series([float("nan") if v is None else v for v in values],
                                          dtype="float64")
        else:
            data[column.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=table.column_names)


@dataclass
class FakeTables:
    clusters: pd.DataFrame
    members: pd.DataFrame
    memberships: pd.DataFrame
    member_types: pd.DataFrame
    member_sectors: pd.DataFrame
    member_activities: pd.DataFrame
    findings: list[Check] = field(default_factory=list)

    def with_frame(self, name: str, df: pd.DataFrame) -> FakeTables:
        return replace(self, **{name: df})

    def with_rows(self, name: str, rows: list[dict[str, Any]]) -> FakeTables:
        return self.with_frame(name, frame(name, rows))


CLUSTER_ROWS = [
    {"cluster_id": "aresa", "name": "ARESA", "domain": "Recherche clinique",
     "description": "Recherche clinique en Wallonie", "website": None,
     "portal_url": "https://clusters.wallonie.be/sites/aresa/home.html",
     "declared_member_count": 3, "listed_member_count": 3, "as_of": AS_OF},
    {"cluster_id": "tweed", "name": "TWEED", "domain": "Energie durable",
     "description": None, "website": "http://www.tweed.be",
     "portal_url": "https://clusters.wallonie.be/sites/tweed/home.html",
     "declared_member_count": 2, "listed_member_count": 2, "as_of": AS_OF},
]

MEMBER_ROWS = [
    {"member_id": "BE0123456749", "name": "Société Générale d'Électricité", "legal_form": "SA",
     "enterprise_number": "0123.456.749", "member_type": "company", "size_class": "sme",
     "street": "Rue de l'Église 1", "postal_code": "4000", "city": "Liège", "province": "Liège",
     "region": "Wallonie", "website": "http://www.sge.be", "email": "info@sge.be",
     "phone": "+32 4 123 45 67", "activities": "Électricité, éclairage"},
    {"member_id": "BE0200000195", "name": "Grande Usine", "legal_form": "NV",
     "enterprise_number": "0200.000.195", "member_type": "company", "size_class": "large",
     "postal_code": "9000", "city": "Gent", "region": "Flandre"},
    {"member_id": "centre-de-recherche-5000", "name": "Centre de recherche", "legal_form": "ASBL",
     "member_type": "research_centre", "postal_code": "5000", "city": "Namur", "province": "Namur",
     "region": "Wallonie"},
    {"member_id": "petite-pme-1300", "name": "Petite PME", "member_type": "company",
     "size_class": "sme", "postal_code": "1300", "city": "Wavre", "province": "Brabant wallon",
     "region": "Wallonie"},
]

MEMBERSHIP_PAIRS = [
    ("aresa", "BE0123456749"), ("aresa", "BE0200000195"), ("aresa", "centre-de-recherche-5000"),
    ("tweed", "BE0123456749"), ("tweed", "petite-pme-1300"),
]


def membership_rows(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"cluster_id": c, "member_id": m,
             "member_page_url": f"https://clusters.wallonie.be/sites/{c}/home/membres/memberList/{m}.html"}
            for c, m in pairs]


def member_type_rows(pairs: list[tuple[str, str]], member_rows: list[dict[str, Any]]) -> list[dict]:
    """Memberships counted by (member_type, size_class), per cluster and over all (cluster None)."""
    kinds = {m["member_id"]: (m.get("member_type"), m.get("size_class")) for m in member_rows}
    rows = []
    for scope in [None, *dict.fromkeys(c for c, _ in pairs)]:
        in_scope = [kinds.get(m, (None, None)) for c, m in pairs if scope is None or c == scope]
        for (member_type, size_class), n in sorted(Counter(in_scope).items(), key=str):
            rows.append({"cluster_id": scope, "member_type": member_type, "size_class": size_class,
                         "member_count": n, "share": n / len(in_scope)})
    return rows


def member_sector_rows(pairs: list[tuple[str, str]], member_rows: list[dict[str, Any]]) -> list[dict]:
    """Memberships counted by the NACE section of nace_main (all unknown without KBO columns)."""
    sections = {m["member_id"]: SECTIONS.get((m.get("nace_main") or "")[:2]) for m in member_rows}
    rows = []
    for scope in [None, *dict.fromkeys(c for c, _ in pairs)]:
        in_scope = [sections.get(m) for c, m in pairs if scope is None or c == scope]
        for section, n in sorted(Counter(in_scope).items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
            rows.append({"cluster_id": scope, "nace_section": section, "member_count": n,
                         "share": n / len(in_scope)})
    return rows


SECTIONS = {"62": "J", "72": "M", "20": "C", "25": "C"}  # the divisions the factory's rows use


def make_tables(pairs: list[tuple[str, str]] | None = None,
                member_rows: list[dict[str, Any]] | None = None,
                cluster_rows: list[dict[str, Any]] | None = None) -> FakeTables:
    """A valid set: 2 clusters, 4 members, 5 memberships (4 companies = 80%, 3 SMEs = 60%)."""
    pairs = MEMBERSHIP_PAIRS if pairs is None else pairs
    member_rows = MEMBER_ROWS if member_rows is None else member_rows
    cluster_rows = CLUSTER_ROWS if cluster_rows is None else cluster_rows
    return FakeTables(
        clusters=frame("clusters", cluster_rows),
        members=frame("members", member_rows),
        memberships=frame("memberships", membership_rows(pairs)),
        member_types=frame("member_types", member_type_rows(pairs, member_rows)),
        member_sectors=frame("member_sectors", member_sector_rows(pairs, member_rows)),
        member_activities=frame("member_activities", []),
        findings=[Check("member_page_missing:tweed", "warn", observed=404,
                        detail="https://clusters.wallonie.be/sites/tweed/home/membres/memberList/x.html")],
    )


def make_overview(tables: FakeTables | None = None, **overrides: Any) -> raw.Overview:
    """The overview the default tables agree with ("plus de 4 membres", 80% companies, 60% SMEs)."""
    clusters = (tables or make_tables()).clusters
    overview: raw.Overview = {
        "url": "https://clusters.wallonie.be/sites/federateur/home/les-clusters.html",
        "declared_cluster_count": len(clusters),
        "member_total": 4,
        "member_total_is_lower_bound": True,
        "company_share_pct": 80,
        "sme_share_pct": 60,
        "as_of": AS_OF,
        "source": "DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) du SPW",
        "clusters": [{"cluster_id": c, "name": n, "domain": d,
                      "url": f"https://clusters.wallonie.be/sites/{c}/home.html"}
                     for c, n, d in zip(clusters["cluster_id"], clusters["name"], clusters["domain"])],
    }
    overview.update(overrides)  # type: ignore[typeddict-item]
    return overview
