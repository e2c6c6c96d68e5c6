import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cluster_etl.publish import workbook, writers
from cluster_etl.publish.workbook import read_workbook, write_workbook
from cluster_etl.schema import TABLES
from tests.tables_factory import (
    MEMBER_ROWS,
    MEMBERSHIP_PAIRS,
    frame,
    make_tables,
    member_type_rows,
)

DAY = dt.date(2008, 7, 1)
# Text a spreadsheet would evaluate, or that XML would mangle, each in its own column of one member.
TRICKY = {
    "name": "=1+1",
    "activities": '=HYPERLINK("http://evil.example/","clic")',
    "street": "@SUM(A1)",
    "phone": "+32 81 23 45 67",
    "email": "-2+3",
    "city": "\tTabulé",
    "website": "\rretour",
    "legal_form": None,
    "enterprise_number": None,
}
SHARE_17_DIGITS = 3 / 7  # 0.42857142857142855: needs 17 significant digits to read back


def tricky_frames(members_reversed: bool = False) -> dict[str, pd.DataFrame]:
    """Every schema table with awkward values: formulas, control whitespace, quotes, None, dates."""
    member_rows = [dict(MEMBER_ROWS[0], **TRICKY),
                   dict(MEMBER_ROWS[1], activities='Ligne 1\nLigne "2" d\'usine\r\nfin'),
                   dict(MEMBER_ROWS[2], name="#N/A", street="  espaces  "),
                   *MEMBER_ROWS[3:]]
    if members_reversed:
        member_rows = member_rows[::-1]
    tables = make_tables(member_rows=member_rows)
    type_rows = member_type_rows(MEMBERSHIP_PAIRS, member_rows)
    type_rows[0]["share"] = SHARE_17_DIGITS
    type_rows[1]["share"] = 0.1 + 0.2
    history = frame("membership_history", [
        {"cluster_id": "aresa", "member_id": "BE0123456749",
         "first_seen": dt.date(1999, 12, 31), "last_seen": DAY},
        {"cluster_id": "gone", "member_id": "ex-membre-4000",
         "first_seen": dt.date(2004, 2, 29), "last_seen": dt.date(2008, 6, 30)},
    ])
    frames = {"clusters": tables.clusters, "members": tables.members,
              "memberships": tables.memberships,
              "member_types": frame("member_types", type_rows),
              "member_sectors": tables.member_sectors,
              "member_activities": frame("member_activities", [
                  {"member_id": "BE0123456749", "nace_version": "2008", "nace_code": "62010",
                   "classification": "MAIN", "description_fr": "Programmation informatique"}]),
              "membership_history": history}
    # Tables the schema has besides these: as the factory makes them, else empty.
    frames = {name: frames[name] if name in frames else getattr(tables, name, frame(name, []))
              for name in TABLES}
    assert list(frames) == list(TABLES)
    return frames


def assert_same_tables(read: dict[str, pd.DataFrame], written: dict[str, pd.DataFrame]) -> None:
    assert list(read) == list(TABLES)
    for name, table in TABLES.items():
        assert (writers.column_values(read[name], table)
                == writers.column_values(written[name], table)), name


@pytest.fixture
def xlsx(tmp_path: Path) -> Path:
    return write_workbook(tricky_frames(), tmp_path / "cluster-etl.xlsx", DAY)


def test_round_trip_gives_the_tables_back(xlsx):
    frames = tricky_frames()
    read = read_workbook(xlsx)
    assert_same_tables(read, frames)
    assert read["member_types"]["share"].iloc[0] == SHARE_17_DIGITS
    assert str(read["members"]["name"].dtype) == "object"
    assert str(read["clusters"]["listed_member_count"].dtype) == "Int64"


def test_one_sheet_per_table_in_schema_order_with_header_frozen_and_filtered(xlsx):
    wb = load_workbook(xlsx)
    assert wb.sheetnames == list(TABLES)
    frames = tricky_frames()
    for name, table in TABLES.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == table.column_names
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        last_column = chr(ord("A") + len(table.columns) - 1)
        assert ws.auto_filter.ref == f"A1:{last_column}{len(frames[name]) + 1}"
        assert ws.max_row == len(frames[name]) + 1
        for letter in "ABC"[:len(table.columns)]:
            assert 8 <= ws.column_dimensions[letter].width <= 60


def test_text_is_never_a_formula_and_comes_back_exact(xlsx):
    wb = load_workbook(xlsx)
    members = wb["members"]
    header = [c.value for c in members[1]]
    first = {h: c for h, c in zip(header, members[2])}
    for column, text in TRICKY.items():
        cell = first[column]
        if text is None:
            assert cell.value is None
        else:
            assert (cell.value, cell.data_type) == (text, "s"), column
    third = {h: c for h, c in zip(header, members[4])}
    assert (third["name"].value, third["name"].data_type) == ("#N/A", "s")  # not an error cell
    assert third["street"].value == "  espaces  "
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(xlsx) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == len(TABLES)
        for sheet in sheets:
            assert b"<f>" not in archive.read(sheet) and b"<f " not in archive.read(sheet)


def test_numbers_and_dates_are_typed_cells(xlsx):
    wb = load_workbook(xlsx)
    clusters = wb["clusters"]
    header = [c.value for c in clusters[1]]
    row = dict(zip(header, clusters[2]))
    assert type(row["listed_member_count"].value) is int
    assert row["listed_member_count"].number_format == "0"
    assert row["as_of"].is_date
    assert row["as_of"].value == dt.datetime(2008, 6, 30)
    assert row["as_of"].number_format == "yyyy-mm-dd"
    assert row["website"].value is None  # None is an empty cell
    types = wb["member_types"]
    share = dict(zip([c.value for c in types[1]], types[2]))["share"]
    assert (share.value, share.data_type, share.number_format) == (SHARE_17_DIGITS, "n", "0.00%")
    history = wb["membership_history"]
    assert history["C3"].value == dt.datetime(2004, 2, 29) and history["C3"].is_date


def test_same_tables_give_the_same_bytes_stamped_with_the_release_date(tmp_path):
    first = write_workbook(tricky_frames(), tmp_path / "a.xlsx", DAY)
    second = write_workbook(tricky_frames(), tmp_path / "b.xlsx", DAY)
    assert first.read_bytes() == second.read_bytes()
    other_day = write_workbook(tricky_frames(), tmp_path / "c.xlsx", dt.date(2009, 1, 2))
    assert other_day.read_bytes() != first.read_bytes()
    wb = load_workbook(first)
    midnight = dt.datetime(2008, 7, 1)
    assert (wb.properties.created, wb.properties.modified) == (midnight, midnight)
    assert wb.properties.title and wb.properties.creator == "cluster-etl"
    with zipfile.ZipFile(first) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2008, 7, 1, 0, 0, 0)}


def test_empty_tables_write_a_header_only(tmp_path):
    frames = {name: frame(name, []) for name in TABLES}
    path = write_workbook(frames, tmp_path / "empty.xlsx", DAY)
    assert_same_tables(read_workbook(path), frames)
    ws = load_workbook(path)["members"]
    last_column = get_column_letter(len(TABLES["members"].columns))  # O before the KBO columns
    assert ws.max_row == 1 and ws.auto_filter.ref == f"A1:{last_column}1"


@pytest.mark.parametrize("text, problem", [("x" * (workbook.MAX_TEXT + 1), "more than a cell"),
                                           ("bip\x07", "control character")])
def test_text_a_cell_cannot_hold_is_refused_with_its_place(tmp_path, text, problem):
    frames = tricky_frames()
    frames["members"] = frames["members"].copy()
    frames["members"].loc[1, "activities"] = text
    with pytest.raises(ValueError, match=rf"members!O3: .*{problem}"):
        write_workbook(frames, tmp_path / "x.xlsx", DAY)
    assert not (tmp_path / "x.xlsx").exists()


def test_reading_refuses_a_formula_in_a_text_column(xlsx):
    wb = load_workbook(xlsx)
    wb["members"]["B2"] = "=1+1"  # an ordinary assignment makes a formula
    wb.save(xlsx)
    with pytest.raises(ValueError, match=r"members!B2: '=1\+1' is not a text cell"):
        read_workbook(xlsx)


def test_reading_refuses_sheets_that_are_not_the_schema(xlsx):
    wb = load_workbook(xlsx)
    wb.move_sheet("members", offset=-1)
    wb.save(xlsx)
    with pytest.raises(ValueError, match="are not the schema's"):
        read_workbook(xlsx)
