import unicodedata

import pytest

from cluster_etl import raw
from cluster_etl.portal import layout
from cluster_etl.portal import (
    LayoutError,
    canonical_url,
    cluster_id_from_url,
    directory_page_url,
    directory_url,
    is_cluster_home_url,
    is_directory_url,
    is_member_page_url,
    overview_url,
    robots_url,
    same_host,
)

PORTAL = "https://clusters.wallonie.be"
PAGE = "https://clusters.wallonie.be/sites/tweed/home/membres.html"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("./membres/memberList/acme.html", f"{PORTAL}/sites/tweed/home/membres/memberList/acme.html"),
        ("../home.html", f"{PORTAL}/sites/tweed/home.html"),
        ("/sites/infopole/home.html", f"{PORTAL}/sites/infopole/home.html"),
        ("/tweed/home.html", f"{PORTAL}/sites/tweed/home.html"),
        ("/tweed/home/membres.html", f"{PORTAL}/sites/tweed/home/membres.html"),
        ("HTTPS://Clusters.Wallonie.BE/sites/tweed/home.html#top", f"{PORTAL}/sites/tweed/home.html"),
        ("https://clusters.wallonie.be:443/sites/tweed/home.html", f"{PORTAL}/sites/tweed/home.html"),
        ("membres.html?page=2", f"{PORTAL}/sites/tweed/home/membres.html?page=2"),
        ("  membres.html?page=2#list ", f"{PORTAL}/sites/tweed/home/membres.html?page=2"),
        ("#top", PAGE),
        ("http://www.example.be/acme/home.html", "http://www.example.be/acme/home.html"),
        ("mailto:info@example.be", "mailto:info@example.be"),
    ],
)
def test_canonical_url(href, expected):
    assert canonical_url(href, PAGE) == expected


def test_canonical_url_old_form_base_and_local_port():
    base = "http://127.0.0.1:8765/tweed/home.html"
    assert canonical_url("home/membres.html", base) == "http://127.0.0.1:8765/sites/tweed/home/membres.html"
    assert canonical_url("http://127.0.0.1:8765/", base) == "http://127.0.0.1:8765/"


def test_cluster_id_from_url():
    assert cluster_id_from_url(f"{PORTAL}/sites/infopole/home/membres/memberList/thales.html") == "infopole"
    assert cluster_id_from_url(f"{PORTAL}/tweed/home/membres.html") == "tweed"
    assert cluster_id_from_url(f"{PORTAL}/robots.txt") is None
    assert cluster_id_from_url(f"{PORTAL}/") is None


def test_page_kinds():
    member = f"{PORTAL}/sites/infopole/home/membres/memberList/thales-belgium.html"
    assert is_member_page_url(member)
    assert is_member_page_url(f"{PORTAL}/infopole/home/membres/memberList/thales-belgium.html")
    assert not is_member_page_url(f"{PORTAL}/sites/infopole/home/membres.html")
    assert not is_member_page_url(f"{PORTAL}/sites/infopole/home/membres/espace-membres.html")
    assert is_cluster_home_url(f"{PORTAL}/sites/infopole/home.html")
    assert is_cluster_home_url(f"{PORTAL}/infopole/home.html")
    assert not is_cluster_home_url(f"{PORTAL}/sites/infopole/home/contact.html")
    assert is_directory_url(f"{PORTAL}/sites/infopole/home/membres.html")
    assert is_directory_url(f"{PORTAL}/sites/infopole/home/membres.html?page=3")
    assert not is_directory_url(member)


def test_url_builders():
    assert overview_url(PORTAL) == f"{PORTAL}/sites/federateur/home/les-clusters.html"
    assert overview_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/sites/federateur/home/les-clusters.html"
    assert robots_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/robots.txt"
    assert directory_url(f"{PORTAL}/sites/tweed/home.html") == f"{PORTAL}/sites/tweed/home/membres.html"
    assert directory_url(f"{PORTAL}/tweed/home.html") == f"{PORTAL}/sites/tweed/home/membres.html"
    assert directory_page_url(f"{PORTAL}/sites/tweed/home/membres.html", 1) == f"{PORTAL}/sites/tweed/home/membres.html"
    assert directory_page_url(f"{PORTAL}/sites/tweed/home/membres.html?page=2", 3) == (
        f"{PORTAL}/sites/tweed/home/membres.html?page=3")
    with pytest.raises(ValueError):
        directory_url(f"{PORTAL}/robots.txt")


def test_same_host():
    assert same_host("https://clusters.wallonie.be/a", "http://CLUSTERS.wallonie.be/b")
    assert same_host("https://www.clusters.wallonie.be/a", "https://clusters.wallonie.be:443/b")
    assert same_host("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b")
    assert not same_host("http://127.0.0.1:8000/a", "http://127.0.0.1:8001/b")
    assert not same_host("https://www.example.be/", "https://clusters.wallonie.be/")
    assert not same_host("mailto:x@example.be", "https://clusters.wallonie.be/")


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Dénomination", "name"),
        ("  DENOMINATION\u00a0: ", "name"),
        ("Code postal :", "postal_code"),
        ("Code\u00a0postal", "postal_code"),
        ("Localité", "city"),
        ("localite", "city"),
        ("E-mail", "email"),
        ("Email :", "email"),
        ("E\u2011mail", "email"),
        ("Site web", "website"),
        ("Site internet", "website"),
        ("Numéro d\u2019entreprise", "enterprise_number"),
        ("Numéro d'entreprise :", "enterprise_number"),
        ("Téléphone", "phone"),
        ("Type de membre", "member_type_label"),
        ("Activités", "activities"),
        ("Adresse", "street"),
        ("Fax", None),
        ("Personne de contact", None),
    ],
)
def test_member_field_key(label, key):
    assert layout.member_field_key(label) == key


def test_member_field_labels_cover_raw_fields():
    assert set(layout.MEMBER_FIELD_LABELS) == set(raw.MEMBER_FIELDS)


@pytest.mark.parametrize(
    "label",
    ["PME", "pme", "Entreprise (PME)", "Grande entreprise", "GE", "Centre de recherche agréé",
     "Centre de recherche agree", "Université / Haute école", "université/haute école", "Haute École",
     "Centre de formation", "Autre", "Fédération", "ORGANISME PUBLIC", "Petite ou moyenne entreprise"],
)
def test_type_label_hints(label):
    assert layout.is_type_label_hint(label)


@pytest.mark.parametrize("text", ["Liège", "Mons", "Louvain-la-Neuve", "Entreprises"])
def test_not_type_label_hints(text):
    assert not layout.is_type_label_hint(text)


def test_fold_label():
    assert layout.fold_label("\tDOMAINE D\u2019ACTIVITÉS\u00a0:") == "domaine d'activites"
    assert layout.collapse(" a\t\u00a0b\n c ") == "a b c"


def test_layout_error_names_url_and_expectation():
    error = LayoutError("https://x/page.html", "a <dl>")
    assert "https://x/page.html" in str(error) and "a <dl>" in str(error)
    assert error.url == "https://x/page.html"


def _fold_with_unicode_decomposition(text):
    """fold_text as first written: every text decomposed, ASCII included."""
    chars = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'",
                           "\u2010": "-", "\u2011": "-"})
    decomposed = unicodedata.normalize("NFKD", text.translate(chars))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@pytest.mark.parametrize("text", [
    "Dénomination :", "DOMAINE D\u2019ACTIVITÉS", "Code\u00a0postal", "  Tél.\t", "N° BCE",
    "`quoted`",
    "Stra\u00dfe", "\ufb01ne", "\u2460 ligne", "İstanbul", "plain ascii : text", "", "   ",
    "Localit\u0065\u0301", "\u00bd PME", "caf\u00e9\u2011bar",
])
def test_fold_text_as_with_unicode_decomposition(text):
    assert layout.fold_text(text) == _fold_with_unicode_decomposition(text)
    assert layout.fold_label(text) == _fold_with_unicode_decomposition(text).rstrip(": ")


def test_directory_piece_key():
    assert layout.directory_piece_key("Localité :") == "city"
    assert layout.directory_piece_key("TYPE") == "member_type_label"
    assert layout.directory_piece_key("Type de membre") == "member_type_label"
    assert layout.directory_piece_key("Téléphone") is None
