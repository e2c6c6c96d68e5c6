"""RawPortal -> tables: the raw frame, clusters, member_types, normalise() and conform()."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cluster_etl.normalise import (
    FRAME_COLUMNS, NormalisedTables, build_member_types, conform, normalise, normalise_clusters,
    raw_members_frame)
from cluster_etl.raw import MEMBER_FIELDS, RawCluster, RawPortal
from cluster_etl.schema import TABLES, Check

PORTAL = "https://clusters.wallonie.be"
AS_OF = dt.date(2008, 6, 30)


def _page(url: str, **fields) -> dict:
    return {"url": url, "fields": {f: fields.get(f) for f in MEMBER_FIELDS}, "unknown_labels": []}


def _cluster(cluster_id: str, members: list[tuple[str, dict | None, int]], **home) -> RawCluster:
    """members: (slug, detail fields or None for a failed page, HTTP status)."""
    site = f"{PORTAL}/sites/{cluster_id}"
    directory, pages, status = [], {}, {}
    for slug, fields, code in members:
        url = f"{site}/home/membres/memberList/{slug}.html"
        fields = fields if fields is None else dict(fields)
        directory.append({"name": (fields or {}).get("name") or slug.title(), "city": "LIÈGE",
                          "member_type_label": "PME", "detail_url": url})
        pages[url] = None if fields is None else _page(url, **fields)
        status[url] = code
    home_page = {"url": f"{site}/home.html", "cluster_id": cluster_id, "name": cluster_id.title(),
                 "domain": None, "description": None, "website": None,
                 "declared_member_count": len(members), "directory_url": f"{site}/home/membres.html"}
    home_page.update(home)
    link = {"cluster_id": cluster_id, "name": f"Cluster {cluster_id}", "domain": "TIC",
            "url": f"{site}/home.html"}
    return RawCluster(link=link, home=home_page, directory=directory, directory_pages=1,
                      members=pages, member_status=status)


def _portal() -> RawPortal:
    overview = {"url": f"{PORTAL}/sites/federateur/home/les-clusters.html",
                "declared_cluster_count": 2, "member_total": 3, "member_total_is_lower_bound": True,
                "company_share_pct": 67, "sme_share_pct": 33, "as_of": AS_OF, "source": "SPW",
                "clusters": []}
    infopole = _cluster("infopole", [
        ("thales", {"name": "Thales Belgium SA", "member_type_label": "Grande entreprise",
                    "postal_code": "B-1300", "enterprise_number": "BE 0123 456 749"}, 200),
        ("ghost", None, 404),
    ], name="  Infopole\u00a0Cluster TIC ", website="www.infopole.be", description="TIC\n en Wallonie",
        declared_member_count=3)
    skywin = _cluster("skywin", [
        ("thales-belgium", {"name": "THALES BELGIUM", "member_type_label": "GE",
                            "enterprise_number": "0123456749"}, 200),
        ("ulg", {"name": "Université de Liège", "member_type_label": "Université",
                 "postal_code": "4000"}, 200),
    ], name="", domain="Aéronautique")
    return RawPortal(portal_url=PORTAL, overview=overview, clusters=[infopole, skywin],
                     findings=[Check("crawl_note", "warn")])


# --- raw frame ------------------------------------------------------------------------------------

def test_raw_members_frame_has_one_row_per_directory_entry():
    frame = raw_members_frame(_portal())
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert frame["cluster_id"].tolist() == ["infopole", "infopole", "skywin", "skywin"]
    assert frame["page_status"].dtype == "Int64"
    assert frame["page_status"].tolist() == [200, 404, 200, 200]
    ghost = frame.iloc[1].to_dict()
    assert ghost["directory_name"] == "Ghost" and ghost["directory_type_label"] == "PME"
    assert all(ghost[f] is None for f in MEMBER_FIELDS)
    assert frame.iloc[0]["enterprise_number"] == "BE 0123 456 749"


def test_raw_members_frame_status_unknown_when_not_recorded():
    portal = _portal()
    cluster = portal.clusters[0]
    cluster.member_status.clear()
    frame = raw_members_frame(portal)
    assert frame["page_status"].tolist()[:2] == [200, pd.NA]


# --- clusters -------------------------------------------------------------------------------------

def test_normalise_clusters():
    clusters = normalise_clusters(_portal())
    assert list(clusters.columns) == TABLES["clusters"].column_names
    infopole, skywin = clusters.to_dict("records")
    assert infopole == {
        "cluster_id": "infopole", "name": "Infopole Cluster TIC", "domain": "TIC",
        "description": "TIC en Wallonie", "website": "http://www.infopole.be",
        "portal_url": f"{PORTAL}/sites/infopole/home.html", "declared_member_count": 3,
        "listed_member_count": 2, "as_of": AS_OF}
    # no h1: the overview's name; the overview's domain wins over the home page's
    assert (skywin["name"], skywin["domain"], skywin["website"]) == ("Cluster skywin", "TIC", None)
    assert clusters["declared_member_count"].dtype == "Int64"
    assert clusters["as_of"].dtype == object and isinstance(skywin["as_of"], dt.date)


# --- member_types ---------------------------------------------------------------------------------

def test_build_member_types_counts_and_shares():
    members = pd.DataFrame({
        "member_id": ["m1", "m2", "m3", "m4"],
        "member_type": ["company", "company", "research_centre", None],
        "size_class": ["sme", "large", None, None]})
    memberships = pd.DataFrame({
        "cluster_id": ["a", "a", "a", "b", "b"],
        "member_id": ["m1", "m2", "m3", "m1", "m4"],
        "member_page_url": ["u1", "u2", "u3", "u4", "u5"]})
    clusters = pd.DataFrame({"cluster_id": ["a", "b"]})
    table = build_member_types(memberships, members, clusters)
    assert list(table.columns) == TABLES["member_types"].column_names
    assert table["member_count"].dtype == "Int64" and table["share"].dtype == "float64"
    rows = [tuple(r.values()) for r in table.to_dict("records")]
    assert rows == [
        (None, "company", "large", 1, 1 / 5),
        (None, "company", "sme", 2, 2 / 5),
        (None, "research_centre", None, 1, 1 / 5),
        (None, None, None, 1, 1 / 5),  # unknown type
        ("a", "company", "large", 1, 1 / 3),
        ("a", "company", "sme", 1, 1 / 3),
        ("a", "research_centre", None, 1, 1 / 3),
        ("b", "company", "sme", 1, 1 / 2),
        ("b", None, None, 1, 1 / 2),
    ]
    for scope, group in table.groupby(table["cluster_id"].fillna("*")):
        assert group["share"].sum() == pytest.approx(1.0)


def test_build_member_types_rejects_memberships_of_unknown_clusters():
    members = pd.DataFrame({"member_id": ["m1"], "member_type": ["other"], "size_class": [None]})
    memberships = pd.DataFrame({"cluster_id": ["zz"], "member_id": ["m1"], "member_page_url": ["u"]})
    with pytest.raises(ValueError, match="zz"):
        build_member_types(memberships, members, pd.DataFrame({"cluster_id": ["a"]}))


def test_build_member_types_empty():
    members = pd.DataFrame(columns=["member_id", "member_type", "size_class"])
    memberships = pd.DataFrame(columns=["cluster_id", "member_id", "member_page_url"])
    table = build_member_types(memberships, members)
    assert table.empty and list(table.columns) == TABLES["member_types"].column_names


# --- normalise ------------------------------------------------------------------------------------

def test_normalise_builds_every_table_to_the_schema():
    tables = normalise(_portal())
    assert isinstance(tables, NormalisedTables)
    for name, frame in tables.frames().items():
        spec = TABLES[name]
        assert list(frame.columns) == spec.column_names, name
        for column in spec.columns:
            values = [v for v in frame[column.name].tolist() if v is not None and not pd.isna(v)]
            if column.type == "string":
                assert frame[column.name].dtype == object
                assert all(isinstance(v, str) and v for v in values), (name, column.name)
            elif column.type == "integer":
                assert frame[column.name].dtype == "Int64"
            elif column.type == "number":
                assert frame[column.name].dtype == "float64"
            else:
                assert all(type(v) is dt.date for v in values)

    assert sorted(tables.members["member_id"]) == [
        "BE0123456749", "ghost-0000", "universite-de-liege-4000"]
    thales = tables.members.set_index("member_id").loc["BE0123456749"]
    assert (thales["name"], thales["legal_form"], thales["province"], thales["city"]) == (
        "Thales Belgium", "SA", "Brabant wallon", "Liège")  # city from the directory
    assert len(tables.memberships) == 4
    all_clusters = tables.member_types[tables.member_types["cluster_id"].isna()]
    assert all_clusters["member_count"].sum() == 4
    assert [(f.name, f.status) for f in tables.findings] == [("member_page_missing", "warn")]


def test_normalise_leaves_crawl_findings_on_the_raw_portal():
    portal = _portal()
    assert "crawl_note" not in [f.name for f in normalise(portal).findings]


# --- conform --------------------------------------------------------------------------------------

def test_conform_orders_columns_and_sets_dtypes():
    frame = pd.DataFrame({  # default pandas 3 dtypes: str with NaN, int64, datetime64
        "share": [0.5, 0.5], "member_count": [1, 1], "size_class": ["sme", None],
        "member_type": ["company", ""], "cluster_id": [None, "a"]})
    table = conform(frame, "member_types")
    assert list(table.columns) == TABLES["member_types"].column_names
    assert table["cluster_id"].tolist() == [None, "a"]
    assert table["member_type"].tolist() == ["company", None]
    assert table["size_class"].tolist() == ["sme", None]
    assert str(table["member_count"].dtype) == "Int64"

    dates = conform(pd.DataFrame({c: [None] for c in TABLES["clusters"].column_names})
                    .assign(as_of=[pd.Timestamp("2008-06-30")]), "clusters")
    assert dates["as_of"].tolist() == [AS_OF]


def test_conform_rejects_missing_or_extra_columns():
    with pytest.raises(ValueError, match="member_page_url"):
        conform(pd.DataFrame({"cluster_id": ["a"], "member_id": ["m"]}), "memberships")
    with pytest.raises(ValueError, match="extra"):
        conform(pd.DataFrame({"cluster_id": ["a"], "member_id": ["m"], "member_page_url": ["u"],
                              "extra": [1]}), "memberships")
