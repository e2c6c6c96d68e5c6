"""The release's tables as one Excel workbook: one sheet per schema table, every cell typed.

Text is always a text cell, never a formula or an error value, whatever it starts with (`=`, `+`,
`-`, `@`, `#N/A`): the workbook keeps exact values, so it needs no apostrophe rule as CSV does.
Integers, numbers and dates are numeric cells with a number format; null is an empty cell.
The file's bytes depend on the tables, the release date and the openpyxl version only: the
document's created/modified stamps and the ZIP entries' times are the release date at 00:00.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from cluster_etl.publish.metadata import DEFAULT_TITLE
from cluster_etl.publish.writers import column_values, to_frame
from cluster_etl.schema import TABLES, Column, Table

NUMBER_FORMATS = {"integer": "0", "number": "0.00%", "date": "yyyy-mm-dd"}
MAX_TEXT = 32767  # characters in one cell: Excel's limit (openpyxl would cut the text silently)
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths, in characters
_HEADER_FONT = Font(bold=True)


def _width(column: Column, values: list[Any]) -> float:
    longest = max((len(str(v).split("\n", 1)[0]) for v in values if v is not None), default=0)
    if column.type == "date":
        longest = 10
    elif column.type == "number":
        longest = 7  # "100.00%"
    return min(max(len(column.name) + 2, longest + 2, MIN_WIDTH), MAX_WIDTH)


def _check_values(table: Table, columns: dict[str, list[Any]]) -> None:
    """Refuse, naming the cell, a value no workbook can hold; before any sheet is begun, since a
    write-only sheet left half-written cannot be closed cleanly."""
    for i, column in enumerate(table.columns, start=1):
        for row_number, value in enumerate(columns[column.name], start=2):
            where = f"{table.name}!{get_column_letter(i)}{row_number}"
            if column.type == "string" and value is not None:
                if len(value) > MAX_TEXT:
                    raise ValueError(f"{where}: text of {len(value)} characters, "
                                     "more than a cell holds")
                if ILLEGAL_CHARACTERS_RE.search(value):
                    raise ValueError(f"{where}: a control character no workbook can hold")
            if column.type == "number" and value is not None and not math.isfinite(value):
                raise ValueError(f"{where}: {value!r} is not a number a workbook can hold")


def _cell(ws: Any, value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.type == "string":
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl made a formula of "=..." and an error of "#N/A"
        return cell
    if column.type == "number":
        # openpyxl writes floats with 16 significant digits, which loses the last bit of one
        # share in four (3/7); the shortest text that reads back to the same float keeps it.
        cell = WriteOnlyCell(ws, value=repr(value))
        cell.data_type = "n"
    else:
        cell = WriteOnlyCell(ws, value=value)
    cell.number_format = NUMBER_FORMATS[column.type]
    return cell


def _write_sheet(wb: Workbook, table: Table, columns: dict[str, list[Any]]) -> None:
    ws = wb.create_sheet(table.name)
    # A write-only sheet takes its layout before its first row.
    for i, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(column, columns[column.name])
    ws.freeze_panes = "A2"
    row_count = len(columns[table.columns[0].name])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{row_count + 1}"
    header = []
    for name in table.column_names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = _HEADER_FONT
        header.append(cell)
    ws.append(header)
    for row in zip(*columns.values()):
        ws.append([_cell(ws, value, column) for value, column in zip(row, table.columns)])


def _fixed_times(data: bytes, path: Path, when: dt.datetime) -> None:
    """Rewrite the ZIP with every entry stamped `when`, so equal content gives equal bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, whichever system writes it
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))


def write_workbook(frames: dict[str, pd.DataFrame], path: Path, release_date: dt.date) -> Path:
    """Write every schema table as a sheet of the XLSX workbook `path`, in schema order."""
    path = Path(path)
    midnight = dt.datetime.combine(release_date, dt.time())
    wb = Workbook(write_only=True)
    wb.properties.title = DEFAULT_TITLE
    wb.properties.subject = f"Release of {release_date.isoformat()}"
    wb.properties.creator = "cluster-etl"
    wb.properties.created = wb.properties.modified = midnight
    values = {name: column_values(frames[name], table) for name, table in TABLES.items()}
    for name, table in TABLES.items():
        _check_values(table, values[name])
    for name, table in TABLES.items():
        _write_sheet(wb, table, values[name])
    buffer = io.BytesIO()
    # ExcelWriter rather than wb.save(), which stamps the modified time with the clock.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    _fixed_times(buffer.getvalue(), path, midnight)
    return path


def _read_value(value: Any, data_type: str, column: Column, where: str) -> Any:
    if value is None or value == "":
        return None
    if column.type == "string":
        if data_type != "s" or not isinstance(value, str):
            raise ValueError(f"{where}: {value!r} is not a text cell")
        return value
    if column.type == "date" and isinstance(value, dt.datetime):
        return value.date()
    if column.type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if column.type == "number" and isinstance(value, int):
        return float(value)
    return value  # anything else is left for column_values to reject with its type


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every schema table from the workbook, as normalise-shaped DataFrames."""
    path = Path(path)
    wb = load_workbook(path, read_only=True)
    try:
        if wb.sheetnames != list(TABLES):
            raise ValueError(f"{path}: sheets {wb.sheetnames} are not the schema's {list(TABLES)}")
        frames = {}
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
            frames[name] = to_frame(table, columns)
        return frames
    finally:
        wb.close()
