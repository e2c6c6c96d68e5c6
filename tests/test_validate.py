import datetime as dt
import json

import pandas as pd
import pytest

from cluster_etl import validate as v
from cluster_etl.schema import Check
from tests.tables_factory import MEMBER_ROWS, MEMBERSHIP_PAIRS, frame, make_overview, make_tables


def by_name(checks):
    return {c.name: c for c in checks}


def statuses(report):
    return {c.name: c.status for c in report.checks}


def test_valid_tables_pass_every_check():
    tables = make_tables()
    report = v.validate(tables, make_overview(tables))
    assert report.status == "pass"
    assert [c.name for c in report.failed] == []
    assert all(s == "pass" for name, s in statuses(report).items() if name != "member_page_missing:tweed")
    json.dumps(report.to_dict())  # plain Python values only


def test_findings_are_appended_unchanged_and_not_repeated():
    tables = make_tables()
    extra = Check("unknown_label", "warn", observed="Fax", detail="new <dt> label")
    report = v.validate(tables, make_overview(tables), [extra, *tables.findings])
    assert report.checks[-2] is extra and report.checks[-1] is tables.findings[0]
    assert sum(c.name == "member_page_missing:tweed" for c in report.checks) == 1


def test_table_findings_are_kept_when_not_passed():
    tables = make_tables()
    extra = Check("unknown_label", "warn", observed="Fax")
    report = v.validate(tables, make_overview(tables), [extra])
    assert report.checks[-2:] == [extra, tables.findings[0]]


# --- schema ------------------------------------------------------------------------------------

def schema_check(tables, table="members"):
    return by_name(v.check_schema(tables))[f"schema:{table}"]


def test_schema_wrong_columns():
    tables = make_tables()
    df = tables.members.rename(columns={"city": "town"})
    check = schema_check(tables.with_frame("members", df))
    assert check.status == "fail" and "missing ['city']" in check.detail and "'town'" in check.detail


def test_schema_columns_out_of_order():
    tables = make_tables()
    df = tables.clusters[list(reversed(tables.clusters.columns))]
    check = schema_check(tables.with_frame("clusters", df), "clusters")
    assert check.status == "fail" and "order" in check.detail


@pytest.mark.parametrize("table, column, values, words", [
    ("clusters", "declared_member_count", pd.Series([3.0, 2.5]), "float64"),
    ("clusters", "listed_member_count", ["3", "2"], "'3'"),
    ("clusters", "as_of", [dt.datetime(2008, 6, 30), dt.date(2008, 6, 30)], "not date"),
    ("clusters", "as_of", pd.to_datetime(["2008-06-30", "2008-06-30"]), "datetime64"),
    ("members", "postal_code", [4000, "5000", None, "1300"], "4000"),
    ("member_types", "share", ["0.2"] * 7, "'0.2'"),
])
def test_schema_wrong_dtype(table, column, values, words):
    tables = make_tables()
    df = getattr(tables, table).copy()
    df[column] = pd.Series(values, dtype=object) if isinstance(values, list) else values
    check = schema_check(tables.with_frame(table, df), table)
    assert check.status == "fail"
    assert column in check.detail and words in check.detail


def test_schema_enum_violation_names_column_and_value():
    tables = make_tables()
    rows = [dict(MEMBER_ROWS[0], member_type="startup"), *MEMBER_ROWS[1:]]
    check = schema_check(tables.with_rows("members", rows))
    assert check.status == "fail"
    assert "member_type" in check.detail and "'startup'" in check.detail


def test_schema_pattern_violation():
    tables = make_tables()
    rows = [dict(MEMBER_ROWS[0], enterprise_number="BE0123456749", postal_code="B-4000"),
            *MEMBER_ROWS[1:]]
    check = schema_check(tables.with_rows("members", rows))
    assert check.status == "fail"
    assert "enterprise_number" in check.detail and "'BE0123456749'" in check.detail
    assert "postal_code" in check.detail and "'B-4000'" in check.detail


def test_schema_null_in_required_column():
    tables = make_tables()
    rows = [dict(MEMBER_ROWS[0], name=None), *MEMBER_ROWS[1:]]
    check = schema_check(tables.with_rows("members", rows))
    assert check.status == "fail" and "name: 1 null or empty" in check.detail


def test_schema_null_allowed_in_optional_enum_column():
    tables = make_tables()
    rows = [dict(MEMBER_ROWS[0], member_type=None, size_class=None), *MEMBER_ROWS[1:]]
    assert schema_check(tables.with_rows("members", rows)).status == "pass"


def test_schema_accepts_pandas_string_dtype():
    tables = make_tables()
    df = tables.members.astype({"name": "str", "city": "str"})
    assert schema_check(tables.with_frame("members", df)).status == "pass"


# --- keys --------------------------------------------------------------------------------------

def test_duplicate_primary_key():
    tables = make_tables(pairs=[*MEMBERSHIP_PAIRS, MEMBERSHIP_PAIRS[0]])
    check = by_name(v.check_keys(tables))["primary_key:memberships"]
    assert check.status == "fail" and check.observed == 2 and "aresa" in check.detail


def test_null_primary_key():
    tables = make_tables()
    rows = [dict(MEMBER_ROWS[0], member_id=None), *MEMBER_ROWS[1:]]
    check = by_name(v.check_keys(tables.with_rows("members", rows)))["primary_key:members"]
    assert check.status == "fail" and "null member_id" in check.detail


def test_nullable_key_columns_may_be_null_but_stay_unique():
    tables = make_tables()
    assert tables.member_types["cluster_id"].isna().any()
    assert by_name(v.check_keys(tables))["primary_key:member_types"].status == "pass"
    doubled = pd.concat([tables.member_types, tables.member_types.iloc[:1]], ignore_index=True)
    check = by_name(v.check_keys(tables.with_frame("member_types", doubled)))["primary_key:member_types"]
    assert check.status == "fail" and "None" in check.detail


def test_dangling_foreign_keys():
    tables = make_tables(pairs=[*MEMBERSHIP_PAIRS, ("ghost", "BE0123456749"), ("tweed", "nobody")])
    types = pd.concat([tables.member_types, frame("member_types", [
        {"cluster_id": "gone", "member_type": "other", "member_count": 1, "share": 1.0}])],
        ignore_index=True)
    checks = by_name(v.check_keys(tables.with_frame("member_types", types)))
    assert checks["foreign_key:memberships.cluster_id"].status == "fail"
    assert checks["foreign_key:memberships.cluster_id"].observed == 1
    assert "ghost" in checks["foreign_key:memberships.cluster_id"].detail
    assert checks["foreign_key:memberships.member_id"].observed == 1
    assert "nobody" in checks["foreign_key:memberships.member_id"].detail
    assert checks["foreign_key:member_types.cluster_id"].status == "fail"
    assert "gone" in checks["foreign_key:member_types.cluster_id"].detail


def test_missing_key_column_fails_instead_of_raising():
    tables = make_tables()
    tables = tables.with_frame("memberships", tables.memberships.drop(columns=["member_id"]))
    report = v.validate(tables, make_overview(tables))
    assert {"schema:memberships", "primary_key:memberships", "foreign_key:memberships.member_id",
            "company_share", "sme_share"} <= {c.name for c in report.failed}


@pytest.mark.parametrize("name", ["clusters", "members", "memberships"])
def test_empty_table_fails(name):
    tables = make_tables()
    tables = tables.with_frame(name, getattr(tables, name).iloc[0:0])
    report = v.validate(tables, make_overview(make_tables()))
    assert statuses(report)[f"not_empty:{name}"] == "fail"
    assert report.status == "fail"


# --- headline totals ---------------------------------------------------------------------------

def totals(tables, **overview):
    return by_name(v.check_headline_totals(tables, make_overview(tables, **overview)))


@pytest.mark.parametrize("overview, cluster_rows, disagreeing", [
    ({"declared_cluster_count": 3}, None, "prose"),
    ({"declared_cluster_count": 1}, None, "prose"),
    ({}, "drop_one", "clusters table"),
])
def test_cluster_count_disagreement(overview, cluster_rows, disagreeing):
    tables = make_tables()
    expected_overview = make_overview(tables, **overview)
    if cluster_rows == "drop_one":
        tables = tables.with_frame("clusters", tables.clusters.iloc[:1])
    check = by_name(v.check_headline_totals(tables, expected_overview))["cluster_count"]
    assert check.status == "fail"
    assert f"the {disagreeing} disagrees" in check.detail


def test_cluster_count_overview_table_disagrees():
    tables = make_tables()
    overview = make_overview(tables)
    overview["clusters"] = overview["clusters"][:1]
    check = by_name(v.check_headline_totals(tables, overview))["cluster_count"]
    assert check.status == "fail" and "overview table disagrees" in check.detail
    assert "only in clusters table ['tweed']" in check.detail


def test_cluster_count_missing_prose_count_fails():
    check = totals(make_tables(), declared_cluster_count=None)["cluster_count"]
    assert check.status == "fail" and "layout" in check.detail


@pytest.mark.parametrize("member_total, lower_bound, status", [
    (4, True, "pass"), (5, True, "fail"), (6, True, "fail"),
    (5, False, "pass"), (4, False, "fail"), (6, False, "fail"), (None, True, "fail"),
])
def test_membership_total(member_total, lower_bound, status):
    check = totals(make_tables(), member_total=member_total,
                   member_total_is_lower_bound=lower_bound)["membership_total"]
    assert check.status == status
    assert check.observed == 5


@pytest.mark.parametrize("field, name", [("company_share_pct", "company_share"),
                                         ("sme_share_pct", "sme_share")])
def test_share_off_or_missing_fails(field, name):
    tables = make_tables()
    off = totals(tables, **{field: make_overview(tables)[field] + 1})[name]
    assert off.status == "fail" and off.expected == off.observed + 1
    assert totals(tables, **{field: None})[name].status == "fail"


def test_shares_fail_without_memberships():
    tables = make_tables(pairs=[])
    checks = totals(tables)
    assert checks["company_share"].status == checks["sme_share"].status == "fail"
    assert "no memberships" in checks["company_share"].detail


def test_member_with_unknown_type_is_not_a_company():
    rows = [dict(MEMBER_ROWS[1], member_type=None, size_class=None)
            if r is MEMBER_ROWS[1] else r for r in MEMBER_ROWS]
    checks = totals(make_tables(member_rows=rows), company_share_pct=60)
    assert checks["company_share"].status == "pass"  # 3 of 5


def _many(n_memberships, n_companies, n_smes):
    members = [{"member_id": f"m{i:03}", "name": f"Member {i}",
                "member_type": "company" if i < n_companies else "other",
                "size_class": "sme" if i < n_smes else ("large" if i < n_companies else None)}
               for i in range(n_memberships)]
    pairs = [("aresa", m["member_id"]) for m in members]
    clusters = [{"cluster_id": "aresa", "name": "ARESA", "portal_url": "https://x/aresa",
                 "declared_member_count": n_memberships, "listed_member_count": n_memberships,
                 "as_of": dt.date(2008, 6, 30)}]
    return make_tables(pairs=pairs, member_rows=members, cluster_rows=clusters)


@pytest.mark.parametrize("companies, smes, company_pct, sme_pct", [
    (149, 129, 75, 65),  # 74.5% -> 75 and 64.5% -> 65: half up, not to even
    (148, 127, 74, 64),  # 74.0%, 63.5% -> 64
])
def test_shares_round_half_up(companies, smes, company_pct, sme_pct):
    tables = _many(200, companies, smes)
    checks = totals(tables, member_total=200, member_total_is_lower_bound=False,
                    company_share_pct=company_pct, sme_share_pct=sme_pct)
    assert checks["company_share"].status == "pass", checks["company_share"].detail
    assert checks["sme_share"].status == "pass", checks["sme_share"].detail
    assert totals(tables, company_share_pct=round(100 * companies / 200))["company_share"].status == (
        "pass" if round(100 * companies / 200) == company_pct else "fail")


def test_percent_half_up():
    assert v.percent_half_up(149, 200) == 75
    assert v.percent_half_up(1, 8) == 13
    assert v.percent_half_up(781, 1041) == 75
    assert v.percent_half_up(1489, 2000) == 74


# --- per-cluster counts ------------------------------------------------------------------------

def cluster_counts(declared_listed):
    rows = [dict(r, declared_member_count=declared, listed_member_count=listed)
            for r, (declared, listed) in zip(make_tables().clusters.to_dict("records"), declared_listed)]
    return by_name(v.check_cluster_counts(make_tables(cluster_rows=rows)))


def test_cluster_count_mismatch_warns():
    checks = cluster_counts([(3, 3), (5, 2)])
    assert checks["cluster_member_count:tweed"].status == "warn"
    assert (checks["cluster_member_count:tweed"].expected,
            checks["cluster_member_count:tweed"].observed) == (5, 2)
    assert checks["cluster_member_counts"].status == "warn"
    assert "tweed" in checks["cluster_member_counts"].detail
    assert "cluster_member_count:aresa" not in checks


def test_zero_listed_while_declared_fails():
    checks = cluster_counts([(3, 0), (2, 2)])
    assert checks["cluster_member_count:aresa"].status == "fail"
    assert checks["cluster_member_counts"].status == "fail"


def test_missing_declared_count_warns():
    checks = cluster_counts([(None, 3), (2, 2)])
    assert checks["cluster_member_count:aresa"].status == "warn"
    assert checks["cluster_member_counts"].status == "warn"


def test_all_cluster_counts_agree():
    assert [c.status for c in cluster_counts([(3, 3), (2, 2)]).values()] == ["pass"]


def test_cluster_count_warning_does_not_fail_the_report():
    rows = [dict(r) for r in make_tables().clusters.to_dict("records")]
    rows[1]["declared_member_count"] = 7
    tables = make_tables(cluster_rows=rows)
    report = v.validate(tables, make_overview(tables))
    assert report.status == "pass"
    assert statuses(report)["cluster_member_count:tweed"] == "warn"


def test_schema_empty_string_counts_as_missing():
    tables = make_tables()
    rows = [dict(MEMBER_ROWS[0], name="", enterprise_number=""), *MEMBER_ROWS[1:]]
    check = schema_check(tables.with_rows("members", rows))
    assert check.status == "fail" and "name: 1 null or empty" in check.detail
    assert "enterprise_number" not in check.detail  # optional: "" is no value, not a bad one
