"""The parts of a directory page its parser reads, picked from lxml's tree before bs4 builds any.

Why: building the bs4 tree is most of a directory page's parse (bench/parse_bench.py), and most
of a page is chrome the parser never reads. SPEC.md fixes no element or class around the member
list and a SoupStrainer sees one tag at a time, so the list is found by what it holds: the
smallest element holding every link to a member page, widened to its enclosing `<table>` (whose
header row names the columns). Every entry lies within it: parse_directory climbs from a member
link no higher than the first element that also holds another member's link, and this element
holds them all. Every other link to a page is kept on its own, wherever it is: the `Suivant` link
and links to other hosts may be anywhere. A page with fewer than two members is kept whole: a
lone entry's container may be any element up to `<body>`.
"""

from __future__ import annotations

import functools

from lxml import etree

from cluster_etl.portal import layout
from cluster_etl.portal.soup import TreeStrainer
from cluster_etl.portal.text import is_page_href


def directory_strainer(url: str) -> TreeStrainer:
    """parse_only for directory page `url`: the member list and the page's other links."""
    return TreeStrainer(functools.partial(directory_parts, url=url))


def directory_parts(root: etree._Element, url: str) -> list[etree._Element] | None:
    """The member list and every other `<a>` to a page, in document order; None: the whole page."""
    links, members, targets = [], [], set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or not is_page_href(href):
            continue
        links.append(a)
        target = layout.canonical_url(href, url)  # cached: page_links asks again
        if layout.same_host(target, url) and layout.is_member_page_url(target):
            members.append(a)
            targets.add(target)
    if len(targets) < 2:
        return None
    region = _common_ancestor(members)
    if region.tag != "table":
        region = next(region.iterancestors("table"), region)
    inside = set(region.iter("a"))
    parts: list[etree._Element] = []
    placed = False
    for a in links:
        if a not in inside:
            parts.append(a)
        elif not placed:  # the list goes where its first link is
            parts.append(region)
            placed = True
    return parts


def _common_ancestor(nodes: list[etree._Element]) -> etree._Element:
    """The deepest element holding all `nodes` (in document order): that of the first and the
    last, since whatever lies between them in document order lies within it too."""
    first, last = nodes[0], nodes[-1]
    holding_first = {first, *first.iterancestors()}
    return next(node for node in (last, *last.iterancestors()) if node in holding_first)
