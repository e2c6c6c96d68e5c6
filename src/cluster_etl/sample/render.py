"""HTML rendering of the sample portal: the overview, each cluster's home, directory and member pages.

Pure functions, text in and text out; every layout variant is chosen by the cluster's index `i`,
never by the random generator, so rendering draws nothing from it.
"""

from __future__ import annotations

from cluster_etl.sample import places as P
from cluster_etl.sample.model import OLD_LINK_CLUSTER, Entry
from cluster_etl.sample.text import NBSP, esc

PER_PAGE = 25
OVERVIEW_PATH = "/sites/federateur/home/les-clusters.html"
DIRECTORY_ROWS = {
    "table": '<tr><td><a href="{h}">{n}</a></td><td>{c}</td><td>{l}</td></tr>',
    "list": '<li><a href="{h}">{n}</a> <span>{c}</span> <em>{l}</em></li>',
    "div": '<div class="membre"><a href="{h}">{n}</a> \u2013 {c} \u2013 {l}</div>',
}
DIRECTORY_BOXES = {
    "table": ('<table class="annuaire">\n<tr><th>Nom</th><th>Localité</th><th>Type de membre</th></tr>',
              "</table>"),
    "list": ('<ul class="liste-membres">', "</ul>"),
    "div": ('<div id="resultats">', "</div>"),
}
FORMATS = ("table", "list", "div")

_SHELLS = (
    '<div id="page"><div id="header">{nav}</div>\n<div id="content" class="col-main">\n{main}\n</div>\n'
    '<div id="footer">{foot}</div></div>',
    '<header class="top"><nav>{nav}</nav></header>\n<main class="contenu">\n{main}\n</main>\n'
    '<footer>{foot}</footer>',
    '<div class="wrapper"><div class="menu">{nav}</div>\n<section class="bloc-central"><article>\n{main}\n'
    '</article></section></div>\n<div class="pied">{foot}</div>',
    '<nav class="navigation">{nav}</nav>\n<div class="main"><div class="inner">\n{main}\n</div></div>\n'
    '<address>{foot}</address>',
)
_METAS = ('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "")


def _page(title: str, main: str, theme: int, cluster: str | None = None, meta: str | None = None) -> str:
    site = f"/sites/{cluster or 'federateur'}"
    nav = [("Accueil", f"{site}/home.html"), ("Les clusters", OVERVIEW_PATH),
           ("Actualités", f"{site}/home/actualites.html"),
           ("Espace membres", f"{site}/membres-prives/connexion.html" if cluster else "/intranet/"),
           ("Portail de la Wallonie", "http://www.wallonie.be")]
    foot = ('© 2008 Portail des clusters wallons | <a href="/sites/federateur/home/mentions-legales.html">'
            'Mentions légales</a> | <a href="http://www.wallonie.be">wallonie.be</a>')
    body = _SHELLS[theme % 4].format(nav=" | ".join(f'<a href="{h}">{t}</a>' for t, h in nav),
                                     main=main, foot=foot)
    meta = _METAS[theme % 3] if meta is None else meta
    return (f'<!DOCTYPE html>\n<html lang="fr">\n<head>\n{meta}\n<title>{esc(title)}</title>\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


# The 2008 overview's text (overview-page-2008.txt), typos included; {n} is the cluster count.
_PROSE = """<h2>Les clusters ou réseaux d'entreprises, une formule gagnante ?</h2>
<p>Les <strong>clusters</strong> sont des <strong>réseaux d'entreprises</strong>. Ils sont créés \
à l'initiative d'entreprises, actives dans un domaine donné, qui souhaitent mieux se connaître et \
travailler ensemble.</p>
<p><strong>{n} clusters</strong> sont reconnus en Wallonie. Ils comptent <strong>plus de 1.000 \
membres</strong>, dont <strong>75% sont des entreprises</strong> et notamment des PME (64%). Ils \
peuvent, s'ils le souhaitent, s'adjoindre les services d'acteurs de R&amp;D ou de formation. Les \
clusters wallons sont <strong>actifs dans des domaines divers</strong>, allant du spatial (Wallonie \
Espace) à la recherche clinique (ARESA), en passant par les secteurs «verts» (TWEED, \
Eco-Construction ou CAP 2020). Outre la mise sur pied d'actions permettant aux membres de mieux se \
connaître, au sein des clusters, se nouent des partenariats inter-membres pour <strong>renforcer les \
synergies industrielles ou commerciales</strong> (plate-forme commune de services, bureau collectif \
à l'étranger,...), <strong>faire de la R&amp;D, mener des projets de formation ou \
d'investissement</strong>.</p>
<p>Les clusters constituent, avec les pôles de compétitivité, un des <strong>pilliers de la \
politique industrielle</strong> wallonne. Ils représentent un puissant <strong>moteur pour le \
développement économique et l'innovation</strong> en Wallonie.</p>
<p>&nbsp;</p>
<p><strong>{n} clusters</strong></p>
<h2>Les {n} clusters wallons</h2>"""


def render_overview() -> str:
    forms = ("/sites/{c}/home.html", "../../{c}/home.html", "/{c}/home.html", "./../../{c}/home.html")
    rows = ["<tr><th>\t</th><th>DOMAINE D'ACTIVITÉS</th></tr>"]
    for i, c in enumerate(P.CLUSTERS):
        href = (forms[2] if c.cluster_id == OLD_LINK_CLUSTER else forms[i % 4]).format(c=c.cluster_id)
        name = f"\t{esc(c.name)}&nbsp;" if i % 3 == 0 else esc(c.name)
        domain = esc(c.domain)
        domain = domain.replace(" ", NBSP, 1) if i % 4 == 1 else f"\t{domain} " if i % 4 == 3 else domain
        rows.append(f'<tr><td><a href="{href}">{name}</a></td><td>{domain}</td></tr>')
    main = "\n".join([_PROSE.format(n=len(P.CLUSTERS)), '<table class="liste-clusters">', *rows, "</table>",
                      "<h2>Membres des clusters</h2>",
                      "<p>Ventilation par type de membre - 30 juin 2008</p>",
                      "<p>Sources : DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) "
                      "du SPW<br>",
                      'Portail des clusters wallons : <a href="http://clusters.wallonie.be">'
                      "http://clusters.wallonie.be</a></p>"])
    return _page("Les clusters", main, 0)


def render_home(i: int, c: P.ClusterInfo, declared: int) -> str:
    directory = ("home/membres.html", "./home/membres.html", "/sites/{c}/home/membres.html",
                 "/{c}/home/membres.html")[i % 4].format(c=c.cluster_id)
    site = ""
    if c.website:
        href = c.website if c.website.startswith("http") else f"http://{c.website}"
        site = f'<a href="{href}">{c.website}</a>' if i % 2 == 0 else c.website
        site = f"<p>Site web : {site}</p>\n"
    count = (f"<p>Nombre de membres : {declared}</p>" if i % 2 else
             f'<div class="chiffres"><span>Nombre de membres :</span> <strong>{declared}</strong></div>')
    main = (f"<h1>{esc(c.name)}</h1>\n<p>Domaine d'activités : {esc(c.domain)}</p>\n<h2>Présentation</h2>\n"
            f"<p>{esc(c.description)}</p>\n{site}{count}\n"
            f'<p><a href="{directory}">Liste des membres</a> | <a href="home/devenir-membre.html">'
            "Devenir membre</a></p>")
    return _page(c.name, main, i, c.cluster_id)


def render_directory(i: int, c: P.ClusterInfo, entries: list[Entry]) -> list[str]:
    fmt, cid = FORMATS[i % 3], c.cluster_id
    chunks = [entries[k:k + PER_PAGE] for k in range(0, len(entries), PER_PAGE)]
    base = ("membres.html", "./membres.html", f"/sites/{cid}/home/membres.html")[i % 3]

    def href(k: int) -> str:
        return f"{base}?page={k}" if k > 1 or i % 4 == 3 else base

    pages = []
    for p, chunk in enumerate(chunks, 1):
        rows = [DIRECTORY_ROWS[fmt].format(h=e.href, n=esc(e.name), c=esc(e.city), l=esc(e.dir_label))
                for e in chunk]
        pager = [f'<a href="{href(p - 1)}">« Précédent</a>'] * (p > 1)
        pager += [f"<strong>{k}</strong>" if k == p else f'<a href="{href(k)}">{k}</a>'
                  for k in range(1, len(chunks) + 1)] * (len(chunks) > 1)
        pager += [f'<a href="{href(p + 1)}">{"Suivant »" if i % 2 else "Suivant"}</a>'] * (p < len(chunks))
        box_open, box_close = DIRECTORY_BOXES[fmt]
        main = "\n".join([f"<h1>{esc(c.name)} : nos membres</h1>", box_open, *rows, box_close,
                          f'<p class="pagination">{" ".join(pager)}</p>'])
        pages.append(_page(f"{c.name} - membres", main, i, cid))
    return pages


def render_member(i: int, e: Entry, meta: str | None = None) -> str:
    pair = "<div><dt>{0}</dt><dd>{1}</dd></div>" if i % 3 == 2 else "<dt>{0}</dt>\n<dd>{1}</dd>"
    fields = e.fields if i % 2 == 0 else e.fields[:2] + e.fields[:1:-1]
    main = "\n".join([f"<h1>{esc(' '.join(e.name.split()))}</h1>", '<dl class="fiche">',
                      *(pair.format(label, value) for label, value in fields), "</dl>",
                      '<p><a href="../../membres.html">Retour à la liste des membres</a></p>'])
    return _page(" ".join(e.name.split()), main, i, e.cluster, meta)
