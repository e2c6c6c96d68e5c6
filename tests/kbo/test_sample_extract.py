"""The invented extract: its format, its ratios, and its consistency with the sample portal,
checked through the pipeline's own normalisation and the enrichment."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from cluster_etl.kbo import build_member_sectors, enrich, open_extract
from cluster_etl.kbo.sample import HEADERS, write_sample_extract
from cluster_etl.kbo.sample_portal import SAMPLE_WEEKS
from cluster_etl.normalise.text import collapse_whitespace
from cluster_etl.sample.generate import write_sample_portal
from tests.kbo.portal_members import sample_portal_tables

FILLER = 3000
QUOTED_ROW = re.compile(r'(?:"[^"]*")?(?:,(?:"[^"]*")?)*')


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return write_sample_extract(tmp_path_factory.mktemp("kbo"), entities=FILLER)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return sample_portal_tables(tmp_path_factory.mktemp("portal"))


@pytest.fixture(scope="module")
def enriched(sample, portal):
    members, memberships = portal
    rows = open_extract(sample.path).select(members["enterprise_number"])
    return enrich(members, memberships, rows)


def number_in(detail: str, numbers) -> str:
    [number] = [n for n in numbers if n in detail]
    return number


def test_the_zip_holds_every_file_of_the_register_in_its_format(sample):
    assert sample.path.name == "KboOpenData_0001_2008_06_Full.zip"
    with zipfile.ZipFile(sample.path) as zf:
        assert sorted(zf.namelist()) == sorted(HEADERS)
        for file, columns in HEADERS.items():
            text = zf.read(file).decode("utf-8")
            lines = text.splitlines()
            assert next(csv.reader([lines[0]])) == list(columns), file
            assert len(lines) - 1 == sample.rows[file]
            for line in lines[:200]:  # every value double-quoted, or an empty field for none
                assert QUOTED_ROW.fullmatch(line), line
            rows = list(csv.reader(io.StringIO(text)))
            assert {len(r) for r in rows} == {len(columns)}, file
    meta = open_extract(sample.path).meta
    assert (meta.extract_type, meta.extract_number, meta.snapshot_date) == (
        "full", "1", sample.snapshot_date)


def test_filler_ratios_are_realistic(sample):
    enterprises = sample.rows["enterprise.csv"]
    assert enterprises == FILLER + len(sample.portal_numbers) - len(sample.absent_numbers)
    assert 0.4 < sample.rows["establishment.csv"] / enterprises < 0.9
    assert 12 < sample.rows["activity.csv"] / enterprises < 20


def test_the_extract_knows_every_valid_number_of_the_sample_portal(sample, portal, tmp_path):
    members, _ = portal
    published = set(members["enterprise_number"].dropna())
    assert published <= set(sample.portal_numbers)
    later = write_sample_portal(tmp_path, week=SAMPLE_WEEKS)
    joined = {f"{m[2:6]}.{m[6:9]}.{m[9:]}" for m in later.members_added}
    assert joined and joined <= set(sample.portal_numbers)
    assert set(sample.portal_numbers) == published | joined


def test_absent_numbers_are_not_found_and_named_by_page(sample, enriched):
    status = dict(zip(enriched.members["enterprise_number"], enriched.members["kbo_status"]))
    assert sorted(n for n, s in status.items() if s == "not_found") == sample.absent_numbers
    assert {s for n, s in status.items() if n} <= {"active", "not_found"}
    findings = [f for f in enriched.findings if f.name == "kbo_number_not_found"]
    assert sorted(f.observed for f in findings) == sample.absent_numbers
    assert all(f.detail.startswith("http://127.0.0.1:8000/sites/") for f in findings)


def test_renamed_and_moved_organisations_are_the_findings(sample, enriched):
    names = [f for f in enriched.findings if f.name == "kbo_name_mismatch"]
    assert sorted(number_in(f.detail, sample.renamed) for f in names) == sorted(sample.renamed)
    assert {f.expected for f in names} == set(sample.renamed.values())
    postal = [f for f in enriched.findings if f.name == "kbo_postal_code_mismatch"]
    assert sorted(number_in(f.detail, sample.moved) for f in postal) == sorted(sample.moved)
    assert {(f.observed, f.expected) for f in postal} == set(sample.moved.values())
    # the office elsewhere but an establishment at the page's postal code: no finding
    assert all(sample.office_elsewhere_establishment_here[0] not in f.detail for f in postal)
    assert {f.name for f in enriched.findings} == {
        "kbo_number_not_found", "kbo_name_mismatch", "kbo_postal_code_mismatch"}


def test_names_forms_and_main_activities_are_those_written(sample, enriched):
    active = enriched.members[enriched.members["kbo_status"] == "active"]
    assert len(active) == len(set(enriched.members["enterprise_number"].dropna())) - len(sample.absent_numbers)
    for row in active.to_dict("records"):
        number = row["enterprise_number"]
        assert row["kbo_name"] == collapse_whitespace(sample.legal_names[number]), number
        assert row["kbo_legal_form"] == sample.legal_forms[number], number
        assert row["nace_main"] == sample.nace_main[number], number
        assert row["kbo_start_date"] < sample.snapshot_date
    via = set(sample.main_via_establishment) & set(active["enterprise_number"])
    assert via and all(sample.establishments[n] for n in via)


def test_activities_and_sectors_of_the_sample(sample, enriched, portal):
    activities = enriched.member_activities
    assert set(activities["nace_version"]) == {"2003", "2008", "2025"}
    assert activities["description_fr"].notna().all()
    assert set(activities["classification"]) == {"MAIN", "SECO", "ANCI"}
    _, memberships = portal
    sectors = build_member_sectors(memberships, enriched.members, activities)
    overall = sectors[sectors["cluster_id"].isna()]
    assert overall["member_count"].sum() == len(memberships)
    assert set(overall["nace_section"].dropna()) >= {"C", "F", "J", "M", "P"}
    infopole = sectors[sectors["cluster_id"] == "infopole"].sort_values("member_count")
    assert infopole.iloc[-1]["nace_section"] == "J"


def test_the_same_seed_writes_the_same_files(tmp_path):
    a = write_sample_extract(tmp_path / "a", entities=500, as_zip=False)
    b = write_sample_extract(tmp_path / "b", entities=500, as_zip=False)
    c = write_sample_extract(tmp_path / "c", entities=500, seed=7, as_zip=False)
    for file in HEADERS:
        assert (a.path / file).read_bytes() == (b.path / file).read_bytes(), file
    assert (a.path / "enterprise.csv").read_bytes() != (c.path / "enterprise.csv").read_bytes()
    assert open_extract(a.path).meta.sha256 == open_extract(b.path).meta.sha256
