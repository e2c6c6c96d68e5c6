"""The ingest flow on listings written from the sample portal, against a scrape of the same portal.

The scrape is the refresh flow's crawl and normalisation over the sample portal served on
127.0.0.1 (its publication is the refresh's own tests' business, and would double this module's
time); the listings hold, row by row, what its directory and detail pages show
(tests/listing/sample_listing.py), as CSV (UTF-8 with `,`; Windows-1252 with `;` as Excel saves
it in Belgium) and as XLSX.
"""

import contextlib
import csv
import datetime as dt
import hashlib
import json
import re
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cluster_etl import crawl
from cluster_etl.fetch import FetchSettings, PortalClient
from cluster_etl.listing import (
    DeclaredFigures, ListingError, load_listing, read_sheet, without_member_page_urls)
from cluster_etl.normalise import normalise
from cluster_etl.publish import read_release_parquet
from cluster_etl.raw import RawPortal
from cluster_etl.run import ValidationFailed
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal
from flows.ingest import ingest
from tests.listing.sample_listing import (
    CLUSTER_FILE_HEADER, LABELS, cluster_rows, csv_bytes, listing_rows, write_csv, write_xlsx)

DAY = dt.date(2026, 2, 2)
AS_OF = dt.date(2008, 6, 30)
FIGURES_2008 = {"expect_clusters": 14, "expect_company_share": 75, "expect_sme_share": 64}


@pytest.fixture(scope="module")
def scrape(tmp_path_factory):
    """(the scrape's tables, the raw records of its crawl)."""
    root = tmp_path_factory.mktemp("portal")
    write_sample_portal(root)
    with serve_portal(root) as base:
        client = PortalClient(base, FetchSettings(rate=0, concurrency=8))
        try:
            overview, findings = crawl.crawl_overview(client)
            clusters = [crawl.crawl_cluster(client, link) for link in overview["clusters"]]
        finally:
            client.close()
    raw = RawPortal(base, overview, clusters, findings=findings)
    return normalise(raw).frames(), raw


@pytest.fixture(scope="module")
def files(scrape, tmp_path_factory) -> Path:
    _, raw = scrape
    folder = tmp_path_factory.mktemp("listings")
    write_csv(folder / "clusters.csv", cluster_rows(raw), CLUSTER_FILE_HEADER)
    rows = listing_rows(raw)
    write_csv(folder / "membres.csv", rows)
    # Excel in Belgium: Windows-1252, `;`; here with clusters by identifier and labels in capitals.
    upper = {label: label.upper() for label in ["Cluster", *LABELS.values()]}
    write_csv(folder / "membres-excel.csv", [{upper[k]: v for k, v in r.items()}
                                             for r in listing_rows(raw, cluster_cell="id")],
              encoding="cp1252", delimiter=";")
    write_xlsx(folder / "membres.xlsx", rows)  # digits typed as numbers, as Excel stores them
    return folder


def run_ingest(files: Path, name: str, out: Path, **options):
    return ingest(listing=files / name, cluster_file=files / "clusters.csv", out_dir=out,
                  as_of=AS_OF, release_date=DAY, **{**FIGURES_2008, **options})


@pytest.fixture(scope="module")
def ingested(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("ingest")
    return out, run_ingest(files, "membres.csv", out)


def validation(release: Path) -> dict:
    return json.loads((release / "validation.json").read_text("utf-8"))


def pairs(memberships: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(memberships["cluster_id"], memberships["member_id"]))


def assert_same_data(mine: dict[str, pd.DataFrame], scraped: dict[str, pd.DataFrame],
                     listed_more: dict[str, int] | None = None) -> None:
    """Members, memberships (as pairs) and the type breakdown equal the scrape's; clusters too,
    their portal pages compared by path (the scrape's portal was served on 127.0.0.1), and
    `listed_more` rows listed in a cluster on top of the scrape's directory entries."""
    mine, theirs = ({name: frame.copy() for name, frame in tables.items()} for tables in (mine, scraped))
    clusters = theirs["clusters"]
    for cluster_id, more in (listed_more or {}).items():
        clusters.loc[clusters["cluster_id"] == cluster_id, "listed_member_count"] += more
    assert len(mine["members"]) > 900
    pd.testing.assert_frame_equal(mine["members"], theirs["members"])
    assert pairs(mine["memberships"]) == pairs(theirs["memberships"])
    pd.testing.assert_frame_equal(mine["member_types"], theirs["member_types"])
    for frame in (mine["clusters"], theirs["clusters"]):
        frame["portal_url"] = frame["portal_url"].map(lambda url: "/" + url.split("/", 3)[3])
    pd.testing.assert_frame_equal(mine["clusters"], theirs["clusters"])


def test_listing_with_the_2008_figures_publishes_what_the_scrape_published(scrape, ingested):
    scraped, _ = scrape
    out, result = ingested
    assert result.release == out / "releases" / DAY.isoformat()
    assert validation(result.release)["status"] == "pass"
    assert (result.clusters, result.memberships) == (14, 1050)
    assert_same_data(read_release_parquet(result.release), scraped)


def test_checks_without_a_declared_figure_warn(ingested):
    _, result = ingested
    checks = {c["name"]: c for c in validation(result.release)["checks"]}
    assert checks["membership_total"]["status"] == "warn"
    assert checks["membership_total"]["detail"].startswith("no declared figure")
    for name in ("cluster_count", "company_share", "sme_share"):
        assert checks[name]["status"] == "pass", checks[name]


def test_data_package_names_the_listing_with_its_sha256(files, ingested):
    _, result = ingested
    package = json.loads((result.release / "datapackage.json").read_text("utf-8"))
    digest = hashlib.sha256((files / "membres.csv").read_bytes()).hexdigest()
    assert package["sources"] == [{"title": "Listing membres.csv", "path": "membres.csv",
                                   "hash": f"sha256:{digest}"}]
    run = package["cluster_etl"]
    assert run["portal_url"] is None
    assert run["source_listing"] == {
        "file": "membres.csv", "sha256": digest, "rows": 1050,
        "cluster_file": {"file": "clusters.csv",
                         "sha256": hashlib.sha256((files / "clusters.csv").read_bytes()).hexdigest()}}


def test_member_page_url_is_empty_in_every_format(ingested):
    _, result = ingested
    release = result.release
    with open(release / "memberships.csv", encoding="utf-8", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    assert len(csv_rows) == 1050 and {r["member_page_url"] for r in csv_rows} == {""}
    json_rows = json.loads((release / "memberships.json").read_text("utf-8"))
    assert len(json_rows) == 1050 and {r["member_page_url"] for r in json_rows} == {None}
    column = pq.read_table(release / "memberships.parquet").column("member_page_url")
    assert len(column) == 1050 and column.null_count == 1050
    workbook = openpyxl.load_workbook(release / "cluster-etl.xlsx", read_only=True)
    sheet_rows = list(workbook["memberships"].iter_rows(values_only=True))
    workbook.close()
    position = sheet_rows[0].index("member_page_url")
    # A read-only sheet leaves out the empty cells at the end of a row.
    assert len(sheet_rows) == 1051
    assert {r[position] if position < len(r) else None for r in sheet_rows[1:]} == {None}
    with contextlib.closing(sqlite3.connect(release / "cluster-etl.sqlite")) as db:
        counts = db.execute("SELECT count(*), count(member_page_url) FROM memberships").fetchone()
    assert counts == (1050, 0)


@pytest.mark.parametrize("name, read_as", [("membres-excel.csv", "csv (cp1252, ';')"),
                                           ("membres.xlsx", "xlsx (first sheet 'Membres')")])
def test_excel_csv_and_xlsx_listings_give_the_same_tables(scrape, files, name, read_as):
    """What the flow publishes is what normalisation makes of the loaded listing (the flow's
    stages after loading are those the CSV listing went through above)."""
    scraped, _ = scrape
    assert read_sheet(files / name).format == read_as
    loaded = load_listing(files / name, files / "clusters.csv", AS_OF, DeclaredFigures(14, None, 75, 64))
    assert loaded.raw.findings == [] and loaded.stats.rows_used == 1050
    tables = without_member_page_urls(normalise(loaded.raw))
    assert_same_data(tables.frames(), scraped)
    assert tables.memberships["member_page_url"].isna().all()


def test_bad_rows_are_findings_and_the_other_rows_are_published(scrape, files, tmp_path):
    scraped, raw = scrape
    rows = listing_rows(raw)
    header = ["Cluster", *LABELS.values(), "Remarques"]

    def line(cells: list[str]) -> str:  # one CSV record, as Excel writes it
        return csv_bytes(header, [cells]).decode("utf-8").split("\r\n", 1)[1].removesuffix("\r\n")

    good = [line([r.get(h, "") for h in header]) for r in rows]
    blank = [""] * (len(header) - 2)
    lines = [",".join(header), *good[:2],  # rows 1 to 3
             line(["Cluster inconnu", "Société Fantôme SA", *blank]),  # row 4
             line(["TWEED", "", *blank]),  # row 5: no name
             line(["", "Société Sans Cluster SA", *blank]),  # row 6: no cluster
             "TWEED,Société Décalée,PME,Rue du Pont 3,4000,Liège,,,,,,Liège, Belgique",  # 13 cells
             "",  # row 8, blank: skipped silently
             *good[2:], good[0]]  # the last row repeats row 2
    last_row = len(lines)
    path = tmp_path / "membres-erreurs.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")

    result = ingest(listing=path, cluster_file=files / "clusters.csv", out_dir=tmp_path / "out",
                    as_of=AS_OF, release_date=DAY, **FIGURES_2008)
    checks = validation(result.release)["checks"]
    invalid = {c["observed"]: c["detail"] for c in checks if c["name"] == "listing_row_invalid"}
    assert sorted(invalid) == [4, 5, 6, 7]
    assert invalid[4].startswith("membres-erreurs.csv row 4: cluster 'Cluster inconnu' is not in "
                                 "clusters.csv")
    assert "no Dénomination" in invalid[5] and "no Cluster" in invalid[6]
    assert "13 cells where the header has 12" in invalid[7]
    assert all(d.endswith("row skipped") for d in invalid.values())
    unknown_columns = [c for c in checks if c["name"] == "listing_column_unknown"]
    assert [c["observed"] for c in unknown_columns] == ["Remarques"]
    duplicates = [c["detail"] for c in checks if c["name"] == "duplicate_membership"]
    assert len(duplicates) == 1 and "(kept)" in duplicates[0]
    assert re.search(r"membres-erreurs\.csv row 2\b", duplicates[0])
    assert re.search(rf"membres-erreurs\.csv row {last_row}\b", duplicates[0])
    assert result.fetch == {"listing_rows": len(rows) + 5, "listing_rows_used": len(rows) + 1,
                            "listing_rows_skipped": 4}
    twice = raw.clusters[0].link["cluster_id"]  # the duplicated row's cluster lists one row more
    assert_same_data(read_release_parquet(result.release), scraped, listed_more={twice: 1})


def test_listing_without_a_cluster_column_is_an_error_and_publishes_nothing(scrape, files, tmp_path):
    _, raw = scrape
    write_csv(tmp_path / "sans-cluster.csv", listing_rows(raw), header=list(LABELS.values()))
    with pytest.raises(ListingError) as error:
        ingest(listing=tmp_path / "sans-cluster.csv", cluster_file=files / "clusters.csv",
               out_dir=tmp_path / "out", as_of=AS_OF, release_date=DAY)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("sans-cluster.csv: required column(s) missing: Cluster ")
    assert "'Dénomination', 'Type de membre'" in message
    assert not (tmp_path / "out" / "releases").exists()


def test_a_failed_check_publishes_nothing(files, tmp_path):
    with pytest.raises(ValidationFailed) as error:
        run_ingest(files, "membres.csv", tmp_path / "out", expect_clusters=13, expect_members=1049)
    failed = {c.name: c for c in error.value.result.report.failed}
    assert set(failed) == {"cluster_count", "membership_total"}
    assert (failed["cluster_count"].expected, failed["cluster_count"].observed) == (13, 14)
    assert (failed["membership_total"].expected, failed["membership_total"].observed) == (1049, 1050)
    assert not (tmp_path / "out" / "releases").exists()


def test_the_command_line_ingests_and_reports_a_missing_column_in_one_line(scrape, files, tmp_path, capsys):
    from cluster_etl import cli, outcomes

    out = tmp_path / "out"
    base = ["--cluster-file", str(files / "clusters.csv"), "--out", str(out), "--as-of", "2008-06-30",
            "--release-date", DAY.isoformat()]
    code = cli.main(["ingest", str(files / "membres-excel.csv"), *base, "--expect-clusters", "14",
                     "--expect-company-share", "75", "--expect-sme-share", "64"])
    printed = capsys.readouterr().out
    assert code == cli.EXIT_OK
    assert "listing       membres-excel.csv" in printed and "memberships   1050" in printed
    assert (out / "releases" / DAY.isoformat() / "index.html").is_file()
    _, raw = scrape
    write_csv(tmp_path / "sans-cluster.csv", listing_rows(raw), header=list(LABELS.values()))
    code = cli.main(["ingest", str(tmp_path / "sans-cluster.csv"), *base])
    err = capsys.readouterr().err
    assert code == outcomes.EXIT_USAGE
    assert "required column(s) missing: Cluster" in err and "Traceback" not in err
    assert json.loads((out / outcomes.LAST_FAILURE).read_text())["kind"] == "input"
    assert cli.main(["ingest", str(files / "membres.csv"), "--cluster-file", str(files / "clusters.csv"),
                     "--out", str(out)]) == outcomes.EXIT_USAGE  # --as-of is required
    assert "--as-of YYYY-MM-DD is required" in capsys.readouterr().err
