import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cluster_etl import publish
from cluster_etl.publish import release as release_module
from cluster_etl.publish import writers
from cluster_etl.schema import SNAPSHOT_TABLES, TABLES, Check, Report
from cluster_etl.validate import validate
from tests.tables_factory import MEMBER_ROWS, make_overview, make_tables

DAY = dt.date(2008, 6, 30)
METADATA = {"portal_url": "https://clusters.wallonie.be",
            "retrieved_at": dt.datetime(2008, 7, 1, 9, 30, tzinfo=dt.UTC),
            "pages_fetched": 57, "archive": "raw/2008-07-01.warc.gz",
            "source": "DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) du SPW"}
TRICKY = 'Conseil, "audit" et\nformation'


def tricky_tables():
    rows = [dict(MEMBER_ROWS[0], activities=TRICKY), *MEMBER_ROWS[1:]]
    return make_tables(member_rows=rows)


def passing(tables):
    report = validate(tables, make_overview(tables))
    assert report.status == "pass"
    return report


def publish_(out, tables=None, day=DAY, metadata=METADATA):
    tables = tables or tricky_tables()
    return publish.write_release(tables, passing(tables), out, day, metadata)


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    return [p.name for p in [*out.iterdir(), *(out / "releases").iterdir()]
            if p.name.startswith((".tmp-", ".old-"))]


def expected_files():
    data = {f"{t}.{fmt}" for t in TABLES for fmt in ("csv", "json", "parquet")}
    return data | {"validation.json", "datapackage.json", "README.md", "SHA256SUMS", "changes.json",
                   "CHANGES.md", "cluster-etl.xlsx", "cluster-etl.sqlite", "member-types.svg",
                   "index.html", "catalog.ttl"}


def test_release_has_every_file_and_latest_copies_it(tmp_path):
    path = publish_(tmp_path)
    assert path == tmp_path / "releases" / "2008-06-30"
    assert {p.name for p in path.iterdir()} == expected_files()
    latest = tmp_path / "latest"
    assert latest.is_dir() and not latest.is_symlink()
    assert tree_hashes(latest) == tree_hashes(path)
    assert leftovers(tmp_path) == []


def test_three_formats_read_back_as_the_tables(tmp_path):
    tables = tricky_tables()
    path = publish_(tmp_path, tables)
    csv, js, pq_ = (publish.read_release_csv(path), publish.read_release_json(path),
                    publish.read_release_parquet(path))
    for name in TABLES:
        pd.testing.assert_frame_equal(csv[name], js[name])
        pd.testing.assert_frame_equal(csv[name], pq_[name])
        if name in SNAPSHOT_TABLES:
            pd.testing.assert_frame_equal(csv[name], getattr(tables, name))
    assert set(zip(csv["membership_history"]["cluster_id"], csv["membership_history"]["member_id"])) == set(
        zip(tables.memberships["cluster_id"], tables.memberships["member_id"]))
    assert csv["members"].loc[0, "activities"] == TRICKY
    assert csv["clusters"]["as_of"].tolist() == [DAY, DAY]
    assert str(csv["clusters"]["declared_member_count"].dtype) == "Int64"


def test_parquet_types_are_the_schema_types(tmp_path):
    path = publish_(tmp_path)
    for name, table in TABLES.items():
        schema = pq.read_schema(path / f"{name}.parquet")
        # enumerations are dictionary-encoded, every other column has the schema's type
        assert schema.remove_metadata() == pa.schema([
            f.with_type(pa.dictionary(pa.int8(), pa.string())) if table.column(f.name).enum else f
            for f in table.arrow_schema])
        assert schema.metadata[b"cluster_etl.release"] == b"2008-06-30"
        assert schema.metadata[b"cluster_etl.table"] == name.encode()
        assert pq.read_metadata(path / f"{name}.parquet").row_group(0).column(0).compression == "ZSTD"
    clusters = pq.read_schema(path / "clusters.parquet")
    assert clusters.field("declared_member_count").type == pa.int64()
    assert clusters.field("as_of").type == pa.date32()
    assert clusters.field("name").type == pa.string()
    assert pq.read_schema(path / "member_types.parquet").field("share").type == pa.float64()
    assert b"pandas" not in (pq.ParquetFile(path / "clusters.parquet").metadata.metadata or {})


def test_csv_is_rfc4180(tmp_path):
    path = publish_(tmp_path)
    members = (path / "members.csv").read_bytes()
    assert b'"Conseil, ""audit"" et\nformation"' in members
    records = members.replace(b'"Conseil, ""audit"" et\nformation"', b"X")
    assert records.count(b"\r\n") == len(MEMBER_ROWS) + 1 and b"\n" not in records.replace(b"\r\n", b"")
    assert not members.startswith(b"\xef\xbb\xbf")  # no BOM
    assert "Liège".encode() in members
    clusters = (path / "clusters.csv").read_bytes().decode("utf-8")
    header, first = clusters.split("\r\n")[:2]
    assert header == ",".join(TABLES["clusters"].column_names)
    assert first.endswith(",3,3,2008-06-30") and ".0" not in first
    assert ",," in first  # null website: empty field


def test_json_records_null_and_unescaped(tmp_path):
    path = publish_(tmp_path)
    text = (path / "members.json").read_text(encoding="utf-8")
    assert "Société Générale d'Électricité" in text and "\\u00e9" not in text
    records = json.loads(text)
    assert list(records[1]) == TABLES["members"].column_names
    assert records[1]["street"] is None and records[0]["activities"] == TRICKY
    clusters = json.loads((path / "clusters.json").read_text(encoding="utf-8"))
    assert clusters[0]["declared_member_count"] == 3 and type(clusters[0]["declared_member_count"]) is int
    assert clusters[0]["as_of"] == "2008-06-30"


def test_validation_json_is_the_report(tmp_path):
    tables = tricky_tables()
    tables.findings.append(Check("unknown_member_type:aresa", "warn", observed="Pôle étranger"))
    report = passing(tables)
    path = publish.write_release(tables, report, tmp_path, DAY, METADATA)
    text = (path / "validation.json").read_text(encoding="utf-8")
    published = json.loads(text)
    # the report, plus the drop guard's check made at publication
    assert published["checks"][:-1] == report.to_dict()["checks"]
    assert published["checks"][-1]["name"] == "membership_drop"
    assert published["status"] == report.status
    assert '"observed": "Pôle étranger"' in text


def test_datapackage_describes_the_release(tmp_path):
    path = publish_(tmp_path)
    package = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["temporal"] == {"as_of": "2008-06-30"}
    assert package["created"] == "2008-07-01T09:30:00+00:00"
    assert {"title": METADATA["source"]} in package["sources"]
    assert package["cluster_etl"]["pages_fetched"] == 57
    assert package["cluster_etl"]["release_date"] == "2008-06-30"
    resources = {r["name"]: r for r in package["resources"]}
    assert {r["path"] for r in package["resources"]} == expected_files() - {
        "datapackage.json", "SHA256SUMS"}
    for name, table in TABLES.items():
        csv = resources[name]
        assert (csv["format"], csv["mediatype"], csv["encoding"]) == ("csv", "text/csv", "utf-8")
        assert [f["name"] for f in csv["schema"]["fields"]] == table.column_names
        assert [f["type"] for f in csv["schema"]["fields"]] == [c.type for c in table.columns]
        digest = hashlib.sha256((path / csv["path"]).read_bytes()).hexdigest()
        assert csv["hash"] == f"sha256:{digest}"
    members = resources["members"]["schema"]
    assert members["primaryKey"] == ["member_id"]
    fields = {f["name"]: f for f in members["fields"]}
    assert fields["member_type"]["constraints"]["enum"][0] == "company"
    assert fields["postal_code"]["constraints"]["pattern"] == r"\d{4}"
    assert fields["name"]["constraints"]["required"] is True
    assert resources["memberships"]["schema"]["foreignKeys"][0] == {
        "fields": ["cluster_id"], "reference": {"resource": "clusters", "fields": ["cluster_id"]}}
    assert resources["member_types"]["schema"]["uniqueKeys"] == [
        ["cluster_id", "member_type", "size_class"]]


def test_license_is_overridable(tmp_path):
    licence = [{"name": "ODC-BY-1.0", "path": "https://opendatacommons.org/licenses/by/1-0/"}]
    path = publish_(tmp_path, metadata={**METADATA, "licenses": licence, "as_of": None})
    package = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == licence
    assert package["temporal"] == {"as_of": "2008-06-30"}  # from the tables when not given


def test_checksums_list_every_file(tmp_path):
    path = publish_(tmp_path)
    lines = (path / "SHA256SUMS").read_text().splitlines()
    sums = dict(reversed(line.split("  ")) for line in lines)
    assert set(sums) == expected_files() - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((path / name).read_bytes()).hexdigest() == digest


def test_output_is_deterministic(tmp_path):
    a = publish_(tmp_path / "a")
    b = publish_(tmp_path / "b")
    assert tree_hashes(a) == tree_hashes(b)


def test_failed_report_publishes_nothing(tmp_path):
    publish_(tmp_path)
    before = tree_hashes(tmp_path)
    tables = tricky_tables()
    report = validate(tables, make_overview(tables, company_share_pct=12))
    report.checks.append(Check("extra", "fail"))
    with pytest.raises(publish.PublishError, match="company_share.*extra"):
        publish.write_release(tables, report, tmp_path, dt.date(2008, 7, 31), METADATA)
    assert tree_hashes(tmp_path) == before
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == ["2008-06-30"]


def test_failed_report_on_a_fresh_folder_creates_nothing(tmp_path):
    report = Report([Check("cluster_count", "fail")])
    with pytest.raises(publish.PublishError):
        publish.write_release(tricky_tables(), report, tmp_path / "out", DAY, METADATA)
    assert not (tmp_path / "out").exists()


def test_same_date_replaces_the_release_whole(tmp_path):
    path = publish_(tmp_path)
    (path / "stale.csv").write_text("old")
    (tmp_path / "latest" / "stale.csv").write_text("old")
    publish_(tmp_path, make_tables())
    assert not (path / "stale.csv").exists()
    assert not (tmp_path / "latest" / "stale.csv").exists()
    assert publish.read_release_csv(path)["members"].loc[0, "activities"] == MEMBER_ROWS[0]["activities"]
    assert tree_hashes(tmp_path / "latest") == tree_hashes(path)
    assert leftovers(tmp_path) == []


def test_backfill_does_not_move_latest(tmp_path):
    newest = publish_(tmp_path, day=DAY)
    older = publish_(tmp_path, make_tables(), day=dt.date(2008, 3, 31))
    assert older.is_dir()
    # latest/ stays on the newest date, refreshed: that release now has a previous one
    assert publish.latest_date(tmp_path) == DAY
    assert tree_hashes(tmp_path / "latest") == tree_hashes(newest)
    assert publish.release_dates(tmp_path) == [dt.date(2008, 3, 31), DAY]
    newer = publish_(tmp_path, make_tables(), day=dt.date(2008, 9, 30))
    assert tree_hashes(tmp_path / "latest") == tree_hashes(newer)


def test_writer_failure_keeps_the_previous_release(tmp_path, monkeypatch):
    publish_(tmp_path)
    before = tree_hashes(tmp_path)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writers, "write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        publish_(tmp_path, make_tables())
    assert tree_hashes(tmp_path) == before
    assert leftovers(tmp_path) == []


def test_failed_swap_restores_the_previous_release(tmp_path, monkeypatch):
    publish_(tmp_path)
    before = tree_hashes(tmp_path)
    real_rename = release_module.os.rename
    calls = []

    def rename(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # the new release into place, after the old one was moved aside
            raise OSError("rename failed")
        real_rename(src, dst)

    monkeypatch.setattr(release_module.os, "rename", rename)
    with pytest.raises(OSError, match="rename failed"):
        publish_(tmp_path, make_tables())
    assert calls[0][0] == "2008-06-30" and calls[1][1] == "2008-06-30"
    assert tree_hashes(tmp_path) == before
    assert leftovers(tmp_path) == []


def test_read_back_mismatch_refuses(tmp_path, monkeypatch):
    real = writers.write_json

    def lossy(df, table, path):
        real(df.assign(domain=None) if table.name == "clusters" else df, table, path)

    monkeypatch.setattr(writers, "write_json", lossy)
    with pytest.raises(publish.PublishError, match="clusters.json"):
        publish_(tmp_path)
    assert not (tmp_path / "releases" / "2008-06-30").exists()
    assert not (tmp_path / "latest").exists()
    assert leftovers(tmp_path) == []


def test_crash_leftovers_are_tidied_on_the_next_run(tmp_path):
    path = publish_(tmp_path)
    aside = path.with_name(".old-2008-06-30-deadbeef")
    path.rename(aside)  # a crash between the two renames of a swap
    (tmp_path / "releases" / ".tmp-2008-07-31-cafe0000").mkdir()
    publish_(tmp_path, day=dt.date(2008, 1, 31))
    assert path.is_dir()
    assert leftovers(tmp_path) == []


def test_writers_reject_untyped_values(tmp_path):
    tables = make_tables()
    df = tables.clusters.astype({"declared_member_count": "float64"})
    df.loc[0, "declared_member_count"] = 2.5
    with pytest.raises(TypeError, match="declared_member_count"):
        writers.write_csv(df, TABLES["clusters"], tmp_path / "c.csv")
    with pytest.raises(ValueError, match="columns"):
        writers.write_parquet(tables.clusters.iloc[:, ::-1], TABLES["clusters"], tmp_path / "c.parquet")


def test_empty_string_publishes_as_null(tmp_path):
    rows = [dict(MEMBER_ROWS[0], street=""), *MEMBER_ROWS[1:]]
    tables = make_tables(member_rows=rows)
    path = publish_(tmp_path, tables)
    assert json.loads((path / "members.json").read_text(encoding="utf-8"))[0]["street"] is None
    assert publish.read_release_parquet(path)["members"].loc[0, "street"] is None


def test_a_stale_latest_catches_up_even_on_a_backfill(tmp_path):
    older = publish_(tmp_path, day=DAY)
    newest = publish_(tmp_path, make_tables(), day=dt.date(2008, 9, 30))
    # as if the run that published 2008-09-30 had died before refreshing latest/
    shutil.rmtree(tmp_path / "latest")
    shutil.copytree(older, tmp_path / "latest")
    assert publish.latest_date(tmp_path) == DAY
    publish_(tmp_path, day=dt.date(2008, 1, 31))
    assert publish.latest_date(tmp_path) == dt.date(2008, 9, 30)
    assert tree_hashes(tmp_path / "latest") == tree_hashes(newest)
