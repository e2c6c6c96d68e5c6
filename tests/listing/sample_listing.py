"""Listings as an administration would send them, written from the raw records of a crawl.

Each directory entry of the crawl is one listing row holding what its detail page showed (its
name, city and type label from the directory when the page does not give them, as normalisation
does for a scrape); the cluster file holds each cluster's home page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import openpyxl

from cluster_etl.raw import RawPortal

# raw.MEMBER_FIELDS key -> the detail page's label (SPEC.md), in a listing's column order.
LABELS = {"name": "Dénomination", "member_type_label": "Type de membre", "street": "Adresse",
          "postal_code": "Code postal", "city": "Localité", "phone": "Téléphone", "email": "E-mail",
          "website": "Site web", "enterprise_number": "Numéro d'entreprise", "activities": "Activités"}
CLUSTER_FILE_HEADER = ("Cluster", "Identifiant", "Domaine d'activités", "Description", "Site web",
                       "Nombre de membres")
_DIRECTORY_FALLBACK = {"name": "name", "city": "city", "member_type_label": "member_type_label"}


def listing_rows(raw: RawPortal, cluster_cell: str = "name") -> list[dict[str, str]]:
    """One row per directory entry: {"Cluster": ..., <label>: value}; `cluster_cell` "name" writes
    the cluster's name, "id" its identifier."""
    rows = []
    for cluster in raw.clusters:
        named = cluster.home["name"] if cluster_cell == "name" else cluster.link["cluster_id"]
        for entry in cluster.directory:
            page = cluster.members.get(entry["detail_url"])
            fields = dict(page["fields"]) if page else {}
            for key, directory_key in _DIRECTORY_FALLBACK.items():
                fields[key] = fields.get(key) or entry.get(directory_key)  # type: ignore[misc]
            rows.append({"Cluster": named, **{label: fields.get(key) or ""
                                              for key, label in LABELS.items()}})
    return rows


def cluster_rows(raw: RawPortal) -> list[dict[str, object]]:
    return [{"Cluster": c.home["name"], "Identifiant": c.link["cluster_id"],
             "Domaine d'activités": c.link["domain"] or "", "Description": c.home["description"] or "",
             "Site web": c.home["website"] or "",
             "Nombre de membres": c.home["declared_member_count"]} for c in raw.clusters]


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[object]], encoding: str = "utf-8",
              delimiter: str = ",") -> bytes:
    """CSV as Excel writes it: CRLF, quotes only where needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(list(header))
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, rows: list[dict[str, object]], header: Iterable[str] | None = None,
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
    header = list(header or rows[0])
    path.write_bytes(csv_bytes(header, ([r.get(h, "") for h in header] for r in rows),
                               encoding, delimiter))
    return path


def as_typed(value: object) -> object:
    """What Excel stores when a person types `value`: a number when it reads as one (leading
    zeros lost), else the text."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def write_xlsx(path: Path, rows: list[dict[str, object]], header: Iterable[str] | None = None,
               typed: bool = True, first_sheet: str = "Membres") -> Path:
    """The rows on the first sheet; a second sheet that must not be read is the active one."""
    header = list(header or rows[0])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = first_sheet
    sheet.append(header)
    for row in rows:
        sheet.append([as_typed(row.get(h)) if typed else row.get(h) for h in header])
    notes = workbook.create_sheet("Notes")
    notes.append(["Cluster", "Dénomination"])
    notes.append(["ne pas lire", "cette feuille"])
    workbook.active = 1
    workbook.save(path)
    return path
