import datetime as dt

import pytest

from cluster_etl import raw
from cluster_etl.portal import (
    LayoutError,
    parse_cluster_home,
    parse_directory_page,
    parse_member_page,
    parse_overview,
    select_one_strict,
)
from cluster_etl.portal.text import make_soup as _soup

PORTAL = "https://clusters.wallonie.be"
OVERVIEW = f"{PORTAL}/sites/federateur/home/les-clusters.html"
TWEED_HOME = f"{PORTAL}/sites/tweed/home.html"
TWEED_DIR = f"{PORTAL}/sites/tweed/home/membres.html"
MEMBER = f"{PORTAL}/sites/tweed/home/membres/memberList/acme.html"


def member(slug, cluster="tweed"):
    return f"{PORTAL}/sites/{cluster}/home/membres/memberList/{slug}.html"


# --- overview ------------------------------------------------------------------------------

CLUSTERS_2008 = [
    ("aresa", "ARESA", "Recherche clinique"),
    ("auto-mobilite", "AUTO-MOBILITÉ", "Industries de l'automobile et de la mobilité"),
    ("cap2020", "CAP 2020", "Construction durable et basse énergie"),
    ("dechets-solides", "DÉCHETS SOLIDES", "Collecte, traitement et valorisation des déchets"),
    ("eco-construction", "ECO-CONSTRUCTION", "Construction écologique"),
    ("infopole", "INFOPÔLE", "Technologies de l'Information et de la Communication (TIC)"),
    ("logistics", "LOGISTICS IN WALLONIA", "Transport et logistique"),
    ("mitech", "MITECH", "Micro- et nanotechnologies, mécatronique, Intelligent manufacturing"),
    ("nutrition", "NUTRITION", "Nutrition et santé"),
    ("photonique", "PHOTONIQUE", "Photonique (lumière, laser, etc.)"),
    ("plastiwin", "PLASTIWIN", "Industrie plastique"),
    ("tweed", "TWEED", "Energie durable"),
    ("twist", "TWIST", "Technologies de l'image, du son et du texte"),
    ("wallonie-espace", "WALLONIE ESPACE", "Industrie spatiale"),
]


def overview_2008_html():
    rows = "\n".join(
        f"<tr><td>\t<a href='../../{slug}/home.html'>{name}</a>&nbsp;</td><td>{domain}\t</td></tr>"
        for slug, name, domain in CLUSTERS_2008
    )
    return f"""<html><head><meta charset="utf-8"><title>Les clusters</title></head><body>
    <div id="nav"><ul><li><a href="/sites/federateur/home.html">Accueil</a></li>
      <li><a href="/sites/tweed/home.html">TWEED</a></li><li><a href="http://www.wallonie.be">Wallonie</a></li></ul></div>
    <h2>Les clusters ou réseaux d'entreprises, une formule gagnante ?</h2>
    <p>Les <strong>clusters</strong> sont des <strong>réseaux d'entreprises</strong>. Ils sont créés à
    l'initiative d'entreprises, actives dans un domaine donné, qui souhaitent mieux se connaître.</p>
    <p><strong>14 clusters</strong> sont reconnus en Wallonie. Ils comptent <strong>plus de 1.000 membres</strong>,
    dont <strong>75% sont des entreprises</strong> et notamment des PME (64%). Ils peuvent, s'ils le
    souhaitent, s'adjoindre les services d'acteurs de R&amp;D ou de formation.</p>
    <p>Les clusters constituent, avec les pôles de compétitivité, un des <b>pilliers de la politique
    industrielle</b> wallonne.</p>
    <p>&nbsp;<br><strong>14 clusters</strong></p>
    <h2>Les 14 clusters wallons</h2>
    <table><tr><th></th><th>DOMAINE D'ACTIVITÉS</th></tr>
    {rows}
    </table>
    <h2>Membres des clusters</h2>
    <p>Ventilation par type de membre - 30 juin 2008</p>
    <p><img src="graph.png" alt=""></p>
    <p>Sources : DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) du SPW<br>
    Portail des clusters wallons : <a href="http://clusters.wallonie.be">http://clusters.wallonie.be</a></p>
    </body></html>"""


def test_overview_2008():
    overview = parse_overview(overview_2008_html(), OVERVIEW)
    assert overview["url"] == OVERVIEW
    assert overview["declared_cluster_count"] == 14
    assert len(overview["clusters"]) == 14
    assert overview["member_total"] == 1000
    assert overview["member_total_is_lower_bound"] is True
    assert overview["company_share_pct"] == 75
    assert overview["sme_share_pct"] == 64
    assert overview["as_of"] == dt.date(2008, 6, 30)
    assert "DG Economie-Emploi-Recherche" in overview["source"]
    assert "Portail" not in overview["source"]
    assert [c["name"] for c in overview["clusters"]] == [name for _, name, _ in CLUSTERS_2008]
    assert [c["domain"] for c in overview["clusters"]] == [d for _, _, d in CLUSTERS_2008]
    first = overview["clusters"][0]
    assert first == raw.ClusterLink(cluster_id="aresa", name="ARESA", domain="Recherche clinique",
                                    url=f"{PORTAL}/sites/aresa/home.html")


def _overview(prose, rows=None, extra=""):
    rows = rows or '<tr><td><a href="/sites/tweed/home.html">TWEED</a></td><td>Energie</td></tr>'
    return f"<html><body><p>{prose}</p><table>{rows}</table>{extra}</body></html>"


def test_overview_exact_total_and_spaced_percent():
    html = _overview("<b>3</b> clusters comptent 1.087 membres, dont 80\u00a0% sont des entreprises "
                     "et des PME ( 51 % ).")
    overview = parse_overview(html, OVERVIEW)
    assert overview["declared_cluster_count"] == 3
    assert overview["member_total"] == 1087
    assert overview["member_total_is_lower_bound"] is False
    assert overview["company_share_pct"] == 80
    assert overview["sme_share_pct"] == 51


def test_overview_nbsp_and_bold_pieces():
    html = _overview("<strong>15</strong>&nbsp;clusters ... plus&nbsp;de <b>2.345</b>&nbsp;membres, "
                     "dont <b>70</b>% sont des entreprises")
    overview = parse_overview(html, OVERVIEW)
    assert (overview["declared_cluster_count"], overview["member_total"]) == (15, 2345)
    assert overview["member_total_is_lower_bound"] is True
    assert overview["company_share_pct"] == 70
    assert overview["sme_share_pct"] is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Ventilation par type de membre - 30 juin 2008", dt.date(2008, 6, 30)),
        ("Ventilation par type de membre – 1er février 2010", dt.date(2010, 2, 1)),
        ("Ventilation par type de membre - 1 fevrier 2010", dt.date(2010, 2, 1)),
        ("VENTILATION PAR TYPE DE MEMBRE : 15 août 2012", dt.date(2012, 8, 15)),
        ("Ventilation par type de membre - 31\u00a0décembre\u00a02015", dt.date(2015, 12, 31)),
        ("Ventilation par type de membre - 31 decembre 2015", dt.date(2015, 12, 31)),
        ("Ventilation par type de membre au 30/06/2008", dt.date(2008, 6, 30)),
        ("Ventilation par type de membre - 30 juin", None),
        ("Ventilation par type de membre - 31 juin 2008", None),
        ("Mis à jour le 30 juin 2008", None),
    ],
)
def test_overview_as_of(line, expected):
    html = _overview("14 clusters", extra=f"<h3>{line}</h3>")
    assert parse_overview(html, OVERVIEW)["as_of"] == expected


def test_overview_source_label_in_own_cell():
    html = _overview("14 clusters", extra="<table><tr><td><b>Source</b></td><td>SPW DGO6</td></tr></table>")
    assert parse_overview(html, OVERVIEW)["source"] == "SPW DGO6"


def test_overview_rows_old_form_absolute_duplicate_and_header():
    rows = """
    <tr><th>Cluster</th><th>DOMAINE D'ACTIVITÉS</th></tr>
    <tr><td><a href="http://clusters.wallonie.be/tweed/home.html">TWEED</a></td><td>Energie durable</td></tr>
    <tr><td><a href="/sites/infopole/home.html"><b>INFO</b>PÔLE</a></td><td>TIC</td></tr>
    <tr><td><a href="/sites/tweed/home.html#x">TWEED (bis)</a></td><td>Energie</td></tr>
    <tr><td><a href="http://www.tweed.be/">Site externe</a></td><td>Pas un cluster</td></tr>
    <tr><td><a href="/sites/twist/home.html">TWIST</a></td></tr>
    """
    overview = parse_overview(_overview("14 clusters", rows), f"http://clusters.wallonie.be{OVERVIEW[len(PORTAL):]}")
    assert [(c["cluster_id"], c["name"], c["domain"]) for c in overview["clusters"]] == [
        ("tweed", "TWEED", "Energie durable"), ("infopole", "INFOPÔLE", "TIC"), ("twist", "TWIST", None)]
    assert overview["clusters"][0]["url"] == "http://clusters.wallonie.be/sites/tweed/home.html"


def test_overview_ignores_layout_tables_and_nav():
    html = """<table><tr><td><a href="/sites/tweed/home.html">TWEED</a><br>
    <a href="/sites/twist/home.html">TWIST</a></td><td>
      <p>2 clusters</p>
      <table><tr><td><a href="/sites/tweed/home.html">TWEED</a></td><td>Energie</td></tr></table>
    </td></tr></table>"""
    overview = parse_overview(html, OVERVIEW)
    assert [c["cluster_id"] for c in overview["clusters"]] == ["tweed"]
    assert overview["clusters"][0]["domain"] == "Energie"


def test_overview_without_cluster_table_raises_with_url():
    html = "<p>14 clusters, plus de 1.000 membres</p><ul><li><a href='/sites/tweed/home.html'>TWEED</a></li></ul>"
    with pytest.raises(LayoutError, match="les-clusters.html"):
        parse_overview(html, OVERVIEW)


def test_overview_without_figures_raises_with_url():
    with pytest.raises(LayoutError, match="les-clusters.html") as info:
        parse_overview(_overview("Bienvenue sur le portail."), OVERVIEW)
    assert info.value.url == OVERVIEW


# --- cluster home --------------------------------------------------------------------------


def test_cluster_home_labelled_lines():
    html = """<html><body>
    <div class="top"><a href="/sites/federateur/home.html">Portail des clusters</a> &gt; <a href="#">TWEED</a></div>
    <ul><li><a href="home.html">Accueil</a></li><li><a href="home/espace-membres.html">Espace membres</a></li></ul>
    <h1>  TWEED\u00a0</h1>
    <p>Domaine d'activités : Energie durable</p>
    <p>Le cluster <b>TWEED</b> rassemble les acteurs wallons de l'énergie durable.</p>
    <p>Site web : <a href="http://www.clustertweed.be">www.clustertweed.be</a></p>
    <p>Nombre de membres\u00a0: <strong>87</strong></p>
    <p><a href="home/membres.html">Voir la liste des membres</a></p>
    <footer><p>Contact : SPW, place de la Wallonie 1, Namur</p></footer>
    </body></html>"""
    home = parse_cluster_home(html, TWEED_HOME)
    assert home == raw.ClusterHome(
        url=TWEED_HOME, cluster_id="tweed", name="TWEED", domain="Energie durable",
        description="Le cluster TWEED rassemble les acteurs wallons de l'énergie durable.",
        website="www.clustertweed.be", declared_member_count=87, directory_url=TWEED_DIR)


def test_cluster_home_definition_list_and_old_form_directory_link():
    html = """<body><h1>Infopôle <small>Cluster TIC</small></h1>
    <dl><dt>Domaine d’activité</dt><dd>Technologies de l'Information</dd>
        <dt>Site internet</dt><dd><a href="http://www.infopole.be/">Visiter le site</a></dd></dl>
    <div>Infopôle Cluster TIC est le réseau des entreprises wallonnes des TIC.</div>
    <div>Nombre de membres: 1.087</div>
    <a href="/infopole/home/membres.html">Membres</a></body>"""
    url = f"{PORTAL}/sites/infopole/home.html"
    home = parse_cluster_home(html, url)
    assert home["name"] == "Infopôle Cluster TIC"
    assert home["domain"] == "Technologies de l'Information"
    assert home["website"] == "http://www.infopole.be/"
    assert home["description"] == "Infopôle Cluster TIC est le réseau des entreprises wallonnes des TIC."
    assert home["declared_member_count"] == 1087
    assert home["directory_url"] == f"{PORTAL}/sites/infopole/home/membres.html"


def test_cluster_home_link_labelled_site_web_and_description_label():
    html = """<body><h1>TWIST</h1><h2>Présentation</h2><p>Image, son et texte.</p>
    <p><a href="https://www.twist-cluster.com">Site web</a></p>
    <table><tr><th>Nombre de membres</th><td>42</td></tr></table></body>"""
    home = parse_cluster_home(html, f"{PORTAL}/sites/twist/home.html")
    assert home["website"] == "https://www.twist-cluster.com"
    assert home["description"] == "Image, son et texte."
    assert home["declared_member_count"] == 42
    assert home["domain"] is None


def test_cluster_home_minimal_falls_back_to_default_directory():
    html = """<body><h1>ARESA</h1><a href="/sites/tweed/home/membres.html">TWEED membres</a>
    <a href="http://www.aresa.be/membres.html">ext</a></body>"""
    home = parse_cluster_home(html, f"{PORTAL}/aresa/home.html")
    assert home["cluster_id"] == "aresa"
    assert home["directory_url"] == f"{PORTAL}/sites/aresa/home/membres.html"
    assert home["declared_member_count"] is None
    assert home["description"] is None and home["website"] is None


def test_cluster_home_without_h1_raises_with_url():
    with pytest.raises(LayoutError, match="sites/tweed/home.html"):
        parse_cluster_home("<body><h2>TWEED</h2><p>Nombre de membres : 87</p></body>", TWEED_HOME)


def test_cluster_home_with_two_named_h1_raises():
    with pytest.raises(LayoutError, match="h1"):
        parse_cluster_home("<body><h1>Portail</h1><h1>TWEED</h1></body>", TWEED_HOME)


def test_cluster_home_ignores_empty_logo_h1():
    html = '<body><h1><a href="/"><img src="logo.png" alt=""></a></h1><h1>TWEED</h1></body>'
    assert parse_cluster_home(html, TWEED_HOME)["name"] == "TWEED"


# --- directory -----------------------------------------------------------------------------

NAV = """<nav><a href="/sites/tweed/home.html">Accueil</a> <a href="/sites/tweed/home/espace-membres.html">
Espace membres</a> <a href="https://www.facebook.com/tweed">Facebook</a></nav>"""


def entries(page):
    return [(e["name"], e["city"], e["member_type_label"]) for e in page["entries"]]


def test_directory_table_rows():
    html = f"""<body>{NAV}<table>
    <tr><th>Nom</th><th>Localité</th><th>Type</th></tr>
    <tr><td><a href="membres/memberList/acme.html">ACME\u00a0 SA</a></td><td>Liège</td><td>PME</td></tr>
    <tr><td><a href="/tweed/home/membres/memberList/beta.html">Beta\tSPRL</a></td><td>4000</td><td>Namur</td>
        <td>Grande entreprise</td><td><a href="http://www.beta.be">www.beta.be</a></td></tr>
    <tr><td><a href="{member('ulg')}">Université de Liège</a></td><td>Liège</td><td>université / haute école</td></tr>
    </table><a href="membres.html?page=2">Suivant »</a></body>"""
    page = parse_directory_page(html, TWEED_DIR)
    assert entries(page) == [("ACME SA", "Liège", "PME"), ("Beta SPRL", "Namur", "Grande entreprise"),
                             ("Université de Liège", "Liège", "université / haute école")]
    assert [e["detail_url"] for e in page["entries"]] == [member("acme"), member("beta"), member("ulg")]
    assert page["next_url"] == f"{TWEED_DIR}?page=2"
    assert page["url"] == TWEED_DIR


def test_directory_list_with_separators_and_dedup():
    html = f"""<body>{NAV}<ul>
    <li><a href="membres/memberList/acme.html">ACME</a> - Liège - PME
        <a href="membres/memberList/acme.html">Voir la fiche</a></li>
    <li><a href="membres/memberList/b.html">B &amp; Co</a> | Mons | Centre de recherche agréé</li>
    <li><a href="membres/memberList/c.html">C</a>, Namur, <em>Autre</em></li>
    <li><a href="membres/memberList/d.html">Déchets &amp; Cie</a> – Saint-Georges-sur-Meuse · Entreprise (PME)</li>
    <li><a href="membres/memberList/e.html">E</a> — Arlon (GE)</li>
    </ul><p><a href="membres.html?page=1">« Précédent</a></p></body>"""
    page = parse_directory_page(html, f"{TWEED_DIR}?page=2")
    assert entries(page) == [
        ("ACME", "Liège", "PME"), ("B & Co", "Mons", "Centre de recherche agréé"), ("C", "Namur", "Autre"),
        ("Déchets & Cie", "Saint-Georges-sur-Meuse", "Entreprise (PME)"), ("E", "Arlon", "GE")]
    assert page["next_url"] is None


def test_directory_div_cards_and_spans():
    html = f"""<body>{NAV}<div>
    <div><h3><a href="membres/memberList/acme.html">ACME</a></h3><p>Liège</p><p>PME</p></div>
    <div><h3><a href="membres/memberList/zed.html">Zed</a></h3><span>Fédération</span><span>Wavre</span></div>
    </div><a href="membres.html?page=3" title="page suivante">Suivant&nbsp;&gt;</a></body>"""
    page = parse_directory_page(html, f"{TWEED_DIR}?page=2")
    assert entries(page) == [("ACME", "Liège", "PME"), ("Zed", "Wavre", "Fédération")]
    assert page["next_url"] == f"{TWEED_DIR}?page=3"


def test_directory_labelled_pieces():
    html = f"""<body>{NAV}
    <div><p><a href="membres/memberList/acme.html">ACME</a></p><p>Type : Entreprise</p>
         <p>Localité\u00a0: Liège</p><p>Tél : 04 123 45 67</p></div>
    <div><p><a href="membres/memberList/b.html">B</a></p><p><span>Localité :</span> <b>Namur</b></p>
         <p>Type de membre : Autre</p></div></body>"""
    page = parse_directory_page(html, TWEED_DIR)
    assert entries(page) == [("ACME", "Liège", "Entreprise"), ("B", "Namur", "Autre")]


def test_directory_unknown_type_label_is_kept_in_position():
    html = '<ul><li><a href="membres/memberList/a.html">A</a> - Liège - Entreprise innovante</li></ul>'
    assert entries(parse_directory_page(html, TWEED_DIR)) == [("A", "Liège", "Entreprise innovante")]


def test_directory_lines_in_one_paragraph_and_definition_list():
    html = """<p><a href="membres/memberList/a.html">A</a> - Liège - PME<br>
    <a href="membres/memberList/b.html">B</a> - Namur - GE<br></p>
    <dl><dt><a href="membres/memberList/c.html">C</a></dt><dd>Mons</dd><dd>Autre</dd>
        <dt><a href="membres/memberList/d.html">D</a></dt><dd>Arlon</dd></dl>"""
    assert entries(parse_directory_page(html, TWEED_DIR)) == [
        ("A", "Liège", "PME"), ("B", "Namur", "GE"), ("C", "Mons", "Autre"), ("D", "Arlon", None)]


def test_directory_single_entry_in_bare_body():
    html = f'<body>{NAV}<a href="membres/memberList/a.html">A</a> Liège<br><p>© SPW</p></body>'
    assert entries(parse_directory_page(html, TWEED_DIR)) == [("A", "Liège", None)]


def test_directory_ignores_external_and_other_hosts():
    html = """<ul><li><a href="http://evil.example/sites/tweed/home/membres/memberList/x.html">X</a></li>
    <li><a href="membres/memberList/a.html">A</a> Liège <a href="mailto:a@a.be">a@a.be</a></li></ul>
    <a href="http://other.example/membres.html?page=2">Suivant</a>"""
    page = parse_directory_page(html, TWEED_DIR)
    assert entries(page) == [("A", "Liège", None)]
    assert page["next_url"] is None


def test_directory_next_link_to_itself_is_not_next():
    html = '<a href="membres/memberList/a.html">A</a><a href="#">Suivant</a><span>Suivant</span>'
    assert parse_directory_page(html, TWEED_DIR)["next_url"] is None


def test_directory_empty_page_is_not_an_error():
    page = parse_directory_page(f"<body>{NAV}<p>Aucun membre.</p></body>", TWEED_DIR)
    assert page == raw.DirectoryPage(url=TWEED_DIR, entries=[], next_url=None, off_host_links=[])


# --- member page ---------------------------------------------------------------------------

FULL_MEMBER = """<html><body>
<dl class="footer"><dt>Adresse</dt><dd>Place de la Wallonie 1</dd></dl>
<h1>ACME</h1>
<dl>
  <dt>Dénomination :</dt><dd>  ACME\u00a0 s.a.  </dd>
  <dt>Type de membre</dt><dd>Entreprise (PME)</dd>
  <dt>Adresse</dt><dd>Rue de l'Industrie, 12<br>Boîte 3</dd>
  <dt>Code\u00a0postal</dt><dd>B-4000</dd>
  <dt>Localité</dt><dd>LIÈGE</dd>
  <dt>Téléphone</dt><dd>+32 (0)4 123\u00a045 67</dd>
  <dt>E-mail</dt><dd>info [at] acme.be</dd>
  <dt>Site web</dt><dd><a href="http://www.acme.be">www.acme.be</a></dd>
  <dt>Numéro d'entreprise</dt><dd>BE 0123 456 749</dd>
  <dt>Activités</dt><dd>Conception\tet fabrication</dd>
  <dt>Fax</dt><dd>04 123 45 68</dd>
</dl></body></html>"""


def test_member_page_all_labels():
    page = parse_member_page(FULL_MEMBER, MEMBER)
    assert page["url"] == MEMBER
    assert page["fields"] == {
        "name": "ACME s.a.", "member_type_label": "Entreprise (PME)",
        "street": "Rue de l'Industrie, 12 Boîte 3", "postal_code": "B-4000", "city": "LIÈGE",
        "phone": "+32 (0)4 123 45 67", "email": "info [at] acme.be", "website": "www.acme.be",
        "enterprise_number": "BE 0123 456 749", "activities": "Conception et fabrication",
    }
    assert page["unknown_labels"] == ["Fax"]


def test_member_page_missing_labels_and_hrefs():
    html = """<dl>
    <div><dt>Nom</dt><dd>Université de Mons</dd></div>
    <div><dt>Email :</dt><dd><a href="mailto:info@umons.ac.be?subject=Cluster"></a></dd></div>
    <div><dt>Site internet</dt><dd><a href="https://www.umons.ac.be"><img src="www.png" alt=""></a></dd></div>
    <div><dt>Personne de contact</dt><dd>Jean Dupont</dd></div>
    <div><dt>Code postal :</dt><dd></dd></div>
    </dl>"""
    page = parse_member_page(html, MEMBER)
    assert page["fields"]["name"] == "Université de Mons"
    assert page["fields"]["email"] == "info@umons.ac.be"
    assert page["fields"]["website"] == "https://www.umons.ac.be"
    assert page["fields"]["postal_code"] is None
    assert page["fields"]["enterprise_number"] is None
    assert set(page["fields"]) == set(raw.MEMBER_FIELDS)
    assert page["unknown_labels"] == ["Personne de contact"]


def test_member_page_decoded_iso_text_keeps_accents():
    # What fetch hands over after decoding an ISO-8859-1 page.
    latin1 = "<dl><dt>D\xe9nomination</dt><dd>Soci\xe9t\xe9 g\xe9n\xe9rale</dd><dt>Localit\xe9</dt><dd>Li\xe8ge</dd></dl>"
    page = parse_member_page(latin1.encode("latin-1").decode("iso-8859-1"), MEMBER)
    assert page["fields"]["name"] == "Société générale"
    assert page["fields"]["city"] == "Liège"


def test_member_page_without_known_dl_raises_with_url():
    html = "<body><dl><dt>Foo</dt><dd>bar</dd></dl><p>Dénomination : ACME</p></body>"
    with pytest.raises(LayoutError, match="memberList/acme.html"):
        parse_member_page(html, MEMBER)


def test_member_page_without_dl_raises():
    with pytest.raises(LayoutError):
        parse_member_page("<html><body><p>Page introuvable</p></body></html>", MEMBER)


# --- strict selection ----------------------------------------------------------------------


def test_select_one_strict():
    soup = _soup("<div><p>a</p><p>b</p><h1>t</h1></div>")
    assert select_one_strict(soup, "h1", "https://x/p.html").get_text() == "t"
    with pytest.raises(LayoutError, match=r"https://x/p.html.*'p'"):
        select_one_strict(soup, "p", "https://x/p.html")
    with pytest.raises(LayoutError, match="found 0"):
        select_one_strict(soup, "table", "https://x/p.html")


# --- further variants ----------------------------------------------------------------------


def test_directory_table_header_labels_columns():
    html = """<table><thead><tr><th>Membre</th><th>Type</th><th>Localité :</th></tr></thead>
    <tr><td><a href="membres/memberList/a.html">A</a></td><td>Entreprise</td><td></td></tr>
    <tr><td><a href="membres/memberList/b.html">B</a></td><td>PME</td><td>Wavre</td></tr></table>"""
    assert entries(parse_directory_page(html, TWEED_DIR)) == [("A", None, "Entreprise"), ("B", "Wavre", "PME")]


def test_cluster_home_ignores_footer_website_and_nav_labels():
    html = """<body><header><p>Site web : www.wallonie.be</p></header><h1>TWEED</h1>
    <p>Le cluster des énergies durables en Wallonie.</p>
    <footer><p>Site internet : <a href="http://www.wallonie.be">www.wallonie.be</a></p></footer></body>"""
    home = parse_cluster_home(html, TWEED_HOME)
    assert home["website"] is None
    assert home["description"] == "Le cluster des énergies durables en Wallonie."


def test_overview_sources_link_in_nav_does_not_hide_the_sources_line():
    html = _overview("14 clusters", extra="""<p><a href="/sources.html">Sources</a></p>
    <p>Ventilation par type de membre (au 30 juin 2008)</p>
    <p><strong>Sources :</strong> DG Economie-Emploi-Recherche du SPW</p>""")
    overview = parse_overview(html, OVERVIEW)
    assert overview["source"] == "DG Economie-Emploi-Recherche du SPW"
    assert overview["as_of"] == dt.date(2008, 6, 30)


def test_links_to_another_host_are_reported_not_followed():
    from cluster_etl.portal import parse_directory_page, parse_overview

    directory = parse_directory_page(
        '<ul><li><a href="/sites/tweed/home/membres/memberList/a.html">A</a> Namur PME</li>'
        '<li><a href="https://elsewhere.example/sites/tweed/home/membres/memberList/b.html">B</a></li>'
        '<li><a href="https://www.wallonie.be/">Wallonie</a></li></ul>',
        "https://clusters.wallonie.be/sites/tweed/home/membres.html")
    assert [e["detail_url"] for e in directory["entries"]] == [
        "https://clusters.wallonie.be/sites/tweed/home/membres/memberList/a.html"]
    assert directory["off_host_links"] == [
        "https://elsewhere.example/sites/tweed/home/membres/memberList/b.html"]

    overview = parse_overview(
        "<p>2 clusters, plus de 10 membres, 50% sont des entreprises, PME (40%)</p><table>"
        '<tr><td><a href="/sites/tweed/home.html">TWEED</a></td><td>Energie</td></tr>'
        '<tr><td><a href="http://mirror.example/sites/twist/home.html">TWIST</a></td><td>Image</td></tr>'
        "</table>", "https://clusters.wallonie.be/sites/federateur/home/les-clusters.html")
    assert [c["cluster_id"] for c in overview["clusters"]] == ["tweed"]
    assert overview["off_host_links"] == ["http://mirror.example/sites/twist/home.html"]
