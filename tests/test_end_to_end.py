"""The real Prefect flow against the sample portal served on 127.0.0.1."""

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cluster_etl import cli
from cluster_etl.publish import read_release_csv, read_release_json, read_release_parquet
from cluster_etl.run import ValidationFailed
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal
from cluster_etl.schema import TABLES
from flows.refresh import refresh

DAY = dt.date(2026, 1, 5)
OVERVIEW = Path("sites/federateur/home/les-clusters.html")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal")
    return root, write_sample_portal(root)


@pytest.fixture(scope="module")
def published(sample, tmp_path_factory):
    root, manifest = sample
    out = tmp_path_factory.mktemp("out")
    with serve_portal(root) as base:
        result = refresh(portal_url=base, out_dir=out, release_date=DAY, rate=0, concurrency=8)
    return out, result, manifest


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def published_digest(out: Path) -> dict[str, str]:
    """Everything published; the raw archive beside it grows with every run, failed ones included."""
    return {f"{part}/{name}": digest for part in ("releases", "latest")
            for name, digest in tree_digest(out / part).items()}


def changed_portal(sample_root: Path, tmp_path: Path, edit) -> Path:
    root = tmp_path / "portal"
    shutil.copytree(sample_root, root)
    edit(root)
    return root


def test_release_has_every_table_in_three_formats(published):
    out, result, _ = published
    release = out / "releases" / DAY.isoformat()
    assert result.release == release
    for name in TABLES:
        for ext in ("csv", "json", "parquet"):
            assert (release / f"{name}.{ext}").stat().st_size > 0
    assert json.loads((release / "validation.json").read_text("utf-8"))["status"] == "pass"
    package = json.loads((release / "datapackage.json").read_text("utf-8"))
    assert {r["name"] for r in package["resources"]} >= set(TABLES)


def test_three_formats_agree(published):
    out, _, _ = published
    release = out / "releases" / DAY.isoformat()
    parquet, csv, js = (read(release) for read in (read_release_parquet, read_release_csv, read_release_json))
    for name in TABLES:
        pd.testing.assert_frame_equal(parquet[name], csv[name], check_dtype=True)
        pd.testing.assert_frame_equal(parquet[name], js[name], check_dtype=True)


def test_figures_match_what_the_sample_portal_holds(published):
    out, result, manifest = published
    tables = read_release_parquet(out / "latest")
    assert len(tables["clusters"]) == len(manifest.clusters) == 14
    assert len(tables["memberships"]) == manifest.memberships
    assert len(tables["members"]) == manifest.organisations
    assert (result.companies, result.smes) == (manifest.companies, manifest.smes)
    assert set(tables["clusters"]["as_of"]) == {dt.date(2008, 6, 30)}
    totals = tables["member_types"][tables["member_types"]["cluster_id"].isna()]
    assert totals["member_count"].sum() == manifest.memberships
    assert totals["share"].sum() == pytest.approx(1.0)


def test_findings_name_what_the_sample_portal_hides(published):
    out, _, manifest = published
    checks = json.loads((out / "latest" / "validation.json").read_text("utf-8"))["checks"]
    by_name = {}
    for check in checks:
        by_name.setdefault(check["name"], []).append(check)
    for mismatch in manifest.count_mismatch_clusters:
        assert by_name[f"cluster_member_count:{mismatch}"][0]["status"] == "warn"
    assert len(by_name["enterprise_number_invalid"]) == len(manifest.invalid_enterprise_number_paths)
    missing = by_name["member_page_missing"]
    assert [m["status"] for m in missing] == ["warn"] * len(manifest.missing_member_paths)
    assert all(any(p in m["detail"] for p in manifest.missing_member_paths) for m in missing)
    for name in ("cluster_count", "membership_total", "company_share", "sme_share"):
        assert by_name[name][0]["status"] == "pass"


def test_latest_is_the_published_release(published):
    out, _, _ = published
    assert tree_digest(out / "latest") == tree_digest(out / "releases" / DAY.isoformat())


def _break_company_share(root: Path) -> None:
    page = root / OVERVIEW
    page.write_text(page.read_text("utf-8").replace("75% sont des entreprises",
                                                    "80% sont des entreprises"), "utf-8")


def test_failed_check_leaves_the_previous_release_untouched(published, sample, tmp_path):
    out, _, _ = published
    before = published_digest(out)
    runs_before = set((out / "archive").glob("*.warc.gz"))
    root = changed_portal(sample[0], tmp_path, _break_company_share)
    with serve_portal(root) as base, pytest.raises(ValidationFailed) as info:
        refresh(portal_url=base, out_dir=out, release_date=DAY, rate=0, concurrency=8)
    assert "company_share" in str(info.value)
    assert published_digest(out) == before
    assert len(set((out / "archive").glob("*.warc.gz")) - runs_before) == 1  # kept for audit


def _hide_member_links(cluster: str):
    def edit(root: Path) -> None:
        for page in (root / "sites" / cluster / "home").glob("membres*.html"):
            page.write_text(page.read_text("utf-8").replace("memberList", "fiches"), "utf-8")
    return edit


def test_directory_that_parses_to_nothing_fails_the_run(sample, tmp_path):
    out = tmp_path / "out"
    root = changed_portal(sample[0], tmp_path, _hide_member_links("tweed"))
    with serve_portal(root) as base, pytest.raises(ValidationFailed) as info:
        refresh(portal_url=base, out_dir=out, release_date=DAY, rate=0, concurrency=8)
    failed = [c.name for c in info.value.result.report.failed]
    assert "cluster_member_count:tweed" in failed
    assert not (out / "releases").exists() and not (out / "latest").exists()


def test_cli_refresh_exit_status_and_messages(sample, tmp_path, capsys):
    root, _ = sample
    out = tmp_path / "out"
    with serve_portal(root) as base:
        code = cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0",
                         "--concurrency", "8", "--release-date", "2026-02-01"])
    printed = capsys.readouterr().out
    assert code == cli.EXIT_OK
    assert "validation    PASS" in printed and "memberships   " in printed
    assert (out / "releases" / "2026-02-01" / "members.parquet").exists()

    broken = changed_portal(root, tmp_path, _break_company_share)
    with serve_portal(broken) as base:
        code = cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0"])
    assert code == cli.EXIT_INVALID
    assert "company_share" in capsys.readouterr().err


def test_cli_names_the_url_that_failed(tmp_path, capsys):
    root = tmp_path / "empty"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\n")
    with serve_portal(root) as base:
        code = cli.main(["refresh", "--portal", base, "--out", str(tmp_path / "out"), "--rate", "0"])
    assert code == cli.EXIT_INCOMPLETE
    err = capsys.readouterr().err
    assert str(OVERVIEW.as_posix()) in err and "404" in err


def test_sample_portal_command_writes_the_files(tmp_path, capsys):
    assert cli.main(["sample-portal", str(tmp_path / "site")]) == cli.EXIT_OK
    assert (tmp_path / "site" / OVERVIEW).exists()
    assert "1050 memberships" in capsys.readouterr().out


def test_cli_reports_a_layout_change_of_the_overview(sample, tmp_path, capsys):
    def maintenance(root: Path) -> None:
        (root / OVERVIEW).write_text("<html><body><h1>Maintenance</h1><p>Revenez plus tard.</p></body></html>")

    root = changed_portal(sample[0], tmp_path, maintenance)
    out = tmp_path / "out"
    with serve_portal(root) as base:
        code = cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0"])
    assert code == cli.EXIT_LAYOUT
    err = capsys.readouterr().err
    assert "layout changed" in err and OVERVIEW.as_posix() in err
    assert not (out / "releases").exists() and not (out / "latest").exists()


def test_cli_refresh_sample_serves_the_bundled_portal_and_publishes(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["refresh", "--sample", "--out", str(out), "--release-date", "2026-03-01"]) == cli.EXIT_OK
    printed = capsys.readouterr().out
    assert "sample portal served at http://127.0.0.1:" in printed
    assert "memberships   1050" in printed and "validation    PASS" in printed
    assert (out / "latest" / "validation.json").exists()
    assert len(list((out / "archive").glob("*.warc.gz"))) == 1
