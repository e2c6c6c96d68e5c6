"""Pure parse_* functions for a cluster's members: its directory pages and member detail pages.

No network, no I/O. Entries are found by their link targets, fields by their labels and text,
never by classes or ids. Every label and URL pattern comes from layout.py.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from cluster_etl import raw
from cluster_etl.portal import layout
from cluster_etl.portal.layout import LayoutError, collapse, fold_text
from cluster_etl.portal.text import (
    INLINE_FORMATTING,
    SKIP_TAGS,
    Skip,
    group,
    is_text,
    links,
    make_soup,
    off_host_links,
    page_target,
    text_of,
    tokens,
)

# --- member directory ------------------------------------------------------------------------

_ENTRY_TAGS = frozenset({"tr", "li", "dd"})
_BOX_TAGS = frozenset({"div", "p", "article", "section"})
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
    soup = make_soup(html)
    member_links = links(soup, url, layout.is_member_page_url)
    link_target = {id(a): target for a, target in member_links}
    anchors: dict[str, Tag] = {}
    names: dict[str, str] = {}
    for a, target in member_links:
        anchors.setdefault(target, a)
        names[target] = names.get(target) or text_of(a) or collapse(a.get("title", ""))
    skip = _directory_skipper(link_target, url)
    entries = []
    for target, a in anchors.items():
        name = names[target] or _img_alt(a) or target.rsplit("/", 1)[-1].removesuffix(".html")
        nodes = _entry_nodes(a, target, link_target, skip)
        pieces = _row_pieces(nodes[0], skip) if nodes[0].name == "tr" else None
        city, type_label = _assign(pieces or _pieces(nodes, skip), name)
        entries.append(raw.DirectoryEntry(name=name, city=city, member_type_label=type_label,
                                          detail_url=target))
    return raw.DirectoryPage(url=url, entries=entries, next_url=_next_url(soup, url),
                             off_host_links=off_host_links(soup, url, layout.is_member_page_url))


def _img_alt(a: Tag) -> str:
    img = a.find("img")
    return collapse(img.get("alt", "")) if img else ""


def _directory_skipper(link_target: dict[int, str], url: str) -> Skip:
    """Leave out member links, mailto/tel/anchor links and links to other hosts."""
    def skip(tag: Tag) -> bool:
        if tag.name != "a" or not tag.get("href"):
            return False
        return id(tag) in link_target or page_target(tag["href"], url) is None
    return skip


def _links_elsewhere(tags: list[Tag], target: str, link_target: dict[int, str]) -> bool:
    """True when one of `tags` is a link to a member other than `target`."""
    return any(link_target.get(id(a), target) != target for a in tags)


def _entry_nodes(link: Tag, target: str, link_target: dict[int, str], skip: Skip) -> list:
    fallback, child = None, link
    for parent in link.parents:
        if parent.name in _PAGE_ROOTS or _links_elsewhere(parent.find_all("a"), target,
                                                          link_target):
            break
        if parent.name in _ENTRY_TAGS:
            return [parent]
        if parent.name == "dt":
            return [parent, *_dd_run(parent)]
        if parent.name in _BOX_TAGS and _pieces([parent], skip):
            return [parent]
        if parent.name in _BOX_TAGS or parent.name in ("td", "th"):
            fallback = fallback or parent
        child = parent
    return [fallback] if fallback else _sibling_run(child, target, link_target)


def _dd_run(dt_tag: Tag) -> list[Tag]:
    """The `<dd>`s following a `<dt>`, up to the next `<dt>`."""
    run = []
    for sibling in dt_tag.find_next_siblings():
        if sibling.name == "dt":
            break
        if sibling.name == "dd":
            run.append(sibling)
    return run


def _sibling_run(start, target: str, link_target: dict[int, str]) -> list:
    run = [start]
    for sibling in start.next_siblings:
        if isinstance(sibling, Tag) and (sibling.name in ("br", "hr") or _links_elsewhere(
                [sibling, *sibling.find_all("a")], target, link_target)):
            break
        run.append(sibling)
    return run


def _pieces(nodes: list, skip: Skip) -> list[str]:
    stream: list = []
    for node in nodes:
        if is_text(node):
            stream.append((str(node), "", False, None))
        elif isinstance(node, Tag) and node.name not in SKIP_TAGS and not skip(node):
            stream += [None, *tokens(node, INLINE_FORMATTING, skip), None]
    pieces = []
    for line in group(stream):
        for part in layout.DIRECTORY_PIECE_SEPARATORS_RE.split(line.text):
            if part := part.strip(_PIECE_STRIP):
                pieces.extend(_split_type_suffix(part))
    return pieces


def _row_pieces(row: Tag, skip: Skip) -> list[str] | None:
    """A table row's cells as `Header: text` when the table has a matching header row."""
    table = row.find_parent("table") or row.parent
    header = next((tr for tr in table.find_all("tr") if tr.find("th") and not tr.find("td")), None)
    if header is None or header is row:
        return None
    cells = row.find_all(["td", "th"], recursive=False)
    labels = [_label(c) for c in header.find_all(["td", "th"], recursive=False)]
    if len(labels) != len(cells):
        return None
    pieces = []
    for label, cell in zip(labels, cells):
        cell_pieces = _pieces([cell], skip)
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


def _next_url(soup: BeautifulSoup, url: str) -> str | None:
    """The `Suivant` link (`»`, `>` allowed; or rel=next), preferring directory pages."""
    here = layout.canonical_url(url, url)
    candidates = [
        target for a, target in links(soup, url, lambda t: t != here)
        if "next" in (a.get("rel") or [])
        or layout.label_in(text_of(a).strip(layout.NEXT_LINK_DECORATIONS), layout.NEXT_LINK_LABELS)
    ]
    preferred = [t for t in candidates if layout.is_directory_url(t)]
    return (preferred or candidates or [None])[0]


# --- member detail ---------------------------------------------------------------------------


def parse_member_page(html: str, url: str) -> raw.MemberPage:
    """The `<dl>` with the most known labels, read as `<dt>`/`<dd>` pairs (pop, then audit).

    Known labels fill raw.MEMBER_FIELDS keys (first occurrence wins); other labels are listed in
    `unknown_labels` as published. Values are the `<dd>` text, whitespace collapsed, several
    `<dd>`s joined with `; `; for e-mail and website an empty text falls back to the link's href
    (`mailto:` stripped). Empty or missing values are None.
    """
    soup = make_soup(html)
    fields: dict[str, str | None] = dict.fromkeys(raw.MEMBER_FIELDS)
    unknown: list[str] = []
    for dt_tag, dds in _dl_pairs(_member_dl(soup, url)):
        label = _label(dt_tag)
        key = layout.member_field_key(label)
        if key is None and label and label not in unknown:
            unknown.append(label)
        elif key is not None and fields[key] is None:
            fields[key] = _dd_value(dds, key)
    return raw.MemberPage(url=url, fields=fields, unknown_labels=unknown)


def _label(tag: Tag) -> str:
    """A label cell's text as published, without its trailing colon (`Localité :`)."""
    return text_of(tag).rstrip(": ")


def _own_dts(dl: Tag) -> list[Tag]:
    return [dt_tag for dt_tag in dl.find_all("dt") if dt_tag.find_parent("dl") is dl]


def _member_dl(soup: BeautifulSoup, url: str) -> Tag:
    scored = [(sum(layout.member_field_key(text_of(d)) is not None for d in _own_dts(dl)), -i, dl)
              for i, dl in enumerate(soup.find_all("dl"))]
    best = max(scored, key=lambda s: s[:2], default=None)
    if best is None or best[0] == 0:
        raise LayoutError(url, "a <dl> with member detail labels (Dénomination, Adresse, ...)")
    return best[2]


def _dl_pairs(dl: Tag) -> list[tuple[Tag, list[Tag]]]:
    return [(dt_tag, _dd_run(dt_tag)) for dt_tag in _own_dts(dl)]


def _dd_value(dds: list[Tag], key: str) -> str | None:
    value = "; ".join(text for dd in dds if (text := text_of(dd)))
    if not value and key in layout.MEMBER_HREF_FIELDS:
        hrefs = [a["href"].strip() for dd in dds for a in dd.find_all("a", href=True)]
        value = next((h for h in hrefs if h), "")
        if value.lower().startswith("mailto:"):
            value = value[len("mailto:"):].split("?", 1)[0]
    return value or None
