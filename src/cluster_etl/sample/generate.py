"""Deterministic sample portal: the cluster portal as SPEC.md describes it on 30 June 2008.

`write_sample_portal(root, seed, week)` writes a static site whose folders mirror the URL paths;
server.py adds the two rewrites a static server lacks (`membres.html?page=N` ->
`membres.page-N.html`, and the old form `/X/...` -> `/sites/X/...`). One `random.Random(seed)`
drives every choice of week 0: the same seed gives byte-identical files. model.py draws the
organisations and their directory entries, weeks.py applies later weeks (members joining, leaving,
moving, changing; pages re-noised) with random generators of their own, render.py turns them into
HTML; this module writes the files and returns the manifest, with the ground truth of a later
week versus week 0. Rewriting a folder with another week removes the detail and directory pages
the new week no longer has and leaves unchanged files alone (their mtime, the server's
Last-Modified, included).

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

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from cluster_etl.sample import places as P
from cluster_etl.sample.model import TYPE_TARGETS, Entry, Org, label_type, make_entries, make_organisations
from cluster_etl.sample.render import (FORMATS, OVERVIEW_PATH, render_directory, render_home, render_member,
                                       render_overview)
from cluster_etl.sample.weeks import WeekChanges, apply_weeks

__all__ = ["SampleManifest", "build_manifest", "write_sample_portal"]

AS_OF = "2008-06-30"
COMPANY_PCT, SME_PCT = 75, 64  # the 2008 overview's figures
MISMATCH_CLUSTER, MISSING_PAGE_CLUSTER = "photonique", "logistics-in-wallonia"


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
    # Ground truth of a week >= 1 versus week 0 (empty for week 0); see weeks.py and WeekChanges.
    week: int = 0
    joined: list[tuple[str, str]] = field(default_factory=list)  # (cluster_id, member_id): new, moved in
    left: list[tuple[str, str]] = field(default_factory=list)  # (cluster_id, member_id): gone, moved out
    members_added: list[str] = field(default_factory=list)
    members_removed: list[str] = field(default_factory=list)
    members_changed: dict[str, list[str]] = field(default_factory=dict)  # member_id -> members columns
    renoised_paths: list[str] = field(default_factory=list)  # detail pages changed by noise only


def pct(part: int, whole: int) -> int:
    return (200 * part + whole) // (2 * whole)  # round half up



ROBOTS = "User-agent: *\nDisallow: /intranet/\nDisallow: /sites/*/membres-prives/\n"


def _add_file(files: dict[str, bytes], url_path: str, text: str, encoding: str = "utf-8") -> None:
    files[url_path] = text.encode(encoding, "xmlcharrefreplace")


def _write_files(root: Path, files: dict[str, bytes]) -> None:
    """Write what changed; remove the .html pages under sites/ that an earlier write left."""
    for url_path, data in files.items():
        path = root / url_path.lstrip("/")
        if not (path.is_file() and path.read_bytes() == data):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    wanted = {root / url_path.lstrip("/") for url_path in files}
    for path in sorted((root / "sites").rglob("*.html")):
        if path not in wanted:
            path.unlink()


@dataclass
class SampleDraw:
    """Week 0's organisations and entries, and the entries its quirks fall on: the member page
    that is missing (404) and the two pages in ISO-8859-1 (charset by <meta>, by header)."""

    orgs: list[Org]
    by_cluster: dict[str, list[Entry]]
    missing: Entry
    meta_page: Entry
    header_page: Entry

    @property
    def frozen(self) -> list[Entry]:
        """The entries later weeks leave alone."""
        return [self.missing, self.meta_page, self.header_page]


def draw_sample(seed: int = 2008) -> SampleDraw:
    """Every draw of week 0, in the one order that keeps the sample byte-identical."""
    rng = random.Random(seed)
    orgs = make_organisations(rng)
    by_cluster = make_entries(rng, orgs)
    all_entries = [e for entries in by_cluster.values() for e in entries]
    missing = rng.choice([e for e in by_cluster[MISSING_PAGE_CLUSTER]
                          if len(e.org.clusters) == 1 and e.org.number_valid])
    latin = [e for e in all_entries if e is not missing and len(e.org.clusters) == 1
             and not e.city.isascii()]
    meta_page, header_page = rng.sample(latin, 2)
    return SampleDraw(orgs, by_cluster, missing, meta_page, header_page)


def write_sample_portal(root: Path, seed: int = 2008, week: int = 0) -> SampleManifest:
    """Write the sample portal of `week` (0: 30 June 2008; N: N weeks of changes later) under `root`."""
    draw = draw_sample(seed)
    orgs, by_cluster = draw.orgs, draw.by_cluster
    missing, meta_page, header_page = draw.missing, draw.meta_page, draw.header_page
    changes = apply_weeks(seed, week, orgs, by_cluster, frozen=draw.frozen)
    headers = {meta_page.path: "text/html", header_page.path: "text/html; charset=iso-8859-1"}
    declared = {c: len(es) + (c == MISMATCH_CLUSTER) for c, es in by_cluster.items()}
    pages: dict[str, int] = {}
    files: dict[str, bytes] = {}
    _add_file(files, "/robots.txt", ROBOTS)
    _add_file(files, OVERVIEW_PATH, render_overview())
    for i, c in enumerate(P.CLUSTERS):
        cid = c.cluster_id
        _add_file(files, f"/sites/{cid}/home.html", render_home(i, c, declared[cid]))
        directory = render_directory(i, c, by_cluster[cid])
        pages[cid] = len(directory)
        for p, text in enumerate(directory, 1):
            _add_file(files, f"/sites/{cid}/home/membres{'' if p == 1 else f'.page-{p}'}.html", text)
        for e in by_cluster[cid]:
            if e is meta_page:
                _add_file(files, e.path, render_member(i, e, '<meta charset="iso-8859-1">'), "iso-8859-1")
            elif e is header_page:
                _add_file(files, e.path, render_member(i, e, ""), "iso-8859-1")
            elif e is not missing:
                _add_file(files, e.path, render_member(i, e))
    _add_file(files, "/_headers.json", json.dumps(headers, indent=2, sort_keys=True) + "\n")
    _write_files(Path(root), files)
    return build_manifest(seed, orgs, by_cluster, declared, pages, missing, meta_page, header_page,
                          len(files), week, changes)


def build_manifest(seed: int, orgs: list[Org], by_cluster: dict[str, list[Entry]], declared: dict[str, int],
                   pages: dict[str, int], missing: Entry, meta_page: Entry, header_page: Entry,
                   files: int, week: int = 0, changes: WeekChanges | None = None) -> SampleManifest:
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
        member_pages=len(entries) - 1, files=files, week=week, **vars(changes or WeekChanges()))
