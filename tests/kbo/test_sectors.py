"""member_sectors: NACE sections of the main activity, counted over memberships."""

from __future__ import annotations

import pandas as pd
import pytest

from cluster_etl.kbo import MEMBER_SECTOR_COLUMNS, build_member_sectors, nace_section
from cluster_etl.normalise.tables import build_member_types
from tests.tables_factory import frame


@pytest.mark.parametrize("code, version, section", [
    ("01110", "2008", "A"), ("03220", "2008", "A"), ("05100", "2008", "B"), ("09900", "2008", "B"),
    ("10710", "2008", "C"), ("33200", "2008", "C"), ("35110", "2008", "D"), ("38320", "2008", "E"),
    ("41201", "2008", "F"), ("43320", "2008", "F"), ("45201", "2008", "G"), ("47110", "2008", "G"),
    ("49410", "2008", "H"), ("53100", "2008", "H"), ("55100", "2008", "I"), ("56101", "2008", "I"),
    ("58110", "2008", "J"), ("62010", "2008", "J"), ("63110", "2008", "J"), ("64190", "2008", "K"),
    ("66220", "2008", "K"), ("68201", "2008", "L"), ("69101", "2008", "M"), ("75000", "2008", "M"),
    ("77110", "2008", "N"), ("82990", "2008", "N"), ("84130", "2008", "O"), ("85421", "2008", "P"),
    ("86101", "2008", "Q"), ("88991", "2008", "Q"), ("90011", "2008", "R"), ("93110", "2008", "R"),
    ("94110", "2008", "S"), ("96021", "2008", "S"), ("97000", "2008", "T"), ("98200", "2008", "T"),
    ("99000", "2008", "U"),
    # 2025 codes: the division's 2008 letter (Rev. 2.1 letters K for 61-63, V for 99)
    ("62100", "2025", "J"), ("68121", "2025", "L"), ("95310", "2025", "S"), ("99000", "2025", "U"),
    ("62.010", "2008", "J"),
    # no section: NACE-BEL 2003, divisions that do not exist, no code
    ("72220", "2003", None), ("04000", "2008", None), ("00000", "2008", None), (None, "2008", None),
    ("", "2008", None), ("6", "2008", None),
])
def test_nace_sections(code, version, section):
    assert nace_section(code, version) == section


def tables():
    members = frame("members", [
        {"member_id": "m1", "name": "Un"}, {"member_id": "m2", "name": "Deux"},
        {"member_id": "m3", "name": "Trois"}, {"member_id": "m4", "name": "Quatre"}])
    members["nace_main"] = pd.Series(["62010", "62100", None, "72220"], dtype=object)
    memberships = frame("memberships", [
        {"cluster_id": "tweed", "member_id": "m1"}, {"cluster_id": "infopole", "member_id": "m1"},
        {"cluster_id": "infopole", "member_id": "m2"}, {"cluster_id": "infopole", "member_id": "m3"},
        {"cluster_id": "tweed", "member_id": "m4"}])
    activities = pd.DataFrame(
        [("m1", "2008", "62010", "MAIN"), ("m2", "2025", "62100", "MAIN"), ("m2", "2008", "62010", "MAIN"),
         ("m4", "2003", "72220", "MAIN"), ("m4", "2008", "72190", "SECO")],
        columns=["member_id", "nace_version", "nace_code", "classification"], dtype=object)
    return memberships, members, activities


def test_memberships_are_counted_by_section_all_clusters_first():
    memberships, members, activities = tables()
    sectors = build_member_sectors(memberships, members, activities)
    assert list(sectors.columns) == list(MEMBER_SECTOR_COLUMNS)
    assert [tuple(r) for r in sectors[["cluster_id", "nace_section", "member_count"]].itertuples(index=False)] == [
        (None, "J", 3), (None, None, 2),
        ("infopole", "J", 2), ("infopole", None, 1),
        ("tweed", "J", 1), ("tweed", None, 1),  # m4's main code is a 2003 code: no section
    ]
    assert sectors["share"].tolist() == pytest.approx([3 / 5, 2 / 5, 2 / 3, 1 / 3, 1 / 2, 1 / 2])
    assert str(sectors["member_count"].dtype) == "Int64" and str(sectors["share"].dtype) == "float64"
    for scope, group in sectors.groupby(sectors["cluster_id"].fillna("")):
        assert group["share"].sum() == pytest.approx(1.0), scope


def test_without_activities_every_code_is_read_as_2008_or_2025():
    memberships, members, _ = tables()
    sectors = build_member_sectors(memberships, members)
    tweed = sectors[sectors["cluster_id"] == "tweed"]
    assert tweed["nace_section"].tolist() == ["J", "M"]  # 72220 read as division 72


def test_scopes_and_totals_match_member_types():
    memberships, members, activities = tables()
    members["member_type"] = "company"
    sectors = build_member_sectors(memberships, members, activities)
    types = build_member_types(memberships, members)
    totals = lambda t: t.groupby(t["cluster_id"].fillna(""))["member_count"].sum().to_dict()  # noqa: E731
    assert totals(sectors) == totals(types)
    assert sectors["cluster_id"].tolist()[:2] == [None, None]
