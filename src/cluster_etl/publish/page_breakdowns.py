"""The release page's breakdowns of memberships: by member type (with the chart the 2008 overview
page carried) and by NACE section of the members' main activity (from the KBO/BCE register)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cluster_etl.publish import chart
from cluster_etl.publish.page_style import esc, link, table_html


def member_types_section(folder: Path, member_types: pd.DataFrame | None) -> str:
    if member_types is None:
        return '<section id="member-types">\n<h2>Member types</h2>\n<p>n/a</p>\n</section>'
    figure = ""
    if (folder / chart.CHART_FILE).is_file():
        figure = (f'<figure>\n<img src="{chart.CHART_FILE}" width="{chart.WIDTH}" '
                  f'alt="{esc(chart.chart_description(member_types))}">\n'
                  f"<figcaption>{link(chart.CHART_FILE, 'The chart as SVG')}</figcaption>\n"
                  "</figure>")
    total, company_pct, sme_pct = chart.headline_shares(member_types)
    rows = [[esc(b.label), f"{b.member_count:,}", f"{b.percent} %"]
            for b in chart.breakdown_bars(member_types)]
    rows.append(["<strong>All memberships</strong>", f"<strong>{total:,}</strong>", "100 %"])
    return (f'<section id="member-types">\n<h2>Member types</h2>\n'
            f"<p>Memberships over all clusters: {company_pct} % companies, {sme_pct} % SMEs "
            "(rounded half up).</p>\n"
            f"{figure}\n{table_html(['member type', 'memberships', 'share'], rows, numeric=[1, 2])}"
            "\n</section>")


# NACE Rev. 2 sections, as the page names them.
SECTION_NAMES = {
    "A": "Agriculture, forestry, fishing", "B": "Mining and quarrying", "C": "Manufacturing",
    "D": "Electricity, gas, steam", "E": "Water, waste, remediation", "F": "Construction",
    "G": "Wholesale and retail trade", "H": "Transport and storage", "I": "Accommodation and food",
    "J": "Information and communication", "K": "Finance and insurance", "L": "Real estate",
    "M": "Professional, scientific, technical", "N": "Administrative and support",
    "O": "Public administration", "P": "Education", "Q": "Health and social work",
    "R": "Arts, entertainment, recreation", "S": "Other services", "T": "Households",
    "U": "Extraterritorial organisations"}


def sectors_section(sectors: pd.DataFrame | None, clusters: pd.DataFrame | None) -> str:
    """What sectors each cluster covers: memberships by NACE section of the main activity."""
    head = '<section id="sectors">\n<h2>Sectors (NACE, from the KBO/BCE register)</h2>\n'
    if sectors is None or sectors.empty:
        return head + "<p>n/a</p>\n</section>"
    names = dict(zip(clusters["cluster_id"], clusters["name"])) if clusters is not None else {}
    scopes: dict[Any, list[tuple[Any, int, float]]] = {}
    for cluster_id, section, count, share in sectors[
            ["cluster_id", "nace_section", "member_count", "share"]].itertuples(index=False):
        scopes.setdefault(None if pd.isna(cluster_id) else cluster_id, []).append(
            (None if pd.isna(section) else section, int(count), float(share)))
    rows = []
    for scope, parts in sorted(scopes.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")):
        parts.sort(key=lambda p: (-p[1], p[0] is None, p[0] or ""))
        cells = " · ".join(
            f'<span title="{esc(SECTION_NAMES.get(s, "unknown"))}">{esc(s or "unknown")} '
            f"{round(100 * share)} %</span>" for s, _, share in parts)
        label = "<strong>All clusters</strong>" if scope is None else esc(names.get(scope, scope))
        rows.append([label, f"{sum(p[1] for p in parts):,}", cells])
    known = [s for s in sectors["nace_section"].dropna().unique()]
    legend = ", ".join(f"{esc(s)} {esc(SECTION_NAMES.get(s, ''))}" for s in sorted(known))
    note = ("<p>No member's main activity is known: without a KBO extract (--kbo) every membership "
            "counts as unknown.</p>" if not known else f"<p>Sections: {legend}; unknown: no valid "
            "enterprise number, not in the extract, or no main activity.</p>")
    return (head + note + "\n" + table_html(["cluster", "memberships", "sections (share of memberships)"],
                                            rows, numeric=[1]) + "\n</section>")
