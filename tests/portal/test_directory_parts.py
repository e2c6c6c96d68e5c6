"""A directory page is parsed from its member list and links alone (directory_parts.py, a
TreeStrainer in soup.py), with the result of parsing the whole page."""

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from lxml import etree

from cluster_etl.portal import parse_directory
from cluster_etl.portal.directory_parts import directory_parts
from cluster_etl.portal.parse import parse_directory_page
from cluster_etl.portal.soup import LxmlTreeBuilder, TreeStrainer

TWEED_DIR = "https://clusters.wallonie.be/sites/tweed/home/membres.html"
FAR = "http://other.example/sites/tweed/home/membres/memberList/far.html"
NAV = f"""<div id="menu"><a href="/sites/tweed/home.html">Accueil</a> <a href="/intranet/">Espace
membres</a> <a href="{FAR}">Far</a></div>"""
PAGES = {
    "header row in thead, members in tbody": f"""<body>{NAV}<table><thead>
        <tr><th>Nom</th><th>Type</th><th>Localité</th></tr></thead><tbody>
        <tr><td><a href="membres/memberList/a.html">A</a></td><td>PME</td><td>Liège</td></tr>
        <tr><td><a href="membres/memberList/b.html">B</a></td><td>Autre</td><td>Namur</td></tr>
        </tbody></table><div id="pied"><p><a href="membres.html?page=2">Page<br>suivante</a>
        </p></div></body>""",
    "list in a layout table cell": f"""<body><table><tr><td>{NAV}</td><td><ul>
        <li><a href="membres/memberList/a.html">A</a> - Liège - PME</li>
        <li><a href="membres/memberList/b.html">B</a> - Mons - GE</li></ul></td></tr></table>
        <a rel="next" href="membres.html?page=2">»</a></body>""",
    "entries as runs of siblings": f"""<body>{NAV}<div>
        <a href="membres/memberList/a.html">A</a> Liège, PME<br>
        <a href="membres/memberList/b.html">B</a> Namur (GE)<br></div>
        <footer><a href="membres.html?page=2">Suivant</a></footer></body>""",
    "one member: the whole page": f"""<body>{NAV}<h2>Namur</h2>
        <div><a href="membres/memberList/a.html">A</a></div><p>PME</p></body>""",
    "same member twice": f"""<body>{NAV}<p><a href="membres/memberList/a.html">A</a> Liège</p>
        <p><a href="membres/memberList/a.html">Fiche de A</a></p></body>""",
    "list in pre and a template": f"""<body>{NAV}<pre><ul>
        <li><a href="membres/memberList/a.html">A</a>   Liège   PME</li>
        <li><a href="membres/memberList/b.html">B</a>   Mons</li></ul></pre>
        <template><a href="membres/memberList/t.html">T</a></template></body>""",
    "members in nav and content": f"""<body><nav><a href="membres/memberList/z.html">Zed</a>
        </nav>{NAV}<ul><li><a href="membres/memberList/a.html">A</a> | Liège</li>
        <li><a href="/tweed/home/membres/memberList/b.html">B</a> | Mons</li></ul></body>""",
    "nested links": f"""<body>{NAV}<a href="/sites/tweed/home/autre.html"><ul>
        <li><a href="membres/memberList/a.html">A</a> Liège</li>
        <li><a href="membres/memberList/b.html">B</a> Mons</li></ul></a></body>""",
}


@pytest.mark.parametrize("html", PAGES.values(), ids=PAGES.keys())
def test_parsed_as_the_whole_page(html, monkeypatch):
    strained = parse_directory_page(html, TWEED_DIR)
    monkeypatch.setattr(parse_directory, "directory_strainer", lambda url: None)
    assert strained == parse_directory_page(html, TWEED_DIR)


def test_sample_directory_pages_parsed_as_the_whole_page(sample_pages, monkeypatch):
    strained = {url: parse_directory_page(html, url) for url, html in sample_pages["directory"]}
    monkeypatch.setattr(parse_directory, "directory_strainer", lambda url: None)
    assert strained == {url: parse_directory_page(html, url)
                        for url, html in sample_pages["directory"]}


def tags(elements) -> list[str]:
    return [element.tag for element in elements]


def root_of(html: str):
    return etree.fromstring(html, etree.HTMLParser())


def test_the_list_widened_to_its_table_and_the_other_links_kept():
    parts = directory_parts(root_of(PAGES["header row in thead, members in tbody"]), TWEED_DIR)
    assert tags(parts) == ["a", "a", "a", "table", "a"]  # menu links, the table, `Suivant`
    assert parts[-1].get("href") == "membres.html?page=2"


def test_no_list_without_two_members():
    assert directory_parts(root_of(PAGES["one member: the whole page"]), TWEED_DIR) is None
    assert directory_parts(root_of(PAGES["same member twice"]), TWEED_DIR) is None


def test_next_link_far_from_the_list_is_found():
    page = parse_directory_page(PAGES["header row in thead, members in tbody"], TWEED_DIR)
    assert [(e["name"], e["city"], e["member_type_label"]) for e in page["entries"]] == [
        ("A", "Liège", "PME"), ("B", "Namur", "Autre")]
    assert page["next_url"] == f"{TWEED_DIR}?page=2"
    assert page["off_host_links"] == [FAR]


# --- TreeStrainer ------------------------------------------------------------------------------

CONTEXTS = """<!DOCTYPE html><html><body><p>out <b>x</b></p>
<pre>  keep  <i> <u>  <b>in pre</b>  \n </u> </i></pre><script>var a = "<u>s</u>";</script>
<template><p> <u>in template</u> </p></template>
<ruby>r<rt> <u>in rt</u> </rt></ruby><div> <u>plain</u> <u>twice</u> </div>tail</body></html>"""


def kept(soup: BeautifulSoup) -> list[tuple]:
    """Every node below the soup: its class and its text or markup."""
    return [(type(node).__name__, str(node)) for node in soup.descendants]


def test_tree_strainer_keeps_what_it_picks_as_the_whole_page_has_it():
    def pick(root):  # every <u>, and the <div> holding two of them, in document order
        return [node for node in root.iter("u", "div")]

    strained = BeautifulSoup(CONTEXTS, builder=LxmlTreeBuilder, parse_only=TreeStrainer(pick))
    whole = BeautifulSoup(CONTEXTS, builder=LxmlTreeBuilder)
    picked = [node for node in whole.find_all(["u", "div"])
              if not any(parent.name == "div" for parent in node.parents)]
    assert [(type(node).__name__, str(node)) for node in strained.contents] == [
        ("Tag", str(node)) for node in picked]
    assert [name for name, _ in kept(strained)] == [
        type(node).__name__ for top in picked for node in [top, *top.descendants]]
    for top, node in zip(strained.contents, picked):
        for ours, theirs in zip([top, *top.descendants], [node, *node.descendants]):
            assert type(ours) is type(theirs) and str(ours) == str(theirs)


def test_tree_strainer_that_picks_nothing_in_particular_keeps_the_whole_page():
    strained = BeautifulSoup(CONTEXTS, builder=LxmlTreeBuilder,
                             parse_only=TreeStrainer(lambda root: None))
    assert kept(strained) == kept(BeautifulSoup(CONTEXTS, builder=LxmlTreeBuilder))


def test_tree_strainer_on_a_page_too_deep_to_copy_keeps_every_tag():
    html = "<div>" * 3000 + "<u>deep</u>" + "</div>" * 3000 + "<p>after</p>"
    soup = BeautifulSoup(html, builder=LxmlTreeBuilder,  # the outer <div>: 3,000 deep
                         parse_only=TreeStrainer(lambda root: [next(root.iter("div"))]))
    assert len(soup.find_all("div")) == 3000 and soup.find("p").get_text() == "after"
    assert soup.find("u").string == "deep"


def test_strings_of_kept_elements_are_linked_in_document_order():
    soup = BeautifulSoup(CONTEXTS, builder=LxmlTreeBuilder,
                         parse_only=TreeStrainer(lambda root: list(root.iter("u"))))
    chain, node = [], soup.contents[0]  # as with bs4's own builders, soup.next_element is None
    while node is not None:
        chain.append(node)
        assert node.next_element is None or node.next_element.previous_element is node
        node = node.next_element
    assert chain == list(soup.descendants)
    assert all(isinstance(node, (Tag, NavigableString)) for node in chain)
