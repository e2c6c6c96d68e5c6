"""The release workbook read back into normalise-shaped DataFrames (workbook.py writes it).

A sheet in the shape workbook.py writes (rows of inline-string and number cells, attributes in
its order) is read column-wise: each chunk of its XML is matched against a grammar (one regular
expression, RE2 through Arrow), then cut into cells with NumPy, with no Python object per cell
but for the values returned; chunks are decompressed, matched and cut in threads while earlier
ones are used. Any other workbook (shared strings, formulas, another writer's attributes, a
cell whose reference is not its row's) is read with openpyxl, cell by cell, by the same rules.
Both refuse, naming the cell, a text column's cell that is not text (a formula, a number, an
error value), and name the sheet whose header is not the schema's.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import zipfile
from collections.abc import Iterator
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape

from cluster_etl.publish.arrays import ReadColumn, frame_of, to_frame
from cluster_etl.schema import TABLES, Column, Table

READ_BYTES = 1 << 23  # sheet XML decompressed and parsed at a time
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
# The rows of a sheet as workbook.py writes them: header cells bold (s="1"), text cells inline,
# number cells with a one-digit style; no value empty, none holding "<" or ">".
_ROWS = (r'\A(?:<row r="[0-9]+">(?:<c r="[A-Z][0-9]+"(?: s="1")? t="inlineStr"><is><t'
         r'(?: xml:space="preserve")?>[^<>]+</t></is></c>|<c r="[A-Z][0-9]+" s="[0-9]"><v>[^<>]+'
         r'</v></c>)*</row>)*\z')
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&#13;", "\r"),
             ("&#10;", "\n"), ("&#9;", "\t"))


class _NotPlain(Exception):
    """The workbook holds something the column-wise reader leaves to openpyxl."""


# --- the package -------------------------------------------------------------------------------

def _xml(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(archive.read(part))
    except (KeyError, ElementTree.ParseError):
        raise _NotPlain(part) from None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and part, in the workbook's order."""
    book = _xml(archive, "xl/workbook.xml")
    properties = book.find("m:workbookPr", _NS)
    if properties is not None and properties.get("date1904", "0") not in ("0", "false"):
        raise _NotPlain("dates counted from 1904")
    rels = {r.get("Id"): r.get("Target", "")
            for r in _xml(archive, "xl/_rels/workbook.xml.rels").iterfind("p:Relationship", _NS)}
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = rels.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        parts[sheet.get("name")] = (target.lstrip("/") if target.startswith("/")
                                    else posixpath.normpath(posixpath.join("xl", target)))
    return parts


def _date_styles(archive: zipfile.ZipFile) -> pa.Array:
    """The cell styles (indices) that show a number as a date."""
    styles = _xml(archive, "xl/styles.xml")
    custom = {f.get("numFmtId"): f.get("formatCode", "")
              for f in styles.iterfind("m:numFmts/m:numFmt", _NS)}
    formats = [xf.get("numFmtId", "0") for xf in styles.iterfind("m:cellXfs/m:xf", _NS)]
    return pa.array([i for i, f in enumerate(formats)
                     if is_date_format(custom.get(f) or BUILTIN_FORMATS.get(int(f), ""))],
                    pa.int64())


# --- plain sheets, column-wise -----------------------------------------------------------------

def _sheet_data(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The <sheetData> content of a sheet, in pieces that each end with a row."""
    with archive.open(part) as sheet:
        pending = b""
        while (start := pending.find(b"<sheetData>")) < 0:
            if not (more := sheet.read(READ_BYTES)) or len(pending) > 1 << 26:
                raise _NotPlain(f"{part}: no rows")
            pending += more
        pending = pending[start + len(b"<sheetData>"):]
        while more := sheet.read(READ_BYTES):
            pending += more
            cut = pending.rfind(b"</row>") + len(b"</row>")
            if cut > len(b"</row>"):
                yield pending[:cut]
                pending = pending[cut:]
        end = pending.find(b"</sheetData>")
        if end < 0:
            raise _NotPlain(f"{part}: no end of rows")
        yield pending[:end]


def _check_grammar(chunk: bytes) -> None:
    text = pa.LargeStringArray.from_buffers(
        1, pa.py_buffer(np.array([0, len(chunk)], np.int64)), pa.py_buffer(chunk))
    try:
        text.validate(full=True)  # UTF-8
    except pa.ArrowInvalid:
        raise _NotPlain("not UTF-8") from None
    if not pc.match_substring_regex(text, _ROWS)[0].as_py():
        raise _NotPlain("a cell or row of another shape")


def _prefetched(items: Iterator[Any]) -> Iterator[Any]:
    """The items, the next one made in a thread while this one is used (decompressing lets go
    of the GIL)."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(next, items, None)
        while (item := future.result()) is not None:
            future = pool.submit(next, items, None)
            yield item


_WORD_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(1, 9)], dtype=np.uint64)


def _words_at(windows: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The 8 bytes from each of `starts`, as one unsigned integer each."""
    return np.ascontiguousarray(windows[starts]).view("<u8")[:, 0]


def _numbers_at(windows: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unsigned decimal numbers written from each of `starts` (up to 7 digits), and how many
    digits each has."""
    digits = windows[starts].astype(np.int64) - 48
    is_digit = (digits >= 0) & (digits <= 9)
    if is_digit[:, 7].any() or not is_digit[:, 0].all():
        raise _NotPlain("a row number of more than 7 digits")
    lengths, numbers = np.argmin(is_digit, axis=1), np.zeros(len(starts), dtype=np.int64)
    for i in range(7):
        numbers = np.where(i < lengths, numbers * 10 + digits[:, i], numbers)
    return numbers, lengths


def _cells(chunk: bytes, width: int) -> tuple[dict[str, np.ndarray], pa.Array]:
    """The cells of whole rows of a sheet's XML, checked against the grammar _ROWS, in column
    order then row order: their column index, row number, whether text, style index (numbers)
    and key (to check the document's order), and their values as written."""
    _check_grammar(chunk)
    data = np.frombuffer(chunk + bytes(8), np.uint8)  # 8 more: a window from every byte
    windows = np.lib.stride_tricks.sliding_window_view(data, 8)
    tags = np.flatnonzero(data == 60)  # '<', which no value holds
    after = data[tags + 1]
    cells, rows = tags[after == 99], tags[after == 114]  # '<c r="A1"', '<row r="1"'
    # Under the grammar each cell holds one value, which ends at a "<" that follows no ">" and
    # starts after the tag before it: '<t>', '<v>' or '<t xml:space="preserve">'.
    ends = np.flatnonzero(data[tags[1:] - 1] != 62) + 1
    opening = tags[ends - 1]
    starts, ends = opening + np.where(data[opening + 2] == 62, 3, 24), tags[ends]
    column = data[cells + 6] - np.uint8(65)
    if len(column) and column.max() >= width:
        raise _NotPlain("a cell right of the schema's columns")
    numbers, lengths = _numbers_at(windows, rows + 8)
    # A cell's reference names its row's number: compared as the bytes of digits and quote.
    row_of = np.searchsorted(rows, cells) - 1
    masks = _WORD_MASKS[lengths][row_of]
    references = _words_at(windows, cells + 7) & masks
    if (references != (_words_at(windows, rows + 8)[row_of] & masks)).any():
        raise _NotPlain("a cell outside the row its reference names")
    row = numbers[row_of]
    keys = row * width + column
    if (np.diff(keys) <= 0).any():
        raise _NotPlain("cells out of order")
    bounds = np.empty(2 * len(starts) + 2, dtype=np.int64)
    bounds[0], bounds[-1], bounds[1:-1:2], bounds[2:-1:2] = 0, len(chunk), starts, ends
    pieces = pa.LargeStringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds),
                                              pa.py_buffer(chunk))
    order = np.argsort(column, kind="stable")
    fields = {"column": column, "row": row.astype(np.int32), "key": keys,
              "is_text": data[starts - 2] != 118,  # '<v>' before a number, '<t>' or '">' text
              "style": data[starts - 6] - np.uint8(48)}  # 's="4"><v>'
    return ({k: v[order] for k, v in fields.items()}, pieces.take(pa.array(2 * order + 1)))


def _parsed(chunks: Iterator[bytes], width: int) -> Iterator[tuple[dict[str, Any], pa.Array]]:
    """_cells of each chunk, in order, two chunks at a time in threads."""
    with ThreadPoolExecutor(2) as pool:
        pending: deque[Future] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_cells, chunk, width))
            if len(pending) > 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _by_column(archive: zipfile.ZipFile, part: str, table: Table) -> list[pa.Table]:
    """Every cell of the sheet, grouped by schema column, each group in row order."""
    width = len(table.columns)
    groups: list[list[pa.Table]] = [[] for _ in table.columns]
    last = -1
    for fields, values in _parsed(_prefetched(_sheet_data(archive, part)), width):
        if not len(values):
            continue
        keys, column = fields.pop("key"), fields.pop("column")
        if keys.min() <= last:
            raise _NotPlain("rows out of order")
        last = keys.max()
        ends = np.cumsum(np.bincount(column, minlength=width))
        for i, (start, end) in enumerate(zip([0, *ends[:-1]], ends)):
            cells = {k: v[start:end] for k, v in fields.items()}
            groups[i].append(pa.table({**cells, "value": values.slice(start, end - start)}))
    empty = pa.table({"row": pa.array([], pa.int32()), "is_text": pa.array([], pa.bool_()),
                      "style": pa.array([], pa.uint8()), "value": pa.array([], pa.large_string())})
    return [pa.concat_tables(g) if g else empty for g in groups]


def _unescaped(text: pa.Array) -> pa.Array:
    if pc.any(pc.match_substring(text, "&")).as_py():
        original = text
        for entity, char in _ENTITIES:
            text = pc.replace_substring(text, entity, char)
        # Every other "&" starts a character reference (openpyxl writes accents so): decoded
        # one value at a time, from the value as written.
        other = pc.match_substring(pc.replace_substring(text, "&amp;", ""), "&")
        text = pc.replace_substring(text, "&amp;", "&")
        if pc.any(other).as_py():
            decoded = [html.unescape(v) for v in pc.filter(original, other).to_pylist()]
            text = pc.replace_with_mask(text, other, pa.array(decoded, text.type))
    escaped = pc.match_substring(text, "_x")  # rare: decoded one by one, as OOXML says
    if pc.any(escaped).as_py():
        decoded = [unescape(v) for v in pc.filter(text, escaped).to_pylist()]
        text = pc.replace_with_mask(text, escaped, pa.array(decoded, text.type))
    return text


def _refuse(cells: pa.Table, bad: pa.Array, what: str, where: str) -> None:
    """ValueError naming the first cell in `bad` (a mask over `cells`), if any."""
    found = pc.index(bad, True).as_py()
    if found >= 0:
        cell = cells.slice(found, 1).to_pylist()[0]
        value = cell["value"] if cell["is_text"] else _number(cell["value"])
        raise ValueError(f"{where}{cell['row']}: {value!r} is not {what}")


def _numbers(cells: pa.Table) -> tuple[pa.Array, pa.Array]:
    """The number cells' values as written and as floats (null for text cells)."""
    text = pc.if_else(cells["is_text"], pa.scalar(None, pa.large_string()),
                      cells["value"].combine_chunks())
    try:
        number = text.cast(pa.float64())
    except pa.ArrowInvalid:
        raise _NotPlain("a number openpyxl may read") from None
    if not pc.all(pc.is_finite(number), min_count=0).as_py():
        raise _NotPlain("a number no workbook writes")
    return text, number


def _dates(cells: pa.Table, date_styles: pa.Array, where: str) -> pa.Array:
    """Date cells, and ISO text for the days Excel has no date for (workbook.py writes them so)."""
    is_text = cells["is_text"]
    styles = cells["style"].cast(pa.int64())
    _refuse(cells, pc.and_(pc.invert(is_text), pc.invert(pc.is_in(styles, date_styles))),
            "a date cell", where)
    # Excel's serial day numbers from 1900-03-01 (61), where LibreOffice reads them alike.
    serial = pc.floor(_numbers(cells)[1]).cast(pa.int64())
    _refuse(cells, pc.less(serial, 61), "a date from 1900-03-01 on", where)
    dates = pc.subtract(serial, 25569).cast(pa.int32()).cast(pa.date32())
    if pc.any(is_text).as_py():  # rare: one by one
        iso = []
        for i, text in zip(np.flatnonzero(is_text), pc.filter(cells["value"], is_text).to_pylist()):
            try:
                iso.append(dt.date.fromisoformat(text))
            except ValueError:
                _refuse(cells, pa.array(np.arange(len(cells)) == i), "a date", where)
        dates = pc.replace_with_mask(dates, is_text.combine_chunks(), pa.array(iso, pa.date32()))
    return dates


def _values(cells: pa.Table, column: Column, date_styles: pa.Array, where: str) -> pa.Array:
    """One column's cell values as an Arrow array of its schema type."""
    is_text = cells["is_text"]
    if column.type == "string":
        _refuse(cells, pc.invert(is_text), "a text cell", where)
        return _unescaped(cells["value"].combine_chunks())
    if column.type == "date":
        return _dates(cells, date_styles, where)
    _refuse(cells, is_text, "a number cell", where)
    text, number = _numbers(cells)
    if column.type == "number":
        return number
    try:
        return text.cast(pa.int64())  # exact beyond 2**53, which a float is not
    except pa.ArrowInvalid:
        _refuse(cells, pc.not_equal(pc.floor(number), number), "an integer", where)
        return number.cast(pa.int64())


def _number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _read_plain_sheet(archive: zipfile.ZipFile, part: str, table: Table, date_styles: pa.Array,
                      path: Path) -> list[pa.Array]:
    groups = _by_column(archive, part, table)
    header = []
    for group, column in zip(groups, table.columns):
        first = group.slice(0, 1).to_pylist()
        is_header = first and first[0]["row"] == 1 and first[0]["is_text"]
        header.append(unescape(first[0]["value"]) if is_header else None)
    if header != table.column_names:
        raise ValueError(f"{path}: sheet {table.name} has header {header}, "
                         f"not the schema's {table.column_names}")
    groups = [g.slice(1) for g in groups]
    rows = max((g["row"][-1].as_py() - 1 for g in groups if len(g)), default=0)
    columns = []
    for i, (group, column) in enumerate(zip(groups, table.columns), start=1):
        where = f"{path.name}: {table.name}!{get_column_letter(i)}"  # and the row
        values = _values(group, column, date_styles, where)
        # Each value to its row; rows without a cell in this column stay null.
        if len(group) < rows:  # rows are increasing: as many as rows is one in each
            positions = np.full(rows, -1, dtype=np.int64)
            positions[group["row"].to_numpy() - 2] = np.arange(len(group))
            values = values.take(pa.array(positions, mask=positions < 0))
        columns.append(values)
    return columns


def _read_plain(path: Path) -> dict[str, list[ReadColumn]]:
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_parts(archive)
        if list(parts) != list(TABLES):
            raise ValueError(f"{path}: sheets {list(parts)} are not the schema's {list(TABLES)}")
        date_styles = _date_styles(archive)
        return {name: _read_plain_sheet(archive, parts[name], table, date_styles, path)
                for name, table in TABLES.items()}


# --- any workbook, with openpyxl ---------------------------------------------------------------

def _read_value(value: Any, data_type: str, column: Column, where: str) -> Any:
    if value is None or value == "":
        return None
    if column.type == "string":
        if data_type != "s" or not isinstance(value, str):
            raise ValueError(f"{where}: {value!r} is not a text cell")
        return unescape(value)
    if column.type == "date" and isinstance(value, dt.datetime):
        return value.date()
    if column.type == "date" and isinstance(value, str):  # a day Excel has no date for
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # for column_values to reject
    if column.type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if column.type == "number" and isinstance(value, int):
        return float(value)
    return value  # anything else is left for column_values to reject with its type


def _read_with_openpyxl(path: Path) -> dict[str, pd.DataFrame]:
    wb = load_workbook(path, read_only=True)
    try:
        if wb.sheetnames != list(TABLES):
            raise ValueError(f"{path}: sheets {wb.sheetnames} are not the schema's {list(TABLES)}")
        read = {}
        for name, table in TABLES.items():
            rows = wb[name].iter_rows()
            header = [c.value for c in next(rows, [])]
            if header != table.column_names:
                raise ValueError(f"{path}: sheet {name} has header {header}, "
                                 f"not the schema's {table.column_names}")
            columns: dict[str, list[Any]] = {c.name: [] for c in table.columns}
            for row_number, row in enumerate(rows, start=2):
                for i, column in enumerate(table.columns):
                    cell = row[i] if i < len(row) else None  # a short row ends in empty cells
                    where = f"{path.name}: {name}!{get_column_letter(i + 1)}{row_number}"
                    value = None if cell is None else _read_value(cell.value, cell.data_type,
                                                                  column, where)
                    columns[column.name].append(value)
            read[name] = to_frame(table, columns)
        return read
    finally:
        wb.close()


def read_workbook_columns(path: Path) -> dict[str, list[ReadColumn]]:
    """Every schema table's columns from the workbook (arrays.ReadColumn)."""
    path = Path(path)
    try:
        return _read_plain(path)
    except _NotPlain:
        return {name: [frame[c].tolist() for c in frame.columns]
                for name, frame in _read_with_openpyxl(path).items()}


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every schema table from the workbook, as normalise-shaped DataFrames."""
    path = Path(path)
    try:
        return {name: frame_of(TABLES[name], columns)
                for name, columns in _read_plain(path).items()}
    except _NotPlain:
        return _read_with_openpyxl(path)
