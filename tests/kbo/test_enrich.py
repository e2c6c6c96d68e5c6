"""enrich(): the KBO columns, member_activities and the findings, on a small hand-made extract."""

from __future__ import annotations

import datetime as dt

import pytest

from cluster_etl.kbo import (KBO_MEMBER_COLUMNS, MEMBER_ACTIVITY_COLUMNS, enrich, open_extract,
                             without_extract)
from cluster_etl.kbo.names import name_words, share_a_word
from tests.kbo.extracts import address, csv_rows, enterprise, write_extract
from tests.tables_factory import frame

A, B, C, D = "0200.000.637", "0200.005.783", "0403.449.823", "0200.068.636"
ABSENT, LISTED = "0200.065.765", "0201.400.011"  # valid numbers the extract lacks
EST_A, EST_B, EST_D = "2.000.000.339", "2.000.000.438", "2.000.001.032"
PAGE = "https://clusters.wallonie.be/sites/{}/home/membres/memberList/{}.html"


def extract_files() -> dict[str, str]:
    return {
        "enterprise.csv": csv_rows(enterprise(A, "014", "01-02-2001"), enterprise(B, "017", "15-03-1999"),
                                   enterprise(C, "", "31-02-2001"), enterprise(D)),
        "establishment.csv": csv_rows((EST_A, "01-01-2005", A), (EST_B, "01-01-2006", B),
                                      (EST_D, "01-01-2007", D)),
        "denomination.csv": csv_rows(
            (A, "2", "001", "Mosatec NL"), (A, "1", "001", "Mosatec  SA"), (A, "1", "002", "MST"),
            (B, "0", "001", "Verhoeven onbekend"), (B, "4", "001", "Verhoeven Construction"),
            (B, "3", "001", "Verhoeven Bau"),
            (C, "1", "001", "Lambert & Gilson Participations"),
            (D, "2", "001", "Lumen Optics"), (EST_D, "1", "003", "Optique Namur")),
        "address.csv": csv_rows(
            address(A, "5000"), address(B, "1000", city="Bruxelles"), address(EST_B, "4000", "BAET"),
            address(C, "7000", city="Mons"), address(C, "6000", city="Charleroi", struck="01-01-2006"),
            address(D, "1348", city="Louvain-la-Neuve")),
        "activity.csv": csv_rows(
            # A: its own MAIN in 2003, 2008 and 2025 (two activity groups); its establishment's
            # MAIN is a lower code, but the enterprise's own comes first
            (A, "001", "2008", "62010", "MAIN"), (A, "006", "2008", "62010", "MAIN"),
            (A, "001", "2025", "62100", "MAIN"), (A, "006", "2025", "62100", "MAIN"),
            (A, "001", "2003", "72220", "MAIN"), (A, "001", "2008", "62020", "SECO"),
            (EST_A, "001", "2025", "10710", "MAIN"), (EST_A, "001", "2008", "58290", "SECO"),
            # B: activities on its establishment only, two MAIN in 2008: the lowest code
            (EST_B, "001", "2008", "43320", "MAIN"), (EST_B, "006", "2008", "41201", "MAIN"),
            # D: its own MAIN in 2008 only, its establishment's in 2025: the newest version wins
            (D, "001", "2008", "26700", "MAIN"), (EST_D, "001", "2025", "27400", "MAIN"),
            (EST_D, "001", "2025", "26700", "ANCI")),
        "code.csv": csv_rows(
            ("JuridicalForm", "014", "FR", "Société anonyme"),
            ("JuridicalForm", "014", "NL", "Naamloze vennootschap"),
            ("JuridicalForm", "017", "FR", "Association sans but lucratif"),
            ("Nace2008", "62010", "FR", "Programmation informatique"),
            ("Nace2008", "62010", "NL", "Computerprogrammering"),
            ("Nace2025", "62100", "FR", "Programmation informatique (2025)"),
            ("Nace2003", "72220", "FR", "Autre réalisation de logiciels")),
    }


def members_frame():
    rows = [
        {"member_id": "BE" + A.replace(".", ""), "name": "Mosatec", "enterprise_number": A, "postal_code": "5000"},
        {"member_id": "BE" + B.replace(".", ""), "name": "Verhoeven", "enterprise_number": B, "postal_code": "4000"},
        {"member_id": "BE" + C.replace(".", ""), "name": "Totally Different", "legal_form": "SPRL",
         "enterprise_number": C, "postal_code": "6000"},
        {"member_id": "BE" + D.replace(".", ""), "name": "Lumen", "enterprise_number": D, "postal_code": None},
        {"member_id": "BE" + ABSENT.replace(".", ""), "name": "Gone", "enterprise_number": ABSENT},
        {"member_id": "BE" + LISTED.replace(".", ""), "name": "Listed", "enterprise_number": LISTED},
        {"member_id": "sans-numero-5000", "name": "Sans Numéro", "postal_code": "5000"},
    ]
    return frame("members", [{"name": r["name"], **r} for r in rows])


def memberships_frame():
    absent = "BE" + ABSENT.replace(".", "")
    return frame("memberships", [
        {"cluster_id": "aresa", "member_id": "BE" + A.replace(".", ""), "member_page_url": PAGE.format("aresa", "a")},
        {"cluster_id": "tweed", "member_id": absent, "member_page_url": PAGE.format("tweed", "gone")},
        {"cluster_id": "aresa", "member_id": absent, "member_page_url": PAGE.format("aresa", "gone")},
        {"cluster_id": "aresa", "member_id": "BE" + C.replace(".", ""), "member_page_url": PAGE.format("aresa", "c")},
        {"cluster_id": "tweed", "member_id": "BE" + LISTED.replace(".", ""), "member_page_url": None},
    ])


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    path = write_extract(tmp_path_factory.mktemp("kbo"), extract_files())
    return open_extract(path).select(members_frame()["enterprise_number"])


@pytest.fixture(scope="module")
def result(rows):
    return enrich(members_frame(), memberships_frame(), rows)


def by_member(result):
    return {r["member_id"]: r for r in result.members.to_dict("records")}


def test_members_keep_their_columns_and_gain_the_kbo_columns_in_order(rows):
    members = members_frame().drop(columns=list(KBO_MEMBER_COLUMNS), errors="ignore")
    enriched = enrich(members, memberships_frame(), rows).members
    assert list(enriched.columns) == list(members.columns) + list(KBO_MEMBER_COLUMNS)
    assert enriched[list(members.columns)].equals(members)
    # members that already carry the (empty) columns get them filled in place
    with_empty = members.assign(kbo_name=None, kbo_status="stale")
    filled = enrich(with_empty, memberships_frame(), rows).members
    assert list(filled.columns) == list(with_empty.columns) + [
        c for c in KBO_MEMBER_COLUMNS if c not in with_empty.columns]
    assert filled["kbo_name"].equals(enriched["kbo_name"]) and "stale" not in set(filled["kbo_status"])


def test_status_names_forms_and_dates(result):
    m = by_member(result)
    a, b, c = (m["BE" + n.replace(".", "")] for n in (A, B, C))
    assert (a["kbo_status"], a["kbo_name"], a["kbo_legal_form"], a["kbo_start_date"]) == (
        "active", "Mosatec SA", "Société anonyme", dt.date(2001, 2, 1))
    # No French legal name: Dutch, German, English, then unknown language, whatever the file order
    assert (b["kbo_name"], b["kbo_legal_form"]) == ("Verhoeven Bau", "Association sans but lucratif")
    assert (c["kbo_legal_form"], c["kbo_start_date"]) == (None, None)  # no form; 31 February
    assert m["BE" + ABSENT.replace(".", "")]["kbo_status"] == "not_found"
    assert all(m["BE" + ABSENT.replace(".", "")][k] is None for k in KBO_MEMBER_COLUMNS[1:])
    assert all(m["sans-numero-5000"][k] is None for k in KBO_MEMBER_COLUMNS)


def test_nace_main_newest_version_own_activity_first_then_lowest_code(result):
    m = by_member(result)
    assert m["BE" + A.replace(".", "")]["nace_main"] == "62100"  # own 2025 MAIN beats the establishment's 10710
    assert m["BE" + B.replace(".", "")]["nace_main"] == "41201"  # establishment only; lowest of two
    assert m["BE" + D.replace(".", "")]["nace_main"] == "27400"  # 2025 (establishment) beats own 2008
    assert m["BE" + C.replace(".", "")]["nace_main"] is None  # no activity


def test_member_activities_include_the_establishments_deduplicated_and_sorted(result):
    activities = result.member_activities
    assert list(activities.columns) == list(MEMBER_ACTIVITY_COLUMNS)
    a = activities[activities["member_id"] == "BE" + A.replace(".", "")]
    assert [tuple(r) for r in a[["nace_version", "nace_code", "classification", "description_fr"]].values] == [
        ("2025", "10710", "MAIN", None),
        ("2025", "62100", "MAIN", "Programmation informatique (2025)"),
        ("2008", "58290", "SECO", None),
        ("2008", "62010", "MAIN", "Programmation informatique"),
        ("2008", "62020", "SECO", None),
        ("2003", "72220", "MAIN", "Autre réalisation de logiciels"),
    ]
    assert set(activities["member_id"]) == {"BE" + n.replace(".", "") for n in (A, B, D)}
    assert not activities.duplicated().any()


def test_findings_name_the_first_page(result):
    found = {(f.name, f.observed): f for f in result.findings}
    assert {f.status for f in result.findings} == {"warn"}
    absent = found["kbo_number_not_found", ABSENT]
    assert absent.detail.startswith(PAGE.format("tweed", "gone") + " (cluster tweed): ")
    assert "extract 42 of 2008-06-28" in absent.detail
    listed = found["kbo_number_not_found", LISTED]
    assert listed.detail.startswith(f"member BE{LISTED.replace('.', '')} (cluster tweed): ")
    assert sum(f.name == "kbo_number_not_found" for f in result.findings) == 2  # one per member


def test_name_and_postal_code_mismatches(result):
    names = [f for f in result.findings if f.name == "kbo_name_mismatch"]
    assert [(f.observed, f.expected) for f in names] == [("Totally Different", "Lambert & Gilson Participations")]
    assert names[0].detail.startswith(PAGE.format("aresa", "c"))
    postal = [f for f in result.findings if f.name == "kbo_postal_code_mismatch"]
    # C: office at 7000 (the one at 6000 was struck off); B: office in Brussels but an
    # establishment at the page's 4000 (no finding); D: no postal code on the page
    assert [(f.expected, f.observed) for f in postal] == [("7000", "6000")]
    assert "7000 Mons" in postal[0].detail


def test_metadata_names_the_extract(result, rows):
    assert result.metadata["extract_number"] == "42"
    assert result.metadata["snapshot_date"] == "2008-06-28"
    assert result.metadata["sha256"] == rows.meta.sha256
    assert result.metadata["file_name"] == "KboOpenData_0042_2008_06_Full.zip"
    assert (result.metadata["enterprises_requested"], result.metadata["enterprises_found"]) == (6, 4)


def test_invalid_rows_become_a_finding(tmp_path):
    files = extract_files()
    files["denomination.csv"] += f'"{A}","1"\n'
    rows = open_extract(write_extract(tmp_path, files)).select([A])
    [finding] = [f for f in enrich(members_frame().iloc[:1], memberships_frame(), rows).findings
                 if f.name == "kbo_row_invalid"]
    assert finding.observed == 1
    assert "denomination.csv: 1 row(s)" in finding.detail and f'"{A}","1"' in finding.detail


def test_a_member_whose_number_was_not_selected_is_an_error(rows):
    members = frame("members", [{"member_id": "BE0400357897", "name": "X", "enterprise_number": "0400.357.897"}])
    with pytest.raises(ValueError, match="0400.357.897 was not selected"):
        enrich(members, memberships_frame(), rows)


def test_without_an_extract_the_columns_are_empty_and_there_are_no_activities():
    result = without_extract(members_frame())
    assert result.members[list(KBO_MEMBER_COLUMNS)].isna().all().all()
    assert len(result.member_activities) == 0
    assert list(result.member_activities.columns) == list(MEMBER_ACTIVITY_COLUMNS)
    assert (result.findings, result.metadata) == ([], {})


@pytest.mark.parametrize("published, registered, shared", [
    ("Mosatec", ["MOSATEC S.A."], True),
    ("Mosatec", ["Mosatec NV", "Other"], True),
    ("Électro Hainaut", ["ELECTRO-HAINAUT"], True),
    ("Institut de Recherche", ["Centre de Formation"], False),  # "de" is no shared word
    ("Dupont", ["Lambert BVBA", "SPRL Dupont"], True),
    ("Dupont", ["Lambert BVBA"], False),
    ("SA", ["Lambert"], None),  # nothing to compare
    ("Mosatec", [], None),
])
def test_names_share_a_word(published, registered, shared):
    assert share_a_word(published, registered) is shared


def test_name_words_drop_legal_forms_and_function_words():
    assert name_words("Les Ateliers de la Meuse s.p.r.l.") == {"ateliers", "meuse"}
    assert name_words("Bouw en Techniek BVBA") == {"bouw", "techniek"}


def test_enrich_tables_fills_the_normalised_tables_conformed_to_the_schema(rows):
    from cluster_etl.kbo import enrich_tables
    from cluster_etl.normalise.frames import conform, empty_table
    from cluster_etl.normalise.tables import NormalisedTables
    from cluster_etl.schema import Check

    earlier = Check("phone_unparsed", "warn", detail="an earlier finding")
    tables = NormalisedTables(frame("clusters", []), members_frame(), memberships_frame(),
                              frame("member_types", []), empty_table("member_sectors"),
                              empty_table("member_activities"), [earlier])
    enriched, metadata = enrich_tables(tables, rows)
    for name in ("members", "member_activities", "member_sectors"):
        table = getattr(enriched, name)
        assert table.equals(conform(table, name)), name
    assert len(enriched.member_activities) == 11  # A: 6, B: 2, D: 3
    assert enriched.members["kbo_start_date"].dropna().map(type).eq(dt.date).all()
    assert enriched.member_sectors.iloc[0][["cluster_id", "nace_section", "member_count"]].tolist() == [
        None, "J", 1]
    assert enriched.findings[0] is earlier and len(enriched.findings) == 5
    assert metadata["extract_number"] == "42"
    assert tables.members["kbo_status"].isna().all()  # the input is left alone
