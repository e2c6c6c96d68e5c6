"""Refreshes of the sample portal a week apart through the real flow: changes.json and
membership_history exactly as the sample's ground truth says, a backfill between two releases,
the drop guard at the command line, and the data package validated by frictionless."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cluster_etl import cli, publish
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal
from cluster_etl.schema import TABLES, Report
from flows.refresh import refresh
from tests.tables_factory import make_tables

D1, D2, D3 = dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30)


def refresh_week(tmp_path_factory, out: Path, week: int, day: dt.date):
    root = tmp_path_factory.mktemp(f"portal-week-{week}")
    manifest = write_sample_portal(root, week=week)
    with serve_portal(root) as base:
        refresh(portal_url=base, out_dir=out, release_date=day, rate=0, concurrency=8)
    return manifest


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """Week 0 on D1, week 1 on D3, then week 0 again backfilled on D2, between them."""
    out = tmp_path_factory.mktemp("weekly")
    refresh_week(tmp_path_factory, out, 0, D1)
    week1 = refresh_week(tmp_path_factory, out, 1, D3)
    first_changes = json.loads((out / "releases" / D3.isoformat() / "changes.json").read_text())
    refresh_week(tmp_path_factory, out, 0, D2)
    return out, week1, first_changes


def read(out: Path, day: dt.date, name: str):
    return json.loads((out / "releases" / day.isoformat() / name).read_text(encoding="utf-8"))


def pairs(items):
    return [{"cluster_id": c, "member_id": m} for c, m in items]


def test_changes_between_two_weeks_are_exactly_the_samples(weeks):
    out, manifest, first = weeks
    assert manifest.joined and manifest.left and manifest.members_changed  # the test means something
    for changes in (first, read(out, D3, "changes.json")):
        assert changes["memberships"]["added"] == pairs(sorted(manifest.joined))
        assert changes["memberships"]["removed"] == pairs(sorted(manifest.left))
        assert changes["members"]["added"] == sorted(manifest.members_added)
        assert changes["members"]["removed"] == sorted(manifest.members_removed)
        changed = {c["member_id"]: c["fields"] for c in changes["members"]["changed"]}
        assert {m: sorted(f) for m, f in changed.items()} == {
            m: sorted(f) for m, f in manifest.members_changed.items()}
        assert changes["clusters"]["added"] == changes["clusters"]["removed"] == []
    assert first["previous_release"] == D1.isoformat()
    assert read(out, D3, "changes.json")["previous_release"] == D2.isoformat()


def test_changed_values_are_the_two_releases_values(weeks):
    out, _, _ = weeks
    old = publish.read_release_parquet(out / "releases" / D2.isoformat())["members"].set_index("member_id")
    new = publish.read_release_parquet(out / "releases" / D3.isoformat())["members"].set_index("member_id")
    for item in read(out, D3, "changes.json")["members"]["changed"]:
        for column, (before, after) in item["fields"].items():
            assert (old.loc[item["member_id"], column], new.loc[item["member_id"], column]) == (
                before, after)


def test_history_is_right_after_a_backfill_between_two_releases(weeks):
    out, manifest, _ = weeks
    history = publish.read_release_parquet(out / "releases" / D3.isoformat())["membership_history"]
    rows = {(c, m): (f, last) for c, m, f, last in history.itertuples(index=False)}
    week0 = publish.read_release_parquet(out / "releases" / D1.isoformat())["memberships"]
    week0_pairs = set(zip(week0["cluster_id"], week0["member_id"]))
    assert set(rows) == week0_pairs | set(manifest.joined)
    for key in manifest.joined:
        assert rows[key] == (D3, D3)
    for key in manifest.left:
        assert rows[key] == (D1, D2)  # seen on D1 and in the backfilled D2, gone on D3
    stayed = week0_pairs - set(manifest.left)
    assert {rows[k] for k in stayed} == {(D1, D3)}
    assert publish.latest_date(out) == D3
    assert (out / "latest" / "membership_history.csv").read_bytes() == (
        out / "releases" / D3.isoformat() / "membership_history.csv").read_bytes()


def test_changes_md_names_who_joined_and_left(weeks):
    out, manifest, _ = weeks
    text = (out / "releases" / D3.isoformat() / "CHANGES.md").read_text(encoding="utf-8")
    members = publish.read_release_parquet(out / "releases" / D3.isoformat())["members"]
    names = dict(zip(members["member_id"], members["name"]))
    assert "## Joined" in text and "## Left" in text
    for cluster_id, member_id in manifest.joined:
        assert f"{names[member_id]} ({member_id})" in text


def test_frictionless_validates_the_whole_release(weeks):
    out, _, _ = weeks
    release = out / "releases" / D3.isoformat()
    package = json.loads((release / "datapackage.json").read_text())
    listed = {r["path"] for r in package["resources"]}
    files = {p.name for p in release.iterdir()} - {"datapackage.json", "SHA256SUMS"}
    assert listed == files
    assert {f"{t}.{fmt}" for t in TABLES for fmt in ("csv", "json", "parquet")} <= listed
    sums = {line.split("  ")[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    assert sums == files | {"datapackage.json"}
    frictionless = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"], cwd=release,
                          capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert report["valid"], json.dumps(report, indent=1)[:3000]
    assert {task["name"] for task in report["tasks"]} >= set(TABLES)


def test_duckdb_and_pandas_read_what_was_published(weeks):
    import duckdb
    import pandas as pd

    out, _, _ = weeks
    release = out / "releases" / D3.isoformat()
    members = publish.read_release_parquet(release)["members"]
    con = duckdb.connect()
    count, types = con.execute(
        f"SELECT count(*), count(DISTINCT member_type) FROM '{release / 'members.parquet'}'").fetchone()
    assert count == len(members) and types >= 5
    described = con.execute(f"DESCRIBE SELECT * FROM '{release / 'membership_history.parquet'}'")
    kinds = {row[0]: row[1] for row in described.fetchall()}
    assert kinds["first_seen"] == "DATE" and kinds["cluster_id"] == "VARCHAR"
    from tests.publish.test_database import offline_duckdb

    sqlite = offline_duckdb()
    sqlite.execute(f"ATTACH '{release / 'cluster-etl.sqlite'}' AS release (TYPE sqlite, READ_ONLY)")
    assert sqlite.execute("SELECT count(*) FROM release.members").fetchone()[0] == len(members)
    assert sqlite.execute("SELECT min(first_seen) FROM release.membership_history").fetchone()[0] == D1
    frame = pd.read_parquet(release / "members.parquet")
    assert str(frame["member_type"].dtype) == "category"
    assert frame["member_id"].tolist() == members["member_id"].tolist()


def big_release(out: Path, day: dt.date, memberships: int) -> None:
    """A previous release with more memberships than the sample portal has."""
    member_rows = [{"member_id": f"m{i:05d}", "name": f"Member {i}", "postal_code": "5000"}
                   for i in range(memberships)]
    tables = make_tables(pairs=[("aresa", r["member_id"]) for r in member_rows], member_rows=member_rows)
    publish.write_release(tables, Report(checks=[]), out, day, {"portal_url": "https://example.org"})


def test_the_command_line_refuses_a_drop_then_allows_it(tmp_path, capsys):
    big_release(tmp_path, D1, 1400)  # the sample has 1,050 memberships: a 25% fall
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "releases").rglob("*"))
    status = cli.main(["refresh", "--sample", "--out", str(tmp_path), "--release-date", D2.isoformat()])
    err = capsys.readouterr().err
    assert status == cli.EXIT_DROP == 5
    assert "from 1400 (release 2026-11-16) to 1050 (-25.0%)" in err and "--allow-drop" in err
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "releases").rglob("*")) == before
    status = cli.main(["refresh", "--sample", "--out", str(tmp_path), "--release-date", D2.isoformat(),
                       "--allow-drop"])
    assert status == cli.EXIT_OK
    package = read(tmp_path, D2, "datapackage.json")
    assert package["cluster_etl"]["drop_allowed"]["previous_release"] == D1.isoformat()
