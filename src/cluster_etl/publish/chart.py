"""member-types.svg: the breakdown of memberships by member type, as the 2008 overview page drew it.

Pure SVG 1.1: no script, no external font or resource, a viewBox so it scales, a <title> and
<desc> for screen readers. The headline figures (companies' and SMEs' share of memberships) are
recomputed from the rows, rounded half up as the portal rounds them. Nothing reads a clock or a
locale, so the same rows give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from cluster_etl.publish.metadata import CHART
from cluster_etl.validate import is_null, percent_half_up

CHART_FILE = CHART
CHART_TITLE = "Ventilation par type de membre"
FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre")

# (member_type, size_class) -> label and colour, in the order the bars are drawn. Companies of
# unknown size and unknown types only get a bar when there are some.
CATEGORIES: dict[tuple[str | None, str | None], tuple[str, str]] = {
    ("company", "sme"): ("Entreprises (PME)", "#1f5f99"),
    ("company", "large"): ("Grandes entreprises", "#4a8ccf"),
    ("company", None): ("Entreprises (taille inconnue)", "#8fb8e0"),
    ("research_centre", None): ("Centres de recherche", "#2e8b57"),
    ("higher_education", None): ("Universités et hautes écoles", "#d08a1e"),
    ("training_centre", None): ("Centres de formation", "#8e5aa8"),
    ("other", None): ("Autres", "#7a7a7a"),
    (None, None): ("Type inconnu", "#b5b5b5"),
}
ALWAYS_SHOWN = (("company", "sme"), ("company", "large"), ("research_centre", None),
                ("higher_education", None), ("training_centre", None), ("other", None))
OTHER_COLOUR = "#5c5c5c"

# Layout, in SVG user units.
WIDTH = 640
MARGIN = 16
LABEL_RIGHT = 236  # labels are right-aligned on this x
BAR_LEFT = 246
BAR_MAX = 280
ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 96  # first bar row, below the title and the headline figures


@dataclass(frozen=True)
class Bar:
    label: str
    colour: str
    member_count: int
    percent: int  # of all memberships, rounded half up


def french_date(day: dt.date) -> str:
    """30 juin 2008; 1er juillet 2008."""
    return f"{'1er' if day.day == 1 else day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"


def chart_title(as_of: dt.date | None) -> str:
    return f"{CHART_TITLE} - {french_date(as_of)}" if as_of else CHART_TITLE


def _text(value: object) -> str | None:
    return None if is_null(value) else str(value)


def all_cluster_counts(member_types: pd.DataFrame) -> dict[tuple[str | None, str | None], int]:
    """Memberships by (member_type, size_class) over all clusters: the rows with no cluster_id.
    A size class only counts for companies (the others have none)."""
    counts: dict[tuple[str | None, str | None], int] = {}
    rows = member_types.loc[member_types["cluster_id"].map(is_null).astype(bool)]
    for member_type, size_class, n in zip(rows["member_type"], rows["size_class"],
                                          rows["member_count"]):
        kind = _text(member_type)
        key = (kind, _text(size_class) if kind == "company" else None)
        counts[key] = counts.get(key, 0) + (0 if is_null(n) else int(n))
    return counts


def breakdown_bars(member_types: pd.DataFrame) -> list[Bar]:
    """One bar per category, in drawing order; labels not in CATEGORIES are kept as published."""
    counts = all_cluster_counts(member_types)
    total = sum(counts.values())
    known = [k for k in CATEGORIES if k in ALWAYS_SHOWN or counts.get(k)]
    unexpected = sorted((k for k in counts if k not in CATEGORIES),
                        key=lambda k: (str(k[0]), str(k[1])))
    bars = []
    for key in known + unexpected:
        label, colour = CATEGORIES.get(key, (" ".join(v for v in key if v), OTHER_COLOUR))
        n = counts.get(key, 0)
        bars.append(Bar(label, colour, n, percent_half_up(n, total) if total else 0))
    return bars


def headline_shares(member_types: pd.DataFrame) -> tuple[int, int, int]:
    """(memberships, companies' percent, SMEs' percent), both rounded half up."""
    counts = all_cluster_counts(member_types)
    total = sum(counts.values())
    companies = sum(n for (kind, _), n in counts.items() if kind == "company")
    smes = counts.get(("company", "sme"), 0)
    if not total:
        return 0, 0, 0
    return total, percent_half_up(companies, total), percent_half_up(smes, total)


def bar_caption(bar: Bar) -> str:
    return f"{bar.member_count} ({bar.percent} %)"


def chart_description(member_types: pd.DataFrame) -> str:
    """The chart in words: its alt text on the release page and its SVG <desc>."""
    total, company_pct, sme_pct = headline_shares(member_types)
    bars = "; ".join(f"{b.label} : {bar_caption(b)}" for b in breakdown_bars(member_types))
    return (f"{total} adhésions, tous clusters confondus. {company_pct} % sont des entreprises, "
            f"PME : {sme_pct} %. {bars}.")


def _svg_text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(text)}</text>'


def member_type_chart_svg(member_types: pd.DataFrame, as_of: dt.date | None) -> str:
    bars = breakdown_bars(member_types)
    total, company_pct, sme_pct = headline_shares(member_types)
    biggest = max((b.member_count for b in bars), default=0)
    height = TOP + ROW_HEIGHT * len(bars) + MARGIN
    title = chart_title(as_of)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="sans-serif" font-size="13">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(chart_description(member_types))}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _svg_text(MARGIN, 28, title, font_size="18", font_weight="bold", fill="#1a1a1a"),
        _svg_text(MARGIN, 54, f"{company_pct} % sont des entreprises", font_size="15",
                  font_weight="bold", fill="#1f5f99"),
        _svg_text(MARGIN + 230, 54, f"PME : {sme_pct} %", font_size="15", font_weight="bold",
                  fill="#1f5f99"),
        _svg_text(MARGIN, 76, f"{total} adhésions, tous clusters confondus", fill="#4d4d4d"),
    ]
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_HEIGHT
        length = round(BAR_MAX * bar.member_count / biggest, 1) if biggest else 0
        middle = y + BAR_HEIGHT / 2 + 4.5  # baseline that centres 13px text on the bar
        lines += [
            _svg_text(LABEL_RIGHT, middle, bar.label, text_anchor="end", fill="#1a1a1a"),
            f'<rect x="{BAR_LEFT}" y="{y}" width="{length:g}" height="{BAR_HEIGHT}" '
            f'fill={quoteattr(bar.colour)}/>',
            _svg_text(BAR_LEFT + length + 6, middle, bar_caption(bar), fill="#1a1a1a"),
        ]
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def write_member_type_chart(member_types: pd.DataFrame, path: Path, as_of: dt.date | None) -> Path:
    """Write the chart to `path` (a folder gets member-types.svg inside it)."""
    path = Path(path)
    if path.is_dir():
        path = path / CHART_FILE
    path.write_text(member_type_chart_svg(member_types, as_of), encoding="utf-8", newline="")
    return path
