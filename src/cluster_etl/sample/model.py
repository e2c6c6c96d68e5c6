"""The sample portal's content: invented organisations and their directory entries per cluster.

`make_organisations` draws the organisations (membership counts by type equal TYPE_TARGETS
exactly); `make_entries` turns them into each cluster's alphabetical directory entries with their
detail-page fields. Both consume the one `random.Random` of write_sample_portal, in this order.
weeks.py reuses `new_organisation`, `make_entry` and `member_href` with generators of its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import NamedTuple

from cluster_etl.sample import names as N
from cluster_etl.sample import places as P
from cluster_etl.sample.text import NBSP, esc, fold, noisy, slugify, strip_accents

# Memberships by type; the sum is the directories' total (the cluster sizes in places.py).
TYPE_TARGETS = {"sme": 672, "large": 116, "research": 84, "higher": 72, "training": 38, "other": 68}
SHARED_IN_TWO, SHARED_IN_THREE, SHARED_WITHOUT_NUMBER, WRONG_CHECK_DIGITS = 55, 15, 10, 6
SHARED_TYPE_WEIGHTS = {"sme": 40, "large": 25, "research": 12, "higher": 12, "training": 4, "other": 7}
OLD_LINK_CLUSTER = "tweed"  # its first member link and its overview link use the old form


class Kind(NamedTuple):
    type_key: str
    labels: tuple[str, ...]
    patterns: list[str]
    forms: dict[str | None, int]  # canonical legal form -> weight


KINDS = {
    "sme": Kind("sme", ("PME", "Entreprise (PME)", "Petite ou moyenne entreprise"), N.COMPANY_PATTERNS,
                {"SPRL": 30, "SA": 15, "SRL": 10, "SCRL": 10, "SC": 6, None: 20}),
    "large": Kind("large", ("Grande entreprise", "GE", "Entreprise (grande)"), N.COMPANY_PATTERNS,
                  {"SA": 55, "SE": 12, "NV": 10, None: 15}),
    "research": Kind("research", ("Centre de recherche", "Centre de recherche agréé"),
                     N.RESEARCH_PATTERNS, {"ASBL": 70, None: 30}),
    "university": Kind("higher", ("Université", "Université / Haute école"), N.UNIVERSITY_PATTERNS,
                       {None: 1}),
    "high_school": Kind("higher", ("Haute école", "Université / Haute école"), N.HIGH_SCHOOL_PATTERNS,
                        {"ASBL": 30, None: 70}),
    "training": Kind("training", ("Centre de formation",), N.TRAINING_PATTERNS,
                     {"ASBL": 70, "SCRL": 10, None: 20}),
    "federation": Kind("other", ("Fédération", "Autre"), N.FEDERATION_PATTERNS, {"ASBL": 80, None: 20}),
    "public": Kind("other", ("Organisme public", "Autre"), N.PUBLIC_PATTERNS, {None: 1}),
}
KINDS_OF_TYPE = {"sme": ["sme"], "large": ["large"], "research": ["research"],
                 "higher": ["university", "high_school", "high_school"], "training": ["training"],
                 "other": ["federation", "public"]}
SPELLINGS = {"SA": ("SA", "S.A."), "SPRL": ("SPRL", "s.p.r.l."), "ASBL": ("ASBL", "a.s.b.l.")}
OTHER_SPELLINGS = {"SA": ("S.A.", "s.a.", "SA"), "SPRL": ("s.p.r.l.", "SPRL"), "ASBL": ("a.s.b.l.", "ASBL")}
EMAIL_FORMS = ("{l}@{h}.{t}", "{l} [at] {h}.{t}", "{l}(at){h}(dot){t}", "{l} [arobase] {h}.{t}",
               "{l} [at] {h} [dot] {t}")
WEBSITE_FORMS = ("www.{d}", "http://www.{d}", "https://www.{d}", "http://www.{d}/")
HREF_FORMS = ("membres/memberList/{s}.html", "./membres/memberList/{s}.html",
              "../home/membres/memberList/{s}.html", "/sites/{c}/home/membres/memberList/{s}.html")
OLD_HREF_FORM = "/{c}/home/membres/memberList/{s}.html"  # without /sites/


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


LABEL_TYPES = {fold(label): k.type_key for k in KINDS.values() for label in k.labels}


def label_type(label: str) -> str:
    return LABEL_TYPES[fold(label)]


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
            base = f"{rng.choice(N.FLEMISH_SURNAMES)} {rng.choice(N.FLEMISH_SECTORS)}"
        else:
            patterns = KINDS[kind].patterns if attempt < 40 else (
                ["{root}{suffix} {qualifier}"] if company else ["Institut {root}{suffix} {qualifier}"])
            surname, surname2 = rng.sample(N.SURNAMES, 2)
            base = rng.choice(patterns).format(
                root=rng.choice(N.ROOTS), suffix=rng.choice(N.SUFFIXES), qualifier=rng.choice(N.QUALIFIERS),
                surname=surname, surname2=surname2, sector=rng.choice(N.SECTORS[cluster]),
                area=rng.choice(N.AREAS), saint=rng.choice(N.SAINTS))
        if slugify(base) not in used:
            used.add(slugify(base))
            return base
    raise RuntimeError(f"no unique {kind} name left")


# First digit of the subscriber number after a two-digit zone, as Belgium's numbering plan has it
# (the phonenumbers library checks it); one draw either way, so the sample's other draws stay put.
VALID_FIRST_DIGITS = {"02": "2345678", "03": "2345678", "04": "23", "09": "234"}


def phone_number(rng: random.Random, postal_code: str) -> str:
    zone = P.PHONE_ZONES[postal_code[0]]
    first = str(rng.randint(2, 9))
    if zone in VALID_FIRST_DIGITS:
        allowed = VALID_FIRST_DIGITS[zone]
        first = allowed[int(first) % len(allowed)]
    digits = first + "".join(str(rng.randrange(10)) for _ in range(8 - len(zone)))
    group = f"{digits[:-4]} {digits[-4:-2]} {digits[-2:]}"
    return rng.choice([f"{zone} {group}", f"{zone}/{group.replace(' ', '.')}",
                       f"+32 {zone[1:]} {group}", f"Tél. : {zone}-{group}"])


def new_organisation(rng: random.Random, type_key: str, clusters: list[str], names: set[str],
                     numbers: set[str], with_number: bool) -> Org:
    """An invented organisation of `type_key`; `names` (slugs) and `numbers` in use are updated."""
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
    street = (f"{rng.choice(N.FLEMISH_STREETS)} {rng.randint(1, 180)}" if flemish else
              f"{rng.choice(N.STREETS)} {rng.randint(1, 250)}{rng.choice(['', '', '', 'A', ' bte 2'])}")
    return Org(base=base, kind=kind, form=form,
               spelling=rng.choice(SPELLINGS.get(form, (form,))) if form else None,
               place=place, street=street, phone=phone_number(rng, place.postal_code),
               domain=f"{slugify(base)}.{rng.choice(['be', 'be', 'be', 'com', 'eu'])}",
               email_local=rng.choice(N.EMAIL_LOCALS),
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
        orgs.append(new_organisation(rng, type_key, rng.sample(list(sizes), k), names, numbers,
                                     i not in without_number))
    free = {c: sizes[c] - sum(c in o.clusters for o in orgs) for c in sizes}
    assert min(free.values()) > 0 and min(remaining.values()) > 0
    slots = [c for c in sizes for _ in range(free[c])]
    types = [t for t in TYPE_TARGETS for _ in range(remaining[t])]
    rng.shuffle(slots)
    rng.shuffle(types)
    singles = [new_organisation(rng, t, [c], names, numbers, rng.random() > 0.12)
               for c, t in zip(slots, types)]
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
    return noisy(rng, f"{base} {spelled}" if spelled else base)


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
        fields.append(("Adresse", esc(noisy(rng, org.street))))
    if len(org.clusters) > 1 or rng.random() > 0.02:  # a shared organisation keeps its postal code
        code = org.place.postal_code
        fields.append(("Code postal", rng.choices([code, f"B-{code}", f"B {code}"], [70, 15, 15])[0]))
        fields.append(("Localité", esc(noisy(rng, e.city))))
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
        fields.append(("Numéro d'entreprise", noisy(rng, rng.choice(forms), 0.05)))
    if rng.random() > 0.1:
        acts = rng.sample(N.ACTIVITIES[org.clusters[0]], rng.randint(1, 3))
        fields.append(("Activités", esc(noisy(rng, ", ".join(acts)))))
    return fields


def make_entries(rng: random.Random, orgs: list[Org]) -> dict[str, list[Entry]]:
    """Directory entries per cluster, alphabetical, with unique slugs and detail fields."""
    by_cluster: dict[str, list[Entry]] = {c.cluster_id: [] for c in P.CLUSTERS}
    for org in orgs:
        for k, cluster in enumerate(org.clusters):
            by_cluster[cluster].append(make_entry(rng, org, cluster, k > 0))
    for i, (cluster, entries) in enumerate(by_cluster.items()):
        entries.sort(key=lambda e: (fold(e.name), e.name))
        slugs: set[str] = set()
        for j, e in enumerate(entries):
            e.slug, n = slugify(e.org.base), 1
            while e.slug in slugs:  # names are unique by slug already; kept as a guard
                n += 1
                e.slug = f"{slugify(e.org.base)}-{n}"
            slugs.add(e.slug)
            e.href = member_href(rng, i, cluster, e.slug, cluster == OLD_LINK_CLUSTER and j == 0)
    return by_cluster


def make_entry(rng: random.Random, org: Org, cluster: str, repeat: bool) -> Entry:
    """`org`'s entry in `cluster` with its detail fields; `repeat` for a shared organisation's later pages."""
    city = org.place.city
    city = rng.choices([city, city.upper(), city.lower()], [70, 18, 12])[0]
    label = _label(rng, org.kind)
    e = Entry(org, cluster, _display_name(rng, org, repeat), city, label,
              label if rng.random() < 0.7 else _label(rng, org.kind))
    e.fields = _fields(rng, e)
    return e


def member_href(rng: random.Random, i: int, cluster: str, slug: str, old_form: bool = False) -> str:
    """The directory's link to a detail page: mostly the form of cluster number `i`, some others."""
    form = HREF_FORMS[i % 4] if rng.random() < 0.75 else rng.choice(HREF_FORMS)
    if rng.random() < 0.02 or old_form:
        form = OLD_HREF_FORM
    return form.format(c=cluster, s=slug)

