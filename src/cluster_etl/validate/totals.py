"""The scraped tables against the portal's own figures: the headline totals of the overview page
(a named check that blocks publication) and each cluster's declared member count."""

from __future__ import annotations

from typing import Any

from cluster_etl import raw
from cluster_etl.schema import Check, CheckStatus
from cluster_etl.validate.structure import Tables, _missing, is_null


NO_DECLARED_FIGURE = "no declared figure"


def _figures_optional(overview: raw.Overview) -> bool:
    """True when the figures are what an operator declared for an ingested listing: a figure
    left out was not declared (warn), where one missing from the overview page is a layout change."""
    return bool(overview.get("figures_optional"))


def percent_half_up(part: int, whole: int) -> int:
    """100 * part / whole rounded half up, in exact integer arithmetic (74.5 -> 75)."""
    return (200 * part + whole) // (2 * whole)


def check_cluster_count(tables: Tables, overview: raw.Overview) -> Check:
    in_overview = len(overview["clusters"])
    in_table = len(tables.clusters)
    declared = overview["declared_cluster_count"]
    counts = f"overview table {in_overview}, clusters table {in_table}, prose {declared}"
    if declared is None and _figures_optional(overview):
        return Check("cluster_count", "warn" if in_overview == in_table else "fail",
                     observed=in_table, detail=f"{NO_DECLARED_FIGURE}; {counts}")
    if declared is None:
        return Check("cluster_count", "fail", expected=None, observed=in_table,
                     detail=f"no cluster count found in the overview prose (layout change?); {counts}",
                     layout_change=True)
    if in_overview == in_table == declared:
        return Check("cluster_count", "pass", expected=declared, observed=in_table, detail=counts)
    named = {"overview table": in_overview, "clusters table": in_table, "prose": declared}
    odd = [k for k, v in named.items() if list(named.values()).count(v) == 1]
    which = f"the {odd[0]} disagrees" if len(odd) == 1 else "all three disagree"
    detail = f"{which}: {counts}"
    if "cluster_id" in tables.clusters.columns:
        ids_overview = {c["cluster_id"] for c in overview["clusters"]}
        ids_table = set(tables.clusters["cluster_id"].dropna().tolist())
        detail += (f"; only in overview {sorted(ids_overview - ids_table)}, "
                   f"only in clusters table {sorted(ids_table - ids_overview)}")
    return Check("cluster_count", "fail", expected=declared, observed=in_table, detail=detail)


def check_membership_total(tables: Tables, overview: raw.Overview) -> Check:
    total, lower_bound = overview["member_total"], overview["member_total_is_lower_bound"]
    observed = len(tables.memberships)
    if total is None and _figures_optional(overview):
        return Check("membership_total", "warn", observed=observed,
                     detail=f"{NO_DECLARED_FIGURE}; {observed} memberships")
    if total is None:
        return Check("membership_total", "fail", observed=observed,
                     detail="no member total found in the overview prose (layout change?)",
                     layout_change=True)
    ok = observed > total if lower_bound else observed == total
    expected: Any = f"> {total}" if lower_bound else total
    detail = f"{observed} memberships; the overview declares {'more than ' if lower_bound else ''}{total}"
    if "declared_member_count" in tables.clusters.columns:
        declared = [v for v in tables.clusters["declared_member_count"].tolist() if not is_null(v)]
        detail += f"; clusters' declared counts add up to {sum(int(v) for v in declared)}"
    return Check("membership_total", "pass" if ok else "fail", expected=expected, observed=observed,
                 detail=detail)


def check_shares(tables: Tables, overview: raw.Overview) -> list[Check]:
    """Companies and SMEs as whole percents of the memberships, against the overview's figures."""
    members, memberships = tables.members, tables.memberships
    missing = _missing(members, ("member_id", "member_type", "size_class")) + _missing(
        memberships, ("member_id",))
    kinds = {} if missing else dict(zip(members["member_id"].tolist(), zip(
        members["member_type"].tolist(), members["size_class"].tolist())))
    of_memberships = [] if missing else [kinds.get(m, (None, None))
                                         for m in memberships["member_id"].tolist()]
    whole = len(memberships)
    checks = []
    for name, what, declared, part in (
            ("company_share", "companies", overview["company_share_pct"],
             sum(t == "company" for t, _ in of_memberships)),
            ("sme_share", "SMEs", overview["sme_share_pct"],
             sum(t == "company" and s == "sme" for t, s in of_memberships))):
        if missing:
            check = Check(name, "fail", expected=declared, detail=f"column(s) missing: {missing}")
        elif declared is None and _figures_optional(overview):
            share = f": {100 * part / whole:.2f}%" if whole else ""
            check = Check(name, "warn", observed=percent_half_up(part, whole) if whole else None,
                          detail=f"{NO_DECLARED_FIGURE}; {part} of {whole} memberships are "
                                 f"{what}{share}")
        elif declared is None:
            check = Check(name, "fail", detail=f"no {what} share found in the overview prose "
                                               "(layout change?)", layout_change=True)
        elif whole == 0:
            check = Check(name, "fail", expected=declared, detail="no memberships to take a share of")
        else:
            observed = percent_half_up(part, whole)
            check = Check(name, "pass" if observed == declared else "fail", expected=declared,
                          observed=observed,
                          detail=f"{part} of {whole} memberships are {what}: "
                                 f"{100 * part / whole:.2f}%, {observed}% rounded half up; "
                                 f"the overview declares {declared}%")
        checks.append(check)
    return checks


def check_headline_totals(tables: Tables, overview: raw.Overview) -> list[Check]:
    """The SPEC's checks of the scraped tables against the overview page's headline figures."""
    return [check_cluster_count(tables, overview), check_membership_total(tables, overview),
            *check_shares(tables, overview)]


def check_cluster_counts(tables: Tables, from_pages: bool = True) -> list[Check]:
    """Per cluster, directory entries vs the count its home page declares.

    A disagreement is a finding (warn); a directory that listed nothing while the cluster declares
    members means the directory markup was not understood: fail, a layout change when the tables
    come `from_pages` (for a listing it only means no row named that cluster).
    """
    clusters = tables.clusters
    if missing := _missing(clusters, ("cluster_id", "declared_member_count", "listed_member_count")):
        return [Check("cluster_member_counts", "fail", detail=f"column(s) missing: {missing}")]
    checks, disagreeing = [], []
    for cluster_id, declared, listed in zip(*(clusters[c].tolist() for c in (
            "cluster_id", "declared_member_count", "listed_member_count"))):
        declared = None if is_null(declared) else int(declared)
        listed = None if is_null(listed) else int(listed)
        if declared is not None and declared == listed:
            continue
        name = f"cluster_member_count:{cluster_id}"
        if declared is None:
            check = Check(name, "warn", observed=listed,
                          detail="the cluster's home page declares no member count")
        elif not listed and declared > 0:
            check = Check(name, "fail", expected=declared, observed=listed,
                          detail="the directory listed no member while the cluster declares some "
                                 "(layout change?)" if from_pages else
                                 "no member listed for a cluster that declares some",
                          layout_change=from_pages)
        else:
            check = Check(name, "warn", expected=declared, observed=listed,
                          detail=f"directory lists {listed}, home page declares {declared}")
        checks.append(check)
        disagreeing.append(f"{cluster_id} ({listed} listed / {declared} declared)")
    worst: CheckStatus = "fail" if any(c.status == "fail" for c in checks) else "warn" if checks else "pass"
    summary = Check("cluster_member_counts", worst, expected=0, observed=len(disagreeing),
                    detail=("disagreeing: " + ", ".join(disagreeing)) if disagreeing
                    else f"all {len(clusters)} clusters list as many members as they declare")
    return [summary, *checks]
