"""The KBO enrichment through the real flow and the command line: a refresh of the sample portal
with the sample extract fills the members' KBO columns, member_activities and member_sectors in
every format, names the extract in the release, reports the planted findings, and shows the
sectors on the page; a bad extract stops the run before anything starts."""

import json
import sqlite3
import zipfile

import pytest

from cluster_etl import cli, outcomes, publish
from cluster_etl.kbo.sample import write_sample_extract
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal
from flows.refresh import refresh

DAY = "2026-04-06"


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return write_sample_extract(tmp_path_factory.mktemp("kbo"), entities=300)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal")
    write_sample_portal(root)
    return root


@pytest.fixture(scope="module")
def enriched(extract, portal, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    with serve_portal(portal) as base:
        result = refresh(portal_url=base, out_dir=out, rate=0, concurrency=8, kbo=str(extract.path))
    return out, result


def test_members_get_the_register_s_columns(extract, enriched):
    out, _ = enriched
    members = publish.read_release_parquet(out / "latest")["members"].set_index("enterprise_number")
    for number, name in list(extract.legal_names.items())[:50]:
        if number in members.index:
            row = members.loc[number]
            assert row["kbo_status"] == "active" and row["kbo_name"] == name
            assert row["kbo_legal_form"] == extract.legal_forms[number]
            assert row["nace_main"] == extract.nace_main[number]
            assert row["kbo_start_date"] is not None
    absent = [n for n in extract.absent_numbers if n in members.index]
    assert absent and set(members.loc[absent, "kbo_status"]) == {"not_found"}
    assert members.loc[members.index.isna(), "kbo_status"].isna().all()  # no valid number


def test_activities_and_sectors_are_in_every_format(enriched):
    out, _ = enriched
    release = out / "latest"
    for fmt in ("csv", "json", "parquet"):
        tables = publish.read_release(release, fmt)
        assert len(tables["member_activities"]) > 100
        assert tables["member_sectors"]["nace_section"].notna().any()
    con = sqlite3.connect(release / "cluster-etl.sqlite")
    assert con.execute("SELECT count(*) FROM member_activities").fetchone()[0] > 100
    sectors = publish.read_release_parquet(release)["member_sectors"]
    totals = sectors[sectors["cluster_id"].isna()]
    assert totals["member_count"].sum() == 1050 and abs(totals["share"].sum() - 1) < 1e-9


def test_findings_and_metadata_name_the_extract(extract, enriched):
    out, _ = enriched
    release = out / "latest"
    checks = json.loads((release / "validation.json").read_text())["checks"]
    names = [c["name"] for c in checks]
    assert names.count("kbo_number_not_found") == len(extract.absent_numbers)
    assert names.count("kbo_name_mismatch") == len(extract.renamed)
    assert names.count("kbo_postal_code_mismatch") == len(extract.moved)
    assert all("/memberList/" in c["detail"] for c in checks if c["name"].startswith("kbo_"))
    meta = json.loads((release / "datapackage.json").read_text())["cluster_etl"]["kbo_extract"]
    assert meta["extract_number"] == extract.extract_number
    assert meta["snapshot_date"] == extract.snapshot_date.isoformat()
    assert meta["sha256"] == publish.metadata.sha256(extract.path)
    page = (release / "index.html").read_text()
    assert 'id="sectors"' in page and "Information and communication" in page


def test_without_an_extract_the_columns_are_empty_and_the_table_has_no_rows(portal, tmp_path):
    with serve_portal(portal) as base:
        refresh(portal_url=base, out_dir=tmp_path, rate=0, concurrency=8)
    tables = publish.read_release_parquet(tmp_path / "latest")
    assert tables["members"][["kbo_status", "kbo_name", "nace_main"]].isna().all().all()
    assert tables["member_activities"].empty
    assert tables["member_sectors"]["nace_section"].isna().all()


def test_a_bad_extract_stops_the_run_before_anything_starts(extract, portal, tmp_path, capsys):
    update = tmp_path / "update.zip"
    with zipfile.ZipFile(extract.path) as source, zipfile.ZipFile(update, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("meta.csv"):
                data = data.replace(b'"Full"', b'"Update"').replace(b'"full"', b'"update"')
            target.writestr(info, data)
    out = tmp_path / "out"
    with serve_portal(portal) as base:
        code = cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0",
                         "--kbo", str(update)])
    err = capsys.readouterr().err
    assert code == outcomes.EXIT_USAGE and "KBO extract" in err and "update" in err.lower()
    assert not (out / "archive").exists() and not (out / "releases").exists()
    assert cli.main(["refresh", "--sample", "--out", str(out), "--kbo", str(tmp_path / "nope.zip")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
