"""A series of releases in one output folder: history, changes, backfills, the drop guard, and
the CSV formula rule, through publish.write_release."""

import csv
import datetime as dt
import json

import pytest

from cluster_etl import publish
from cluster_etl.publish import writers
from cluster_etl.schema import TABLES, Report
from tests.tables_factory import MEMBER_ROWS, MEMBERSHIP_PAIRS, make_tables

D1, D2, D3 = dt.date(2026, 11, 13), dt.date(2026, 11, 20), dt.date(2026, 11, 27)
METADATA = {"portal_url": "https://clusters.wallonie.be", "retrieved_at": "2026-11-13T06:00:00+00:00"}
WEEK1 = make_tables()
WEEK2 = make_tables(pairs=MEMBERSHIP_PAIRS[1:] + [("tweed", "BE0200000195")])  # one left, one joined
WEEK3 = make_tables(pairs=MEMBERSHIP_PAIRS[1:] + [("aresa", "BE0123456749")])  # it came back


def publish_(out, tables, day, **options):
    return publish.write_release(tables, Report(checks=[]), out, day, METADATA, **options)


def history(folder):
    df = publish.read_release_parquet(folder)["membership_history"]
    return {(c, m): (f, last) for c, m, f, last in df.itertuples(index=False)}


def changes(folder):
    return json.loads((folder / "changes.json").read_text(encoding="utf-8"))


def test_history_and_changes_follow_the_releases(tmp_path):
    r1, r2, r3 = (publish_(tmp_path, t, d) for t, d in ((WEEK1, D1), (WEEK2, D2), (WEEK3, D3)))
    assert changes(r1)["previous_release"] is None
    assert changes(r2)["memberships"] == {
        "added": [{"cluster_id": "tweed", "member_id": "BE0200000195"}],
        "removed": [{"cluster_id": "aresa", "member_id": "BE0123456749"}]}
    assert changes(r3)["previous_release"] == D2.isoformat()
    h3 = history(r3)
    assert h3[("aresa", "BE0123456749")] == (D1, D3)  # left in week 2, back in week 3
    assert h3[("tweed", "BE0200000195")] == (D2, D2)  # joined in week 2, gone in week 3
    assert h3[("aresa", "BE0200000195")] == (D1, D3)
    assert history(r2)[("aresa", "BE0123456749")] == (D1, D1)
    assert len(h3) == 6
    assert (tmp_path / "latest" / "changes.json").read_bytes() == (r3 / "changes.json").read_bytes()


def tree(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()
            if p.name not in ("datapackage.json", "SHA256SUMS", "index.html", "catalog.ttl")}


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)])
def test_history_never_depends_on_the_order_releases_were_built(tmp_path, order):
    runs = [(WEEK1, D1), (WEEK2, D2), (WEEK3, D3)]
    for tables, day in runs:
        publish_(tmp_path / "in-order", tables, day)
    for i in order:
        publish_(tmp_path / "shuffled", *runs[i])
    for day in (D1, D2, D3):
        a, b = (tmp_path / o / "releases" / day.isoformat() for o in ("in-order", "shuffled"))
        for name in ("membership_history.csv", "membership_history.parquet", "changes.json", "CHANGES.md"):
            assert (a / name).read_bytes() == (b / name).read_bytes(), (day, name)
    assert publish.latest_date(tmp_path / "shuffled") == D3
    assert history(tmp_path / "shuffled" / "latest") == history(tmp_path / "in-order" / "latest")


def test_a_backfill_between_two_releases_rewrites_the_later_one(tmp_path):
    publish_(tmp_path, WEEK1, D1)
    r3 = publish_(tmp_path, WEEK3, D3)
    assert changes(r3)["previous_release"] == D1.isoformat()
    publish_(tmp_path, WEEK2, D2)
    assert changes(r3)["previous_release"] == D2.isoformat()
    assert history(r3)[("tweed", "BE0200000195")] == (D2, D2)
    assert publish.latest_date(tmp_path) == D3
    assert history(tmp_path / "latest") == history(r3)
    # the rewritten release still verifies: checksums of every file
    for line in (r3 / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert publish.metadata.sha256(r3 / name) == digest


def dropped(share_left):
    keep = MEMBERSHIP_PAIRS[:round(len(MEMBERSHIP_PAIRS) * share_left)]
    return make_tables(pairs=keep)


def test_a_fall_of_more_than_20_percent_is_refused_then_allowed(tmp_path):
    publish_(tmp_path, WEEK1, D1)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(publish.DropRefused, match=r"from 5 \(release 2026-11-13\) to 3 \(-40.0%\)"):
        publish_(tmp_path, dropped(0.6), D2)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    r2 = publish_(tmp_path, dropped(0.6), D2, allow_drop=True)
    checks = {c["name"]: c for c in json.loads((r2 / "validation.json").read_text())["checks"]}
    assert checks["membership_drop"]["status"] == "warn"
    assert "--allow-drop" in checks["membership_drop"]["detail"]
    package = json.loads((r2 / "datapackage.json").read_text())
    assert package["cluster_etl"]["drop_allowed"]["previous_release"] == D1.isoformat()


def test_a_fall_of_20_percent_passes(tmp_path):
    publish_(tmp_path, WEEK1, D1)
    r2 = publish_(tmp_path, dropped(0.8), D2)  # 5 -> 4
    checks = {c["name"]: c for c in json.loads((r2 / "validation.json").read_text())["checks"]}
    assert checks["membership_drop"]["status"] == "pass"
    assert "drop_allowed" not in json.loads((r2 / "datapackage.json").read_text())["cluster_etl"]


EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(1)", "-A1", "@cmd", "\tTab", "\rCR", "'=quoted",
        "''@twice", "'plain", "=", "-"]
SAFE = ["+32 81 23 45 67", "-12.5", "-2+3", "(081) 23/45.67", "Normal"]


def test_csv_cells_a_spreadsheet_would_evaluate_get_an_apostrophe(tmp_path):
    values = EVIL + SAFE
    rows = [dict(MEMBER_ROWS[0], member_id=f"m{i:02d}", activities=v, enterprise_number=None)
            for i, v in enumerate(values)]
    tables = make_tables(pairs=[("aresa", r["member_id"]) for r in rows], member_rows=rows)
    folder = publish_(tmp_path, tables, D1)
    with open(folder / "members.csv", encoding="utf-8", newline="") as f:
        cells = [row["activities"] for row in csv.DictReader(f)]
    expected = [f"'{v}" for v in EVIL[:6]] + ["''=quoted", "'''@twice", "'plain", "'=", "-"] + SAFE
    assert cells == expected
    # every other format keeps the exact value, and the CSV reads back to it
    for fmt in ("csv", "json", "parquet"):
        assert publish.read_release(folder, fmt)["members"]["activities"].tolist() == values
    assert json.loads((folder / "members.json").read_text())[0]["activities"] == values[0]


def test_needs_apostrophe_is_undone_by_the_reader():
    for value in EVIL + SAFE + ["'", "''", "' =x"]:
        written = writers._csv_text(value)
        assert writers._parse_text(written, TABLES["members"].column("name")) == value
