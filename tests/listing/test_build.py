import datetime as dt
import hashlib

import pytest

from cluster_etl.listing import (
    DeclaredFigures, ListingError, load_listing, read_cluster_file, slugify, without_member_page_urls)
from cluster_etl.normalise import normalise

AS_OF = dt.date(2008, 6, 30)
CLUSTERS = ("Cluster;Identifiant;Domaine d'activités;Description;Site web;Nombre de membres\r\n"
            "TWEED;tweed;Energie durable;Producteurs d'énergie;www.tweed.be;3\r\n"
            "CAP 2020;cap2020;Construction durable;;;\r\n"
            "Wallonie Espace;;Industrie spatiale;;;1.000\r\n")
HEADER = "Cluster;Dénomination;Type de membre;Code postal;Localité;Téléphone;Numéro d'entreprise"


def files(tmp_path, *rows: str, clusters: str = CLUSTERS, header: str = HEADER):
    (tmp_path / "clusters.csv").write_text(clusters, encoding="utf-8")
    (tmp_path / "membres.csv").write_text("\r\n".join([header, *rows, ""]), encoding="utf-8")
    return tmp_path / "membres.csv", tmp_path / "clusters.csv"


def load(tmp_path, *rows: str, **kwargs):
    return load_listing(*files(tmp_path, *rows, **kwargs), AS_OF)


def names(finding_list, name):
    return [f for f in finding_list if f.name == name]


def test_cluster_file(tmp_path):
    _, path = files(tmp_path)
    clusters = read_cluster_file(path).clusters
    assert [(c.cluster_id, c.name, c.declared_member_count) for c in clusters] == [
        ("tweed", "TWEED", 3), ("cap2020", "CAP 2020", None), ("wallonie-espace", "Wallonie Espace", 1000)]
    assert (clusters[0].domain, clusters[0].description, clusters[0].website) == (
        "Energie durable", "Producteurs d'énergie", "www.tweed.be")
    assert clusters[1].description is None


@pytest.mark.parametrize("name, slug", [("AUTO-MOBILITÉ", "auto-mobilite"), ("CAP 2020", "cap-2020"),
                                        ("  Déchets   solides ", "dechets-solides")])
def test_slugify(name, slug):
    assert slugify(name) == slug


@pytest.mark.parametrize("rows, message", [
    ("Identifiant\r\ntweed\r\n", "clusters.csv: required column(s) missing: Cluster"),
    ("Cluster;Identifiant\r\n;tweed\r\n", "clusters.csv row 2: no cluster name"),
    ("Cluster;Identifiant\r\nTWEED;Tweed Cluster\r\n", "clusters.csv row 2: identifier 'Tweed Cluster'"),
    ("Cluster\r\nTWEED\r\nTweed\r\n", "clusters.csv row 3: 'Tweed' (tweed) is the same cluster as row 2"),
    ("Cluster;Nombre de membres\r\nTWEED;environ 80\r\n", "clusters.csv row 2: member count 'environ 80'"),
    ("Cluster\r\n", "clusters.csv: no cluster rows"),
])
def test_bad_cluster_file_is_an_error(tmp_path, rows, message):
    (tmp_path / "clusters.csv").write_text(rows, encoding="utf-8")
    with pytest.raises(ListingError) as error:
        read_cluster_file(tmp_path / "clusters.csv")
    assert str(error.value).startswith(message)


def test_rows_become_directory_entries_and_member_pages(tmp_path):
    loaded = load(tmp_path, "TWEED;Alpha SA;PME;4000;Liège;04 222 33 44;0123.456.749",
                  "wallonie-espace;Bêta SPRL;GE;5000;Namur;;")
    tweed, cap2020, espace = loaded.raw.clusters
    assert [c.link["cluster_id"] for c in loaded.raw.clusters] == ["tweed", "cap2020", "wallonie-espace"]
    assert tweed.directory == [{"name": "Alpha SA", "city": "Liège", "member_type_label": "PME",
                                "detail_url": "membres.csv row 2"}]
    page = tweed.members["membres.csv row 2"]
    assert page["fields"]["enterprise_number"] == "0123.456.749"
    assert page["fields"]["street"] is None  # no such column
    assert tweed.member_status == {"membres.csv row 2": 200}
    assert cap2020.directory == [] and list(espace.members) == ["membres.csv row 3"]
    assert tweed.home["declared_member_count"] == 3 and tweed.home["website"] == "www.tweed.be"
    assert tweed.link["url"] == "https://clusters.wallonie.be/sites/tweed/home.html"
    assert loaded.raw.findings == []
    assert loaded.stats.as_dict() == {"listing_rows": 2, "listing_rows_used": 2,
                                      "listing_rows_skipped": 0}


@pytest.mark.parametrize("cell", ["TWEED", "tweed", "Tweed", " t w e e d ", "Wallonie Espace",
                                  "WALLONIE-ESPACE", "wallonie espace", "Cap 2020", "cap2020"])
def test_cluster_matched_by_name_or_identifier_folded(tmp_path, cell):
    loaded = load(tmp_path, f"{cell};Alpha SA;PME;4000;Liège;;")
    assert loaded.stats.rows_used == 1, loaded.raw.findings


def test_bad_rows_are_findings_naming_file_and_row(tmp_path):
    loaded = load(tmp_path,
                  "TWEED;Alpha SA;PME;4000;Liège;;",
                  ";Sans Cluster SA;PME;;;;",
                  "",
                  "Mitech;Inconnu SA;PME;;;;",
                  "TWEED;;PME;4000;Liège;;",
                  "TWEED;Décalé SA;PME;4000;Liège; Belgique;;0123.456.749",
                  "TWEED;Court SA;PME",
                  ";;;;;;")
    invalid = names(loaded.raw.findings, "listing_row_invalid")
    assert [(f.status, f.observed) for f in invalid] == [("warn", 3), ("warn", 5), ("warn", 6),
                                                          ("warn", 7), ("warn", 8)]
    assert [f.detail for f in invalid] == [
        "membres.csv row 3: no Cluster; row skipped",
        "membres.csv row 5: cluster 'Mitech' is not in clusters.csv; row skipped",
        "membres.csv row 6: no Dénomination; row skipped",
        "membres.csv row 7: 8 cells where the header has 7 (a delimiter or line break inside an "
        "unquoted value?); row skipped",
        "membres.csv row 8: 3 cells where the header has 7 (a delimiter or line break inside an "
        "unquoted value?); row skipped"]
    assert loaded.stats.as_dict() == {"listing_rows": 6, "listing_rows_used": 1,
                                      "listing_rows_skipped": 5}
    assert list(loaded.raw.clusters[0].members) == ["membres.csv row 2"]


def test_unknown_column_is_reported_once(tmp_path):
    loaded = load(tmp_path, "TWEED;Alpha SA;x", "TWEED;Bêta SA;y", header="Cluster;Dénomination;Fax")
    unknown = names(loaded.raw.findings, "listing_column_unknown")
    assert [f.observed for f in unknown] == ["Fax"]


def test_missing_required_column_raises_before_reading_rows(tmp_path):
    with pytest.raises(ListingError, match=r"^membres\.csv: required column\(s\) missing: Cluster "
                                           r"\(header row 1 has: 'Dénomination', 'Localité'\)$"):
        load(tmp_path, "Alpha SA;Liège", header="Dénomination;Localité")


def test_normalised_findings_name_the_file_and_row(tmp_path):
    loaded = load(tmp_path, "TWEED;Alpha SA;PME;4000;Liège;;0123.456.700",
                  "TWEED;Bêta SA;Start-up;4000;Liège;;")
    tables = normalise(loaded.raw)
    details = {f.name: f.detail for f in tables.findings}
    assert details["enterprise_number_invalid"].startswith("membres.csv row 2 (cluster tweed): ")
    assert "membres.csv row 3 (tweed)" in details["member_type_unknown"]
    assert "member_page_missing" not in details


def test_duplicate_rows_are_one_membership_and_a_finding(tmp_path):
    loaded = load(tmp_path, "TWEED;Alpha SA;PME;4000;Liège;;0123.456.749",
                  "TWEED;ALPHA s.a.;PME;4000;LIEGE;;BE 0123 456 749",
                  "CAP 2020;Alpha SA;PME;4000;Liège;;0123.456.749")
    tables = without_member_page_urls(normalise(loaded.raw))
    assert list(zip(tables.memberships["cluster_id"], tables.memberships["member_id"])) == [
        ("cap2020", "BE0123456749"), ("tweed", "BE0123456749")]
    assert tables.memberships["member_page_url"].tolist() == [None, None]
    duplicate = names(tables.findings, "duplicate_membership")
    assert len(duplicate) == 1
    assert "membres.csv row 2" in duplicate[0].detail and "membres.csv row 3" in duplicate[0].detail
    assert tables.clusters.set_index("cluster_id")["listed_member_count"].to_dict() == {
        "tweed": 2, "cap2020": 1, "wallonie-espace": 0}


def test_overview_holds_the_declared_figures(tmp_path):
    listing, clusters = files(tmp_path, "TWEED;Alpha SA;PME;4000;Liège;;")
    overview = load_listing(listing, clusters, AS_OF, DeclaredFigures(3, 1, 100, None)).raw.overview
    assert (overview["declared_cluster_count"], overview["member_total"],
            overview["member_total_is_lower_bound"], overview["company_share_pct"],
            overview["sme_share_pct"]) == (3, 1, False, 100, None)
    assert overview["as_of"] == AS_OF and overview["source"] == "membres.csv"
    assert overview["figures_optional"] is True
    assert [c["cluster_id"] for c in overview["clusters"]] == ["tweed", "cap2020", "wallonie-espace"]


def test_metadata_names_both_files_by_sha256(tmp_path):
    loaded = load(tmp_path, "TWEED;Alpha SA;PME;4000;Liège;;", "Mitech;x;;;;;")
    digest = hashlib.sha256((tmp_path / "membres.csv").read_bytes()).hexdigest()
    cluster_digest = hashlib.sha256((tmp_path / "clusters.csv").read_bytes()).hexdigest()
    assert loaded.metadata() == {
        "portal_url": None,
        "source_listing": {"file": "membres.csv", "sha256": digest, "rows": 1,
                           "cluster_file": {"file": "clusters.csv", "sha256": cluster_digest}},
        "sources": [{"title": "Listing membres.csv", "path": "membres.csv", "hash": f"sha256:{digest}"}],
    }
