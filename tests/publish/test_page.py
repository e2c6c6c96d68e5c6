"""The download pages: a release's index.html and the output folder's index.html, from factory
tables, a hand-written report and changes, in a folder holding the files the page lists."""

import datetime as dt
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from cluster_etl.publish import chart, page, writers
from cluster_etl.publish.metadata import dumps, sha256
from cluster_etl.publish.page_style import human_size
from cluster_etl.schema import SNAPSHOT_TABLES, TABLES
from tests.tables_factory import AS_OF, MEMBER_ROWS, MEMBERSHIP_PAIRS, frame, make_tables

DAY, PREVIOUS = dt.date(2026, 11, 27), dt.date(2026, 11, 20)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
EVIL_MEMBERS = [{"member_id": "evil-script-4000", "name": SCRIPT, "member_type": "other"},
                {"member_id": "evil-img-4000", "name": IMG, "member_type": "other"}]
METADATA = {"title": "Clusters <b>wallons</b>", "portal_url": "https://clusters.wallonie.be",
            "source": 'SPW "DGO6" <i>', "base_url": "https://data.example.be/clusters/",
            "licenses": [{"name": "CC-BY-4.0", "title": "CC BY 4.0",
                          "path": "https://creativecommons.org/licenses/by/4.0/"}]}
REPORT = {"status": "pass", "checks": [
    {"name": "schema:clusters", "status": "pass", "expected": 0, "observed": 0, "detail": ""},
    {"name": "cluster_member_count:tweed", "status": "warn", "expected": 2, "observed": 3,
     "detail": "tweed lists 3 members, declares 2"},
    *({"name": "enterprise_number_invalid", "status": "warn", "expected": "valid", "observed": n,
       "detail": f"member page {i}: published {n!r} <bad>"}
      for i, n in enumerate(["0123.456.789", "12", "x", "0000.000.000", "1", "2"]))]}
CHANGES = {
    "release": DAY.isoformat(), "previous_release": PREVIOUS.isoformat(),
    "members": {"added": ["evil-img-4000", "evil-script-4000"], "removed": ["gone-7000"],
                "changed": [{"member_id": "BE0123456749", "fields": {"phone": ["1", "2"]}}]},
    "memberships": {"added": [{"cluster_id": "aresa", "member_id": "evil-script-4000"},
                              {"cluster_id": "tweed", "member_id": "evil-img-4000"}],
                    "removed": [{"cluster_id": "tweed", "member_id": "gone-7000"}]},
    "clusters": {"added": [], "removed": [], "changed": []},
    "counts": {"clusters": {"before": 2, "after": 2, "added": 0, "removed": 0, "changed": 0},
               "members": {"before": 3, "after": 6, "added": 2, "removed": 1, "changed": 1},
               "memberships": {"before": 6, "after": 7, "added": 2, "removed": 1}}}


def release_frames():
    members = MEMBER_ROWS + EVIL_MEMBERS
    pairs = MEMBERSHIP_PAIRS + [("aresa", "evil-script-4000"), ("tweed", "evil-img-4000")]
    tables = make_tables(pairs=pairs, member_rows=members)
    frames = {name: getattr(tables, name) for name in SNAPSHOT_TABLES}
    frames["membership_history"] = frame("membership_history", [
        {"cluster_id": c, "member_id": m, "first_seen": PREVIOUS, "last_seen": DAY}
        for c, m in pairs])
    return frames


def names(frames):
    return {"members": dict(zip(frames["members"]["member_id"], frames["members"]["name"])),
            "clusters": {"aresa": "ARESA <Recherche>"}}  # tweed has no name: its id shows


@pytest.fixture
def release(tmp_path):
    """A release folder with every data file but one (membership_history.parquet) and the
    whole-release files the page lists, then its index.html."""
    folder = tmp_path / "releases" / DAY.isoformat()
    folder.mkdir(parents=True)
    frames = release_frames()
    for name, table in TABLES.items():
        writers.write_csv(frames[name], table, folder / f"{name}.csv")
        writers.write_json(frames[name], table, folder / f"{name}.json")
        if name != "membership_history":
            writers.write_parquet(frames[name], table, folder / f"{name}.parquet", DAY)
    chart.write_member_type_chart(frames["member_types"], folder, AS_OF)
    (folder / "validation.json").write_text(dumps(REPORT), encoding="utf-8")
    (folder / "changes.json").write_text(dumps(CHANGES), encoding="utf-8")
    (folder / "README.md").write_text("# readme\n", encoding="utf-8")
    path = page.write_release_page(folder, frames, REPORT, CHANGES, names(frames), DAY, AS_OF,
                                   METADATA)
    assert path == folder / "index.html"
    return folder, frames, path.read_text(encoding="utf-8")


def soup(text):
    return BeautifulSoup(text, "html.parser")


def test_every_table_is_listed_with_its_row_count_and_columns(release):
    _, frames, text = release
    doc = soup(text)
    for name, table in TABLES.items():
        section = doc.find("section", id=f"table-{name}")
        assert table.title in section.get_text() and table.description in section.get_text()
        assert f"{len(frames[name])} rows" in section.get_text()
        columns = section.find("details")
        assert [row.find("td").get_text() for row in columns.find("tbody").find_all("tr")] == \
            table.column_names


def test_each_file_present_has_its_size_sha256_and_relative_link(release):
    folder, _, text = release
    doc = soup(text)
    rows = {tr.find("a")["href"]: tr for tr in doc.find_all("tr") if tr.find("a")}
    listed = [f"{t}.{fmt}" for t in TABLES for fmt in ("csv", "json", "parquet")] + [
        "member-types.svg", "validation.json", "changes.json", "README.md"]
    for name in listed:
        if name == "membership_history.parquet":
            assert name not in rows  # not in the folder: not listed
            continue
        cells = [td.get_text() for td in rows[name].find_all("td")]
        assert cells[2] == human_size((folder / name).stat().st_size)
        code = rows[name].find("code")
        assert code.get_text() == code["title"] == sha256(folder / name)
    for absent in ("cluster-etl.xlsx", "cluster-etl.sqlite", "CHANGES.md"):
        assert absent not in rows
    # written after the page, linked all the same
    hrefs = [a["href"] for a in doc.find_all("a")]
    for later in ("datapackage.json", "catalog.ttl", "SHA256SUMS"):
        assert later in hrefs


def test_data_and_metadata_are_escaped_everywhere(release):
    _, _, text = release
    assert SCRIPT not in text and IMG not in text and "<b>wallons" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "ARESA &lt;Recherche&gt;" in text and "SPW &quot;DGO6&quot; &lt;i&gt;" in text
    doc = soup(text)
    assert not doc.find_all(["script", "link", "iframe", "object", "embed", "b", "i"])
    assert not [el for el in doc.find_all(True) if any(a.startswith("on") for a in el.attrs)]
    # the evil names are in the changes, the chart's alt text and (not) anywhere else as markup
    changes_text = doc.find("section", id="changes").get_text()
    assert SCRIPT in changes_text and IMG in changes_text


def test_nothing_is_loaded_from_elsewhere_and_only_http_urls_are_links(release):
    _, _, text = release
    doc = soup(text)
    assert [img["src"] for img in doc.find_all("img")] == ["member-types.svg"]
    assert "member-types.svg" in [a["href"] for a in doc.find_all("a")]
    absolute = sorted({a["href"] for a in doc.find_all("a") if ":" in a["href"]})
    assert absolute == ["https://clusters.wallonie.be",
                        "https://creativecommons.org/licenses/by/4.0/",
                        "https://data.example.be/clusters/",
                        "https://data.example.be/clusters/releases/2026-11-27/"]
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in text
    assert '<html lang="en">' in text


def test_a_javascript_url_in_the_metadata_stays_text(tmp_path):
    frames = release_frames()
    metadata = {"portal_url": "javascript:alert(3)", "base_url": "ftp://x/",
                "licenses": [{"name": "odd", "path": "data:text/html,<script>alert(4)</script>"}]}
    text = page.release_page_html(tmp_path, frames, REPORT, CHANGES, {}, DAY, None, metadata)
    doc = soup(text)
    hrefs = [a["href"] for a in doc.find_all("a")]
    assert not [h for h in hrefs if h.startswith(("javascript:", "data:", "ftp:"))]
    assert "javascript:alert(3)" in doc.get_text() and not doc.find_all("script")
    assert "Figures as of" in text and "n/a" in text


def test_validation_groups_findings_by_family(release):
    _, _, text = release
    section = soup(text).find("section", id="validation")
    words = " ".join(section.get_text().split())
    assert "pass · 1 passed, 7 warnings, 0 failed" in words
    assert "enterprise_number_invalid ×6" in words and "cluster_member_count ×1" in words
    assert "member page 0: published '0123.456.789' <bad>" in words
    assert "member page 2" in words and "member page 3" not in words
    assert "… and 3 more in validation.json" in words


def test_changes_name_who_joined_and_left_which_cluster(release):
    _, _, text = release
    section = soup(text).find("section", id="changes")
    items = {" ".join(li.find("strong").get_text().split()):
             " ".join(li.get_text().split()) for li in section.find_all("li") if li.find("strong")}
    assert items["ARESA <Recherche>"] == f"ARESA <Recherche> joined: {SCRIPT}"
    assert items["tweed"] == f"tweed joined: {IMG} left: gone-7000"  # ids without a name
    assert "Société Générale d'Électricité: phone" in section.get_text()
    counts = [[td.get_text() for td in tr.find_all("td")] for tr in section.find("tbody")("tr")]
    assert counts[1] == ["members", "3", "6", "2", "1", "1"]
    assert counts[2] == ["memberships", "6", "7", "2", "1", "—"]


def test_first_release_and_missing_changes_do_not_list_everything(tmp_path):
    frames = release_frames()
    first = dict(CHANGES, previous_release=None)
    text = page.release_page_html(tmp_path, frames, REPORT, first, names(frames), DAY, AS_OF, {})
    assert "nothing to compare with" in text and SCRIPT not in soup(text).get_text()
    text = page.release_page_html(tmp_path, frames, {}, {}, {}, DAY, AS_OF, {})
    assert "no record of changes" in text


def test_member_types_chart_and_breakdown_of_all_clusters(release):
    _, frames, text = release
    section = soup(text).find("section", id="member-types")
    img = section.find("img")
    assert img["src"] == "member-types.svg" and "Entreprises (PME) : 3 (43 %)" in img["alt"]
    rows = [[td.get_text() for td in tr("td")] for tr in section.find("tbody")("tr")]
    assert ["Entreprises (PME)", "3", "43 %"] in rows and ["Autres", "2", "29 %"] in rows
    assert rows[-1] == ["All memberships", "7", "100 %"]
    assert "57 % companies, 43 % SMEs" in section.get_text()


def test_human_sizes():
    assert [human_size(n) for n in (0, 999, 1000, 12_345, 999_949, 999_950, 4_100_000)] == \
        ["0 B", "999 B", "1.0 kB", "12.3 kB", "999.9 kB", "1.0 MB", "4.1 MB"]


# --- root index --------------------------------------------------------------------------------

def write_small_release(out: Path, day: dt.date, *, validation=True, changes=None, pairs=None):
    folder = out / "releases" / day.isoformat()
    folder.mkdir(parents=True)
    tables = make_tables(pairs=pairs)
    for name in ("clusters", "members", "memberships"):
        writers.write_parquet(getattr(tables, name), TABLES[name], folder / f"{name}.parquet", day)
    (folder / "datapackage.json").write_text(json.dumps(
        {"title": "Clusters & <members>", "cluster_etl": {"release_date": day.isoformat(),
                                                          "as_of": "2008-06-30"}}))
    if validation:
        (folder / "validation.json").write_text(json.dumps({"status": "pass", "checks": []}))
    if changes is not None:
        (folder / "changes.json").write_text(json.dumps(changes))
    (folder / "index.html").write_text("<!DOCTYPE html>")
    return folder


def test_root_index_lists_releases_newest_first_and_survives_missing_files(tmp_path):
    first = write_small_release(tmp_path, PREVIOUS, changes=dict(CHANGES, previous_release=None))
    # the reference date may only be in the package's temporal coverage
    (first / "datapackage.json").write_text(json.dumps({"temporal": {"as_of": "2008-06-30"}}))
    newest = write_small_release(tmp_path, DAY, validation=False, changes=CHANGES,
                                 pairs=MEMBERSHIP_PAIRS[:3])
    bare = tmp_path / "releases" / "2026-11-13"
    bare.mkdir()  # a release folder with nothing in it
    (tmp_path / "releases" / "notes").mkdir()  # not a release
    (tmp_path / "releases" / "2026-11-06.txt").write_text("")
    path = page.write_root_index(tmp_path)
    assert path == tmp_path / "index.html"
    text = path.read_text(encoding="utf-8")
    doc = soup(text)
    rows = [[" ".join(td.get_text().split()) for td in tr("td")] for tr in doc.find("tbody")("tr")]
    assert [r[0] for r in rows] == ["2026-11-27", "2026-11-20", "2026-11-13"]
    assert rows[0][1:6] == ["2008-06-30", "2", "4", "3", "n/a"]  # no validation.json
    assert rows[0][6] == ("vs 2026-11-20: clusters +0 −0 ~0; members +2 −1 ~1; "
                          "memberships +2 −1")
    assert rows[1][1:7] == ["2008-06-30", "2", "4", "5", "pass", "first release"]
    assert rows[2] == ["2026-11-13", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]
    hrefs = [a["href"] for a in doc.find_all("a")]
    assert "releases/2026-11-27/index.html" in hrefs
    assert "releases/2026-11-13/index.html" not in hrefs  # that folder has no page
    assert "latest/index.html" not in hrefs  # no latest/ yet
    assert "Clusters &amp; &lt;members&gt;" in text  # the newest release's title, escaped
    # counts fall back on changes.json when the Parquet file is gone
    (newest / "memberships.parquet").unlink()
    text = page.root_index_html(tmp_path)
    assert soup(text).find("tbody")("tr")[0]("td")[4].get_text() == "7"


def test_root_index_links_latest_when_it_exists(tmp_path):
    write_small_release(tmp_path, DAY)
    latest = tmp_path / "latest"
    latest.mkdir()
    (latest / "index.html").write_text("<!DOCTYPE html>")
    (latest / "datapackage.json").write_text(
        json.dumps({"cluster_etl": {"release_date": "2026-11-27"}}))
    doc = soup(page.write_root_index(tmp_path).read_text(encoding="utf-8"))
    link = doc.find("a", class_="latest")
    assert link["href"] == "latest/index.html" and "2026-11-27" in link.get_text()


def test_root_index_of_an_empty_folder(tmp_path):
    assert "No release yet." in page.root_index_html(tmp_path)
