"""normalise_members on tiny frames: cleaning, dedup, member ids, memberships, findings."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from cluster_etl.normalise import FRAME_COLUMNS, normalise_members
from cluster_etl.schema import MEMBERS, MEMBERSHIPS

BASE = "https://clusters.wallonie.be/sites"


def row(cluster_id: str, slug: str, **values) -> dict:
    """One directory entry with its detail page; unspecified fields are absent (None)."""
    record = {c: None for c in FRAME_COLUMNS}
    record.update(cluster_id=cluster_id, page_status=200,
                  member_page_url=f"{BASE}/{cluster_id}/home/membres/memberList/{slug}.html",
                  directory_name=values.get("name", slug), directory_type_label="PME")
    record.update(values)
    return record


def frame(*rows: dict) -> pd.DataFrame:
    # Default dtypes on purpose: pandas 3 turns None into NaN in str columns, as real frames may.
    return pd.DataFrame(list(rows), columns=list(FRAME_COLUMNS))


def url(cluster_id: str, slug: str) -> str:
    return f"{BASE}/{cluster_id}/home/membres/memberList/{slug}.html"


def members_by_id(members: pd.DataFrame) -> dict[str, dict]:
    return {r["member_id"]: r for r in members.to_dict("records")}


def names(findings) -> list[str]:
    return [f.name for f in findings]


# --- one row ------------------------------------------------------------------------------------

def test_row_values_are_cleaned():
    members, memberships, findings = normalise_members(frame(row(
        "infopole", "thales", name="  Thales\u00a0Belgium  S.A. ", member_type_label="Grande entreprise",
        street="Rue des Frères\tWright  29", postal_code="B-6041", city="GOSSELIES",
        phone="+32 71\u00a025 00 00", email="info [at] Thales.BE", website="www.Thales.be",
        enterprise_number="BE 0123 456 749", activities="Avionique,\n défense")))
    assert findings == []
    assert members.to_dict("records") == [{
        "member_id": "BE0123456749", "name": "Thales Belgium", "legal_form": "SA",
        "enterprise_number": "0123.456.749", "member_type": "company", "size_class": "large",
        "street": "Rue des Frères Wright 29", "postal_code": "6041", "city": "Gosselies",
        "province": "Hainaut", "region": "Wallonie", "website": "http://www.thales.be",
        "email": "info@thales.be", "phone": "+3271250000", "activities": "Avionique, défense",
        # filled by the KBO enrichment only
        "kbo_status": None, "kbo_name": None, "kbo_legal_form": None, "kbo_start_date": None,
        "nace_main": None}]
    assert memberships.to_dict("records") == [
        {"cluster_id": "infopole", "member_id": "BE0123456749",
         "member_page_url": url("infopole", "thales")}]


def test_tables_follow_the_schema_with_none_for_no_value():
    members, memberships, _ = normalise_members(frame(
        row("a", "x", name="X", postal_code="4000", directory_type_label=None)))
    assert list(members.columns) == MEMBERS.column_names
    assert list(memberships.columns) == MEMBERSHIPS.column_names
    assert all(members[c].dtype == object for c in members.columns)
    record = members.iloc[0].to_dict()
    assert record["email"] is None and record["legal_form"] is None and record["member_type"] is None
    assert "" not in members.to_numpy().tolist()[0]


# --- dedup ----------------------------------------------------------------------------------------

def test_same_enterprise_number_in_different_spellings_is_one_member():
    members, memberships, findings = normalise_members(frame(
        row("infopole", "thales", name="Thales Belgium SA", enterprise_number="0123.456.749",
            postal_code="1300", member_type_label="GE"),
        row("skywin", "thales-belgium", name="THALES BELGIUM s.a.",
            enterprise_number="BE 0123 456 749", postal_code="6041", member_type_label="Grande entreprise"),
        row("logistics", "thales-be", name="Thales", enterprise_number="123456749",
            member_type_label="Entreprise (grande)"),
    ))
    assert findings == []
    assert members["member_id"].tolist() == ["BE0123456749"]
    # first non-empty value, rows in (cluster_id, url) order: infopole < logistics < skywin
    assert members.iloc[0]["name"] == "Thales Belgium"
    assert members.iloc[0]["postal_code"] == "1300"
    assert sorted(memberships["cluster_id"]) == ["infopole", "logistics", "skywin"]
    assert set(memberships["member_id"]) == {"BE0123456749"}


def test_same_name_and_postal_code_without_number_is_one_member():
    members, memberships, findings = normalise_members(frame(
        row("a", "dupont", name="Dupont SPRL", postal_code="4000", email="info@dupont.be"),
        row("b", "dupont-sprl", name="DUPONT s.p.r.l.", postal_code="B-4000", phone="04 223 45 67"),
    ))
    assert findings == []
    assert members["member_id"].tolist() == ["dupont-4000"]
    record = members.iloc[0]
    assert (record["name"], record["legal_form"], record["email"], record["phone"]) == (
        "Dupont", "SPRL", "info@dupont.be", "+3242234567")
    assert memberships["member_id"].tolist() == ["dupont-4000", "dupont-4000"]


def test_entry_without_number_joins_the_numbered_member_with_same_name_and_postal_code():
    members, memberships, _ = normalise_members(frame(
        row("a", "sonaca-1", name="Sonaca", postal_code="6041", email="info@sonaca.be"),
        row("b", "sonaca-2", name="SONACA SA", postal_code="6041", enterprise_number="0400.000.086",
            website="www.sonaca.com"),
    ))
    assert members["member_id"].tolist() == ["BE0400000086"]
    record = members.iloc[0]
    # the numbered entry comes first for every column, the other fills the gaps
    assert (record["name"], record["legal_form"], record["website"], record["email"]) == (
        "SONACA", "SA", "http://www.sonaca.com", "info@sonaca.be")
    assert memberships["member_id"].tolist() == ["BE0400000086", "BE0400000086"]


def test_different_numbers_are_never_merged_even_with_same_name_and_postal_code():
    members, memberships, findings = normalise_members(frame(
        row("a", "ibs-1", name="IBS SA", postal_code="4000", enterprise_number="0123.456.749"),
        row("b", "ibs-2", name="IBS SA", postal_code="4000", enterprise_number="0400.000.086"),
        row("c", "ibs-3", name="IBS", postal_code="4000"),  # which one? neither
    ))
    assert sorted(members["member_id"]) == ["BE0123456749", "BE0400000086", "ibs-4000"]
    assert names(findings) == ["member_match_ambiguous"]
    assert findings[0].status == "warn"
    assert "0123.456.749" in findings[0].detail and "0400.000.086" in findings[0].detail
    assert url("c", "ibs-3") in findings[0].detail


def test_entry_without_number_nor_postal_code_joins_the_one_member_of_that_name():
    members, memberships, findings = normalise_members(frame(
        row("a", "cetic", name="CETIC ASBL", postal_code="6041", enterprise_number="0123.456.749"),
        row("b", "cetic", page_status=404, directory_name="Cetic"),
    ))
    assert members["member_id"].tolist() == ["BE0123456749"]
    assert memberships["member_id"].tolist() == ["BE0123456749", "BE0123456749"]
    assert names(findings) == ["member_page_missing"]


def test_entry_without_number_nor_postal_code_and_two_candidates_is_kept_apart():
    members, _, findings = normalise_members(frame(
        row("a", "x1", name="Multitel", postal_code="7000"),
        row("b", "x2", name="Multitel", postal_code="4000"),
        row("c", "x3", name="Multitel"),
    ))
    assert sorted(members["member_id"]) == ["multitel-0000", "multitel-4000", "multitel-7000"]
    assert names(findings) == ["member_match_ambiguous"]


def test_member_ids_do_not_depend_on_row_order():
    rows = [
        row("a", "thales", name="Thales SA", enterprise_number="0123.456.749", postal_code="1300",
            member_type_label="GE"),
        row("b", "thales", name="THALES", enterprise_number="BE0123456749", member_type_label="PME"),
        row("b", "dupont", name="Dupont", postal_code="4000", email="a@dupont.be"),
        row("c", "dupont", name="Dupont SPRL", postal_code="4000", email="b@dupont.be"),
        row("c", "dupont-bis", name="Dupont", postal_code="4000"),
        row("a", "nasa", name="Nasa Belgium", enterprise_number="0123.456.748"),
        row("c", "cetic", name="Cetic", page_status=404),
        row("a", "long-1", name="x" * 70 + " un", postal_code="5000"),
        row("a", "long-2", name="x" * 70 + " deux", postal_code="5000"),
    ]
    expected = normalise_members(frame(*rows))
    rng = random.Random(20080630)
    for _ in range(5):
        rng.shuffle(rows)
        got = normalise_members(frame(*rows))
        pd.testing.assert_frame_equal(got[0], expected[0])
        pd.testing.assert_frame_equal(got[1], expected[1])
        assert [f.to_dict() for f in got[2]] == [f.to_dict() for f in expected[2]]


# --- member ids -----------------------------------------------------------------------------------

def test_slug_id_from_folded_name_and_postal_code():
    members, _, _ = normalise_members(frame(
        row("a", "1", name="Université de Liège", postal_code="B-4000"),
        row("a", "2", name="L'Oréal & Co SA"),
        row("a", "3", name="Centre de Recherche en Aéronautique d'une très longue dénomination publique",
            postal_code="6041"),
    ))
    ids = sorted(members["member_id"])
    assert ids == ["centre-de-recherche-en-aeronautique-d-une-tres-longue-denomi-6041",
                   "l-oreal-co-0000", "universite-de-liege-4000"]
    assert len(ids[0]) == 60 + len("-6041")


def test_colliding_slugs_get_numbered_suffixes_and_a_finding():
    long_name = "Association wallonne pour le développement des technologies de"
    members, memberships, findings = normalise_members(frame(
        row("a", "one", name=long_name + " pointe", postal_code="5000"),
        row("a", "two", name=long_name + " l'information", postal_code="5000"),
    ))
    base = "association-wallonne-pour-le-developpement-des-technologies-5000"
    assert sorted(members["member_id"]) == [base, base + "-2"]
    by_id = members_by_id(members)
    # suffixes follow the order of the folded full names: "... l information" < "... pointe"
    assert by_id[base]["name"].endswith("l'information")
    assert names(findings) == ["member_id_collision"]
    assert memberships["member_id"].is_unique


# --- memberships ----------------------------------------------------------------------------------

def test_cluster_listing_one_organisation_twice_keeps_the_first_and_warns():
    _, memberships, findings = normalise_members(frame(
        row("a", "thales-belgium", name="Thales Belgium", enterprise_number="0123.456.749"),
        row("a", "thales", name="Thales", enterprise_number="BE 0123 456 749"),
        row("b", "thales", name="Thales", enterprise_number="0123456749"),
    ))
    # the first in member_page_url order is kept ("thales-belgium" < "thales.html")
    assert memberships.to_dict("records") == [
        {"cluster_id": "a", "member_id": "BE0123456749",
         "member_page_url": url("a", "thales-belgium")},
        {"cluster_id": "b", "member_id": "BE0123456749", "member_page_url": url("b", "thales")},
    ]
    assert names(findings) == ["duplicate_membership"]
    assert url("a", "thales") in findings[0].detail
    assert url("a", "thales-belgium") in findings[0].detail


# --- findings -------------------------------------------------------------------------------------

def test_missing_detail_page_falls_back_to_the_directory_and_warns():
    members, memberships, findings = normalise_members(frame(
        row("a", "ghost", page_status=404, directory_name="Ghost Technologies SPRL",
            directory_city="NAMUR"),
        row("a", "lost", page_status=None, directory_name="Lost SA", directory_type_label="Autre"),
    ))
    by_id = members_by_id(members)
    ghost = by_id["ghost-technologies-0000"]
    assert (ghost["name"], ghost["legal_form"], ghost["city"], ghost["member_type"],
            ghost["size_class"]) == ("Ghost Technologies", "SPRL", "Namur", "company", "sme")
    assert by_id["lost-0000"]["member_type"] == "other"
    assert len(memberships) == 2
    assert names(findings) == ["member_page_missing", "member_page_missing"]
    assert [f.observed for f in findings] == [404, None]
    assert url("a", "ghost") in findings[0].detail and "HTTP 404" in findings[0].detail
    assert "not retrieved" in findings[1].detail


def test_detail_page_values_win_over_the_directory():
    members, _, _ = normalise_members(frame(row(
        "a", "x", directory_name="X (annuaire)", directory_city="LIEGE", directory_type_label="PME",
        name="X Détail", city="Herstal", member_type_label="Grande entreprise", postal_code="4040")))
    record = members.iloc[0]
    assert (record["name"], record["city"], record["size_class"]) == ("X Détail", "Herstal", "large")


def test_invalid_enterprise_number_one_finding_per_page():
    members, _, findings = normalise_members(frame(
        row("a", "nasa", name="Nasa Belgium", postal_code="1300", enterprise_number="0123.456.748"),
        row("b", "nasa", name="Nasa Belgium", postal_code="1300", enterprise_number="BE 0123 456 748"),
    ))
    assert members["member_id"].tolist() == ["nasa-belgium-1300"]  # merged by name + postal code
    assert members.iloc[0]["enterprise_number"] is None
    assert names(findings) == ["enterprise_number_invalid", "enterprise_number_invalid"]
    assert [f.observed for f in findings] == ["0123.456.748", "BE 0123 456 748"]
    assert url("a", "nasa") in findings[0].detail and "expected 49" in findings[0].detail
    assert all(f.status == "warn" for f in findings)


def test_unknown_type_label_one_finding_per_label_and_no_new_category():
    members, _, findings = normalise_members(frame(
        row("a", "s1", name="S1", member_type_label="Start-up"),
        row("b", "s2", name="S2", member_type_label="START-UP "),
        row("c", "s3", name="S3", member_type_label="Incubateur"),
        row("c", "s4", name="S4", directory_type_label=None),
    ))
    assert members["member_type"].isna().all() and members["size_class"].isna().all()
    assert names(findings) == ["member_type_unknown", "member_type_unknown", "member_type_missing"]
    incubateur, startup, missing = findings
    assert incubateur.observed == "Incubateur"
    assert startup.observed == "Start-up"
    assert "2 page(s)" in startup.detail
    assert url("a", "s1") in startup.detail and url("b", "s2") in startup.detail
    assert missing.observed == 1 and url("c", "s4") in missing.detail


def test_conflicting_types_keep_the_first_and_warn():
    members, _, findings = normalise_members(frame(
        row("a", "x", name="X", enterprise_number="0123.456.749", member_type_label="PME"),
        row("b", "x", name="X", enterprise_number="0123.456.749", member_type_label="Grande entreprise"),
        row("c", "x", name="X", enterprise_number="0123.456.749", member_type_label="Start-up"),
    ))
    assert (members.iloc[0]["member_type"], members.iloc[0]["size_class"]) == ("company", "sme")
    assert names(findings) == ["member_type_unknown", "member_type_conflict"]
    conflict = findings[1]
    assert conflict.expected == "company/sme"
    assert conflict.observed == ["company/large", "company/sme"]
    assert url("a", "x") in conflict.detail and url("b", "x") in conflict.detail


@pytest.mark.parametrize("field, value", [
    ("postal_code", "F-59000"), ("email", "pas d'adresse"), ("website", "n/a")])
def test_unreadable_published_values_are_findings(field, value):
    members, _, findings = normalise_members(frame(row("a", "x", name="X", **{field: value})))
    assert members.iloc[0][field] is None
    assert names(findings) == [f"{field}_invalid"]
    assert findings[0].observed == value


def test_frame_without_page_status_column_means_parsed_pages():
    plain = pd.DataFrame({"cluster_id": ["a"], "member_page_url": ["u"], "name": ["X SA"]})
    members, memberships, findings = normalise_members(plain)
    assert names(findings) == ["member_type_missing"]
    assert members.iloc[0]["legal_form"] == "SA"
    assert memberships.iloc[0]["member_page_url"] == "u"
