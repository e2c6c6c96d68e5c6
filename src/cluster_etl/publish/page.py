"""The download pages: index.html of a release (files, hashes, columns, checks, changes, chart)
and the output folder's index.html listing every release.

Plain HTML5 with inline CSS (page_style.py): no script and nothing loaded from elsewhere, so the
pages work from any static host or a copied folder. Links between files are relative; only
URLs taken from the metadata or the data are absolute, and only when they are http(s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from cluster_etl.publish import series
from cluster_etl.publish.metadata import RELEASE_FILES as RELEASE_FILE_TITLES
from cluster_etl.publish.metadata import (
    CHART,
    CHECKSUMS,
    DATABASE,
    DEFAULT_DESCRIPTION,
    DEFAULT_LICENSE,
    DEFAULT_SOURCE_BODY,
    DEFAULT_TITLE,
    FORMAT_LABELS,
    WORKBOOK,
    data_source,
    sha256,
)
from cluster_etl.publish.page_breakdowns import member_types_section, sectors_section
from cluster_etl.publish.page_changes import changes_section
from cluster_etl.publish.page_style import (
    document,
    esc,
    external_link,
    file_link,
    human_size,
    is_web_url,
    link,
    status_badge,
    table_html,
)
from cluster_etl.schema import TABLES, Table

PAGE = "index.html"
# Whole-release files, in the order the page lists them, with what each holds.
RELEASE_FILES = {name: RELEASE_FILE_TITLES[name][0] for name in (
    WORKBOOK, DATABASE, CHART, "validation.json", "changes.json", "CHANGES.md", "README.md")}
# Written after the page: linked whether or not they exist yet.
DESCRIPTORS = {
    "datapackage.json": "Frictionless Data Package: licence, sources, table schemas, run metadata",
    "catalog.ttl": RELEASE_FILE_TITLES["catalog.ttl"][0],
    CHECKSUMS: f"SHA-256 of every file; check a download with sha256sum -c {CHECKSUMS}",
}
FINDINGS_SHOWN = 3  # per family of failing or warning checks


# --- release page ------------------------------------------------------------------------------

def _file_row(folder: Path, name: str, label: str) -> list[str]:
    path = folder / name
    digest = sha256(path)
    return [file_link(name), esc(label), human_size(path.stat().st_size),
            f'<code class="sha" title="{digest}">{digest}</code>']


def _license(metadata: dict[str, Any]) -> str:
    licence = (metadata.get("licenses") or [DEFAULT_LICENSE])[0]
    if not isinstance(licence, dict):
        return esc(licence)
    name = licence.get("title") or licence.get("name") or "n/a"
    return external_link(licence["path"], name) if licence.get("path") else esc(name)


def _header(metadata: dict[str, Any], release_date: dt.date, as_of: dt.date | None) -> str:
    facts = [
        ("Release", esc(release_date.isoformat())),
        ("Figures as of", esc(as_of.isoformat() if as_of else "n/a")),
        ("Source", f"{esc(metadata.get('source') or DEFAULT_SOURCE_BODY)}, " + (
            external_link(data_source(metadata)[1]) if data_source(metadata)[1]
            else esc(data_source(metadata)[0]))),
        ("Licence", _license(metadata)),
    ]
    publisher = metadata.get("publisher")
    if isinstance(publisher, dict):
        publisher = publisher.get("name") or publisher.get("title")
    if publisher:
        facts.append(("Publisher", esc(publisher)))
    base_url = metadata.get("base_url")
    if is_web_url(base_url):
        base = str(base_url).rstrip("/") + "/"
        facts.append(("Permanent address",
                      external_link(f"{base}releases/{release_date.isoformat()}/")))
        facts.append(("All releases", external_link(base)))
    rows = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    describe = " · ".join(link(name, name) for name in DESCRIPTORS)
    return (f"<header>\n<h1>{esc(metadata.get('title') or DEFAULT_TITLE)}</h1>\n"
            f"<p>{esc(metadata.get('description') or DEFAULT_DESCRIPTION)}</p>\n"
            f'<dl class="facts">\n{rows}\n</dl>\n<p>Described by: {describe}</p>\n'
            '<nav><p><a href="#tables">Tables</a> · <a href="#files">Other files</a> · '
            '<a href="#validation">Validation</a> · <a href="#changes">Changes</a> · '
            '<a href="#member-types">Member types</a> · <a href="#sectors">Sectors</a></p></nav>\n'
            '</header>')


def _columns(table: Table) -> str:
    rows = []
    for c in table.columns:
        allowed = f" One of: {', '.join(c.enum)}." if c.enum else ""
        rows.append([f"<code>{esc(c.name)}</code>", esc(c.type), "yes" if c.required else "no",
                     esc(c.description + allowed)])
    listing = table_html(["column", "type", "required", "description"], rows, css_class="wide")
    return (f"<details><summary>Columns ({len(table.columns)})</summary>\n{listing}\n"
            "</details>")


def _table_section(folder: Path, table: Table, frame: pd.DataFrame | None) -> str:
    count = f"{len(frame):,} rows" if frame is not None else "rows: n/a"
    files = [_file_row(folder, f"{table.name}.{fmt}", FORMAT_LABELS[fmt])
             for fmt in FORMAT_LABELS if (folder / f"{table.name}.{fmt}").is_file()]
    listing = (table_html(["file", "format", "size", "SHA-256"], files, numeric=[2],
                          css_class="files")
               if files else '<p class="muted">No file of this table in this release.</p>')
    return (f'<section id="table-{esc(table.name)}">\n'
            f"<h3>{esc(table.title)} (<code>{esc(table.name)}</code>)</h3>\n"
            f"<p>{esc(table.description)} <strong>{count}</strong>.</p>\n"
            f"{listing}\n{_columns(table)}\n</section>")


def _files_section(folder: Path) -> str:
    present = [_file_row(folder, name, what) for name, what in RELEASE_FILES.items()
               if (folder / name).is_file()]
    listing = (table_html(["file", "contents", "size", "SHA-256"], present, numeric=[2],
                          css_class="files")
               if present else "")
    described = "".join(f"<li>{link(name, name)}: {esc(what)}</li>"
                        for name, what in DESCRIPTORS.items())
    return (f'<section id="files">\n<h2>Other files</h2>\n{listing}\n'
            f'<ul class="compact">{described}</ul>\n</section>')


def _check_line(check: dict[str, Any], family: str) -> str:
    detail = check.get("detail") or (f"expected {check.get('expected')!r}, "
                                     f"observed {check.get('observed')!r}")
    name = str(check.get("name"))
    return (f"<li>{esc(detail)}</li>\n" if name == family
            else f"<li><code>{esc(name)}</code>: {esc(detail)}</li>\n")


def _validation_section(report: dict[str, Any]) -> str:
    checks = [c for c in report.get("checks") or [] if isinstance(c, dict)]
    counts = {s: sum(c.get("status") == s for c in checks) for s in ("pass", "warn", "fail")}
    families: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for status in ("fail", "warn"):
        for c in checks:
            if c.get("status") == status:
                family = str(c.get("name") or "unnamed").split(":", 1)[0]
                families.setdefault((status, family), []).append(c)
    items = []
    for (status, family), members in families.items():
        shown = "".join(_check_line(c, family) for c in members[:FINDINGS_SHOWN])
        more = len(members) - FINDINGS_SHOWN
        rest = (f"<li>… and {more} more in {link('validation.json', 'validation.json')}</li>"
                if more > 0 else "")
        items.append(f"<li>{status_badge(status)} <strong>{esc(family)}</strong> ×{len(members)}"
                     f'\n<ul class="compact">\n{shown}{rest}</ul></li>\n')
    listing = f'<ul class="compact">\n{"".join(items)}\n</ul>' if items else ""
    return (f'<section id="validation">\n<h2>Validation</h2>\n'
            f"<p>Overall: {status_badge(report.get('status'))} · {counts['pass']} passed, "
            f"{counts['warn']} warnings, {counts['fail']} failed "
            f"({link('validation.json', 'validation.json')})</p>\n{listing}\n</section>")


def release_page_html(folder: Path, frames: dict[str, pd.DataFrame], report: dict[str, Any],
                      changes: dict[str, Any], names: dict[str, dict[str, str]],
                      release_date: dt.date, as_of: dt.date | None,
                      metadata: dict[str, Any]) -> str:
    folder = Path(folder)
    tables = "\n".join(_table_section(folder, t, frames.get(n)) for n, t in TABLES.items())
    body = "\n".join([
        _header(metadata, release_date, as_of),
        f'<main>\n<section id="tables">\n<h2>Tables</h2>\n{tables}\n</section>',
        _files_section(folder),
        _validation_section(report or {}),
        changes_section(changes or {}, names or {}),
        member_types_section(folder, frames.get("member_types")),
        sectors_section(frames.get("member_sectors"), frames.get("clusters")),
        "</main>",
        f"<footer>Published by {esc(metadata.get('tool') or 'cluster-etl')}.</footer>",
    ])
    title = f"{metadata.get('title') or DEFAULT_TITLE}: release {release_date.isoformat()}"
    return document(title, body)


def write_release_page(folder: Path, frames: dict[str, pd.DataFrame], report: dict[str, Any],
                       changes: dict[str, Any], names: dict[str, dict[str, str]],
                       release_date: dt.date, as_of: dt.date | None,
                       metadata: dict[str, Any]) -> Path:
    """folder/index.html, listing the files already written in `folder`."""
    path = Path(folder) / PAGE
    path.write_text(release_page_html(folder, frames, report, changes, names, release_date, as_of,
                                      metadata), encoding="utf-8", newline="")
    return path


# --- root index --------------------------------------------------------------------------------

def _read_json(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        value = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(value, dict):
            return value
    return {}


def _row_count(folder: Path, table: str, changes: dict[str, Any]) -> str:
    with contextlib.suppress(Exception):  # a missing or damaged file shows n/a
        return f"{pq.read_metadata(folder / f'{table}.parquet').num_rows:,}"
    counts = (changes.get("counts") or {}).get(table)
    after = counts.get("after") if isinstance(counts, dict) else None
    return f"{after:,}" if isinstance(after, int) else "n/a"


def _change_counts(changes: dict[str, Any]) -> str:
    if not changes:
        return "n/a"
    if changes.get("previous_release") is None:
        return "first release"
    parts = []
    for table, counts in (changes.get("counts") or {}).items():
        if isinstance(counts, dict):
            figures = [f"{sign}{counts[key]}" for key, sign in
                       (("added", "+"), ("removed", "−"), ("changed", "~")) if key in counts]
            parts.append(f'<span class="nowrap">{esc(table)} {esc(" ".join(figures))}</span>')
    previous = f'<span class="nowrap">vs {esc(changes["previous_release"])}:</span>'
    return f"{previous} " + "; ".join(parts) if parts else "n/a"


def _release_row(out_dir: Path, day: str) -> list[str]:
    folder = out_dir / series.RELEASES / day
    package = _read_json(folder / "datapackage.json")
    as_of = ((package.get("cluster_etl") or {}).get("as_of")
             or (package.get("temporal") or {}).get("as_of") or "n/a")
    changes = _read_json(folder / "changes.json")
    page = f"{series.RELEASES}/{day}/{PAGE}"
    date_cell = (link(page, day, **{"class": "nowrap"}) if (folder / PAGE).is_file()
                 else f'<span class="nowrap">{esc(day)}</span>')
    return [date_cell, f'<span class="nowrap">{esc(as_of)}</span>',
            *(_row_count(folder, t, changes) for t in ("clusters", "members", "memberships")),
            status_badge(_read_json(folder / "validation.json").get("status")),
            _change_counts(changes)]


def root_index_html(out_dir: Path) -> str:
    out_dir = Path(out_dir)
    days = [d.isoformat() for d in reversed(series.release_dates(out_dir))]  # newest first
    newest = (_read_json(out_dir / series.RELEASES / days[0] / "datapackage.json") if days
              else {})
    title = newest.get("title") or DEFAULT_TITLE
    latest = ""
    if (out_dir / series.LATEST / PAGE).is_file():
        latest_date = series.latest_date(out_dir)
        latest = link(f"{series.LATEST}/{PAGE}",
                      f"Latest release ({latest_date.isoformat() if latest_date else 'n/a'})",
                      **{"class": "latest"})
    rows = [_release_row(out_dir, day) for day in days]
    headers = ["release", "figures as of", "clusters", "members", "memberships", "validation",
               "changes vs previous release (+ added, − removed, ~ changed)"]
    listing = (table_html(headers, rows, numeric=[2, 3, 4], css_class="wide") if rows
               else "<p>No release yet.</p>")
    body = (f"<header>\n<h1>{esc(title)}</h1>\n"
            f"<p>{esc(newest.get('description') or DEFAULT_DESCRIPTION)}</p>\n{latest}\n</header>\n"
            f"<main>\n<h2>Releases</h2>\n{listing}\n"
            f"<p>Catalogue of the latest release, for data portals: {link('catalog.ttl', 'catalog.ttl')} "
            "(DCAT-AP, Turtle).</p>\n</main>")
    return document(title, body)


def write_root_index(out_dir: Path) -> Path:
    """out_dir/index.html: every release under out_dir/releases/, newest first."""
    path = Path(out_dir) / PAGE
    path.write_text(root_index_html(out_dir), encoding="utf-8", newline="")
    return path
