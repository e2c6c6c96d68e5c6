"""Pure parse function for a member's detail page.

No network, no I/O. Fields are found by their labels, never by classes or ids; the labels come
from layout.py. The directory pages that list the members are parsed in parse_directory.py.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, SoupStrainer, Tag

from cluster_etl import raw
from cluster_etl.portal import layout
from cluster_etl.portal.layout import LayoutError
from cluster_etl.portal.text import dd_run, label_of, make_soup, text_of

# A member page is read from its definition lists alone: the rest of the page is never built.
MEMBER_CONTENT = SoupStrainer("dl")


def parse_member_page(html: str, url: str) -> raw.MemberPage:
    """The `<dl>` with the most known labels, read as `<dt>`/`<dd>` pairs (pop, then audit).

    Known labels fill raw.MEMBER_FIELDS keys (first occurrence wins); other labels are listed in
    `unknown_labels` as published. Values are the `<dd>` text, whitespace collapsed, several
    `<dd>`s joined with `; `; for e-mail and website an empty text falls back to the link's href
    (`mailto:` stripped). Empty or missing values are None. Only the page's `<dl>`s are parsed.
    """
    soup = make_soup(html, MEMBER_CONTENT)
    fields: dict[str, str | None] = dict.fromkeys(raw.MEMBER_FIELDS)
    unknown: list[str] = []
    for label, key, dt_tag in _member_labels(soup, url):
        if key is None and label and label not in unknown:
            unknown.append(label)
        elif key is not None and fields[key] is None:
            fields[key] = _dd_value(dd_run(dt_tag), key)
    return raw.MemberPage(url=url, fields=fields, unknown_labels=unknown)


def _own_dts(dl: Tag) -> list[Tag]:
    """The `<dt>`s of `dl` itself, not of a `<dl>` nested in it."""
    found, stack = [], list(reversed(dl.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if node.name == "dt":
                found.append(node)
            if node.name != "dl":
                stack.extend(reversed(node.contents))
    return found


def _member_labels(soup: BeautifulSoup, url: str) -> list[tuple[str, str | None, Tag]]:
    """(label, raw.MEMBER_FIELDS key or None, `<dt>`) of the `<dl>` with the most known labels."""
    best: list[tuple[str, str | None, Tag]] = []
    best_known = 0
    for dl in soup.find_all("dl"):
        labels = [(label, layout.member_field_key(label), dt_tag)
                  for dt_tag in _own_dts(dl) for label in [label_of(dt_tag)]]
        known = sum(key is not None for _, key, _ in labels)
        if known > best_known:  # the first of equals wins
            best, best_known = labels, known
    if not best_known:
        raise LayoutError(url, "a <dl> with member detail labels (Dénomination, Adresse, ...)")
    return best


def _dd_value(dds: list[Tag], key: str) -> str | None:
    value = "; ".join(text for dd in dds if (text := text_of(dd)))
    if not value and key in layout.MEMBER_HREF_FIELDS:
        hrefs = [a["href"].strip() for dd in dds for a in dd.find_all("a", href=True)]
        value = next((h for h in hrefs if h), "")
        if value.lower().startswith("mailto:"):
            value = value[len("mailto:"):].split("?", 1)[0]
    return value or None
