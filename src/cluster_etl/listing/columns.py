"""Which column of a listing or a cluster file holds what: French labels, folded.

The member columns are the detail-page labels of portal/layout.py (one place for the French
labels), plus `Cluster`; the cluster file's are the cluster home page's. Labels are compared by
`column_key`: case, accents, spacing and punctuation ignored (`Numéro d’entreprise`,
`NUMERO D'ENTREPRISE` and `N° d'entreprise :` all match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cluster_etl.listing.read import ListingError, Sheet
from cluster_etl.portal import layout
from cluster_etl.schema import Check

CLUSTER_LABELS = ("Cluster", "Nom du cluster")
# Listing column key -> its labels; the keys other than "cluster" are raw.MEMBER_FIELDS.
LISTING_COLUMNS: dict[str, tuple[str, ...]] = {"cluster": CLUSTER_LABELS,
                                               **layout.MEMBER_FIELD_LABELS}
LISTING_REQUIRED = ("cluster", "name")
# Cluster file column key -> its labels.
CLUSTER_FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": CLUSTER_LABELS,
    "cluster_id": ("Identifiant", "Slug", "Id"),
    "domain": layout.HOME_DOMAIN_LABELS,
    "description": layout.HOME_DESCRIPTION_LABELS,
    "website": layout.HOME_WEBSITE_LABELS,
    "declared_member_count": (layout.MEMBER_COUNT_LABEL,),
}
CLUSTER_FILE_REQUIRED = ("name",)

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def column_key(label: str) -> str:
    """A label or name for matching: folded (layout.fold_label), `°` read as `o`, then letters
    and digits only."""
    return _NOT_ALPHANUMERIC.sub("", layout.fold_label(label).replace("°", "o"))


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class ColumnMap:
    positions: dict[str, int]  # column key -> 0-based index in the header
    findings: list[Check]  # listing_column_unknown, one per ignored column

    def value(self, cells: tuple[str, ...], key: str) -> str | None:
        """The row's text in that column, stripped; None when the column is absent or empty."""
        index = self.positions.get(key)
        text = cells[index].strip() if index is not None and index < len(cells) else ""
        return text or None


def map_columns(sheet: Sheet, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
                ) -> ColumnMap:
    """Where each known column is; an unknown or repeated one is a finding and is ignored.

    Raises ListingError naming the file, the missing required column(s) and the columns found.
    """
    by_key = {column_key(label): key for key, labels in columns.items() for label in labels}
    positions: dict[str, int] = {}
    findings = []
    for index, label in enumerate(sheet.header):
        key = by_key.get(column_key(label))
        where = f"{sheet.name}: column {column_letter(index)}"
        if key is None or key in positions:
            why = ("has no label" if not label.strip() else
                   f"{label.strip()!r} is not a known column" if key is None else
                   f"{label.strip()!r} repeats column {column_letter(positions[key])}")
            findings.append(Check("listing_column_unknown", "warn", expected="a known column label",
                                  observed=label.strip(), detail=f"{where} {why}; ignored"))
        else:
            positions[key] = index
    missing = [columns[key][0] for key in required if key not in positions]
    if missing:
        found = ", ".join(repr(label.strip()) for label in sheet.header if label.strip()) or "none"
        raise ListingError(f"{sheet.name}: required column(s) missing: {', '.join(missing)} "
                           f"(header row {sheet.header_row} has: {found})")
    return ColumnMap(positions, findings)
