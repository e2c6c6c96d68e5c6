"""Reading a page's HTML: strict selection, visual lines of text, labelled lines, same-host links.

Shared by the parse_* modules. Element names are used only for their meaning (blocks break
lines, nav/header/footer/form are page chrome); labels and URL patterns come from layout.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, CData, NavigableString, SoupStrainer, Tag

from cluster_etl.portal import layout
from cluster_etl.portal.layout import LayoutError, collapse
from cluster_etl.portal.soup import LxmlTreeBuilder

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead "
    "tr ul".split()
)
INLINE_FORMATTING = frozenset("abbr b big cite em font i mark small strong sub sup u".split())
CHROME_TAGS = frozenset({"nav", "header", "footer", "form"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select"})
_NOT_PAGES = ("#", "mailto:", "tel:", "javascript:")


def make_soup(html: str, only: SoupStrainer | None = None) -> BeautifulSoup:
    """The page as a bs4 tree built by lxml (soup.py); `only`: keep just the elements it names."""
    return BeautifulSoup(html, builder=LxmlTreeBuilder, parse_only=only)


# --- strict selection ------------------------------------------------------------------------


def one_strict(candidates: list[Tag], what: str, url: str) -> Tag:
    """Exactly one element, or LayoutError naming the page and what was expected."""
    if len(candidates) != 1:
        raise LayoutError(url, f"exactly one {what}, found {len(candidates)}")
    return candidates[0]


def select_one_strict(node: Tag, selector: str, url: str) -> Tag:
    """The one element matching CSS `selector`, or LayoutError naming the URL and the selector."""
    return one_strict(node.select(selector), repr(selector), url)


# --- lines -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    """A visual line of text: split at block elements and <br>, inline elements joined."""

    text: str = ""
    block: str = ""  # innermost block element holding the line's first text
    chrome: bool = False  # inside nav/header/footer/form
    hrefs: list[str] = field(default_factory=list)
    link_chars: int = 0


def is_text(node: object) -> bool:
    return type(node) in (NavigableString, CData)


Token = tuple[str, str, bool, str | None] | None  # (text, block, chrome, href); None = break
Skip = Callable[[Tag], bool]


def tokens(node: Tag, block: str = "body", chrome: bool = False,
           href: str | None = None) -> Iterator[Token]:
    """Yield (text, block, chrome, href) tokens and None for a line break (at block elements)."""
    for child in node.contents:
        if is_text(child):
            yield str(child), block, chrome, href
            continue
        if not isinstance(child, Tag) or child.name in SKIP_TAGS:
            continue
        if child.name in ("br", "hr"):
            yield None
            continue
        is_break = child.name in BLOCK_TAGS
        if is_break:
            yield None
        yield from tokens(child, child.name if is_break else block,
                          chrome or child.name in CHROME_TAGS,
                          child.get("href") if child.name == "a" else href)
        if is_break:
            yield None


def group(stream: Iterable[Token]) -> list[Line]:
    """The tokens joined into non-empty lines, whitespace collapsed."""
    lines, current, texts = [], Line(), []
    for token in [*stream, None]:
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
            current, texts = Line(), []
    return lines


def inline_lines(nodes: Iterable[object], skip: Skip) -> list[str]:
    """The lines of text of `nodes` (strings and elements, in order), whitespace collapsed.

    Lines break around each element of `nodes`, and within them at `<br>`, `<hr>`, every element
    but inline formatting, and elements for which `skip(tag)` is true (left out). Elements of
    `nodes` that `skip` leaves out are passed over without a break. Directory entries are read
    this way, a few dozen times a page: lists are filled in place, no token stream in between.
    """
    lines: list[str] = []
    texts: list[str] = []
    for node in nodes:
        if is_text(node):
            texts.append(node)
        elif isinstance(node, Tag) and node.name not in SKIP_TAGS and not skip(node):
            _end_line(texts, lines)
            _inline(node, skip, texts, lines)
            _end_line(texts, lines)
    _end_line(texts, lines)
    return lines


def _inline(node: Tag, skip: Skip, texts: list[str], lines: list[str]) -> None:
    for child in node.contents:
        if is_text(child):
            texts.append(child)
        elif not isinstance(child, Tag) or child.name in SKIP_TAGS:
            continue
        elif child.name in ("br", "hr") or skip(child):
            _end_line(texts, lines)
        elif child.name in INLINE_FORMATTING:
            _inline(child, skip, texts, lines)
        else:
            _end_line(texts, lines)
            _inline(child, skip, texts, lines)
            _end_line(texts, lines)


def _end_line(texts: list[str], lines: list[str]) -> None:
    if texts:
        if text := collapse("".join(texts)):
            lines.append(text)
        texts.clear()


def lines_of(node: Tag) -> list[Line]:
    return group(tokens(node))


def joined(lines: Iterable[Line]) -> str:
    return " ".join(line.text for line in lines)


def text_of(node: Tag) -> str:
    """The element's visible text, whitespace collapsed; blocks and <br> become spaces."""
    contents = node.contents
    if len(contents) == 1 and is_text(contents[0]):  # most labels and values: one string
        return collapse(contents[0])
    return joined(lines_of(node))


def label_of(tag: Tag) -> str:
    """A label cell's text as published, without its trailing colon (`Localité :`)."""
    return text_of(tag).rstrip(": ")


def dd_run(dt_tag: Tag) -> list[Tag]:
    """The `<dd>`s following a `<dt>`, up to the next `<dt>`."""
    run = []
    for sibling in dt_tag.next_siblings:
        if not isinstance(sibling, Tag):
            continue
        if sibling.name == "dt":
            break
        if sibling.name == "dd":
            run.append(sibling)
    return run


def labelled(lines: list[Line], labels: tuple[str, ...]) -> Iterator[tuple[str, Line]]:
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


def labelled_text(lines: list[Line], labels: tuple[str, ...]) -> str | None:
    """The first non-empty value labelled with one of `labels`, else None."""
    return next((value for value, _ in labelled(lines, labels) if value), None)


# --- links -----------------------------------------------------------------------------------


def is_page_href(href: str) -> bool:
    """False for an in-page anchor and for mailto:, tel: and javascript: links."""
    return not href.strip().lower().startswith(_NOT_PAGES)


def page_target(href: str, url: str) -> str | None:
    """The canonical target of link `href` on page `url` when it is a page on the same host."""
    if not is_page_href(href):
        return None
    target = layout.canonical_url(href, url)
    return target if layout.same_host(target, url) else None


def page_links(node: Tag, url: str) -> list[tuple[Tag, str]]:
    """(link, canonical target) for every `<a href>` in `node` that leads to a page, on any host.

    Read once per page and filtered by `links` and `off_host_links`: resolving the targets is
    most of what links cost.
    """
    found = []
    for a in node.find_all("a"):  # bs4's fast path (a name alone); the href is checked here
        href = a.get("href")
        if href is not None and (href := href.strip()) and is_page_href(href):
            found.append((a, layout.canonical_url(href, url)))
    return found


def links(found: list[tuple[Tag, str]], url: str,
          test: Callable[[str], bool]) -> list[tuple[Tag, str]]:
    """Of `found` (page_links), each same-host link whose target passes `test`."""
    return [(a, target) for a, target in found if layout.same_host(target, url) and test(target)]


def off_host_links(found: list[tuple[Tag, str]], url: str,
                   test: Callable[[str], bool]) -> list[str]:
    """Of `found` (page_links), the targets on another host that `test` would otherwise accept:
    reported, never followed."""
    targets: list[str] = []
    for _, target in found:
        if not layout.same_host(target, url) and test(target) and target not in targets:
            targets.append(target)
    return targets
