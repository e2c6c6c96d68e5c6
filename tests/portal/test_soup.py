"""portal/soup.py builds the tree bs4's stock `lxml` builder builds: compared node by node and link
by link, on the sample portal's pages and on odd markup, with and without a SoupStrainer."""

import pytest
from bs4 import BeautifulSoup, NavigableString, SoupStrainer, Tag

from cluster_etl.portal import parse, parse_directory, parse_members
from cluster_etl.portal.parse import (parse_cluster_home, parse_directory_page, parse_member_page,
                                      parse_overview)
from cluster_etl.portal.soup import LxmlTreeBuilder

STRAINERS = {
    "none": None,
    "dl": SoupStrainer("dl"),
    "links and rows": SoupStrainer(["a", "tr", "li"]),
    "by attribute": SoupStrainer("div", class_="membre"),
    "by string": SoupStrainer(string="Suivant »"),
}

ODD_MARKUP = [
    "",
    "   \n ",
    "plain text",
    "<!DOCTYPE html><html><body><p>x</p></body></html>",
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><p>x',
    "<!-- before --><html><!-- in --><body>a<!---->b<!--  -->c</body></html><!-- after -->",
    "<p>a<pre>  x  \n <b> </b> </pre> <textarea>  </textarea><script> var x = '<p>'; </script>"
    "<style> p {} </style><template> <p> t </p></template><ruby>x<rt> y </rt><rp>(</rp></ruby></p>",
    "<p class='a  b' rel='next prev' id=x data-x=1>t</p><a rel=next href=/x>n</a>"
    "<td headers='a b'>",
    "<table><tr><td>1<td>2<tr><td>3</table><ul><li>a<li>b</ul><p>unclosed<div>block</div>",
    "<meta charset='iso-8859-1'><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
    "<title>t</title>",
    "<?php echo 1 ?><p>pi</p>",
    "&eacute;&amp;&foo;&#233;&nbsp;<p>&lt;b&gt;</p>",
    "<dl><dt>A<dd>1<dl><dt>B<dd>2</dl></dl><dl><div><dt>C</dt><dd>3</dd></div></dl>",
    "<br><br/>text<img src=x alt=''>",
    "<svg:rect x=1></svg:rect><math><mi>x</mi></math>",
    "\ufeff<p>bom</p>",
    "<p>a</p>\n\n<p>b</p>\n  \t\n",
    "<html><body><p>x</p></body></html>trailing <a href=m>A</a>",
    "<frameset><frame src=x></frameset><a href=m>A</a>",
    "<noscript><p>ns</p></noscript><select><option>o</select>",
    "<p>\r\n</p><p>a\x00b</p>",
    "<div>" * 300 + "deep" + "</div>" * 300 + "<p>after</p>",  # past libxml2's default limit
    "<div>" * 3000 + "deeper" + "</div>" * 3000 + "<p>after</p>",  # past its hard limit
]


def shape(soup: BeautifulSoup) -> list[tuple]:
    """Every node in document order: its class, name and attributes or text, and where its parent,
    siblings and previous and next elements are, so that a wrong link anywhere shows."""
    for node in list(soup.contents):
        # The one known difference: bs4 keeps whitespace after </html> as a top-level string.
        if type(node) is NavigableString and not node.strip():
            node.extract()
    nodes = list(soup.descendants)
    position = {id(node): i for i, node in enumerate(nodes)} | {id(soup): -1}

    def at(node):
        return None if node is None else position[id(node)]

    found: list[tuple] = [("soup", at(soup.next_element))]
    for node in nodes:
        if isinstance(node, Tag):
            attrs = [(k, v if isinstance(v, str) else (type(v).__name__, *v))
                     for k, v in node.attrs.items()]
            what: object = (node.name, type(node.attrs).__name__, attrs, node.can_be_empty_element)
        else:
            what = str(node)
        found.append((type(node).__name__, what, at(node.parent), at(node.previous_sibling),
                      at(node.next_sibling), at(node.previous_element), at(node.next_element)))
    return found


def both(markup, **options) -> tuple[list[tuple], list[tuple]]:
    stock = BeautifulSoup(markup, "lxml", **options)
    ours = BeautifulSoup(markup, builder=LxmlTreeBuilder, **options)
    assert isinstance(ours.builder, LxmlTreeBuilder)
    return shape(stock), shape(ours)


@pytest.mark.parametrize("strainer", STRAINERS.values(), ids=STRAINERS.keys())
@pytest.mark.parametrize("markup", ODD_MARKUP, ids=range(len(ODD_MARKUP)))
def test_odd_markup_builds_the_stock_tree(markup, strainer):
    stock, ours = both(markup, parse_only=strainer)
    assert ours == stock


@pytest.mark.parametrize("strainer", ["none", "dl", "links and rows", "by attribute"])
def test_sample_pages_build_the_stock_tree(sample_pages, strainer):
    # Every page but the member pages, and every tenth of those: a few hundred pages.
    pages = [page for kind, found in sample_pages.items()
             for page in (found[::10] if kind == "member" else found)]
    for url, html in pages:
        stock, ours = both(html, parse_only=STRAINERS[strainer])
        assert ours == stock, url


def test_deep_page_is_whole():
    html = "<div>" * 3000 + "deeper" + "</div>" * 3000 + "<p>after</p>"
    soup = BeautifulSoup(html, builder=LxmlTreeBuilder)
    assert len(soup.find_all("div")) == 3000
    assert soup.find("p").get_text() == "after"


def test_bytes_in_a_declared_encoding():
    html = "<p>Soci\xe9t\xe9 g\xe9n\xe9rale</p><dl><dt>Localit\xe9</dt><dd>Li\xe8ge</dd></dl>"
    stock, ours = both(html.encode("iso-8859-1"), from_encoding="iso-8859-1")
    assert ours == stock
    soup = BeautifulSoup(html.encode("iso-8859-1"), builder=LxmlTreeBuilder,
                         from_encoding="iso-8859-1")
    assert soup.dd.string == "Liège"


def test_element_classes_are_used():
    class Element(Tag):
        pass

    class Text(NavigableString):
        pass

    classes = {Tag: Element, NavigableString: Text}
    stock, ours = both("<ul><li>a <b>b</b></li></ul>", element_classes=classes)
    assert ours == stock
    assert {kind for kind, *_ in ours[1:]} == {"Element", "Text"}


def stock_soup(html, only=None):
    return BeautifulSoup(html, "lxml")


def test_parse_results_as_with_the_stock_builder_and_no_strainer(sample_pages, monkeypatch):
    parsers = {"overview": parse_overview, "home": parse_cluster_home,
               "directory": parse_directory_page, "member": parse_member_page}
    ours = {url: parsers[kind](html, url)
            for kind, found in sample_pages.items() for url, html in found}
    for module in (parse, parse_directory, parse_members):
        monkeypatch.setattr(module, "make_soup", stock_soup)
    stock = {url: parsers[kind](html, url)
             for kind, found in sample_pages.items() for url, html in found}
    assert len(ours) > 1000
    assert ours == stock
