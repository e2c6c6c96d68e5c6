"""Raw records: what the parse stage hands to normalisation, before any cleaning.

Values are the page's text as published (stripped of surrounding whitespace only), or None when
the page does not carry the field. Like schema.py, this module imports nothing from the project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from cluster_etl.schema import Check


class ClusterLink(TypedDict):
    cluster_id: str  # slug from /sites/<cluster_id>/
    name: str  # first cell of the overview table
    domain: str | None  # second cell (DOMAINE D'ACTIVITÉS)
    url: str  # absolute, canonical URL of the cluster home page


class Overview(TypedDict):
    url: str
    declared_cluster_count: int | None  # "14 clusters" in the prose
    member_total: int | None  # "plus de 1.000 membres" -> 1000
    member_total_is_lower_bound: bool  # True when written "plus de ..."
    company_share_pct: int | None  # "75% sont des entreprises" -> 75
    sme_share_pct: int | None  # "PME (64%)" -> 64
    as_of: dt.date | None  # "Ventilation par type de membre - 30 juin 2008"
    source: str | None  # the "Sources :" line, without the label
    clusters: list[ClusterLink]
    off_host_links: list[str]  # cluster-home links to another host: reported, not followed
    # True for an ingested listing: a figure left out was not declared (a warn), where one
    # missing from the overview page is a layout change (a fail)
    figures_optional: NotRequired[bool]


class ClusterHome(TypedDict):
    url: str
    cluster_id: str
    name: str
    domain: str | None
    description: str | None
    website: str | None  # as published (may lack a scheme)
    declared_member_count: int | None  # "Nombre de membres : 87"
    directory_url: str  # absolute, canonical


class DirectoryEntry(TypedDict):
    name: str
    city: str | None
    member_type_label: str | None
    detail_url: str  # absolute, canonical


class DirectoryPage(TypedDict):
    url: str
    entries: list[DirectoryEntry]
    next_url: str | None  # the "Suivant" link, absolute, canonical
    off_host_links: list[str]  # member-page links to another host: reported, not followed


# Keys of MemberPage.fields; one per SPEC.md detail label.
MEMBER_FIELDS = (
    "name", "member_type_label", "street", "postal_code", "city", "phone", "email", "website",
    "enterprise_number", "activities",
)


class MemberPage(TypedDict):
    url: str
    fields: dict[str, str | None]  # every key of MEMBER_FIELDS, None when the label is absent
    unknown_labels: list[str]  # <dt> labels the layout module does not know


@dataclass
class RawCluster:
    link: ClusterLink
    home: ClusterHome
    directory: list[DirectoryEntry]  # every entry over all directory pages, in page order
    directory_pages: int
    members: dict[str, MemberPage | None]  # detail_url -> parsed page, None when it failed (404)
    member_status: dict[str, int] = field(default_factory=dict)  # detail_url -> HTTP status
    findings: list[Check] = field(default_factory=list)


@dataclass
class RawPortal:
    portal_url: str
    overview: Overview
    clusters: list[RawCluster]
    retrieved_at: dt.datetime | None = None
    findings: list[Check] = field(default_factory=list)
