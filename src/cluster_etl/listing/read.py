"""A listing file -> its rows of text, as a person sees them in a spreadsheet.

CSV is decoded as UTF-8 (with or without a BOM), else UTF-16 when it starts with a UTF-16 BOM
(Excel's "Unicode text"), else Windows-1252 (what Excel writes for "CSV" on a Belgian Windows);
the delimiter is the one of `,`, `;` or tab that splits the header line into the most cells.
XLSX is read from its first sheet; a number typed in a cell comes back as the text the person
typed (4000 -> "4000", not "4000.0"). Rows keep their spreadsheet number (the header is row 1
when it is the first line); blank rows are dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

DELIMITERS = (",", ";", "\t")
_ZIP_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (BIFF in an OLE container)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ListingError(ValueError):
    """The listing or the cluster file cannot be read as one (nothing is published)."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # as a spreadsheet numbers it: the file's first line is row 1
    cells: tuple[str, ...]  # each cell's text, "" when empty


@dataclass(frozen=True)
class Sheet:
    """A listing's header and its non-blank rows below it."""

    name: str  # file name, how findings and the data package name the file
    sha256: str  # of the file's bytes
    header: tuple[str, ...]
    header_row: int
    rows: tuple[SheetRow, ...]
    format: str  # "csv (utf-8, ';')", "xlsx (first sheet 'Membres')": for messages


def cell_text(value: Any) -> str:
    """A spreadsheet cell's value as the text a person typed (numbers without a spurious .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith(_UTF16_BOMS):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "cp1252")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    raise ListingError(f"{name}: not text in UTF-8, UTF-16 or Windows-1252; save it as CSV or XLSX")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first non-blank line into the most cells (`,` on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))


def _csv_rows(data: bytes, name: str) -> tuple[list[tuple[int, list[str]]], str]:
    text, encoding = decode_text(data, name)
    delimiter = sniff_delimiter(text)
    # A quoted cell may hold line breaks: it is still one row, as in a spreadsheet.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(number, cells) for number, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ListingError(f"{name}: not a readable CSV file ({exc})") from None
    return rows, f"csv ({encoding}, {delimiter!r})"


def _xlsx_rows(data: bytes, name: str) -> tuple[list[tuple[int, list[str]]], str]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ListingError(f"{name}: not a readable XLSX workbook ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = [(number, [cell_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)]
        return rows, f"xlsx (first sheet {sheet.title!r})"
    finally:
        workbook.close()


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def read_sheet(path: Path) -> Sheet:
    """The listing at `path` (CSV or XLSX, told apart by content, not by name)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListingError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if data.startswith(_OLD_EXCEL_MAGIC):
        raise ListingError(f"{path.name}: an old Excel .xls workbook; save it as XLSX or CSV")
    reader = _xlsx_rows if data.startswith(_ZIP_MAGIC) else _csv_rows
    rows, fmt = reader(data, path.name)
    filled = [(number, cells) for number, cells in rows if not _is_blank(cells)]
    if not filled:
        raise ListingError(f"{path.name}: no header row, the file is empty")
    (header_row, header), body = filled[0], filled[1:]
    header = _trim(header, 0)
    width = len(header)
    # A workbook row has as many cells as the sheet is wide: only CSV can have a short row.
    pad = width if reader is _xlsx_rows else 0
    return Sheet(name=path.name, sha256=hashlib.sha256(data).hexdigest(), header=tuple(header),
                 header_row=header_row, format=fmt,
                 rows=tuple(SheetRow(number, tuple(_trim(cells, width, pad))) for number, cells in body))


def _trim(cells: list[str], width: int, pad: int = 0) -> list[str]:
    """Empty cells past `width` dropped (Excel pads every row to the widest one); padded with
    empty cells up to `pad`."""
    end = len(cells)
    while end > width and not cells[end - 1].strip():
        end -= 1
    return cells[:end] + [""] * (pad - end)
