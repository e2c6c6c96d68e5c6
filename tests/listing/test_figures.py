"""The headline checks of a listing: against the figures the operator declared, if any."""

import pytest

from cluster_etl import validate as v
from cluster_etl.schema import Check
from tests.tables_factory import make_overview, make_tables

UNDECLARED = {"declared_cluster_count": None, "member_total": None, "company_share_pct": None,
              "sme_share_pct": None}


def checks(overview, tables=None) -> dict[str, Check]:
    tables = tables or make_tables()
    return {c.name: c for c in v.check_headline_totals(tables, overview)}


def listing_overview(**figures):
    return make_overview(make_tables(), member_total_is_lower_bound=False, figures_optional=True,
                         **figures)


def test_checks_without_a_declared_figure_warn():
    found = checks(listing_overview(**UNDECLARED))
    assert {name: c.status for name, c in found.items()} == {
        "cluster_count": "warn", "membership_total": "warn", "company_share": "warn",
        "sme_share": "warn"}
    assert all(c.detail.startswith("no declared figure") for c in found.values())
    assert found["cluster_count"].observed == 2 and found["membership_total"].observed == 5
    assert (found["company_share"].observed, found["sme_share"].observed) == (80, 60)
    assert "4 of 5 memberships are companies: 80.00%" in found["company_share"].detail
    report = v.validate(make_tables(), listing_overview(**UNDECLARED))
    assert report.status == "pass"


def test_declared_figures_are_checked_as_for_the_portal():
    ok = checks(listing_overview(member_total=5))
    assert {c.status for c in ok.values()} == {"pass"}
    off = checks(listing_overview(declared_cluster_count=3, member_total=4, company_share_pct=75,
                                  sme_share_pct=61))
    assert {name: c.status for name, c in off.items()} == {
        "cluster_count": "fail", "membership_total": "fail", "company_share": "fail",
        "sme_share": "fail"}
    assert (off["membership_total"].expected, off["membership_total"].observed) == (4, 5)


def test_a_figure_missing_from_the_portal_page_still_fails():
    # figures_optional is what makes a missing figure a warn: on the portal it is a layout change.
    found = checks(make_overview(make_tables(), **UNDECLARED))
    assert {c.status for c in found.values()} == {"fail"}
    assert not any(c.detail.startswith("no declared figure") for c in found.values())


def test_undeclared_shares_without_memberships_warn():
    tables = make_tables(pairs=[])
    found = checks(listing_overview(**UNDECLARED), tables)
    assert found["company_share"].status == "warn" and found["company_share"].observed is None
    assert found["membership_total"].status == "warn" and found["membership_total"].observed == 0


@pytest.mark.parametrize("clusters_in_overview", [1, 3])
def test_undeclared_cluster_count_still_compares_the_cluster_tables(clusters_in_overview):
    overview = listing_overview(**UNDECLARED)
    overview["clusters"] = (overview["clusters"] * 2)[:clusters_in_overview]
    check = checks(overview)["cluster_count"]
    assert check.status == "fail" and check.detail.startswith("no declared figure")
