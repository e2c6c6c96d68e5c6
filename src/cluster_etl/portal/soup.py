"""A Beautiful Soup tree builder: lxml builds the page in C, one loop copies it into bs4 objects.

Why: bs4's own `lxml` builder gets every start tag, end tag and string as a Python callback and
runs its generic tree-building on each, which makes up most of a page's parse time (see
bench/parse_bench.py). Here lxml parses the whole page in C and one loop creates the bs4 Tags and
strings with their links directly. The result is the tree bs4's `lxml` builder gives: the same
libxml2 parser, bs4's whitespace and string-class rules, `parse_only` (a SoupStrainer) obeyed the
same way; tests/portal/test_soup.py compares the two on every sample page and on odd markup.
Known difference: whitespace after `</html>` (bs4 keeps it as a last top-level string).

Use: `BeautifulSoup(html, builder=LxmlTreeBuilder, parse_only=SoupStrainer("dl"))`.
"""

from __future__ import annotations

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
            _copy(soup, self, *_top_nodes(root, soup.parse_only))
        except _TooDeep:
            # Start again with bs4's own builder, which gets the whole page through callbacks.
            soup.reset()
            self.initialize_soup(soup)
            super().feed(markup)


class _TooDeep(Exception):
    pass


def _top_nodes(root: etree._Element,
               strainer: ElementFilter | None) -> tuple[list[etree._Element], str | None]:
    """The nodes to copy from the top, and the doctype's text (None when there is none)."""
    top = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    names = _tag_names_only(strainer)
    if names is not None:  # lxml finds the outermost elements kept; nothing else is looked at
        outermost = [node for element in top if isinstance(element.tag, str)
                     for node in element.iter(*names)
                     if next(node.iterancestors(*names), None) is None]
        return outermost, None  # such a strainer keeps no top-level string: no doctype either
    dtd = root.getroottree().docinfo.internalDTD
    doctype = (str(Doctype.for_name_and_ids(dtd.name, dtd.external_id, dtd.system_url))
               if dtd is not None else None)
    return top, doctype


def _tag_names_only(strainer: ElementFilter | None) -> frozenset[str] | None:
    """The tag names a SoupStrainer like `SoupStrainer(["dl", "table"])` keeps; else None."""
    if type(strainer) is not SoupStrainer or strainer.attribute_rules or strainer.string_rules:
        return None
    rules = strainer.name_rules
    if not rules or any(rule.string is None for rule in rules):
        return None
    return frozenset(rule.string for rule in rules)


def _copy(soup: BeautifulSoup, builder: LxmlTreeBuilder, top: list[etree._Element],
          doctype: str | None) -> None:
    """Copy `top` and all below into `soup`, in document order, as bs4's builder would build it.

    The hot loop of every parse: a loop, not recursion, so that any depth copies; bs4 objects
    linked as bs4's own builder links them (PageElement.setup); lookups hoisted into locals.
    """
    strainer = soup.parse_only
    tag_class = soup.element_classes.get(Tag, Tag)
    text_class = soup.element_classes.get(NavigableString, NavigableString)
    comment_class = soup.element_classes.get(Comment, Comment)
    attribute_dict, namespaces = builder.attribute_dict_class, builder.active_namespace_prefixes[-1]
    preserve_tags, containers = builder.preserve_whitespace_tags, builder.string_containers
    special_strings = text_class is NavigableString and containers
    last = soup._most_recent_element  # the object created last: next_element links run through

    def add_string(text: str, parent: Tag, preserve: bool, cls: type[NavigableString]) -> None:
        nonlocal last
        if not preserve and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "  # as bs4 does with whitespace-only strings
        if parent is soup and strainer is not None and not strainer.allow_string_creation(text):
            return
        string = cls(text)  # created unlinked; linked below as PageElement.setup would link it
        string.parent = parent
        if last is not None:
            string.previous_element, last.next_element = last, string
        siblings = parent.contents
        if siblings:
            string.previous_sibling, siblings[-1].next_sibling = siblings[-1], string
        siblings.append(string)
        last = string

    if doctype is not None:
        add_string(doctype, soup, False, soup.element_classes.get(Doctype, Doctype))
    # A frame: (child nodes left, bs4 parent, inside a kept element, whitespace preserved,
    # string class, the text that follows the element once its children are copied).
    stack: list[tuple] = [(iter(top), soup, False, False, text_class, None)]
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
        attrs = attribute_dict(node.items())
        inside = kept, preserve, container  # what holds for the element's own content
        if kept or strainer is None or strainer.allow_tag_creation(None, name, attrs):
            tag = tag_class(soup, builder, name, None, None, attrs, parent, last,
                            namespaces=namespaces)
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
