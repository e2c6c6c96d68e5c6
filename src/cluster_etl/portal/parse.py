"""Pure parse_* functions: a page's HTML text and URL in, a raw record (raw.py) out.

No network, no I/O. Selection relies on link targets, labels and text, never on classes or ids;
element names are used only for their meaning (table rows, definition lists, headings, and
nav/header/footer/form as page chrome). Every label and URL pattern comes from layout.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, CData, NavigableString, Tag

from cluster_etl import raw
from cluster_etl.portal import layout
from cluster_etl.portal.layout import LayoutError, collapse, fold_text

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead "
    "tr ul".split()
)
_INLINE_FORMATTING = frozenset("abbr b big cite em font i mark small strong sub sup u".split())
_CHROME_TAGS = frozenset({"nav", "header", "footer", "form"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NOT_PAGES = ("#", "mailto:", "tel:", "javascript:")


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def one_strict(candidates: list[Tag], what: str, url: str) -> Tag:
    """Exactly one element, or LayoutError naming the page and what was expected."""
    if len(candidates) != 1:
        raise LayoutError(url, f"exactly one {what}, found {len(candidates)}")
    return candidates[0]


def select_one_strict(node: Tag, selector: str, url: str) -> Tag:
    """The one element matching CSS `selector`, or LayoutError naming the URL and the selector."""
    return one_strict(node.select(selector), repr(selector), url)


# --- text ------------------------------------------------------------------------------------


@dataclass
class _Line:
    """A visual line of text: split at block elements and <br>, inline elements joined."""

    text: str = ""
    block: str = ""  # innermost block element holding the line's first text
    chrome: bool = False  # inside nav/header/footer/form
    hrefs: list[str] = field(default_factory=list)
    link_chars: int = 0


def _is_text(node: object) -> bool:
    return type(node) in (NavigableString, CData)


_Token = tuple[str, str, bool, str | None] | None  # (text, block, chrome, href); None = break
_Skip = Callable[[Tag], bool]


def _tokens(node: Tag, breaks: frozenset[str] | None, skip: _Skip | None = None,
            block: str = "body", chrome: bool = False,
            href: str | None = None) -> Iterator[_Token]:
    """Yield (text, block, chrome, href) tokens and None for a line break.

    `breaks` None: break at block elements; else break at every element not in `breaks`
    (inline formatting). Elements for which `skip(tag)` is true are left out (and break).
    """
    for child in node.children:
        if _is_text(child):
            yield str(child), block, chrome, href
            continue
        if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
            continue
        if child.name in ("br", "hr") or (skip is not None and skip(child)):
            yield None
            continue
        is_break = child.name in _BLOCK_TAGS if breaks is None else child.name not in breaks
        if is_break:
            yield None
        yield from _tokens(child, breaks, skip, child.name if child.name in _BLOCK_TAGS else block,
                           chrome or child.name in _CHROME_TAGS,
                           child.get("href") if child.name == "a" else href)
        if is_break:
            yield None


def _group(tokens: Iterable[_Token]) -> list[_Line]:
    lines, current, texts = [], _Line(), []
    for token in [*tokens, None]:
        if token is not None:
            text, block, chrome, href = token
            if text.strip():
                current.block = current.block or block
                current.chrome |= chrome
            if href is not None:
                current.link_chars += len(collapse(text))
                if href not in current.hrefs:
                    current.hrefs.append(href)
            texts.append(text)
        elif texts:
            current.text = collapse("".join(texts))
            if current.text:
                lines.append(current)
            current, texts = _Line(), []
    return lines


def _lines(node: Tag) -> list[_Line]:
    return _group(_tokens(node, None))


def _text(node: Tag) -> str:
    """The element's visible text, whitespace collapsed; blocks and <br> become spaces."""
    return " ".join(line.text for line in _lines(node))


def _links(soup: Tag, url: str, test: Callable[[str], bool]) -> list[tuple[Tag, str]]:
    """(link, canonical target) for every same-host link whose target passes `test`."""
    found = []
    for a in soup.find_all("a", href=True):
        href = a["href"].strip()
        if not href or href.lower().startswith(_NOT_PAGES):
            continue
        target = layout.canonical_url(href, url)
        if layout.same_host(target, url) and test(target):
            found.append((a, target))
    return found


def _number(text: str) -> int:
    return int(text.replace(".", ""))


# --- overview --------------------------------------------------------------------------------


def parse_overview(html: str, url: str) -> raw.Overview:
    """Headline figures from the prose, clusters from the table, date and source lines.

    Figures are matched in the folded text of the whole page (bold or not, NBSP tolerated).
    Cluster rows are table rows whose first cell links to exactly one cluster home page (old
    form allowed) and that hold no nested table (old layout tables); a cluster linked twice is
    listed once.
    """
    soup = _soup(html)
    lines = _lines(soup)
    flat = fold_text(" ".join(line.text for line in lines))
    clusters = _overview_clusters(soup, url)
    if not clusters:
        raise LayoutError(url, "table rows whose first cell links to a cluster home page")
    total = layout.MEMBER_TOTAL_RE.search(flat)
    figures = {
        "declared_cluster_count": _search_int(layout.CLUSTER_COUNT_RE, flat),
        "member_total": _number(total.group("n")) if total else None,
        "company_share_pct": _search_int(layout.COMPANY_SHARE_RE, flat),
        "sme_share_pct": next((n for r in layout.SME_SHARE_RES if (n := _search_int(r, flat))
                               is not None), None),
    }
    if all(value is None for value in figures.values()):
        raise LayoutError(url, "headline figures in the prose ('14 clusters', '1.000 membres')")
    return raw.Overview(url=url, **figures,
                        member_total_is_lower_bound=bool(total and total.group("lower")),
                        as_of=_as_of(flat), source=_labelled_text(lines, layout.SOURCE_LABELS),
                        clusters=clusters)


def _search_int(regex, text: str) -> int | None:
    match = regex.search(text)
    return _number(match.group("n")) if match else None


def _overview_clusters(soup: BeautifulSoup, url: str) -> list[raw.ClusterLink]:
    clusters: dict[str, raw.ClusterLink] = {}
    for row in soup.find_all("tr"):
        cells = row.find_all(["td", "th"], recursive=False)
        if not cells or row.find("table"):
            continue
        targets = {t for _, t in _links(cells[0], url, layout.is_cluster_home_url)}
        if len(targets) != 1 or (target := targets.pop()) in clusters:
            continue
        domain = _text(cells[1]) if len(cells) > 1 else ""
        clusters[target] = raw.ClusterLink(
            cluster_id=layout.cluster_id_from_url(target), name=_text(cells[0]),
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


def _labelled(lines: list[_Line], labels: tuple[str, ...]) -> Iterator[tuple[str, _Line]]:
    """Yield (value, line holding it) for every line `Label : value`, in page order.

    A line that is the label alone (a heading, `<th>`, `<dt>`) takes its value from the next line;
    a label that is itself a link (`<a href=...>Site web</a>`) yields an empty value on its line.
    """
    for i, line in enumerate(lines):
        label, _, value = line.text.partition(":")
        if not layout.label_in(label, labels):
            continue
        if value.strip() or line.hrefs:
            yield value.strip(), line
        elif i + 1 < len(lines):
            yield lines[i + 1].text, lines[i + 1]


def _labelled_text(lines: list[_Line], labels: tuple[str, ...]) -> str | None:
    return next((value for value, _ in _labelled(lines, labels) if value), None)


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
    soup = _soup(html)
    cluster_id = layout.cluster_id_from_url(url)
    if cluster_id is None:
        raise LayoutError(url, "a cluster home URL under /sites/<cluster>/")
    h1s = [h for h in soup.find_all("h1") if _text(h)]
    name = _text(one_strict(h1s, "non-empty <h1> (the cluster's name)", url))
    lines = _lines(soup)
    count = layout.MEMBER_COUNT_RE.search(fold_text(" ".join(line.text for line in lines)))
    content = [line for line in lines if not line.chrome]
    return raw.ClusterHome(
        url=url, cluster_id=cluster_id, name=name,
        domain=_labelled_text(content, layout.HOME_DOMAIN_LABELS),
        description=(_labelled_text(content, layout.HOME_DESCRIPTION_LABELS)
                     or _prose(content, name)),
        website=_website(content),
        declared_member_count=_number(count.group("n")) if count else None,
        directory_url=_home_directory_url(soup, url, cluster_id))


def _website(lines: list[_Line]) -> str | None:
    for value, line in _labelled(lines, layout.HOME_WEBSITE_LABELS):
        if value and "." in value and " " not in value:
            return value
        hrefs = [h.strip() for h in line.hrefs if not h.strip().lower().startswith(_NOT_PAGES)]
        if hrefs or value:
            return hrefs[0] if hrefs else value
    return None


def _prose(lines: list[_Line], name: str) -> str | None:
    start = next((i for i, line in enumerate(lines) if line.block == "h1" and line.text == name), 0)
    after_bare_label = False
    for line in lines[start + 1:]:
        label, _, value = line.text.partition(":")
        is_label = layout.label_in(label, _HOME_LABELS)
        if not (after_bare_label or is_label or _not_prose(line)):
            return line.text
        after_bare_label = is_label and not value.strip() and not line.hrefs
    return None


def _not_prose(line: _Line) -> bool:
    return (line.chrome or line.block in _HEADINGS or line.block in ("dt", "th")
            or bool(layout.MEMBER_COUNT_RE.search(fold_text(line.text)))
            or line.link_chars * 2 >= len(line.text) or len(line.text.split()) < 3)


def _home_directory_url(soup: BeautifulSoup, url: str, cluster_id: str) -> str:
    for _, target in _links(soup, url, layout.is_directory_url):
        if layout.cluster_id_from_url(target) == cluster_id:
            return target
    return layout.directory_url(url)


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
    soup = _soup(html)
    member_links = _links(soup, url, layout.is_member_page_url)
    link_target = {id(a): target for a, target in member_links}
    anchors: dict[str, Tag] = {}
    names: dict[str, str] = {}
    for a, target in member_links:
        anchors.setdefault(target, a)
        names[target] = names.get(target) or _text(a) or collapse(a.get("title", ""))
    skip = _directory_skipper(link_target, url)
    entries = []
    for target, a in anchors.items():
        name = names[target] or _img_alt(a) or target.rsplit("/", 1)[-1].removesuffix(".html")
        nodes = _entry_nodes(a, target, link_target, skip)
        pieces = _row_pieces(nodes[0], skip) if nodes[0].name == "tr" else None
        city, type_label = _assign(pieces or _pieces(nodes, skip), name)
        entries.append(raw.DirectoryEntry(name=name, city=city, member_type_label=type_label,
                                          detail_url=target))
    return raw.DirectoryPage(url=url, entries=entries, next_url=_next_url(soup, url))


def _img_alt(a: Tag) -> str:
    img = a.find("img")
    return collapse(img.get("alt", "")) if img else ""


def _directory_skipper(link_target: dict[int, str], url: str) -> _Skip:
    def skip(tag: Tag) -> bool:
        if tag.name != "a" or not tag.get("href"):
            return False
        href = tag["href"].strip()
        return (id(tag) in link_target or href.lower().startswith(_NOT_PAGES)
                or not layout.same_host(layout.canonical_url(href, url), url))
    return skip


def _entry_nodes(link: Tag, target: str, link_target: dict[int, str], skip: _Skip) -> list:
    fallback, child = None, link
    for parent in link.parents:
        if parent.name in _PAGE_ROOTS or any(
                link_target.get(id(a), target) != target for a in parent.find_all("a")):
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
        if isinstance(sibling, Tag) and (sibling.name in ("br", "hr") or any(
                link_target.get(id(a), target) != target
                for a in [sibling, *sibling.find_all("a")])):
            break
        run.append(sibling)
    return run


def _pieces(nodes: list, skip: _Skip) -> list[str]:
    tokens: list = []
    for node in nodes:
        if _is_text(node):
            tokens.append((str(node), "", False, None))
        elif isinstance(node, Tag) and node.name not in _SKIP_TAGS and not skip(node):
            tokens += [None, *_tokens(node, _INLINE_FORMATTING, skip), None]
    pieces = []
    for line in _group(tokens):
        for part in layout.DIRECTORY_PIECE_SEPARATORS_RE.split(line.text):
            if part := part.strip(_PIECE_STRIP):
                pieces.extend(_split_type_suffix(part))
    return pieces


def _row_pieces(row: Tag, skip: _Skip) -> list[str] | None:
    """A table row's cells as `Header: text` when the table has a matching header row."""
    table = row.find_parent("table") or row.parent
    header = next((tr for tr in table.find_all("tr") if tr.find("th") and not tr.find("td")), None)
    if header is None or header is row:
        return None
    cells = row.find_all(["td", "th"], recursive=False)
    labels = [_text(c).rstrip(": ") for c in header.find_all(["td", "th"], recursive=False)]
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
        target for a, target in _links(soup, url, lambda t: t != here)
        if "next" in (a.get("rel") or [])
        or layout.label_in(_text(a).strip(layout.NEXT_LINK_DECORATIONS), layout.NEXT_LINK_LABELS)
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
    soup = _soup(html)
    fields: dict[str, str | None] = dict.fromkeys(raw.MEMBER_FIELDS)
    unknown: list[str] = []
    for dt_tag, dds in _dl_pairs(_member_dl(soup, url)):
        label = _text(dt_tag).rstrip(": ").strip()
        key = layout.member_field_key(label)
        if key is None and label and label not in unknown:
            unknown.append(label)
        elif key is not None and fields[key] is None:
            fields[key] = _dd_value(dds, key)
    return raw.MemberPage(url=url, fields=fields, unknown_labels=unknown)


def _own_dts(dl: Tag) -> list[Tag]:
    return [dt_tag for dt_tag in dl.find_all("dt") if dt_tag.find_parent("dl") is dl]


def _member_dl(soup: BeautifulSoup, url: str) -> Tag:
    scored = [(sum(layout.member_field_key(_text(d)) is not None for d in _own_dts(dl)), -i, dl)
              for i, dl in enumerate(soup.find_all("dl"))]
    best = max(scored, key=lambda s: s[:2], default=None)
    if best is None or best[0] == 0:
        raise LayoutError(url, "a <dl> with member detail labels (Dénomination, Adresse, ...)")
    return best[2]


def _dl_pairs(dl: Tag) -> list[tuple[Tag, list[Tag]]]:
    return [(dt_tag, _dd_run(dt_tag)) for dt_tag in _own_dts(dl)]


def _dd_value(dds: list[Tag], key: str) -> str | None:
    value = "; ".join(text for dd in dds if (text := _text(dd)))
    if not value and key in layout.MEMBER_HREF_FIELDS:
        hrefs = [a["href"].strip() for dd in dds for a in dd.find_all("a", href=True)]
        value = next((h for h in hrefs if h), "")
        if value.lower().startswith("mailto:"):
            value = value[len("mailto:"):].split("?", 1)[0]
    return value or None
