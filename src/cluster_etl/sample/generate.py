"""Deterministic sample portal: the cluster portal as SPEC.md describes it on 30 June 2008.

`write_sample_portal(root, seed)` writes a static site whose folders mirror the URL paths;
server.py adds the two rewrites a static server lacks (`membres.html?page=N` ->
`membres.page-N.html`, and the old form `/X/...` -> `/sites/X/...`). One `random.Random(seed)`
drives every choice: the same seed gives byte-identical files.

Organisation names, streets, phone numbers, e-mail addresses, websites and enterprise numbers are
invented; places and postal codes are real (places.py). Quirks of SPEC.md, each several times:
- legal forms SA, S.A., s.a., SPRL, s.p.r.l., SRL, SCRL, SC, ASBL, a.s.b.l., NV, BV, SE, or none;
- enterprise numbers as `0123.456.749`, `BE 0123 456 749`, `BE0123456749`, `123456749` (old
  nine-digit form, only for numbers starting with 0); a few with a wrong check digit (never on a
  shared organisation); some missing;
- postal codes `4000`, `B-4000`, `B 4000`; cities as published, in UPPER or lower case;
- e-mail addresses in exactly five forms: `info@example.be` (plain, sometimes a mailto: link),
  `info [at] example.be`, `info(at)example(dot)be`, `info [arobase] example.be`,
  `info [at] example [dot] be`;
- websites `www.example.be`, `http://www.example.be`, `https://www.example.be`,
  `http://www.example.be/`, as a link or as plain text;
- tabs, newlines, doubled spaces and NBSP (U+00A0) in names, labels and values;
- every member-type label of SPEC.md's table, some in UPPER/lower case or with extra spaces;
- one detail page in ISO-8859-1 declared by `<meta charset>`, one declared only by the
  Content-Type header (`_headers.json`); one listed member without a detail page (404); one cluster
  declaring one member more than its directory lists; links relative (`./`, `../`),
  root-relative and in the old form without `/sites/`.
An organisation in several clusters has one page per cluster: same type, same postal code, the
same enterprise number (possibly written differently) or none on every page; its name varies only
by case, accents and legal-form spelling.
"""

from __future__ import annotations

import html
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from cluster_etl.sample import places as P

PER_PAGE = 25
AS_OF = "2008-06-30"
OVERVIEW_PATH = "/sites/federateur/home/les-clusters.html"
COMPANY_PCT, SME_PCT = 75, 64  # the 2008 overview's figures
# Memberships by type; the sum is the directories' total (the cluster sizes in places.py).
TYPE_TARGETS = {"sme": 672, "large": 116, "research": 84, "higher": 72, "training": 38, "other": 68}
SHARED_IN_TWO, SHARED_IN_THREE, SHARED_WITHOUT_NUMBER, WRONG_CHECK_DIGITS = 55, 15, 10, 6
SHARED_TYPE_WEIGHTS = {"sme": 40, "large": 25, "research": 12, "higher": 12, "training": 4, "other": 7}
MISMATCH_CLUSTER, MISSING_PAGE_CLUSTER, OLD_LINK_CLUSTER = "photonique", "logistics-in-wallonia", "tweed"
NBSP = "\u00a0"


class Kind(NamedTuple):
    type_key: str
    labels: tuple[str, ...]
    patterns: list[str]
    forms: dict[str | None, int]  # canonical legal form -> weight


KINDS = {
    "sme": Kind("sme", ("PME", "Entreprise (PME)", "Petite ou moyenne entreprise"), P.COMPANY_PATTERNS,
                {"SPRL": 30, "SA": 15, "SRL": 10, "SCRL": 10, "SC": 6, None: 20}),
    "large": Kind("large", ("Grande entreprise", "GE", "Entreprise (grande)"), P.COMPANY_PATTERNS,
                  {"SA": 55, "SE": 12, "NV": 10, None: 15}),
    "research": Kind("research", ("Centre de recherche", "Centre de recherche agréé"),
                     P.RESEARCH_PATTERNS, {"ASBL": 70, None: 30}),
    "university": Kind("higher", ("Université", "Université / Haute école"), P.UNIVERSITY_PATTERNS,
                       {None: 1}),
    "high_school": Kind("higher", ("Haute école", "Université / Haute école"), P.HIGH_SCHOOL_PATTERNS,
                        {"ASBL": 30, None: 70}),
    "training": Kind("training", ("Centre de formation",), P.TRAINING_PATTERNS,
                     {"ASBL": 70, "SCRL": 10, None: 20}),
    "federation": Kind("other", ("Fédération", "Autre"), P.FEDERATION_PATTERNS, {"ASBL": 80, None: 20}),
    "public": Kind("other", ("Organisme public", "Autre"), P.PUBLIC_PATTERNS, {None: 1}),
}
KINDS_OF_TYPE = {"sme": ["sme"], "large": ["large"], "research": ["research"],
                 "higher": ["university", "high_school", "high_school"], "training": ["training"],
                 "other": ["federation", "public"]}
SPELLINGS = {"SA": ("SA", "S.A."), "SPRL": ("SPRL", "s.p.r.l."), "ASBL": ("ASBL", "a.s.b.l.")}
OTHER_SPELLINGS = {"SA": ("S.A.", "s.a.", "SA"), "SPRL": ("s.p.r.l.", "SPRL"), "ASBL": ("a.s.b.l.", "ASBL")}
EMAIL_FORMS = ("{l}@{h}.{t}", "{l} [at] {h}.{t}", "{l}(at){h}(dot){t}", "{l} [arobase] {h}.{t}",
               "{l} [at] {h} [dot] {t}")
WEBSITE_FORMS = ("www.{d}", "http://www.{d}", "https://www.{d}", "http://www.{d}/")
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


@dataclass
class Org:
    base: str  # name without legal form
    kind: str
    form: str | None  # canonical legal form
    spelling: str | None  # how the first page writes it
    place: P.Place
    street: str
    phone: str
    domain: str  # host without www., e.g. "mosatec.be"
    email_local: str
    number: str | None  # ten digits as published (check digit possibly wrong)
    number_valid: bool
    clusters: list[str]


@dataclass
class Entry:
    org: Org
    cluster: str
    name: str
    city: str
    label: str  # on the detail page
    dir_label: str  # in the directory
    slug: str = ""
    href: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # (<dt>, <dd> inner HTML)

    @property
    def path(self) -> str:
        return f"/sites/{self.cluster}/home/membres/memberList/{self.slug}.html"


@dataclass
class SampleManifest:
    """What write_sample_portal wrote; counts are memberships unless named otherwise."""

    seed: int
    as_of: str
    clusters: list[str]
    declared_counts: dict[str, int]
    listed_counts: dict[str, int]
    directory_pages: dict[str, int]
    directory_formats: dict[str, str]
    count_mismatch_clusters: list[str]
    memberships: int
    declared_total: int
    organisations: int
    shared_organisations: int
    companies: int
    smes: int
    large_companies: int
    type_counts: dict[str, int]
    company_share_pct: int
    sme_share_pct: int
    organisations_outside_wallonia: int
    missing_member_paths: list[str]
    iso_8859_1_paths: list[str]
    meta_charset_paths: list[str]
    header_charset_paths: list[str]
    invalid_enterprise_number_paths: list[str]
    old_form_member_links: int
    member_pages: int
    files: int


def fold(text: str) -> str:
    """Case, accents and punctuation ignored: the directories' alphabetical order."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", plain.casefold()).strip()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


LABEL_TYPES = {fold(label): k.type_key for k in KINDS.values() for label in k.labels}


def label_type(label: str) -> str:
    return LABEL_TYPES[fold(label)]


def pct(part: int, whole: int) -> int:
    return (200 * part + whole) // (2 * whole)  # round half up


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def _noisy(rng: random.Random, text: str, p: float = 0.08) -> str:
    r = rng.random()
    if r < p / 3 and " " in text:
        return text.replace(" ", NBSP, 1)
    if r < 2 * p / 3 and " " in text:
        return text.replace(" ", "  \t", 1)
    return f"\n\t\t{text} \n" if r < p else text


def _number(rng: random.Random, used: set[str]) -> str:
    while True:
        n8 = ("1" if rng.random() < 0.03 else "0") + str(rng.randint(2, 8)) + f"{rng.randrange(10**6):06d}"
        number = f"{n8}{97 - int(n8) % 97:02d}"
        if number not in used:
            used.add(number)
            return number


def _name(rng: random.Random, kind: str, cluster: str, flemish: bool, used: set[str]) -> str:
    company = KINDS[kind].type_key in ("sme", "large")
    for attempt in range(80):
        if flemish and company:
            base = f"{rng.choice(P.FLEMISH_SURNAMES)} {rng.choice(P.FLEMISH_SECTORS)}"
        else:
            patterns = KINDS[kind].patterns if attempt < 40 else (
                ["{root}{suffix} {qualifier}"] if company else ["Institut {root}{suffix} {qualifier}"])
            surname, surname2 = rng.sample(P.SURNAMES, 2)
            base = rng.choice(patterns).format(
                root=rng.choice(P.ROOTS), suffix=rng.choice(P.SUFFIXES), qualifier=rng.choice(P.QUALIFIERS),
                surname=surname, surname2=surname2, sector=rng.choice(P.SECTORS[cluster]),
                area=rng.choice(P.AREAS), saint=rng.choice(P.SAINTS))
        if slugify(base) not in used:
            used.add(slugify(base))
            return base
    raise RuntimeError(f"no unique {kind} name left")


def _phone(rng: random.Random, postal_code: str) -> str:
    zone = P.PHONE_ZONES[postal_code[0]]
    digits = str(rng.randint(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(8 - len(zone)))
    group = f"{digits[:-4]} {digits[-4:-2]} {digits[-2:]}"
    return rng.choice([f"{zone} {group}", f"{zone}/{group.replace(' ', '.')}",
                       f"+32 {zone[1:]} {group}", f"Tél. : {zone}-{group}"])


def _new_org(rng, type_key, clusters, names, numbers, with_number) -> Org:
    kind = rng.choice(KINDS_OF_TYPE[type_key])
    r = rng.random()
    region = "Bruxelles-Capitale" if r < 0.035 else "Flandre" if r < 0.065 else "Wallonie"
    pool = {"Wallonie": P.WALLOON_PLACES, "Bruxelles-Capitale": P.BRUSSELS_PLACES,
            "Flandre": P.FLEMISH_PLACES}[region]
    place = rng.choices(pool, weights=[p.weight for p in pool])[0]
    flemish = region == "Flandre"
    base = _name(rng, kind, clusters[0], flemish, names)
    forms = KINDS[kind].forms
    form = rng.choices(list(forms), weights=list(forms.values()))[0]
    if flemish and KINDS[kind].type_key in ("sme", "large"):
        form = rng.choice(["NV", "BV"] if type_key == "sme" else ["NV"])
    street = (f"{rng.choice(P.FLEMISH_STREETS)} {rng.randint(1, 180)}" if flemish else
              f"{rng.choice(P.STREETS)} {rng.randint(1, 250)}{rng.choice(['', '', '', 'A', ' bte 2'])}")
    return Org(base=base, kind=kind, form=form,
               spelling=rng.choice(SPELLINGS.get(form, (form,))) if form else None,
               place=place, street=street, phone=_phone(rng, place.postal_code),
               domain=f"{slugify(base)}.{rng.choice(['be', 'be', 'be', 'com', 'eu'])}",
               email_local=rng.choice(P.EMAIL_LOCALS),
               number=_number(rng, numbers) if with_number else None, number_valid=True,
               clusters=clusters)


def make_organisations(rng: random.Random) -> list[Org]:
    """Organisations with their clusters; membership counts by type equal TYPE_TARGETS exactly."""
    sizes = {c.cluster_id: c.size for c in P.CLUSTERS}
    assert sum(sizes.values()) == sum(TYPE_TARGETS.values())
    remaining, names, numbers, orgs = dict(TYPE_TARGETS), set(), set(), []
    n_shared = SHARED_IN_TWO + SHARED_IN_THREE
    without_number = set(rng.sample(range(n_shared), SHARED_WITHOUT_NUMBER))
    for i in range(n_shared):
        k = 2 if i < SHARED_IN_TWO else 3
        type_key = rng.choices(list(SHARED_TYPE_WEIGHTS), weights=list(SHARED_TYPE_WEIGHTS.values()))[0]
        remaining[type_key] -= k
        orgs.append(_new_org(rng, type_key, rng.sample(list(sizes), k), names, numbers,
                             i not in without_number))
    free = {c: sizes[c] - sum(c in o.clusters for o in orgs) for c in sizes}
    assert min(free.values()) > 0 and min(remaining.values()) > 0
    slots = [c for c in sizes for _ in range(free[c])]
    types = [t for t in TYPE_TARGETS for _ in range(remaining[t])]
    rng.shuffle(slots)
    rng.shuffle(types)
    singles = [_new_org(rng, t, [c], names, numbers, rng.random() > 0.12) for c, t in zip(slots, types)]
    for org in rng.sample([o for o in singles if o.number], WRONG_CHECK_DIGITS):
        org.number = f"{org.number[:8]}{(int(org.number[8:]) + rng.randint(1, 50)) % 100:02d}"
        org.number_valid = False
    return orgs + singles


def _display_name(rng: random.Random, org: Org, repeat: bool) -> str:
    base, spelled = org.base, org.spelling
    if repeat:  # a shared organisation's later pages: case, accents or legal-form spelling differ
        options = ["upper"] + (["accents"] if strip_accents(base) != base else [])
        options += ["form"] * (org.form in OTHER_SPELLINGS) + ["drop"] * (org.form is not None)
        how = rng.choice(options)
        if how == "upper":
            base, spelled = base.upper(), ("s.a." if org.form == "SA" else spelled)
        elif how == "accents":
            base = strip_accents(base)
        elif how == "form":
            spelled = next(s for s in OTHER_SPELLINGS[org.form] if s != spelled)
        else:
            spelled = None
    return _noisy(rng, f"{base} {spelled}" if spelled else base)


def _label(rng: random.Random, kind: str) -> str:
    label, r = rng.choice(KINDS[kind].labels), rng.random()
    if r < 0.05:
        return label.upper()
    if r < 0.09:
        return label.lower()
    if r < 0.14:
        return label.replace(" ", rng.choice(["  ", NBSP]), 1) if " " in label else f" {label}\t"
    return label


def _fields(rng: random.Random, e: Entry) -> list[tuple[str, str]]:
    org, n = e.org, e.org.number
    fields = [("Dénomination", esc(e.name)), ("Type de membre", esc(e.label))]
    if rng.random() > 0.04:
        fields.append(("Adresse", esc(_noisy(rng, org.street))))
    if len(org.clusters) > 1 or rng.random() > 0.02:  # a shared organisation keeps its postal code
        code = org.place.postal_code
        fields.append(("Code postal", rng.choices([code, f"B-{code}", f"B {code}"], [70, 15, 15])[0]))
        fields.append(("Localité", esc(_noisy(rng, e.city))))
    if rng.random() > 0.12:
        fields.append(("Téléphone", esc(org.phone)))
    if rng.random() > 0.15:
        host, tld = org.domain.rsplit(".", 1)
        mail = rng.choices(EMAIL_FORMS, [40, 20, 15, 10, 15])[0].format(l=org.email_local, h=host, t=tld)
        linked = "@" in mail and rng.random() < 0.5
        fields.append(("E-mail", f'<a href="mailto:{mail}">{mail}</a>' if linked else esc(mail)))
    if rng.random() > 0.2:
        site = rng.choice(WEBSITE_FORMS).format(d=org.domain)
        href = site if site.startswith("http") else f"http://{site}"
        fields.append(("Site web", f'<a href="{href}">{site}</a>' if rng.random() < 0.6 else site))
    if n:
        forms = [f"{n[:4]}.{n[4:7]}.{n[7:]}", f"BE {n[:4]} {n[4:7]} {n[7:]}", f"BE{n}"]
        forms += [n[1:]] * (n[0] == "0")  # the old nine-digit form drops a leading 0
        fields.append(("Numéro d'entreprise", _noisy(rng, rng.choice(forms), 0.05)))
    if rng.random() > 0.1:
        acts = rng.sample(P.ACTIVITIES[org.clusters[0]], rng.randint(1, 3))
        fields.append(("Activités", esc(_noisy(rng, ", ".join(acts)))))
    return fields


def make_entries(rng: random.Random, orgs: list[Org]) -> dict[str, list[Entry]]:
    """Directory entries per cluster, alphabetical, with unique slugs and detail fields."""
    by_cluster: dict[str, list[Entry]] = {c.cluster_id: [] for c in P.CLUSTERS}
    for org in orgs:
        for k, cluster in enumerate(org.clusters):
            city = org.place.city
            city = rng.choices([city, city.upper(), city.lower()], [70, 18, 12])[0]
            label = _label(rng, org.kind)
            e = Entry(org, cluster, _display_name(rng, org, k > 0), city, label,
                      label if rng.random() < 0.7 else _label(rng, org.kind))
            e.fields = _fields(rng, e)
            by_cluster[cluster].append(e)
    for i, (cluster, entries) in enumerate(by_cluster.items()):
        entries.sort(key=lambda e: (fold(e.name), e.name))
        slugs: set[str] = set()
        forms = ["membres/memberList/{s}.html", "./membres/memberList/{s}.html",
                 "../home/membres/memberList/{s}.html", "/sites/{c}/home/membres/memberList/{s}.html"]
        for j, e in enumerate(entries):
            e.slug, n = slugify(e.org.base), 1
            while e.slug in slugs:  # names are unique by slug already; kept as a guard
                n += 1
                e.slug = f"{slugify(e.org.base)}-{n}"
            slugs.add(e.slug)
            form = forms[i % 4] if rng.random() < 0.75 else rng.choice(forms)
            if rng.random() < 0.02 or (cluster == OLD_LINK_CLUSTER and j == 0):
                form = "/{c}/home/membres/memberList/{s}.html"
            e.href = form.format(c=cluster, s=e.slug)
    return by_cluster


# --- rendering --------------------------------------------------------------------------------

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


# --- writing ----------------------------------------------------------------------------------

ROBOTS = "User-agent: *\nDisallow: /intranet/\nDisallow: /sites/*/membres-prives/\n"


def _write(root: Path, url_path: str, text: str, encoding: str = "utf-8") -> int:
    path = root / url_path.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding, "xmlcharrefreplace"))
    return 1


def write_sample_portal(root: Path, seed: int = 2008) -> SampleManifest:
    """Write the sample portal's files under `root` (best a new folder) and return what was written."""
    rng = random.Random(seed)
    orgs = make_organisations(rng)
    by_cluster = make_entries(rng, orgs)
    all_entries = [e for entries in by_cluster.values() for e in entries]
    missing = rng.choice([e for e in by_cluster[MISSING_PAGE_CLUSTER]
                          if len(e.org.clusters) == 1 and e.org.number_valid])
    latin = [e for e in all_entries if e is not missing and len(e.org.clusters) == 1
             and not e.city.isascii()]
    meta_page, header_page = rng.sample(latin, 2)
    headers = {meta_page.path: "text/html", header_page.path: "text/html; charset=iso-8859-1"}
    declared = {c: len(es) + (c == MISMATCH_CLUSTER) for c, es in by_cluster.items()}
    pages: dict[str, int] = {}
    files = _write(root, "/robots.txt", ROBOTS) + _write(root, OVERVIEW_PATH, render_overview())
    for i, c in enumerate(P.CLUSTERS):
        cid = c.cluster_id
        files += _write(root, f"/sites/{cid}/home.html", render_home(i, c, declared[cid]))
        directory = render_directory(i, c, by_cluster[cid])
        pages[cid] = len(directory)
        for p, text in enumerate(directory, 1):
            files += _write(root, f"/sites/{cid}/home/membres{'' if p == 1 else f'.page-{p}'}.html", text)
        for e in by_cluster[cid]:
            if e is meta_page:
                meta = '<meta charset="iso-8859-1">'
                files += _write(root, e.path, render_member(i, e, meta), "iso-8859-1")
            elif e is header_page:
                files += _write(root, e.path, render_member(i, e, ""), "iso-8859-1")
            elif e is not missing:
                files += _write(root, e.path, render_member(i, e))
    files += _write(root, "/_headers.json", json.dumps(headers, indent=2, sort_keys=True) + "\n")
    return build_manifest(seed, orgs, by_cluster, declared, pages, missing, meta_page, header_page, files)


def build_manifest(seed: int, orgs: list[Org], by_cluster: dict[str, list[Entry]], declared: dict[str, int],
                   pages: dict[str, int], missing: Entry, meta_page: Entry, header_page: Entry,
                   files: int) -> SampleManifest:
    """The manifest, after asserting the totals SPEC.md's checks hold the portal to."""
    entries = [e for es in by_cluster.values() for e in es]
    # Type as the pipeline reads it: the detail page's label, the directory's for the 404 member.
    types = [label_type(e.dir_label if e is missing else e.label) for e in entries]
    counts = {t: types.count(t) for t in TYPE_TARGETS}
    assert counts == TYPE_TARGETS, counts
    companies, smes, memberships = counts["sme"] + counts["large"], counts["sme"], len(entries)
    for whole in (memberships, sum(declared.values()), memberships - 1):
        assert pct(companies, whole) == COMPANY_PCT and pct(smes, whole) == SME_PCT
    # Not on a knife edge: within 0.4 points of the published whole percent.
    assert abs(100 * companies / memberships - COMPANY_PCT) < 0.4
    assert abs(100 * smes / memberships - SME_PCT) < 0.4
    assert memberships > 1000
    return SampleManifest(
        seed=seed, as_of=AS_OF, clusters=list(by_cluster),
        declared_counts=declared, listed_counts={c: len(es) for c, es in by_cluster.items()},
        directory_pages=pages,
        directory_formats={c.cluster_id: FORMATS[i % 3] for i, c in enumerate(P.CLUSTERS)},
        count_mismatch_clusters=[c for c, es in by_cluster.items() if declared[c] != len(es)],
        memberships=memberships, declared_total=sum(declared.values()), organisations=len(orgs),
        shared_organisations=sum(len(o.clusters) > 1 for o in orgs),
        companies=companies, smes=smes, large_companies=counts["large"], type_counts=counts,
        company_share_pct=pct(companies, memberships), sme_share_pct=pct(smes, memberships),
        organisations_outside_wallonia=sum(o.place.region != "Wallonie" for o in orgs),
        missing_member_paths=[missing.path], iso_8859_1_paths=sorted([meta_page.path, header_page.path]),
        meta_charset_paths=[meta_page.path], header_charset_paths=[header_page.path],
        invalid_enterprise_number_paths=sorted(e.path for e in entries if not e.org.number_valid),
        old_form_member_links=sum(not e.href.startswith(("/sites/", ".", "m")) for e in entries),
        member_pages=len(entries) - 1, files=files)
