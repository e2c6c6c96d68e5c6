"""The clean schema: ONE source of truth for tables, columns, types, keys and their documentation.

Every other module imports from here; this module imports none of them. Writers (CSV, JSON,
Parquet, datapackage.json), validation and the README's column tables all read these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

MEMBER_TYPES = ("company", "research_centre", "higher_education", "training_centre", "other")
SIZE_CLASSES = ("sme", "large")
LEGAL_FORMS = ("SA", "SRL", "SPRL", "SC", "SCRL", "ASBL", "NV", "BV", "SE")
PROVINCES = ("Brabant wallon", "Hainaut", "Liège", "Luxembourg", "Namur")
REGIONS = ("Wallonie", "Bruxelles-Capitale", "Flandre")
KBO_STATUSES = ("active", "not_found")
NACE_VERSIONS = ("2003", "2008", "2025")
NACE_CLASSIFICATIONS = ("MAIN", "SECO", "ANCI")
NACE_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")

# Logical types, mapped to pyarrow types for Parquet and to Frictionless types for metadata.
FieldType = Literal["string", "integer", "number", "date"]
_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: FieldType
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None  # regular expression the whole value must match
    # A link to a page of the portal: changes between releases compare its path and query only,
    # so serving the same portal under another host or port changes nothing.
    portal_link: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    table_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # Primary-key columns allowed to be null (member_types: empty cluster_id = all clusters).
    nullable_key_columns: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=not c.required) for c in self.columns]
        )


CLUSTERS = Table(
    name="clusters",
    title="Clusters",
    description="One row per recognised cluster listed on the portal's overview page.",
    primary_key=("cluster_id",),
    columns=(
        Column("cluster_id", "string", "Slug of the cluster in the portal URL (/sites/<cluster_id>/).",
               required=True, pattern=r"[a-z0-9][a-z0-9_-]*"),
        Column("name", "string", "Name of the cluster as published.", required=True),
        Column("domain", "string", "Field of activity (DOMAINE D'ACTIVITÉS) from the overview table."),
        Column("description", "string", "Short description from the cluster's home page."),
        Column("website", "string", "The cluster's own website, absolute URL."),
        Column("portal_url", "string", "The cluster's home page on the portal.", required=True,
               portal_link=True),
        Column("declared_member_count", "integer",
               "Member count the cluster's home page declares (Nombre de membres)."),
        Column("listed_member_count", "integer",
               "Entries found in the cluster's member directory.", required=True),
        Column("as_of", "date", "Reference date of the overview's figures.", required=True),
    ),
)

MEMBERS = Table(
    name="members",
    title="Members",
    description="One row per organisation, deduplicated across clusters.",
    primary_key=("member_id",),
    columns=(
        Column("member_id", "string",
               "Stable identifier: BE + the 10 digits of the enterprise number when it is valid, "
               "otherwise a slug of the normalised name and postal code.", required=True),
        Column("name", "string", "Name without the legal form, whitespace collapsed, case as published.",
               required=True),
        Column("legal_form", "string", "Canonical legal form.", enum=LEGAL_FORMS),
        Column("enterprise_number", "string",
               "Belgian enterprise number (BCE/KBO), canonical form; empty when missing or invalid.",
               pattern=r"[01]\d{3}\.\d{3}\.\d{3}"),
        Column("member_type", "string", "Kind of organisation; empty when the published label is unknown.",
               enum=MEMBER_TYPES),
        Column("size_class", "string", "Company size; empty for non-companies.", enum=SIZE_CLASSES),
        Column("street", "string", "Street and number."),
        Column("postal_code", "string", "Belgian postal code, 4 digits.", pattern=r"\d{4}"),
        Column("city", "string", "City (localité)."),
        Column("province", "string", "Walloon province from the postal code; empty outside Wallonia.",
               enum=PROVINCES),
        Column("region", "string", "Belgian region from the postal code.", enum=REGIONS),
        Column("website", "string", "Website, absolute URL (http:// assumed when no scheme was given)."),
        Column("email", "string", "E-mail address, de-obfuscated."),
        Column("phone", "string", "Phone number in E.164 form (+3281234567); as published, whitespace "
               "collapsed, when it is not one valid number (a phone_unparsed finding)."),
        Column("activities", "string", "Activities as published, whitespace collapsed."),
        Column("kbo_status", "string",
               "In the KBO/BCE Open Data extract: active when the valid enterprise number is in it "
               "(the open extract lists active entities only), not_found when it is not; empty "
               "without a valid number or without an extract (--kbo).", enum=KBO_STATUSES),
        Column("kbo_name", "string",
               "Legal name registered in the KBO/BCE: French, else the entity's other languages."),
        Column("kbo_legal_form", "string", "Legal form registered in the KBO/BCE, French label."),
        Column("kbo_start_date", "date", "Start date of the enterprise in the KBO/BCE."),
        Column("nace_main", "string",
               "Main NACE-BEL activity code in the KBO/BCE, of the newest NACE version present "
               "(an establishment's activities count as its enterprise's).", pattern=r"\d[\d.]*"),
    ),
)

MEMBERSHIPS = Table(
    name="memberships",
    title="Memberships",
    description="One row per (cluster, member): which organisation belongs to which cluster.",
    primary_key=("cluster_id", "member_id"),
    foreign_keys=(
        ForeignKey(("cluster_id",), "clusters", ("cluster_id",)),
        ForeignKey(("member_id",), "members", ("member_id",)),
    ),
    columns=(
        Column("cluster_id", "string", "The cluster.", required=True),
        Column("member_id", "string", "The member organisation.", required=True),
        Column("member_page_url", "string", "The member's detail page in that cluster's directory; "
               "empty for memberships from an ingested listing.", portal_link=True),
    ),
)

# Breakdowns of memberships (member_types, member_sectors): per cluster and over all of them.
BREAKDOWN_SCOPE = Column("cluster_id", "string", "The cluster; empty for the total over all clusters.")
BREAKDOWN_COUNTS = (
    Column("member_count", "integer", "Number of memberships.", required=True),
    Column("share", "number", "Share of the scope's memberships, 0 to 1.", required=True),
)

MEMBER_TYPES_TABLE = Table(
    name="member_types",
    title="Breakdown by member type",
    description="Memberships counted by member type and size class, per cluster and for all clusters "
                "(empty cluster_id). Counts are of memberships, as the portal's headline figures are.",
    primary_key=("cluster_id", "member_type", "size_class"),
    nullable_key_columns=("cluster_id", "member_type", "size_class"),
    foreign_keys=(ForeignKey(("cluster_id",), "clusters", ("cluster_id",)),),
    columns=(
        BREAKDOWN_SCOPE,
        Column("member_type", "string", "Kind of organisation; empty for unknown labels.", enum=MEMBER_TYPES),
        Column("size_class", "string", "Company size; empty for non-companies.", enum=SIZE_CLASSES),
        *BREAKDOWN_COUNTS,
    ),
)

MEMBERSHIP_HISTORY = Table(
    name="membership_history",
    title="Membership history",
    description="Every membership published in this output folder up to this release, with the first "
                "and last release dates it appeared in. A membership still present has last_seen = "
                "this release's date; one that ended keeps the date of the last release that had it.",
    primary_key=("cluster_id", "member_id"),
    columns=(
        Column("cluster_id", "string", "The cluster (it may have left the clusters table since).",
               required=True),
        Column("member_id", "string", "The member organisation (it may have left the members table since).",
               required=True),
        Column("first_seen", "date", "Date of the first release that listed this membership.",
               required=True),
        Column("last_seen", "date", "Date of the last release, up to this one, that listed this membership.",
               required=True),
    ),
)

MEMBER_SECTORS = Table(
    name="member_sectors",
    title="Breakdown by sector (NACE section)",
    description="Memberships counted by the NACE section (A to U) of the member's main activity in the "
                "KBO/BCE register, per cluster and for all clusters (empty cluster_id): what sectors each "
                "cluster covers. An empty section is a member without a known main activity (no valid "
                "enterprise number, not in the extract, or no extract given).",
    primary_key=("cluster_id", "nace_section"),
    nullable_key_columns=("cluster_id", "nace_section"),
    foreign_keys=(ForeignKey(("cluster_id",), "clusters", ("cluster_id",)),),
    columns=(
        BREAKDOWN_SCOPE,
        Column("nace_section", "string", "NACE section letter of the main activity (NACE Rev. 2 "
               "sections; a NACE-BEL 2025 code takes its division's 2008 section); empty when unknown.",
               enum=NACE_SECTIONS),
        *BREAKDOWN_COUNTS,
    ),
)

MEMBER_ACTIVITIES = Table(
    name="member_activities",
    title="Member activities (NACE-BEL)",
    description="The activities the KBO/BCE register holds for each member with a valid enterprise "
                "number in the extract, its establishments' included; no rows without an extract.",
    primary_key=("member_id", "nace_version", "nace_code", "classification"),
    foreign_keys=(ForeignKey(("member_id",), "members", ("member_id",)),),
    columns=(
        Column("member_id", "string", "The member organisation.", required=True),
        Column("nace_version", "string", "NACE-BEL version of the code.", required=True,
               enum=NACE_VERSIONS),
        Column("nace_code", "string", "NACE-BEL activity code as the register writes it.",
               required=True),
        Column("classification", "string", "MAIN, SECO (secondary) or ANCI (auxiliary) activity.",
               required=True, enum=NACE_CLASSIFICATIONS),
        Column("description_fr", "string", "French label of the code."),
    ),
)

# What normalise produces from one crawl, and what validation checks.
SNAPSHOT_TABLES: dict[str, Table] = {
    t.name: t for t in (CLUSTERS, MEMBERS, MEMBERSHIPS, MEMBER_TYPES_TABLE, MEMBER_SECTORS,
                        MEMBER_ACTIVITIES)}
# Every table of a release: the snapshot plus what publication derives from earlier releases.
TABLES: dict[str, Table] = {**SNAPSHOT_TABLES, MEMBERSHIP_HISTORY.name: MEMBERSHIP_HISTORY}


# --- validation report -------------------------------------------------------------------------

CheckStatus = Literal["pass", "warn", "fail"]


@dataclass
class Check:
    """One line of validation.json: a check or a finding, with what was expected and observed."""

    name: str
    status: CheckStatus
    expected: Any = None
    observed: Any = None
    detail: str = ""
    # A failure that means the portal's markup no longer matches portal/layout.py (the command
    # line exits 3 for it); not part of validation.json, whose detail says so in words.
    layout_change: bool = field(default=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "expected": self.expected,
                "observed": self.observed, "detail": self.detail}


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> Literal["pass", "fail"]:
        return "fail" if any(c.status == "fail" for c in self.checks) else "pass"

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "checks": [c.to_dict() for c in self.checks]}
