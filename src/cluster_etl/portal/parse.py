"""Pure parse_* functions: a page's HTML text and URL in, a raw record (raw.py) out.

No network, no I/O. Selection relies on link targets, labels and text, never on classes or ids;
element names are used only for their meaning (table rows, definition lists, headings, and
nav/header/footer/form as page chrome). Every label and URL pattern comes from layout.py.

This module parses the overview and the cluster home pages; the member directory pages are parsed
in parse_directory.py, the member detail pages in parse_members.py, the shared reading of HTML
lives in text.py (and the bs4 tree builder in soup.py). All public parse_* functions and the
strict selectors are importable from here.
"""

from __future__ import annotations

import datetime as dt
import re

from bs4 import BeautifulSoup

from cluster_etl import raw
from cluster_etl.portal import layout
from cluster_etl.portal.layout import LayoutError, fold_text
from cluster_etl.portal.parse_directory import parse_directory_page
from cluster_etl.portal.parse_members import parse_member_page
from cluster_etl.portal.text import (
    Line,
    is_page_href,
    joined,
    labelled,
    labelled_text,
    lines_of,
    links,
    make_soup,
    off_host_links,
    one_strict,
    page_links,
    select_one_strict,
    text_of,
)

__all__ = [
    "one_strict",
    "parse_cluster_home",
    "parse_directory_page",
    "parse_member_page",
    "parse_overview",
    "select_one_strict",
]

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _int_in(match: re.Match[str] | None) -> int | None:
    """The match's `n` group as a number (Belgian thousands separator `1.000`), None if no match."""
    return int(match.group("n").replace(".", "")) if match else None


# --- overview --------------------------------------------------------------------------------


def parse_overview(html: str, url: str) -> raw.Overview:
    """Headline figures from the prose, clusters from the table, date and source lines.

    Figures are matched in the folded text of the whole page (bold or not, NBSP tolerated).
    Cluster rows are table rows whose first cell links to exactly one cluster home page (old
    form allowed) and that hold no nested table (old layout tables); a cluster linked twice is
    listed once.
    """
    soup = make_soup(html)
    lines = lines_of(soup)
    flat = fold_text(joined(lines))
    clusters = _overview_clusters(soup, url)
    if not clusters:
        raise LayoutError(url, "table rows whose first cell links to a cluster home page")
    total = layout.MEMBER_TOTAL_RE.search(flat)
    figures = {
        "declared_cluster_count": _int_in(layout.CLUSTER_COUNT_RE.search(flat)),
        "member_total": _int_in(total),
        "company_share_pct": _int_in(layout.COMPANY_SHARE_RE.search(flat)),
        "sme_share_pct": next((n for r in layout.SME_SHARE_RES
                               if (n := _int_in(r.search(flat))) is not None), None),
    }
    if all(value is None for value in figures.values()):
        raise LayoutError(url, "headline figures in the prose ('14 clusters', '1.000 membres')")
    return raw.Overview(url=url, **figures,
                        member_total_is_lower_bound=bool(total and total.group("lower")),
                        as_of=_as_of(flat), source=labelled_text(lines, layout.SOURCE_LABELS),
                        clusters=clusters,
                        off_host_links=off_host_links(page_links(soup, url), url,
                                                      layout.is_cluster_home_url))


def _overview_clusters(soup: BeautifulSoup, url: str) -> list[raw.ClusterLink]:
    clusters: dict[str, raw.ClusterLink] = {}
    for row in soup.find_all("tr"):
        cells = row.find_all(["td", "th"], recursive=False)
        if not cells or row.find("table"):
            continue
        targets = {t for _, t in links(page_links(cells[0], url), url,
                                        layout.is_cluster_home_url)}
        if len(targets) != 1 or (target := targets.pop()) in clusters:
            continue
        domain = text_of(cells[1]) if len(cells) > 1 else ""
        clusters[target] = raw.ClusterLink(
            cluster_id=layout.cluster_id_from_url(target), name=text_of(cells[0]),
            domain=domain or None, url=target)
    return list(clusters.values())


def _as_of(flat: str) -> dt.date | None:
    match = layout.AS_OF_RE.search(flat)
    if not match:
        return None
    try:
        if match.group("day"):
            month = layout.FRENCH_MONTHS.get(match.group("month"))
            if month is None:
                return None
            return dt.date(int(match.group("year")), month, int(match.group("day")))
        return dt.date(int(match.group("nyear")), int(match.group("nmonth")),
                       int(match.group("nday")))
    except ValueError:
        return None


# --- cluster home ----------------------------------------------------------------------------

_HOME_LABELS = (*layout.HOME_DOMAIN_LABELS, *layout.HOME_WEBSITE_LABELS,
                *layout.HOME_DESCRIPTION_LABELS, layout.MEMBER_COUNT_LABEL)


def parse_cluster_home(html: str, url: str) -> raw.ClusterHome:
    """A cluster's home page.

    - name: the one non-empty `<h1>` (LayoutError when none or several);
    - declared_member_count: `Nombre de membres : 87` anywhere (NBSP, no space, `1.087`);
    - domain / website / description, outside nav/header/footer/form: labelled lines
      `Label : value`, or a label heading followed by its value (layout.HOME_*_LABELS); website
      is the text when it looks like an address, else the link's href (`<a href>Site web</a>`);
    - description without a label: the first prose line after the `<h1>` that is outside page
      chrome, not a heading, not labelled, mostly not link text, and at least three words;
    - directory_url: the first link to this cluster's member directory (old form allowed), else
      the layout's default directory URL.
    """
    soup = make_soup(html)
    cluster_id = layout.cluster_id_from_url(url)
    if cluster_id is None:
        raise LayoutError(url, "a cluster home URL under /sites/<cluster>/")
    h1s = [h for h in soup.find_all("h1") if text_of(h)]
    name = text_of(one_strict(h1s, "non-empty <h1> (the cluster's name)", url))
    lines = lines_of(soup)
    content = [line for line in lines if not line.chrome]
    return raw.ClusterHome(
        url=url, cluster_id=cluster_id, name=name,
        domain=labelled_text(content, layout.HOME_DOMAIN_LABELS),
        description=(labelled_text(content, layout.HOME_DESCRIPTION_LABELS)
                     or _prose(content, name)),
        website=_website(content),
        declared_member_count=_int_in(layout.MEMBER_COUNT_RE.search(fold_text(joined(lines)))),
        directory_url=_home_directory_url(soup, url, cluster_id))


def _website(lines: list[Line]) -> str | None:
    for value, line in labelled(lines, layout.HOME_WEBSITE_LABELS):
        if value and "." in value and " " not in value:
            return value
        hrefs = [h.strip() for h in line.hrefs if is_page_href(h)]
        if hrefs or value:
            return hrefs[0] if hrefs else value
    return None


def _prose(lines: list[Line], name: str) -> str | None:
    start = next((i for i, line in enumerate(lines) if line.block == "h1" and line.text == name), 0)
    after_bare_label = False
    for line in lines[start + 1:]:
        label, _, value = line.text.partition(":")
        is_label = layout.label_in(label, _HOME_LABELS)
        if not (after_bare_label or is_label or _not_prose(line)):
            return line.text
        after_bare_label = is_label and not value.strip() and not line.hrefs
    return None


def _not_prose(line: Line) -> bool:
    return (line.chrome or line.block in _HEADINGS or line.block in ("dt", "th")
            or bool(layout.MEMBER_COUNT_RE.search(fold_text(line.text)))
            or line.link_chars * 2 >= len(line.text) or len(line.text.split()) < 3)


def _home_directory_url(soup: BeautifulSoup, url: str, cluster_id: str) -> str:
    for _, target in links(page_links(soup, url), url, layout.is_directory_url):
        if layout.cluster_id_from_url(target) == cluster_id:
            return target
    return layout.directory_url(url)
