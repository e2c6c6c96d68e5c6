"""The portal's layout: the ONE place that knows its URLs, French labels and prose patterns.

Adapting to a redesign of clusters.wallonie.be means editing this module (and only the
heuristics in parse.py, parse_directory.py, parse_members.py and text.py that consume it).
Labels are compared folded (see `fold_label`), so each list below holds the spellings, not their
case/accent/colon variants.
Mapping member-type labels to types is NOT here: normalisation owns it; the directory hints
below only tell a type label apart from a city.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urljoin, urlunsplit

from cluster_etl.portal.urls import DEFAULT_PORTS, canonical_netloc, host_key, join_split, split_url


class LayoutError(Exception):
    """A page no longer matches the layout this module describes (fail loudly, never publish)."""

    def __init__(self, url: str, expected: str) -> None:
        super().__init__(f"{url}: expected {expected}")
        self.url = url
        self.expected = expected


# --- URLs --------------------------------------------------------------------------------------

PORTAL_BASE_URL = "https://clusters.wallonie.be"
ROBOTS_PATH = "/robots.txt"
OVERVIEW_PATH = "/sites/federateur/home/les-clusters.html"
CLUSTER_HOME_PATH = "/sites/{cluster_id}/home.html"
DIRECTORY_PATH = "/sites/{cluster_id}/home/membres.html"
DIRECTORY_PAGE_PARAM = "page"  # ?page=2, ?page=3, ...
MEMBER_PAGE_PATH = "/sites/{cluster_id}/home/membres/memberList/{member_slug}.html"
MAX_DIRECTORY_ENTRIES_PER_PAGE = 25

_SLUG = r"(?P<cluster_id>[^/?#]+)"
_CLUSTER_PATH_RE = re.compile(rf"^/sites/{_SLUG}(?:/|$)")
CLUSTER_HOME_PATH_RE = re.compile(rf"^/sites/{_SLUG}/home\.html$", re.I)
DIRECTORY_PATH_RE = re.compile(rf"^/sites/{_SLUG}/home/membres\.html$", re.I)
MEMBER_PAGE_PATH_RE = re.compile(
    rf"^/sites/{_SLUG}/home/membres/memberList/(?P<member_slug>[^/?#]+)\.html$", re.I
)
# Older links omit /sites/: /tweed/home.html, /tweed/home/membres.html.
_OLD_FORM_PATH_RE = re.compile(r"^/(?!sites/)(?P<rest>[^/]+/home(?:\.html|/.*))$", re.I)


# Cached: a page's links are resolved by several parsers' passes, and nav links recur on every page.
@functools.lru_cache(maxsize=8192)
def canonical_url(url: str, base: str) -> str:
    """Absolute form of `url` found on page `base`: resolved, old form rewritten, no fragment.

    Scheme and host are lower-cased, default ports dropped, the query kept. The old form without
    `/sites/` is only rewritten on the portal's own host (that of `base`), never on other sites.
    """
    parts = join_split(url.strip(), base)
    if parts.scheme not in DEFAULT_PORTS:
        return urlunsplit(parts._replace(fragment=""))
    netloc = canonical_netloc(parts.scheme, parts.netloc)
    path = parts.path or "/"
    old = _OLD_FORM_PATH_RE.match(path)
    if old and same_host(f"{parts.scheme}://{netloc}/", base):
        path = "/sites/" + old.group("rest")
    if netloc and path.startswith("/"):  # what urlunsplit gives then, at a fraction of its cost
        return f"{parts.scheme}://{netloc}{path}" + (f"?{parts.query}" if parts.query else "")
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


@functools.lru_cache(maxsize=8192)  # asked of every link of a page by each of its readers
def same_host(a: str, b: str) -> bool:
    """True when both URLs are on the same host and port (case, `www.` and scheme ignored)."""
    origin = _origin(b)
    if origin is not None and a.startswith(origin) and a[len(origin):len(origin) + 1] in "/?#":
        return True  # `a` has b's very scheme and netloc: most links of a page, found at once
    key = host_key(a)
    return key is not None and key == host_key(b)


@functools.lru_cache(maxsize=1024)
def _origin(url: str) -> str | None:
    """`scheme://netloc` as written at the start of an http(s) URL with a host; else None (then
    same_host compares host keys, and raises as they do for a malformed URL)."""
    try:
        parts = split_url(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in DEFAULT_PORTS and url.startswith(origin) and host_key(url) is not None:
            return origin
    except ValueError:
        pass
    return None


def _path(url: str) -> str:
    path = split_url(url).path or "/"
    old = _OLD_FORM_PATH_RE.match(path)
    return "/sites/" + old.group("rest") if old else path


def cluster_id_from_url(url: str) -> str | None:
    """The slug after /sites/ (old form accepted), or None for a URL outside any cluster site."""
    match = _CLUSTER_PATH_RE.match(_path(url))
    return match.group("cluster_id") if match else None


@functools.lru_cache(maxsize=8192)  # asked of every link of a directory page by two readers
def is_member_page_url(url: str) -> bool:
    return bool(MEMBER_PAGE_PATH_RE.match(_path(url)))


def is_cluster_home_url(url: str) -> bool:
    return bool(CLUSTER_HOME_PATH_RE.match(_path(url)))


def is_directory_url(url: str) -> bool:
    """Any page of a member directory (`membres.html`, with or without `?page=N`)."""
    return bool(DIRECTORY_PATH_RE.match(_path(url)))


def cluster_home_url(portal_base: str, cluster_id: str) -> str:
    return urljoin(portal_base, CLUSTER_HOME_PATH.format(cluster_id=cluster_id))


def directory_url(home_url: str) -> str:
    """The default member directory of the cluster whose home page (or any page) is `home_url`."""
    cluster_id = cluster_id_from_url(home_url)
    if cluster_id is None:
        raise ValueError(f"not a cluster URL: {home_url}")
    return canonical_url(DIRECTORY_PATH.format(cluster_id=cluster_id), home_url)


def directory_page_url(directory: str, page: int) -> str:
    """Page `page` (1-based) of a member directory; page 1 is the bare directory URL."""
    base = canonical_url(directory, directory).split("?", 1)[0]
    return base if page <= 1 else f"{base}?{DIRECTORY_PAGE_PARAM}={page}"


def overview_url(portal_base: str) -> str:
    return urljoin(portal_base, OVERVIEW_PATH)


def robots_url(portal_base: str) -> str:
    return urljoin(portal_base, ROBOTS_PATH)


# --- label folding -----------------------------------------------------------------------------

_FOLD_CHARS = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'",
                             "\u2010": "-", "\u2011": "-"})


def collapse(text: str) -> str:
    """Whitespace (tabs, newlines, NBSP, narrow NBSP) collapsed to single spaces, stripped."""
    return " ".join(text.split())


# Folding is cached: a crawl folds the same few dozen labels and type names thousands of times.
@functools.lru_cache(maxsize=8192)
def fold_text(text: str) -> str:
    """Text for matching: no accents, case folded, apostrophes unified, whitespace collapsed."""
    text = text.translate(_FOLD_CHARS)
    if not text.isascii():  # ASCII has no accents: skip the Unicode decomposition
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return collapse(text.casefold())


@functools.lru_cache(maxsize=8192)
def fold_label(text: str) -> str:
    """A label for comparison: folded text without a trailing colon (`Code postal :`)."""
    return fold_text(text).rstrip(": ")


@functools.lru_cache(maxsize=256)
def folded_labels(labels: tuple[str, ...]) -> frozenset[str]:
    """The folded spellings of a tuple of labels, folded once."""
    return frozenset(fold_label(label) for label in labels)


def label_in(text: str, labels: tuple[str, ...]) -> bool:
    return fold_label(text) in folded_labels(labels)


# --- overview page -----------------------------------------------------------------------------

OVERVIEW_DOMAIN_HEADER = "DOMAINE D'ACTIVITÉS"
SOURCE_LABELS = ("Sources", "Source")
# Applied to fold_text() of the page's text, so written lower-case and without accents.
_NUMBER = r"\d{1,3}(?:\.\d{3})+|\d+"  # Belgian thousands separator: 1.000
CLUSTER_COUNT_RE = re.compile(r"\b(?P<n>\d+) clusters?\b")
MEMBER_TOTAL_RE = re.compile(rf"(?P<lower>plus de )?\b(?P<n>{_NUMBER}) membres\b")
COMPANY_SHARE_RE = re.compile(r"\b(?P<n>\d{1,3}) ?% sont des entreprises\b")
SME_SHARE_RES = (
    re.compile(r"\bpme ?\( ?(?P<n>\d{1,3}) ?% ?\)"),
    re.compile(r"\b(?P<n>\d{1,3}) ?% (?:sont )?(?:des |de )pme\b"),
)
AS_OF_LABEL = "Ventilation par type de membre"
AS_OF_RE = re.compile(
    r"ventilation par type de membres? ?[-\u2013\u2014:,(]? ?(?:au |du )?"
    r"(?:(?P<day>\d{1,2})(?:er)? (?P<month>[a-z]+) (?P<year>\d{4})"
    r"|(?P<nday>\d{1,2})[/.](?P<nmonth>\d{1,2})[/.](?P<nyear>\d{4}))"
)
FRENCH_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}

# --- cluster home page -------------------------------------------------------------------------

MEMBER_COUNT_LABEL = "Nombre de membres"
MEMBER_COUNT_RE = re.compile(rf"\bnombre de membres ?:? ?(?P<n>{_NUMBER})\b")
HOME_DOMAIN_LABELS = ("Domaine d'activités", "Domaine d'activité", "Domaine",
                      "Secteur d'activités", "Secteur d'activité", "Secteur")
HOME_WEBSITE_LABELS = ("Site web", "Site internet", "Site du cluster")
HOME_DESCRIPTION_LABELS = ("Description", "Présentation", "À propos")

# --- member directory --------------------------------------------------------------------------

NEXT_LINK_LABELS = ("Suivant", "Suivante", "Page suivante")
NEXT_LINK_DECORATIONS = "»›>→ "
# Published member-type labels (SPEC.md table with its variants), to tell them apart from a city.
DIRECTORY_TYPE_LABEL_HINTS = (
    "PME", "Entreprise (PME)", "Petite ou moyenne entreprise",
    "Grande entreprise", "GE", "Entreprise (grande)",
    "Centre de recherche", "Centre de recherche agréé",
    "Université", "Haute école", "Université / Haute école",
    "Centre de formation",
    "Autre", "Fédération", "Organisme public",
)
DIRECTORY_PIECE_LABELS = {
    "city": ("Localité", "Ville", "Commune"),
    "member_type_label": ("Type de membre", "Type"),
}
DIRECTORY_PIECE_SEPARATORS_RE = re.compile(r"\s[-\u2013\u2014]\s|[|\u00b7,]")
POSTAL_CODE_ONLY_RE = re.compile(r"^(?:B ?-? ?)?\d{4}$", re.I)


@functools.lru_cache(maxsize=8192)
def _type_hint_form(text: str) -> str:
    return re.sub(r" ?/ ?", "/", fold_label(text))


_TYPE_LABEL_HINTS = frozenset(_type_hint_form(hint) for hint in DIRECTORY_TYPE_LABEL_HINTS)
# Folded label -> key; a spelling listed under two keys belongs to the first.
_DIRECTORY_PIECE_KEY_BY_LABEL = {
    fold_label(label): key
    for key, labels in reversed(DIRECTORY_PIECE_LABELS.items()) for label in labels
}


def is_type_label_hint(text: str) -> bool:
    """True for a published member-type label (folded; spaces around `/` ignored)."""
    return _type_hint_form(text) in _TYPE_LABEL_HINTS


def directory_piece_key(label: str) -> str | None:
    """The DIRECTORY_PIECE_LABELS key of a directory label (`Localité :`), None if unknown."""
    return _DIRECTORY_PIECE_KEY_BY_LABEL.get(fold_label(label))


# --- member detail page ------------------------------------------------------------------------

# <dt> label -> raw.MEMBER_FIELDS key.
MEMBER_FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("Dénomination", "Nom", "Raison sociale"),
    "member_type_label": ("Type de membre", "Type"),
    "street": ("Adresse", "Rue"),
    "postal_code": ("Code postal", "CP"),
    "city": ("Localité", "Ville", "Commune"),
    "phone": ("Téléphone", "Tél.", "Tél"),
    "email": ("E-mail", "Email", "Courriel", "Mail"),
    "website": ("Site web", "Site internet", "Site"),
    "enterprise_number": ("Numéro d'entreprise", "N° d'entreprise", "Numéro BCE", "N° BCE",
                          "Numéro de TVA", "N° TVA", "TVA"),
    "activities": ("Activités", "Activité"),
}
MEMBER_HREF_FIELDS = ("email", "website")  # href used when the <dd> text is empty
_MEMBER_FIELD_BY_LABEL = {
    fold_label(label): key for key, labels in MEMBER_FIELD_LABELS.items() for label in labels
}


def member_field_key(label: str) -> str | None:
    """The raw.MEMBER_FIELDS key of a detail-page `<dt>` label, None for an unknown label."""
    return _MEMBER_FIELD_BY_LABEL.get(fold_label(label))
