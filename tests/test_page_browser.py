"""BROWSER TEST: the published pages as Chromium sees them.

Two releases a week apart are published with `write_release`; the second adds members whose
names are HTML/JS payloads. The output folder is served on 127.0.0.1 and Debian's `chromium`
(headless) loads the pages: the DOM it dumps after load (scripts, had there been any, would have
run) must hold the payloads as text, no <script> and no event-handler attribute, and no payload
may have touched the DOM. Every relative link and image must be a file of the served folder.
A phone-width screenshot is taken. `make test` installs chromium; without it this test skips.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import struct
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from cluster_etl import publish
from cluster_etl.validate import percent_half_up, validate
from tests.tables_factory import MEMBER_ROWS, MEMBERSHIP_PAIRS, make_overview, make_tables

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
FIRST, SECOND = dt.date(2026, 11, 20), dt.date(2026, 11, 27)
TIMEOUT = 60  # seconds, for each chromium run
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
PWNED = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
EVIL = {"evil-script-4000": SCRIPT, "evil-img-4000": IMG, "evil-pwned-4000": PWNED}
METADATA = {"portal_url": "https://clusters.wallonie.be",
            "source": "DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) du SPW"}

if CHROMIUM is None:
    pytest.skip("chromium not installed: `apt-get install chromium` (make test installs it)",
                allow_module_level=True)


def passing_report(tables):
    """The checks of `tables` against an overview that agrees with their shares."""
    kinds = {r["member_id"]: (r.get("member_type"), r.get("size_class"))
             for r in tables.members.to_dict("records")}
    of = [kinds[m] for m in tables.memberships["member_id"]]
    overview = make_overview(
        tables, company_share_pct=percent_half_up(sum(t == "company" for t, _ in of), len(of)),
        sme_share_pct=percent_half_up(sum(k == ("company", "sme") for k in of), len(of)))
    report = validate(tables, overview)
    assert report.status == "pass", [c.to_dict() for c in report.failed]
    return report


def publish_two_releases(out: Path) -> None:
    first = make_tables()
    publish.write_release(first, passing_report(first), out, FIRST, METADATA)
    members = MEMBER_ROWS + [{"member_id": k, "name": v, "member_type": "other",
                              "postal_code": "4000", "city": "Liège"} for k, v in EVIL.items()]
    pairs = MEMBERSHIP_PAIRS + [("aresa", "evil-script-4000"), ("tweed", "evil-img-4000"),
                                ("tweed", "evil-pwned-4000")]
    second = make_tables(pairs=pairs, member_rows=members)
    publish.write_release(second, passing_report(second), out, SECOND, METADATA)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(output folder, base URL) of two published releases served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("site")
    publish_two_releases(out)
    handler = functools.partial(QuietHandler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


def chromium(tmp_path: Path, *args: str) -> str:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
               *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        # An alert() that ran keeps headless chromium waiting on its dialog: this is how a
        # script that got through usually shows.
        pytest.fail(f"chromium did not finish within {TIMEOUT} s (a script's alert dialog?): "
                    f"{args[-1]}")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(tmp_path: Path, url: str) -> BeautifulSoup:
    dom = chromium(tmp_path, "--dump-dom", url)
    assert "</html>" in dom, dom[-500:]
    return BeautifulSoup(dom, "html.parser")


def assert_links_resolve(doc: BeautifulSoup, page_url: str, base_url: str, out: Path) -> list[str]:
    """Every relative href/src of the page is a file under `out`; returns the absolute URLs."""
    external = []
    targets = [a["href"] for a in doc.find_all("a", href=True)] + [
        img["src"] for img in doc.find_all("img")]
    assert targets
    for target in targets:
        url = urljoin(page_url, target)
        if not url.startswith(base_url):
            assert urlsplit(url).scheme in ("http", "https"), target
            external.append(url)
            continue
        path = unquote(urlsplit(url).path).lstrip("/")
        assert (out / path).is_file(), f"{target} on {page_url} is not a published file"
    return external


def assert_inert(doc: BeautifulSoup) -> None:
    assert not doc.find_all("script")
    assert not [(el.name, a) for el in doc.find_all(True) for a in el.attrs if a.startswith("on")]
    assert doc.body is not None and "data-pwned" not in doc.body.attrs


def test_release_page_shows_payloads_as_text_and_links_only_published_files(site, tmp_path):
    out, base = site
    url = f"{base}releases/{SECOND.isoformat()}/index.html"
    doc = dump_dom(tmp_path, url)
    assert_inert(doc)
    changes = doc.find(id="changes").get_text()
    for name in EVIL.values():
        assert name in changes  # shown as text, in the changes section
    assert [img["src"] for img in doc.find_all("img")] == ["member-types.svg"]
    external = assert_links_resolve(doc, url, base, out)
    assert all(not u.startswith("http://127.0.0.1") for u in external)
    assert "https://clusters.wallonie.be/" in {urljoin(u, "/") for u in external}
    # the copy in latest/ links the same files relative to itself
    latest = f"{base}latest/index.html"
    latest_doc = dump_dom(tmp_path, latest)
    assert_inert(latest_doc)
    assert_links_resolve(latest_doc, latest, base, out)


def test_root_index_lists_both_releases_and_links_only_published_files(site, tmp_path):
    out, base = site
    doc = dump_dom(tmp_path, base + "index.html")
    assert_inert(doc)
    hrefs = [a["href"] for a in doc.find_all("a", href=True)]
    newest_first = hrefs.index(f"releases/{SECOND}/index.html") < hrefs.index(
        f"releases/{FIRST}/index.html")
    assert newest_first
    assert "latest/index.html" in hrefs
    assert_links_resolve(doc, base + "index.html", base, out)


def test_phone_width_screenshot(site, tmp_path):
    _, base = site
    png = tmp_path / "page.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=412,2000", "--hide-scrollbars",
             f"{base}releases/{SECOND.isoformat()}/index.html")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (412, 2000)
    assert len(data) > 20_000  # text and tables, not a blank page
