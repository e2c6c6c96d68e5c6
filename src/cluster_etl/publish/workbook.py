"""The release's tables as one Excel workbook: one sheet per schema table, every cell typed.

Text is always a text cell (an inline string), never a formula or an error value, whatever it
starts with (`=`, `+`, `-`, `@`, `#N/A`): the workbook keeps exact values, so it needs no
apostrophe rule as CSV does. Text that reads as an OOXML escape (`_x0041_`) is escaped itself
(`_x005F_x0041_`), so Excel shows it as written (openpyxl shows the escape). Integers, shares and
dates are numeric cells with a number format ("0", "0.00%", "yyyy-mm-dd"; a date is Excel's
serial day number; a day before 1900-03-01 is ISO text: Excel has no day before 1900, and a 29
February 1900 LibreOffice has not); a float is the shortest text that reads back to the same
float; null is an empty cell. The header row is bold, frozen and filtered.

The SpreadsheetML is written here, not by openpyxl (minutes for 100k rows): each sheet streams
into its ZIP entry in chunks of rows built column-wise with Arrow. The bytes depend on the tables,
the release date and the zlib version only: the document's created/modified stamps and the ZIP
entries' times are the release date at 00:00. A sheet holds MAX_ROWS rows, header included; a
longer table is refused, naming it (splitting it would break one sheet per table).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils import get_column_letter

from cluster_etl.publish.metadata import DEFAULT_TITLE
from cluster_etl.publish import workbook_read
from cluster_etl.publish.arrays import buffers, byte_set, column_values, holding
from cluster_etl.publish.arrays import typed_columns as _typed_columns
from cluster_etl.schema import TABLES, Column, Table

read_workbook = workbook_read.read_workbook  # reading back has a module of its own

NUMBER_FORMATS = {"integer": "0", "number": "0.00%", "date": "yyyy-mm-dd"}
MAX_TEXT = 32767  # characters in one cell: Excel's limit
MAX_ROWS = 1_048_576  # rows in one sheet, header included: Excel's limit
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths, in characters
CHUNK_ROWS = 32_768  # rows built and compressed at a time: bounds the memory a sheet takes
COMPRESS_LEVEL = 1  # deflate: level 6 takes 4x the time for a file 1.2x smaller
_STYLE_OF = {"integer": 2, "date": 3, "number": 4}  # in STYLES
# Excel's serial day numbers: day 61 is 1900-03-01. Excel has no date before 1900 and counts a
# 29 February 1900 that LibreOffice does not: an earlier date is written as ISO text.
_FIRST_DATE = dt.date(1900, 3, 1)
_SERIAL_OF_1970 = 25569

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Cell styles: 0 plain, 1 bold (header), then the number formats: Excel's built-in formats 1
# and 10 are "0" and "0.00%".
STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
    f'formatCode="{NUMBER_FORMATS["date"]}"/></numFmts><fonts count="2"><font><sz val="11"/>'
    '<name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/>'
    '<family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/>'
    '</fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
    '<left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>').encode()


# --- typed columns -----------------------------------------------------------------------------

def typed_columns(df: pd.DataFrame, table: Table) -> list[pa.Array]:
    """arrays.typed_columns, naming the cell of a lone surrogate (no UTF-8, so no workbook, holds
    one)."""
    try:
        return _typed_columns(df, table)
    except UnicodeEncodeError:
        values = column_values(df, table)
        for i, column in enumerate(table.columns, start=1):
            for row, value in enumerate(values[column.name], start=2):
                if isinstance(value, str) and _SURROGATE.search(value):
                    raise ValueError(f"{table.name}!{get_column_letter(i)}{row}: a lone "
                                     "surrogate, no character of any workbook") from None
        raise


# --- bytes of text, with NumPy -------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")  # half a UTF-16 pair: no UTF-8 for it
_ESCAPE_LIKE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")  # the "_" of "_x0041_", which Excel decodes
_SPECIAL = byte_set(*b"&<>\r")  # escaped in XML text
_BLANK = byte_set(*b" \t\n\r")  # kept at a text's ends by xml:space="preserve" only
# XML 1.0 cannot hold these (tab, line feed and carriage return it can), nor U+FFFE and U+FFFF.
_CONTROL = byte_set(*range(9), 11, 12, *range(14, 32))


def _blank_ends(text: pa.Array) -> np.ndarray:
    """Which values start or end with a blank."""
    offsets, data = buffers(text)
    if not len(data):
        return np.zeros(len(text), dtype=bool)
    first = data[np.minimum(offsets[:-1], len(data) - 1)]
    last = data[np.maximum(offsets[1:] - 1, 0)]
    return (offsets[1:] > offsets[:-1]) & (_BLANK[first] | _BLANK[last])


def _first_unholdable(text: pa.Array) -> tuple[int, str] | None:
    """The first value a cell cannot hold (its row and why), if any."""
    offsets, data = buffers(text)
    found = []
    for row in np.flatnonzero(np.diff(offsets) > MAX_TEXT):  # bytes: at least the characters
        if (length := len(text[row].as_py())) > MAX_TEXT:
            found.append((row, f"text of {length} characters, more than a cell holds"))
            break
    data = data[offsets[0]:]
    control = noncharacter = np.zeros(0, np.int64)
    if len(data) and data.min() < 32:  # first the cheap test
        control = np.flatnonzero(_CONTROL[data])[:1]
    if (data == 0xEF).any():
        noncharacter = np.flatnonzero((data[:-2] == 0xEF) & (data[1:-1] == 0xBF)
                                      & (data[2:] >= 0xBE))[:1]
    for at in [*control + offsets[0], *noncharacter + offsets[0]]:
        row = int(np.searchsorted(offsets, at, side="right")) - 1
        found.append((row, "a control character no workbook can hold"))
    return min(found, default=None)


def _check_cells(table: Table, arrays: list[pa.Array]) -> None:
    """Refuse, naming the first cell, a value no workbook can hold; before the file is begun."""
    if len(arrays[0]) + 1 > MAX_ROWS:
        raise ValueError(f"{table.name}: {len(arrays[0]):,} rows do not fit one sheet "
                         f"({MAX_ROWS - 1:,} rows under the header at most)")
    for i, (column, array) in enumerate(zip(table.columns, arrays), start=1):
        found = None
        if column.type == "string":
            found = _first_unholdable(array)
        elif column.type == "number" and (row := pc.index(pc.is_finite(array), False).as_py()) >= 0:
            found = (row, f"{array[row].as_py()!r} is not a number a workbook can hold")
        if found:
            raise ValueError(f"{table.name}!{get_column_letter(i)}{found[0] + 2}: {found[1]}")


def _width(column: Column, array: pa.Array) -> float:
    longest = 0
    if column.type == "date":
        longest = 10
    elif column.type == "number":
        longest = 7  # "100.00%"
    elif len(array) > array.null_count:
        text = array.cast(pa.large_string())
        if holding(text, byte_set(10)) is not None:
            text = pc.list_element(pc.split_pattern(text, "\n", max_splits=1), 0)
        longest = pc.max(pc.utf8_length(text)).as_py()
    return min(max(len(column.name) + 2, longest + 2, MIN_WIDTH), MAX_WIDTH)


# --- sheet XML ---------------------------------------------------------------------------------

def _escaped(text: pa.Array) -> pa.Array:
    """The text as XML character data; escaped, only the values that need it."""
    special = holding(text, _SPECIAL)
    if special is not None:
        some = text.filter(special)
        for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
            some = pc.replace_substring(some, old, new)
        text = pc.replace_with_mask(text, pa.array(special), some)
    if (underscore := holding(text, byte_set(95))) is not None:
        escape_like = np.zeros(len(text), dtype=bool)
        escape_like[underscore] = pc.match_substring(text.filter(underscore), "_x").to_numpy(
            zero_copy_only=False)
        if escape_like.any():  # rare: escaped one by one, overlaps included
            escaped = [_ESCAPE_LIKE.sub("_x005F_", v) for v in text.filter(escape_like).to_pylist()]
            text = pc.replace_with_mask(text, pa.array(escape_like), pa.array(escaped, text.type))
    return text


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _text_cells(start: pa.Scalar, numbers: pa.Array, text: pa.Array) -> pa.Array:
    middle: Any = _text('" t="inlineStr"><is><t>')
    if (preserve := _blank_ends(text)).any():
        middle = pc.if_else(pa.array(preserve),
                            _text('" t="inlineStr"><is><t xml:space="preserve">'), middle)
    return pc.binary_join_element_wise(start, numbers, middle, _escaped(text),
                                       _text("</t></is></c>"), _text(""))


def _cells(letter: str, numbers: pa.Array, column: Column, array: pa.Array) -> pa.Array:
    """Each row's cell of one column (null where the value is null)."""
    start = _text(f'<c r="{letter}')
    if column.type == "string":
        return _text_cells(start, numbers, array)
    values, early = array, None
    if column.type == "date":
        values = pc.add(array.cast(pa.int32()), _SERIAL_OF_1970)  # days since 1970-01-01
        if pc.any(early := pc.less(array, pa.scalar(_FIRST_DATE, pa.date32()))).as_py():
            values = pc.if_else(early, pa.scalar(None, values.type), values)
    cells = pc.binary_join_element_wise(
        start, numbers, _text(f'" s="{_STYLE_OF[column.type]}"><v>'),
        values.cast(pa.large_string()), _text("</v></c>"), _text(""))
    if early is not None and pc.any(early).as_py():  # rare: Excel has no such date
        iso = pc.if_else(early, array.cast(pa.large_string()), _text(None))
        cells = pc.coalesce(cells, _text_cells(start, numbers, iso))
    return cells


def _rows_xml(table: Table, arrays: list[pa.Array], first_row: int) -> memoryview:
    """The <row> elements of consecutive rows from `first_row`, as UTF-8."""
    numbers = pa.array(np.arange(first_row, first_row + len(arrays[0]))).cast(pa.large_string())
    cells = [_cells(get_column_letter(i), numbers, column, array)
             for i, (column, array) in enumerate(zip(table.columns, arrays), start=1)]
    rows = pc.binary_join_element_wise(_text('<row r="'), numbers, _text('">'), *cells,
                                       _text("</row>"), _text(""), null_handling="replace")
    offsets, data = buffers(rows)
    return memoryview(data[offsets[0]:offsets[-1]])


def _sheet_head(table: Table, arrays: list[pa.Array], first: bool) -> str:
    last = f"{get_column_letter(len(table.columns))}{len(arrays[0]) + 1}"
    cols = "".join(f'<col min="{i}" max="{i}" width="{_width(c, a)}" customWidth="1"/>'
                   for i, (c, a) in enumerate(zip(table.columns, arrays), start=1))
    header = "".join(f'<c r="{get_column_letter(i)}1" s="1" t="inlineStr"><is><t>{escape(name)}'
                     "</t></is></c>" for i, name in enumerate(table.column_names, start=1))
    selected = ' tabSelected="1"' if first else ""
    return (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
            f'<sheetViews><sheetView{selected} workbookViewId="0"><pane ySplit="1" '
            'topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection '
            'pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
            f'<row r="1">{header}</row>')


def _sheet_tail(table: Table, rows: int) -> str:
    return (f'</sheetData><autoFilter ref="A1:{get_column_letter(len(table.columns))}{rows + 1}"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/></worksheet>')


def _xml_upper_bound(arrays: list[pa.Array]) -> int:
    """More bytes than the sheet's XML can take (escaping at most quintuples a text)."""
    text = sum(int(np.diff(buffers(a)[0][[0, -1]])[0]) for a in arrays
               if pa.types.is_large_string(a.type))
    return 5 * text + len(arrays[0]) * (len(arrays) + 1) * 96 + 65536


# --- the package -------------------------------------------------------------------------------

def _package_parts(release_date: dt.date, sizes: dict[str, int]) -> dict[str, str]:
    """Every part but the sheets, by name, in the order written."""
    names = list(TABLES)
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                     f'ContentType="{_SHEET_TYPE}"/>' for i in range(1, len(names) + 1))
    ct = "application/vnd.openxmlformats-"
    stamp = f"{release_date.isoformat()}T00:00:00Z"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{name}'!$A$1:${get_column_letter(len(TABLES[name].columns))}${sizes[name] + 1}"
        "</definedName>" for i, name in enumerate(names))
    return {
        "[Content_Types].xml": (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{ct}package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            f'ContentType="{ct}officedocument.spreadsheetml.styles+xml"/>{sheets}'
            f'<Override PartName="/docProps/core.xml" ContentType="{ct}package.core-properties'
            '+xml"/><Override PartName="/docProps/app.xml" ContentType="'
            f'{ct}officedocument.extended-properties+xml"/></Types>'),
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"),
        "docProps/core.xml": (
            f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(DEFAULT_TITLE)}</dc:title>"
            f"<dc:subject>Release of {release_date.isoformat()}</dc:subject>"
            "<dc:creator>cluster-etl</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"),
        "docProps/app.xml": (
            f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>cluster-etl</Application></Properties>'),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews>'
            '<workbookView activeTab="0"/></bookViews><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(names, start=1))
            + f"</sheets><definedNames>{filters}</definedNames></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
            + f'<Relationship Id="rId{len(names) + 1}" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>"),
    }


def _entry(name: str, when: dt.datetime) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    # ZipFile.open and writestr take the entry's level, not the archive's.
    entry._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
    entry.create_system = 3  # Unix, whichever system writes it
    entry.external_attr = 0o644 << 16
    return entry


def _write_sheet(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, table: Table,
                 arrays: list[pa.Array], first: bool) -> None:
    rows = len(arrays[0])
    # Without need, a ZIP64 header: Excel is strict about those (and a sheet rarely needs one).
    zip64 = _xml_upper_bound(arrays) > zipfile.ZIP64_LIMIT
    with archive.open(entry, "w", force_zip64=zip64) as sheet, ThreadPoolExecutor(1) as pool:
        sheet.write(_sheet_head(table, arrays, first).encode())
        # Each chunk is compressed in a thread while the next one is built (both let go of
        # the GIL), in order.
        written = pool.submit(lambda: None)
        for start in range(0, rows, CHUNK_ROWS):
            xml = _rows_xml(table, [a.slice(start, CHUNK_ROWS) for a in arrays], start + 2)
            written.result()
            written = pool.submit(sheet.write, xml)
        written.result()
        sheet.write(_sheet_tail(table, rows).encode())


def write_workbook(frames: dict[str, pd.DataFrame], path: Path, release_date: dt.date) -> Path:
    """Write every schema table as a sheet of the XLSX workbook `path`, in schema order."""
    path = Path(path)
    midnight = dt.datetime.combine(release_date, dt.time())
    arrays = {name: typed_columns(frames[name], table) for name, table in TABLES.items()}
    for name, table in TABLES.items():
        _check_cells(table, arrays[name])
    parts = _package_parts(release_date, {name: len(a[0]) for name, a in arrays.items()})
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in parts.items():
                archive.writestr(_entry(name, midnight), text)
            archive.writestr(_entry("xl/styles.xml", midnight), STYLES)
            for i, (name, table) in enumerate(TABLES.items(), start=1):
                _write_sheet(archive, _entry(f"xl/worksheets/sheet{i}.xml", midnight), table,
                             arrays[name], first=i == 1)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path

