"""A Beautiful Soup tree builder: lxml builds the page in C, one loop copies it into bs4 objects.

Why: bs4's own `lxml` builder gets every start tag, end tag and string as a Python callback and
runs its generic tree-building on each, which makes up most of a page's parse time (see
bench/parse_bench.py). Here lxml parses the whole page in C and one loop creates the bs4 Tags and
strings with their links directly. The result is the tree bs4's `lxml` builder gives: the same
libxml2 parser, bs4's whitespace and string-class rules, `parse_only` (a SoupStrainer) obeyed the
same way; tests/portal/test_soup.py compares the two on every sample page and on odd markup.
Known difference: whitespace after `</html>` (bs4 keeps it as a last top-level string).
A `TreeStrainer` goes further than a SoupStrainer can: it picks the parts of the page to keep
from lxml's finished tree, where an element's place in the page is known (see its docstring).

Use: `BeautifulSoup(html, builder=LxmlTreeBuilder, parse_only=SoupStrainer("dl"))`.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import NamedTuple

from bs4 import (BeautifulSoup, Comment, Doctype, ElementFilter, NavigableString,
                 ParserRejectedMarkup, SoupStrainer, Tag)
from bs4.builder import LXMLTreeBuilder
from lxml import etree

_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
_MAX_DEPTH = 1000  # deeper than any real page, well short of where libxml2 stops (about 2,000)


class LxmlTreeBuilder(LXMLTreeBuilder):
    """bs4's lxml HTML builder, fed from lxml's finished tree instead of parser callbacks."""

    NAME = "lxml-tree"

    def feed(self, markup: str | bytes) -> None:
        soup = self.soup
        assert soup is not None
        encoding = soup.original_encoding if isinstance(markup, bytes) else None
        # A parser per page: lxml parsers must not be shared between threads. huge_tree: without
        # it libxml2 stops building a tree 256 elements deep and drops the rest of the page,
        # where bs4's own builder (parser callbacks, no tree) keeps it all.
        parser = etree.HTMLParser(recover=True, encoding=encoding, default_doctype=False,
                                  huge_tree=True)
        try:
            parser.feed(markup)
            root = parser.close()
        except etree.XMLSyntaxError:
            return  # nothing to parse (empty or whitespace-only markup): an empty soup
        except (UnicodeDecodeError, LookupError, etree.ParserError) as exc:
            raise ParserRejectedMarkup(exc) from exc
        if root is None:
            return
        try:
            _copy(soup, self, _top_nodes(root, soup.parse_only))
        except _TooDeep:
            # Start again with bs4's own builder, which gets the whole page through callbacks.
            soup.reset()
            self.initialize_soup(soup)
            super().feed(markup)


class TreeStrainer(ElementFilter):
    """A parse_only that keeps the elements `select(root)` picks from lxml's tree, each whole.

    Why: a SoupStrainer sees one tag at a time, its name and attributes; what a parser needs is
    often known only by the tag's place in the page (the smallest element holding every member
    link). `select` gets the page's root element and returns the elements to keep in document
    order (one inside another is kept once, with the outer one), or None for the whole page.
    A kept element's strings are those of the whole page's tree: whitespace kept inside an
    enclosing `<pre>`, the string class of an enclosing `<script>` or `<template>`. Other
    builders, among them the fallback for pages too deep to copy, keep every tag: a superset.
    """

    def __init__(self, select: Callable[[etree._Element], list[etree._Element] | None]):
        super().__init__()
        self.select = select

    @property
    def includes_everything(self) -> bool:
        return False

    def allow_string_creation(self, string: str) -> bool:
        return False  # no string outside the kept elements (the text between them)


class _TooDeep(Exception):
    pass


class _Selection(NamedTuple):
    """What to copy: nodes from the top, the doctype's text, the strainer that still applies and
    whether each node takes the context (whitespace, string class) of its ancestors."""

    top: list[etree._Element]
    doctype: str | None
    strainer: ElementFilter | None
    in_context: bool = False


def _top_nodes(root: etree._Element, strainer: ElementFilter | None) -> _Selection:
    top = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    if isinstance(strainer, TreeStrainer):
        picked = strainer.select(root)
        if picked is not None:
            return _Selection(_outermost(picked), None, strainer, in_context=True)
        strainer = None  # the whole page, as without a strainer
    names = _tag_names_only(strainer)
    if names is not None:  # lxml finds the outermost elements kept; nothing else is looked at
        outermost = [node for element in top if isinstance(element.tag, str)
                     for node in element.iter(*names)
                     if next(node.iterancestors(*names), None) is None]
        # Such a strainer keeps no top-level string: no doctype either.
        return _Selection(outermost, None, strainer)
    dtd = root.getroottree().docinfo.internalDTD
    doctype = (str(Doctype.for_name_and_ids(dtd.name, dtd.external_id, dtd.system_url))
               if dtd is not None else None)
    return _Selection(top, doctype, strainer)


def _outermost(nodes: list[etree._Element]) -> list[etree._Element]:
    """`nodes` (in document order) without those inside another of them."""
    kept: list[etree._Element] = []
    seen: set[etree._Element] = set()
    for node in nodes:
        if node not in seen and not any(parent in seen for parent in node.iterancestors()):
            kept.append(node)
            seen.add(node)
    return kept


def _context(node: etree._Element, preserve_tags: set[str], containers: dict[str, type],
             text_class: type[NavigableString]) -> tuple[bool, type[NavigableString]]:
    """(whitespace preserved, string class) inside `node`'s parent, as its ancestors make them."""
    preserve, container = False, None
    for parent in node.iterancestors():
        preserve = preserve or parent.tag in preserve_tags
        if container is None and parent.tag in containers:
            container = containers[parent.tag]
    return preserve, container or text_class


def _tag_names_only(strainer: ElementFilter | None) -> frozenset[str] | None:
    """The tag names a SoupStrainer like `SoupStrainer(["dl", "table"])` keeps; else None."""
    if type(strainer) is not SoupStrainer or strainer.attribute_rules or strainer.string_rules:
        return None
    rules = strainer.name_rules
    if not rules or any(rule.string is None for rule in rules):
        return None
    return frozenset(rule.string for rule in rules)


def _copy(soup: BeautifulSoup, builder: LxmlTreeBuilder, selection: _Selection) -> None:
    """Copy the selected nodes and all below into `soup`, in document order, as bs4's builder
    would build them.

    The hot loop of every parse: a loop, not recursion, so that any depth copies; bs4 objects
    linked as bs4's own builder links them (PageElement.setup); lookups hoisted into locals.
    """
    top, doctype, strainer, in_context = selection
    tag_class = soup.element_classes.get(Tag, Tag)
    text_class = soup.element_classes.get(NavigableString, NavigableString)
    comment_class = soup.element_classes.get(Comment, Comment)
    attribute_dict, namespaces = builder.attribute_dict_class, builder.active_namespace_prefixes[-1]
    preserve_tags, containers = builder.preserve_whitespace_tags, builder.string_containers
    special_strings = text_class is NavigableString and containers
    last = soup._most_recent_element  # the object created last: next_element links run through
    plain_new = NavigableString.__new__
    # Tag's arguments after `previous`, up to `namespaces`, passed by position: a faster call.
    no_options = (None,) * 7 + (namespaces,)

    def add_string(text: str, parent: Tag, preserve: bool, cls: type[NavigableString]) -> None:
        nonlocal last
        if not preserve and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "  # as bs4 does with whitespace-only strings
        if parent is soup and strainer is not None and not strainer.allow_string_creation(text):
            return
        siblings = parent.contents
        if cls.__new__ is plain_new:  # NavigableString.__new__'s own steps, linked at once
            string = str.__new__(cls, text)
            string.hidden = False
            string.next_element = string.next_sibling = None
            string.previous_sibling = siblings[-1] if siblings else None
        else:
            string = cls(text)  # created unlinked; linked below as PageElement.setup would
        string.parent, string.previous_element = parent, last
        if last is not None:
            last.next_element = string
        if siblings:
            string.previous_sibling, siblings[-1].next_sibling = siblings[-1], string
        siblings.append(string)
        last = string

    if doctype is not None:
        add_string(doctype, soup, False, soup.element_classes.get(Doctype, Doctype))
    # A frame: (child nodes left, bs4 parent, inside a kept element, whitespace preserved,
    # string class, the text that follows the element once its children are copied).
    stack: list[tuple] = [(iter(top), soup, False, False, text_class, None)]
    if in_context:  # a frame per run of nodes in the same context; the first run's on top
        special = containers if special_strings else {}
        runs = groupby(top, key=lambda node: _context(node, preserve_tags, special, text_class))
        stack = [(iter(list(nodes)), soup, False, *context, None) for context, nodes in runs]
        stack.reverse()
    while stack:
        children, parent, kept, preserve, container, _ = stack[-1]
        for node in children:
            name = node.tag
            if name.__class__ is str:
                break
            if name is etree.Comment:
                add_string(node.text or "", parent, preserve, comment_class)
            elif name is etree.PI:
                add_string(f"{node.target} {node.text or ''}", parent, preserve,
                           builder.processing_instruction_class)
            if tail := node.tail:
                add_string(tail, parent, preserve, container)
        else:  # the frame's children are done: its element's tail follows, one level up
            if tail := stack.pop()[5]:
                _, parent, _, preserve, container, _ = stack[-1]
                add_string(tail, parent, preserve, container)
            continue
        if len(stack) > _MAX_DEPTH:
            raise _TooDeep
        # No attributes: None, for which Tag makes the same empty dict at less cost.
        attrs = attribute_dict(items) if (items := node.items()) else None
        inside = kept, preserve, container  # what holds for the element's own content
        if kept or strainer is None or strainer.allow_tag_creation(None, name, attrs):
            tag = tag_class(soup, builder, name, None, None, attrs, parent, last, *no_options)
            parent.contents.append(tag)
            last = tag
            inside = (True, preserve or name in preserve_tags,
                      containers[name] if special_strings and name in containers else container)
        else:
            tag = parent  # left out: its content is still offered to parse_only, at the top
        if text := node.text:
            add_string(text, tag, inside[1], inside[2])
        if len(node):
            stack.append((iter(node), tag, *inside, node.tail))
        elif tail := node.tail:  # no children: the text after it follows at once
            add_string(tail, parent, preserve, container)
    soup._most_recent_element = last
