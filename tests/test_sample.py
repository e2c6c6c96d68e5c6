"""The sample portal: deterministic files that hold SPEC.md's totals and quirks, and their server.

The checks read the written files with a small regex reader of their own (not the generator's
state, not the pipeline's parser), so they hold the generator to SPEC.md independently.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import subprocess
import sys
import threading
import unicodedata
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal

BASE = "http://portal.test"
# SPEC.md's member-type table, folded (see fold below).
LABEL_TYPES = {
    "pme": "sme", "entreprise (pme)": "sme", "petite ou moyenne entreprise": "sme",
    "grande entreprise": "large", "ge": "large", "entreprise (grande)": "large",
    "centre de recherche": "research", "centre de recherche agree": "research",
    "universite": "higher", "haute ecole": "higher", "universite / haute ecole": "higher",
    "centre de formation": "training", "autre": "other", "federation": "other",
    "organisme public": "other",
}
LEGAL_SPELLINGS = ("SA", "S.A.", "s.a.", "SPRL", "s.p.r.l.", "SRL", "SCRL", "SC", "ASBL", "a.s.b.l.",
                   "NV", "BV", "SE")
LEGAL_FORM_AT_END = re.compile(r" (s\.?a\.?|s\.?p\.?r\.?l\.?|srl|scrl|sc|a\.?s\.?b\.?l\.?|nv|bv|se)$")
MEMBER_LINK = re.compile(r'href="([^"]*memberList/[^"]+\.html)"')


def fold(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def canonical_path(href: str, page_url: str) -> str:
    path = urlsplit(urljoin(page_url, href)).path
    return path if path.startswith("/sites/") else "/sites" + path


def decode(root: Path, path: str) -> str:
    data = (root / path.lstrip("/")).read_bytes()
    header = json.loads((root / "_headers.json").read_text()).get(path, "")
    meta = re.search(rb'<meta charset="([^"]+)"', data)
    charset = (re.search(r"charset=(\S+)", header) or [None, None])[1] or (meta and meta[1].decode())
    return data.decode(charset or "utf-8")


def dl_fields(page: str) -> dict[str, str]:
    """<dt> label -> <dd> value exactly as published (tags kept, entities decoded)."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    return {text_of(dt): html.unescape(dd) for dt, dd in pairs}


def entries_of(page: str) -> list[tuple[str, str]]:
    """(href, entry markup) per member link; an entry runs up to the next member link."""
    starts = [m.start() for m in re.finditer(r'<a href="[^"]*memberList/', page)]
    end = page.find("<p", starts[-1]) if starts else 0
    return [(MEMBER_LINK.search(page, a)[1], page[a:b])
            for a, b in zip(starts, starts[1:] + [end])]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample") / "portal"
    return root.resolve(), write_sample_portal(root)


@pytest.fixture(scope="module")
def directory(portal):
    """cluster -> list of pages -> list of (href, entry markup) in page order."""
    root, manifest = portal
    out = {}
    for cluster in manifest.clusters:
        pages, n = [], 1
        while (file := root / f"sites/{cluster}/home/membres{'' if n == 1 else f'.page-{n}'}.html").exists():
            pages.append(entries_of(file.read_text("utf-8")))
            n += 1
        out[cluster] = pages
    return out


@pytest.fixture(scope="module")
def members(portal, directory):
    """(cluster, detail path, fields or None when the page is missing, directory entry)."""
    root, _ = portal
    rows = []
    for cluster, pages in directory.items():
        url = f"{BASE}/sites/{cluster}/home/membres.html"
        for href, line in (entry for page in pages for entry in page):
            path = canonical_path(href, url)
            exists = (root / path.lstrip("/")).is_file()
            rows.append((cluster, path, dl_fields(decode(root, path)) if exists else None, line))
    return rows


@pytest.fixture(scope="module")
def values(members):
    """<dt> label -> every collapsed <dd> text over all detail pages."""
    out = defaultdict(list)
    for _, _, fields, _ in members:
        for label, value in (fields or {}).items():
            out[label].append(text_of(value))
    return out


def member_type(fields, line) -> str:
    if fields is not None:
        return LABEL_TYPES[fold(text_of(fields["Type de membre"]))]
    # The missing page's type comes from its directory label: the entry's last piece of text.
    rest = re.sub(r"<a [^>]*>.*?</a>", "", line)
    pieces = [p.strip() for p in re.split(r"<[^>]+>|\u2013", rest) if p.strip()]
    return LABEL_TYPES[fold(pieces[-1])]


def percent(part: int, whole: int) -> int:
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


def test_same_seed_gives_byte_identical_files(tmp_path, portal):
    root, _ = portal
    write_sample_portal(tmp_path / "again", seed=2008)
    write_sample_portal(tmp_path / "other", seed=7)
    def files(top: Path) -> dict[Path, bytes]:
        return {p.relative_to(top): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file()}

    assert files(root) == files(tmp_path / "again")
    assert len(files(root)) == portal[1].files > 1000
    assert files(root) != files(tmp_path / "other")


def test_totals_recomputed_from_the_written_pages(portal, directory, members):
    _, m = portal
    assert len(m.clusters) == 14 and len(directory) == 14
    listed = {c: sum(len(page) for page in pages) for c, pages in directory.items()}
    assert listed == m.listed_counts
    assert len(members) == m.memberships == sum(listed.values()) > 1000
    assert [c for c in listed if m.declared_counts[c] != listed[c]] == m.count_mismatch_clusters
    assert [m.declared_counts[c] - listed[c] for c in m.count_mismatch_clusters] == [1]
    types = Counter(member_type(fields, line) for _, _, fields, line in members)
    companies, smes = types["sme"] + types["large"], types["sme"]
    assert (companies, smes) == (m.companies, m.smes)
    for whole in (len(members), m.declared_total):
        assert percent(companies, whole) == 75 and percent(smes, whole) == 64
    assert abs(100 * companies / len(members) - 75) < 0.4 and abs(100 * smes / len(members) - 64) < 0.4
    assert [p for _, p, fields, _ in members if fields is None] == m.missing_member_paths
    assert len(m.missing_member_paths) == 1 and m.member_pages == len(members) - 1
    assert 60 <= m.shared_organisations <= 80 and m.organisations < m.memberships


def test_directory_pages_hold_25_entries_in_order_with_a_next_link(portal, directory):
    root, m = portal
    for cluster, pages in directory.items():
        assert len(pages) == m.directory_pages[cluster]
        assert all(1 <= len(page) <= 25 for page in pages) and all(len(p) == 25 for p in pages[:-1])
        names = [fold(text_of(re.search(r"<a [^>]*>(.*?)</a>", line, re.S)[1]))
                 for page in pages for _, line in page]
        assert names == sorted(names), cluster
        for n in range(1, len(pages) + 1):
            text = (root / f"sites/{cluster}/home/membres{'' if n == 1 else f'.page-{n}'}.html").read_text()
            nxt = re.findall(r'<a href="([^"]+)">Suivant', text)
            if n < len(pages):
                assert [urljoin(f"{BASE}/sites/{cluster}/home/membres.html", h) for h in nxt] == [
                    f"{BASE}/sites/{cluster}/home/membres.html?page={n + 1}"]
            else:
                assert nxt == []


def test_shared_organisations_keep_type_number_and_postal_code(members):
    by_number = defaultdict(list)
    for cluster, _, fields, _ in members:
        number = re.sub(r"\D", "", text_of((fields or {}).get("Numéro d'entreprise", "")))
        if number:
            by_number[number.zfill(10)].append((cluster, fields))
    shared = {n: pages for n, pages in by_number.items() if len(pages) > 1}
    assert len(shared) >= 50
    for pages in shared.values():
        assert len({c for c, _ in pages}) == len(pages)
        assert len({member_type(f, "") for _, f in pages}) == 1
        assert len({re.sub(r"\D", "", f["Code postal"]) for _, f in pages}) == 1
        names = {LEGAL_FORM_AT_END.sub("", fold(text_of(f["Dénomination"]))) for _, f in pages}
        assert len(names) == 1, names


def test_enterprise_numbers_in_every_form_with_a_few_wrong_check_digits(portal, members, values):
    _, m = portal
    numbers = values["Numéro d'entreprise"]
    for form in (r"[01]\d{3}\.\d{3}\.\d{3}", r"BE [01]\d{3} \d{3} \d{3}", r"BE[01]\d{9}", r"[1-9]\d{8}"):
        assert sum(bool(re.fullmatch(form, n)) for n in numbers) >= 5, form
    invalid = []
    for _, path, fields, _ in members:
        if fields and "Numéro d'entreprise" in fields:
            digits = re.sub(r"\D", "", fields["Numéro d'entreprise"]).zfill(10)
            assert len(digits) == 10 and digits[0] in "01"
            if int(digits[8:]) != 97 - int(digits[:8]) % 97:
                invalid.append(path)
    assert 3 <= len(invalid) <= 10 and invalid == sorted(m.invalid_enterprise_number_paths)
    assert sum(f is not None and "Numéro d'entreprise" not in f for _, _, f, _ in members) >= 50


def test_every_quirk_of_the_spec_is_present(values, members):
    names = values["Dénomination"]
    for spelling in LEGAL_SPELLINGS:
        assert sum(n.endswith(" " + spelling) for n in names) >= 3, spelling
    assert sum(not LEGAL_FORM_AT_END.search(fold(n)) for n in names) >= 50
    raw = [v for _, _, f, _ in members for v in (f or {}).values()]
    for char in ("\u00a0", "\t", "\n"):
        assert sum(char in v for v in raw) >= 5, repr(char)
    postal = values["Code postal"]
    for form in (r"\d{4}", r"B-\d{4}", r"B \d{4}"):
        assert sum(bool(re.fullmatch(form, p)) for p in postal) >= 5, form
    codes = {int(p[-4:]) for p in postal}
    for low, high in ((1300, 1499), (4000, 4999), (5000, 5999), (6000, 6599), (6600, 6999), (7000, 7999),
                      (1000, 1299), (2000, 3999)):
        assert any(low <= c <= high for c in codes), (low, high)
    assert 4700 in codes and {2000, 9000, 3000} & codes
    cities = values["Localité"]
    assert {"LIÈGE", "liège", "Liège"} <= set(cities)
    mails = values["E-mail"]
    for form in (r"\w+@[\w-]+\.\w+", r"\w+ \[at\] [\w-]+\.\w+", r"\w+\(at\)[\w-]+\(dot\)\w+",
                 r"\w+ \[arobase\] [\w-]+\.\w+", r"\w+ \[at\] [\w-]+ \[dot\] \w+"):
        assert sum(bool(re.fullmatch(form, e)) for e in mails) >= 5, form
    sites = values["Site web"]
    for form in (r"www\.\S+", r"http://\S+", r"https://\S+"):
        assert sum(bool(re.fullmatch(form, s)) for s in sites) >= 5, form
    labels = Counter(values["Type de membre"])
    assert {fold(label) for label in labels} == set(LABEL_TYPES)
    assert sum(n for label, n in labels.items() if label.isupper() and len(label) > 2) >= 5
    assert sum(n for label, n in labels.items() if label.islower()) >= 5
    raw_labels = [f["Type de membre"] for _, _, f, _ in members if f]
    assert sum(bool(re.search(r"\S(  |\u00a0)\S|^\s|\s$", label)) for label in raw_labels) >= 5
    for optional in ("Adresse", "Téléphone", "E-mail", "Site web", "Activités", "Code postal"):
        assert 0 < len(values[optional]) < len(names), optional


def test_links_come_in_relative_root_relative_and_old_forms(portal, directory):
    root, _ = portal
    hrefs = [h for pages in directory.values() for page in pages for h, _ in page]
    assert all(any(h.startswith(p) for h in hrefs) for p in ("./", "../", "membres/", "/sites/"))
    assert sum(re.match(r"/(?!sites/)[a-z0-9-]+/home/membres/memberList/", h) is not None for h in hrefs) >= 1
    for cluster, pages in directory.items():
        slugs = [h.rsplit("/", 1)[1].removesuffix(".html") for page in pages for h, _ in page]
        assert len(set(slugs)) == len(slugs)
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)
    overview = (root / "sites/federateur/home/les-clusters.html").read_text()
    links = re.findall(r'<tr><td><a href="([^"]+)">', overview)
    assert len(links) == 14 and "/tweed/home.html" in links
    assert any(h.startswith("../") for h in links) and any(h.startswith("/sites/") for h in links)


def test_overview_home_pages_and_robots(portal):
    root, m = portal
    overview = (root / "sites/federateur/home/les-clusters.html").read_text()
    prose = text_of(overview)
    for phrase in ("14 clusters", "plus de 1.000 membres", "75% sont des entreprises", "PME (64%)",
                   "DOMAINE D'ACTIVITÉS", "Ventilation par type de membre - 30 juin 2008",
                   "Sources : DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) du SPW"):
        assert phrase in prose, phrase
    assert "&nbsp;</a>" in overview and "\t" in overview and "http://www.wallonie.be" in overview
    for cluster in m.clusters:
        home = text_of((root / f"sites/{cluster}/home.html").read_text())
        assert f"Nombre de membres : {m.declared_counts[cluster]}" in home
        assert re.search(r'href="[^"]*home/membres\.html"', (root / f"sites/{cluster}/home.html").read_text())
    robots = (root / "robots.txt").read_text()
    assert "User-agent: *" in robots and "Disallow: /" in robots and "Crawl-delay" not in robots


def test_iso_8859_1_pages_declared_by_meta_and_by_header_only(portal):
    root, m = portal
    headers = json.loads((root / "_headers.json").read_text())
    assert sorted(m.meta_charset_paths + m.header_charset_paths) == m.iso_8859_1_paths
    for path in m.iso_8859_1_paths:
        data = (root / path.lstrip("/")).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert re.search(rb"[\xc0-\xff]", data) and b"&#" not in data
        assert "Dénomination" in data.decode("iso-8859-1")
    (meta,), (header,) = m.meta_charset_paths, m.header_charset_paths
    assert b'<meta charset="iso-8859-1">' in (root / meta.lstrip("/")).read_bytes()
    assert b"charset" not in (root / header.lstrip("/")).read_bytes()
    assert headers[header] == "text/html; charset=iso-8859-1" and "charset" not in headers[meta]


@pytest.fixture(scope="module")
def served(portal):
    root, _ = portal
    with serve_portal(root) as base_url:
        yield base_url


def test_server_serves_files_with_the_portals_rewrites(portal, served):
    root, m = portal
    r = requests.get(served + "/sites/federateur/home/les-clusters.html", timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.content == (root / "sites/federateur/home/les-clusters.html").read_bytes()
    assert int(r.headers["Content-Length"]) == len(r.content)
    r = requests.get(served + "/robots.txt", timeout=5)
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8" and "User-agent" in r.text
    page2 = requests.get(served + "/sites/infopole/home/membres.html?page=2", timeout=5)
    assert page2.content == (root / "sites/infopole/home/membres.page-2.html").read_bytes()
    page1 = requests.get(served + "/sites/infopole/home/membres.html?page=1", timeout=5)
    assert page1.content == (root / "sites/infopole/home/membres.html").read_bytes()
    for bad in ("?page=99", "?page=0", "?page=x"):
        assert requests.get(served + "/sites/infopole/home/membres.html" + bad, timeout=5).status_code == 404
    old = requests.get(served + "/tweed/home/membres.html?page=2", timeout=5)
    assert old.content == (root / "sites/tweed/home/membres.page-2.html").read_bytes()
    assert requests.get(served + m.missing_member_paths[0], timeout=5).status_code == 404
    assert requests.get(served + "/_headers.json", timeout=5).status_code == 404
    (header,), (meta,) = m.header_charset_paths, m.meta_charset_paths
    assert requests.get(served + header, timeout=5).headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert requests.get(served + meta, timeout=5).headers["Content-Type"] == "text/html"


def test_every_listed_member_link_resolves_except_the_missing_one(portal, directory, served):
    _, m = portal
    statuses = {}
    with requests.Session() as session:
        for cluster, pages in directory.items():
            url = f"{served}/sites/{cluster}/home/membres.html"
            for href, _ in (entry for page in pages for entry in page):
                statuses[canonical_path(href, url)] = session.get(urljoin(url, href), timeout=5).status_code
    assert len(statuses) == m.memberships
    assert [path for path, status in statuses.items() if status != 200] == m.missing_member_paths


def test_conditional_requests_and_head(served):
    url = served + "/sites/tweed/home.html"
    r = requests.get(url, timeout=5)
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=5).status_code == 304
    assert requests.get(url, headers={"If-None-Match": '"other"'}, timeout=5).status_code == 200
    assert requests.get(url, headers={"If-Modified-Since": modified}, timeout=5).status_code == 304
    assert requests.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
                        timeout=5).status_code == 200
    head = requests.head(url, timeout=5)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(r.content) and head.headers["ETag"] == etag


def test_no_path_traversal(portal, served):
    root, _ = portal
    (root.parent / "secret.txt").write_text("secret")
    host, port = urlsplit(served).hostname, urlsplit(served).port
    for target in ("/../secret.txt", "/sites/../../secret.txt", "/%2e%2e/secret.txt",
                   "/sites/%2e%2e/%2e%2e/secret.txt", "//etc/passwd",
                   "/sites/tweed/..%2f..%2f..%2fsecret.txt", "/tweed/../../secret.txt"):
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", target)
        response = conn.getresponse()
        assert response.status in (400, 404), target
        assert b"secret" not in response.read()
        conn.close()


def test_server_thread_stops_when_the_context_exits(portal):
    root, _ = portal
    with serve_portal(root) as base_url:
        assert requests.get(base_url + "/robots.txt", timeout=5).status_code == 200
        port = urlsplit(base_url).port
        assert urlsplit(base_url).hostname == "127.0.0.1"
    assert not [t for t in threading.enumerate() if t.name == f"sample-portal-{port}" and t.is_alive()]
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + "/robots.txt", timeout=2)


def test_server_runs_in_its_own_process_until_its_input_ends(portal):
    root, _ = portal
    server = subprocess.Popen([sys.executable, "-m", "cluster_etl.sample.server", str(root)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        assert urlsplit(base_url).hostname == "127.0.0.1"
        assert requests.get(base_url + "/robots.txt", timeout=5).status_code == 200
    finally:
        server.stdin.close()
        assert server.wait(timeout=10) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + "/robots.txt", timeout=2)
    usage = subprocess.run([sys.executable, "-m", "cluster_etl.sample.server"],
                           capture_output=True, text=True, timeout=30)
    assert usage.returncode == 2 and "usage" in usage.stderr
