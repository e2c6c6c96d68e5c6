"""Release metadata: datapackage.json (Frictionless Data Package), README.md and SHA256SUMS.

Everything is generated from schema.py and from the run's metadata dict; nothing reads a clock,
so the same inputs give the same bytes.

Keys of `metadata` used for the package's standard fields (all optional): name, title,
description, homepage, version, created, licenses, contributors, keywords, sources, portal_url,
source (the body the portal names as source), retrieved_at (used for `created` when absent).
The whole dict is also kept, JSON-ready, under the package's "cluster_etl" key.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cluster_etl.publish.json_text import dumps, jsonable  # noqa: F401 - used by others
from cluster_etl.publish.writers import FORMULA_RULE
from cluster_etl.schema import TABLES, Table

DEFAULT_LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                   "title": "Creative Commons Attribution 4.0"}
DEFAULT_PORTAL_URL = "https://clusters.wallonie.be"
DEFAULT_SOURCE_BODY = "DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) du SPW"
DEFAULT_KEYWORDS = ["Wallonie", "Wallonia", "clusters", "réseaux d'entreprises", "business clusters",
                    "entreprises", "Belgium", "SPW"]
DEFAULT_TITLE = "Walloon business clusters and their members"
DEFAULT_DESCRIPTION = (
    "The business clusters recognised by Wallonia, their member organisations and the breakdown "
    "of memberships by member type, as published on the Walloon clusters portal, with the history "
    "of memberships across releases. Each table comes as CSV (RFC 4180, UTF-8), JSON (an array of "
    "records) and Parquet, and all of them in one Excel workbook and one SQLite database; "
    "validation.json lists the checks the release passed, changes.json what changed since the "
    "previous release.")
MEDIATYPES = {"csv": "text/csv", "json": "application/json",
              "parquet": "application/vnd.apache.parquet"}
FORMAT_LABELS = {"csv": "CSV", "json": "JSON", "parquet": "Parquet"}
CHECKSUMS = "SHA256SUMS"
WORKBOOK, DATABASE, CHART = "cluster-etl.xlsx", "cluster-etl.sqlite", "member-types.svg"
# The release's other files, in the data package when present: path -> (title, description,
# format, media type). datapackage.json cannot hold its own hash, and SHA256SUMS (written last)
# holds the hash of every other file, datapackage.json included.
RELEASE_FILES = {
    WORKBOOK: (
        "All tables as a workbook", "One sheet per table, header row frozen, typed columns (dates as "
        "dates, integers as numbers), every text cell a string and never a formula: the file for "
        "spreadsheet users.", "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    DATABASE: (
        "All tables as an SQLite database", "Every table with its primary and foreign keys and column "
        "types, for sqlite3, Datasette or DuckDB.", "sqlite", "application/vnd.sqlite3"),
    CHART: (
        "Chart: memberships by member type", "Ventilation par type de membre, with the shares of "
        "companies and SMEs recomputed from the data.", "svg", "image/svg+xml"),
    "validation.json": (
        "Validation report", "The checks this release passed, with expected and observed values, "
        "and the findings reported along the way.", "json", "application/json"),
    "changes.json": (
        "Changes since the previous release", "Members, memberships and clusters added, removed or "
        "changed against the newest earlier release in the same output folder.", "json",
        "application/json"),
    "CHANGES.md": ("Changes since the previous release (text)", "The same changes, for people.",
                   "md", "text/markdown"),
    "README.md": ("Description of the release", "The release's files, tables and columns.", "md",
                  "text/markdown"),
    "index.html": ("Download page", "The release's files with sizes and checksums, its tables and "
                   "columns, validation summary, changes and chart.", "html", "text/html"),
    "catalog.ttl": ("DCAT-AP catalogue", "DCAT-AP 3 description of the release for data portals.",
                    "ttl", "text/turtle"),
}


def data_source(metadata: dict[str, Any]) -> tuple[str, str | None]:
    """Where the release's rows come from, for people: (text, URL or None). The portal, or for
    an ingested listing the file by name and SHA-256."""
    listing = metadata.get("source_listing")
    if listing:
        return f"listing {listing.get('file')} (SHA-256 {listing.get('sha256')})", None
    url = metadata.get("portal_url") or DEFAULT_PORTAL_URL
    return url, url


# (path, inode, size, modification time) -> digest, while hashed_once() runs.
_digests: contextvars.ContextVar[dict[tuple[str, int, int, int], str] | None] = \
    contextvars.ContextVar("digests", default=None)


@contextlib.contextmanager
def hashed_once() -> Iterator[None]:
    """Within it, sha256 reads each file once: the release page, the catalog, datapackage.json
    and SHA256SUMS all give the digests of the same files. A file written again is read again."""
    token = _digests.set({})
    try:
        yield
    finally:
        _digests.reset(token)


def sha256(path: Path) -> str:
    memo = _digests.get()
    if memo is None:
        return _sha256(path)
    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in memo:
        memo[key] = _sha256(path)
    return memo[key]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def table_schema(table: Table) -> dict[str, Any]:
    """A Frictionless Table Schema for one table of schema.py."""
    fields = []
    for c in table.columns:
        constraints: dict[str, Any] = {"required": c.required}
        if c.enum is not None:
            constraints["enum"] = list(c.enum)
        if c.pattern is not None:
            constraints["pattern"] = c.pattern
        fields.append({"name": c.name, "type": c.type, "description": c.description,
                       "constraints": constraints})
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table.nullable_key_columns:
        # Table Schema makes primary-key fields required; this key may hold nulls (the
        # all-clusters rows), so it is declared as a unique key instead.
        schema["uniqueKeys"] = [list(table.primary_key)]
    else:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(fk.columns),
             "reference": {"resource": fk.table, "fields": list(fk.table_columns)}}
            for fk in table.foreign_keys]
    return schema


def _file_stats(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    return {"bytes": path.stat().st_size, "hash": f"sha256:{sha256(path)}"}


def _resources(folder: Path) -> list[dict[str, Any]]:
    """CSV resources are the tabular ones (named by table, with a Table Schema; foreign keys
    point at them); JSON and Parquet copies and the release's other files are plain files.
    "type": "file" keeps frictionless-py from reading them as tables (Parquet and XLSX would need
    plugins) or, for validation.json, as a frictionless descriptor of its own."""
    resources = []
    for table in TABLES.values():
        for fmt in ("csv", "json", "parquet"):
            resource: dict[str, Any] = {
                "name": table.name if fmt == "csv" else f"{table.name}-{fmt}",
                "path": f"{table.name}.{fmt}", "title": f"{table.title} ({FORMAT_LABELS[fmt]})",
                "description": table.description, "format": fmt, "mediatype": MEDIATYPES[fmt],
            }
            if fmt == "csv":
                resource.update(
                    profile="tabular-data-resource", encoding="utf-8",
                    dialect={"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
                             "doubleQuote": True, "header": True},
                    schema=table_schema(table))
                resource["description"] += " " + FORMULA_RULE
            else:
                resource["type"] = "file"
                resource["description"] += f" The same rows and columns as {table.name}.csv."
                if fmt == "json":
                    resource["encoding"] = "utf-8"
            resources.append({**resource, **_file_stats(folder, resource["path"])})
    for path, (title, description, fmt, mediatype) in RELEASE_FILES.items():
        if (folder / path).exists():
            resource = {"name": path.lower().replace(".", "-"), "type": "file", "path": path,
                        "title": title, "description": description, "format": fmt,
                        "mediatype": mediatype}
            if mediatype.startswith(("text/", "application/json", "image/svg")):
                resource["encoding"] = "utf-8"
            resources.append({**resource, **_file_stats(folder, path)})
    return resources


def build_datapackage(folder: Path, release_date: dt.date, metadata: dict[str, Any],
                      as_of: dt.date | None) -> dict[str, Any]:
    md = metadata
    created = md.get("created") or md.get("retrieved_at") or f"{release_date.isoformat()}T00:00:00Z"
    sources = md.get("sources") or [
        {"title": "Portail des clusters wallons", "path": md.get("portal_url") or DEFAULT_PORTAL_URL},
        {"title": md.get("source") or DEFAULT_SOURCE_BODY},
    ]
    package = {
        "profile": "data-package",
        "name": md.get("name", "walloon-business-clusters"),
        "title": md.get("title", DEFAULT_TITLE),
        "description": md.get("description", DEFAULT_DESCRIPTION),
        **({"homepage": md["homepage"]} if md.get("homepage") else {}),
        "version": md.get("version", release_date.isoformat()),
        "created": created,
        "licenses": md.get("licenses", [DEFAULT_LICENSE]),
        "sources": sources,
        "contributors": md.get("contributors",
                               [{"title": "cluster-etl open-data pipeline", "role": "publisher"}]),
        "keywords": md.get("keywords", DEFAULT_KEYWORDS),
        "temporal": {"as_of": md.get("as_of") or as_of},
        "resources": _resources(folder),
        "cluster_etl": {"release_date": release_date, **md},
    }
    return jsonable(package)


def write_datapackage(folder: Path, release_date: dt.date, metadata: dict[str, Any],
                      as_of: dt.date | None) -> Path:
    """datapackage.json describing the data files already written in `folder`."""
    path = folder / "datapackage.json"
    path.write_text(dumps(build_datapackage(folder, release_date, metadata, as_of)),
                    encoding="utf-8", newline="")
    return path


def write_validation(report_dict: dict[str, Any], folder: Path) -> Path:
    path = folder / "validation.json"
    path.write_text(dumps(report_dict), encoding="utf-8", newline="")
    return path


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def columns_markdown(heading: str = "##") -> list[str]:
    """The tables and their columns as Markdown, from schema.py (also pasted in the project README)."""
    lines: list[str] = []
    for table in TABLES.values():
        lines += [f"{heading} {table.name}: {table.title}", "", table.description, "",
                  "| column | type | description |", "| --- | --- | --- |"]
        lines += [f"| {c.name} | {c.type}{', required' if c.required else ''} | "
                  f"{_cell(c.description)} |" for c in table.columns]
        lines.append("")
    return lines


def write_readme(folder: Path, release_date: dt.date, metadata: dict[str, Any],
                 as_of: dt.date | None) -> Path:
    license_ = (metadata.get("licenses") or [DEFAULT_LICENSE])[0]
    lines = [
        f"# {metadata.get('title', DEFAULT_TITLE)}", "",
        f"Release {release_date.isoformat()}; figures as of {as_of.isoformat() if as_of else 'unknown'}.",
        f"Source: {metadata.get('source') or DEFAULT_SOURCE_BODY}, {data_source(metadata)[0]}.",
        f"Licence: {license_.get('title', license_.get('name'))} ({license_.get('path', '')}).", "",
        "Each table is published as `<table>.csv` (RFC 4180, UTF-8, empty field = no value), "
        "`<table>.json` (array of records, null = no value) and `<table>.parquet` (zstd, "
        "enumerations dictionary-encoded); all tables together as `cluster-etl.xlsx` (the file "
        "for spreadsheets: Excel reads a UTF-8 CSV's accents wrongly) and `cluster-etl.sqlite`.",
        "`datapackage.json` describes them (Frictionless Data Package), `catalog.ttl` too (DCAT-AP 3), "
        "`index.html` is the download page, `validation.json` lists the checks passed, "
        "`changes.json` and `CHANGES.md` what changed since the previous release, "
        f"`{CHECKSUMS}` holds SHA-256 sums (`sha256sum -c {CHECKSUMS}`).", "",
        "## Formulas in CSV files", "", FORMULA_RULE, "",
    ]
    lines += columns_markdown("##")
    path = folder / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    return path


def write_checksums(folder: Path) -> Path:
    """SHA256SUMS in `sha256sum` format, over every other file of the folder."""
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != CHECKSUMS)
    path = folder / CHECKSUMS
    path.write_text("".join(f"{sha256(folder / n)}  {n}\n" for n in names),
                    encoding="utf-8", newline="")
    return path
