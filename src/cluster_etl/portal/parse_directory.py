"""Pure parse function for one page of a cluster's member directory.

No network, no I/O. Entries are found by their link targets, fields by their labels and text,
never by classes or ids. Every label and URL pattern comes from layout.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import Tag

from cluster_etl import raw
from cluster_etl.portal import layout
from cluster_etl.portal.directory_parts import directory_strainer
from cluster_etl.portal.layout import collapse, fold_text
from cluster_etl.portal.text import (
    dd_run,
    inline_lines,
    label_of,
    links,
    make_soup,
    off_host_links,
    page_links,
    page_target,
    text_of,
)

_ENTRY_TAGS = frozenset({"tr", "li", "dd"})
_BOX_TAGS = frozenset({"div", "p", "article", "section"})
_CELL_TAGS = frozenset({"td", "th"})
_PAGE_ROOTS = frozenset({"body", "html", "[document]"})
_PIECE_STRIP = " -\u2013\u2014|\u00b7,;"


def parse_directory_page(html: str, url: str) -> raw.DirectoryPage:
    """One page of a member directory; zero entries is not an error here (the crawler decides).

    Entries: every same-host link to a member detail page, deduplicated by URL in page order.
    Each entry's container is the closest `tr`/`li`/`dd` holding no other member's link, else
    the closest `div`/`p`/`article`/`section` that also carries other text, or a `dt` with its
    `dd`s, else a bare `td`/box, else the link's run of siblings up to the next `<br>` or member.
    In a table with a header row, cells under `Localité`/`Type` headers are read as labelled.
    Otherwise the container's text (minus member links, mailto/tel and external links) is cut
    into pieces at elements other than inline formatting and at ` - `, `|`, `·`, `,`:
    `Label : value` pieces (layout.DIRECTORY_PIECE_LABELS) are used as labelled; a piece that is
    a known type label (layout.DIRECTORY_TYPE_LABEL_HINTS, also as `Liège (PME)`) is the
    member-type label; bare postal codes are dropped; of the rest, in page order (SPEC: name,
    city, type), the first is the city and the next the type label when none was recognised,
    so that an unknown type label reaches normalisation and is reported there.
    """
    soup = make_soup(html, directory_strainer(url))  # the member list and the page's links
    found = page_links(soup, url)
    page = _Page(url, links(found, url, layout.is_member_page_url))
    anchors: dict[str, Tag] = {}
    names: dict[str, str] = {}
    for a, target in page.member_links:
        anchors.setdefault(target, a)
        names[target] = names.get(target) or text_of(a) or collapse(a.get("title", ""))
    entries = []
    for target, a in anchors.items():
        name = names[target] or _img_alt(a) or target.rsplit("/", 1)[-1].removesuffix(".html")
        nodes, pieces = _entry_nodes(a, target, page)
        if nodes[0].name == "tr":
            pieces = _row_pieces(nodes[0], page)
        city, type_label = _assign(pieces or _pieces(nodes, page), name)
        entries.append(raw.DirectoryEntry(name=name, city=city, member_type_label=type_label,
                                          detail_url=target))
    return raw.DirectoryPage(url=url, entries=entries, next_url=_next_url(found, url),
                             off_host_links=off_host_links(found, url, layout.is_member_page_url))


@dataclass
class _Page:
    """A directory page's member links, and what the entries look up about them, found once."""

    url: str
    member_links: list[tuple[Tag, str]]
    link_target: dict[int, str] = field(default_factory=dict)  # id(member link) -> target
    targets_inside: dict[int, set[str]] = field(default_factory=dict)  # id(element) -> targets
    table_headers: dict[int, tuple[Tag | None, list[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for a, target in self.member_links:
            self.link_target[id(a)] = target
            parent = a.parent
            while parent is not None:
                self.targets_inside.setdefault(id(parent), set()).add(target)
                parent = parent.parent

    def holds_other_member(self, node: Tag, target: str) -> bool:
        """True when `node` holds a link to a member other than `target`."""
        return any(other != target for other in self.targets_inside.get(id(node), ()))

    def links_other_member(self, node: Tag, target: str) -> bool:
        """True when `node` is, or holds, a link to a member other than `target`."""
        return (self.link_target.get(id(node), target) != target
                or self.holds_other_member(node, target))

    def skip(self, tag: Tag) -> bool:
        """Leave out member links, mailto/tel/anchor links and links to other hosts."""
        if tag.name != "a" or not tag.get("href"):
            return False
        return id(tag) in self.link_target or page_target(tag["href"], self.url) is None

    def header(self, table: Tag) -> tuple[Tag | None, list[str]]:
        """The table's header row (the first with `<th>` and no `<td>`) and its cell labels."""
        if id(table) not in self.table_headers:
            header = next((tr for tr in table.find_all("tr")
                           if tr.find("th") and not tr.find("td")), None)
            labels = [label_of(c) for c in _cells(header)] if header is not None else []
            self.table_headers[id(table)] = header, labels
        return self.table_headers[id(table)]


def _img_alt(a: Tag) -> str:
    img = a.find("img")
    return collapse(img.get("alt", "")) if img else ""


def _cells(row: Tag) -> list[Tag]:
    return [cell for cell in row.children if isinstance(cell, Tag) and cell.name in _CELL_TAGS]


def _entry_nodes(link: Tag, target: str, page: _Page) -> tuple[list, list[str] | None]:
    """The entry's container nodes, and their pieces when finding the container read them."""
    fallback, child = None, link
    for parent in link.parents:
        if parent.name in _PAGE_ROOTS or page.holds_other_member(parent, target):
            break
        if parent.name in _ENTRY_TAGS:
            return [parent], None
        if parent.name == "dt":
            return [parent, *dd_run(parent)], None
        if parent.name in _BOX_TAGS and (pieces := _pieces([parent], page)):
            return [parent], pieces
        if parent.name in _BOX_TAGS or parent.name in _CELL_TAGS:
            fallback = fallback or parent
        child = parent
    return ([fallback] if fallback else _sibling_run(child, target, page)), None


def _sibling_run(start, target: str, page: _Page) -> list:
    run = [start]
    for sibling in start.next_siblings:
        if isinstance(sibling, Tag) and (sibling.name in ("br", "hr")
                                         or page.links_other_member(sibling, target)):
            break
        run.append(sibling)
    return run


def _pieces(nodes: list, page: _Page) -> list[str]:
    pieces = []
    for line in inline_lines(nodes, page.skip):
        for part in layout.DIRECTORY_PIECE_SEPARATORS_RE.split(line):
            if part := part.strip(_PIECE_STRIP):
                pieces.extend(_split_type_suffix(part))
    return pieces


def _row_pieces(row: Tag, page: _Page) -> list[str] | None:
    """A table row's cells as `Header: text` when the table has a matching header row."""
    table = next((parent for parent in row.parents if parent.name == "table"), row.parent)
    header, labels = page.header(table)
    if header is None or header is row:
        return None
    cells = _cells(row)
    if len(labels) != len(cells):
        return None
    pieces = []
    for label, cell in zip(labels, cells):
        cell_pieces = _pieces([cell], page)
        if layout.directory_piece_key(label) and cell_pieces:
            pieces.append(f"{label}: {' '.join(cell_pieces)}")
        else:
            pieces.extend(cell_pieces)
    return pieces


def _split_type_suffix(piece: str) -> list[str]:
    """`Liège (PME)` -> [`Liège`, `PME`]; `Entreprise (PME)` stays whole (it is a type label)."""
    head, paren, tail = piece.rpartition("(")
    if (paren and head.strip() and tail.endswith(")") and not layout.is_type_label_hint(piece)
            and layout.is_type_label_hint(tail[:-1])):
        return [head.strip(_PIECE_STRIP), tail[:-1].strip()]
    return [piece]


def _assign(pieces: list[str], name: str) -> tuple[str | None, str | None]:
    found: dict[str, str] = {}
    plain: list[str] = []
    pending = None
    for piece in pieces:
        label, sep, value = piece.partition(":")
        key = layout.directory_piece_key(label)
        if pending:
            found.setdefault(pending, piece)
            pending = None
        elif key:
            pending = None if value.strip() else key
            if value.strip():
                found.setdefault(key, value.strip())
        elif sep and len(label.split()) <= 3 and not any(c.isdigit() for c in label):
            continue  # a labelled piece this layout does not read (`Tél : ...`)
        elif fold_text(piece) != fold_text(name) and not layout.POSTAL_CODE_ONLY_RE.match(piece):
            plain.append(piece)
    if "member_type_label" not in found:
        hint = next((p for p in plain if layout.is_type_label_hint(p)), None)
        if hint is not None:
            found["member_type_label"] = hint
            plain.remove(hint)
    rest = iter(plain)
    return found.get("city") or next(rest, None), found.get("member_type_label") or next(rest, None)


def _next_url(found: list[tuple[Tag, str]], url: str) -> str | None:
    """The `Suivant` link (`»`, `>` allowed; or rel=next), preferring directory pages."""
    here = layout.canonical_url(url, url)
    candidates = [
        target for a, target in links(found, url, lambda t: t != here)
        if "next" in (a.get("rel") or [])
        or layout.label_in(text_of(a).strip(layout.NEXT_LINK_DECORATIONS), layout.NEXT_LINK_LABELS)
    ]
    preferred = [t for t in candidates if layout.is_directory_url(t)]
    return (preferred or candidates or [None])[0]
