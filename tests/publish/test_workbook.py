import datetime as dt
import random
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cluster_etl.publish import workbook, workbook_read, writers
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


# --- writing large tables fast, reading them back column-wise ------------------------------------

def read_without_openpyxl(path: Path, monkeypatch) -> dict[str, pd.DataFrame]:
    """read_workbook, failing if it leaves the workbook to openpyxl."""
    def refuse(path):
        raise AssertionError("read with openpyxl, not column-wise")
    monkeypatch.setattr(workbook_read, "_read_with_openpyxl", refuse)
    return read_workbook(path)


def rewrite_sheet(path: Path, name: str, old: str, new: str) -> None:
    """Replace `old` (once, which must be there) by `new` in the XML of sheet `name`."""
    part = f"xl/worksheets/sheet{list(TABLES).index(name) + 1}.xml"
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            if info.filename == part:
                assert old in data.decode()
                data = data.decode().replace(old, new, 1).encode()
            archive.writestr(info, data)


def test_the_workbook_written_reads_back_column_wise_as_to_frame_shapes_it(xlsx, monkeypatch):
    read = read_without_openpyxl(xlsx, monkeypatch)
    assert_same_tables(read, tricky_frames())
    for name, table in TABLES.items():
        shaped = writers.to_frame(table, writers.column_values(read[name], table))
        pd.testing.assert_frame_equal(read[name], shaped, check_exact=True)


def big_frames(rows: int) -> dict[str, pd.DataFrame]:
    """Members with awkward text and empty cells; shares of every magnitude; dates from 1900."""
    rng = random.Random(9)
    members = [dict(MEMBER_ROWS[i % 4], member_id=f"m{i}",
                    name=f"Nom {i} & <fils> _x0041_" if i % 5 == 0 else f"Nom {i}",
                    street=None if i % 3 else f"  rue {i}\r\n",
                    city=["Liège", "Namur", None][i % 3],
                    activities="x" * (i % 50) or None)
               for i in range(rows)]
    shares = [rng.random() * 10.0 ** rng.randint(-300, 300) for _ in range(rows)]
    shares[:3] = [5e-324, 1.7976931348623157e308, 0.1 + 0.2]
    days = [dt.date(1900, 3, 1), dt.date(9999, 12, 31), dt.date(1900, 2, 28), dt.date(1, 1, 1)]
    days += [dt.date(1850, 1, 1) + dt.timedelta(days=rng.randrange(60000)) for _ in range(rows)]
    frames = tricky_frames()
    frames["members"] = frame("members", members)
    frames["member_types"] = frame("member_types", [
        {"member_type": None, "member_count": i * 7919 if i % 4 else None, "share": share}
        for i, share in enumerate(shares)])
    frames["member_types"]["member_count"] = frames["member_types"]["member_count"].fillna(0)
    frames["membership_history"] = frame("membership_history", [
        {"cluster_id": "c", "member_id": f"m{i}", "first_seen": day, "last_seen": day}
        for i, day in enumerate(days)])
    return frames


def test_many_rows_in_small_chunks_read_back_exactly_and_as_openpyxl_reads_them(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(workbook, "CHUNK_ROWS", 7)  # rows written at a time
    monkeypatch.setattr(workbook_read, "READ_BYTES", 1000)  # bytes of XML read at a time
    frames = big_frames(300)
    path = write_workbook(frames, tmp_path / "big.xlsx", DAY)
    assert_same_tables(workbook_read._read_with_openpyxl(path), frames)
    assert_same_tables(read_without_openpyxl(path, monkeypatch), frames)
    history = load_workbook(path)["membership_history"]
    assert (history["C2"].value, history["C2"].number_format) == (dt.datetime(1900, 3, 1),
                                                                  "yyyy-mm-dd")
    # Excel has no day before 1900 (and counts a 29 February 1900): ISO text for those.
    assert [(history[c].value, history[c].data_type) for c in ("C4", "C5")] == [
        ("1900-02-28", "s"), ("0001-01-01", "s")]


def test_text_that_reads_as_an_ooxml_escape_is_escaped_itself(tmp_path, monkeypatch):
    frames = tricky_frames()
    frames["members"] = frames["members"].copy()
    frames["members"].loc[1, "activities"] = "_x0041_ et _x005F_x0042_ et _X_"
    path = write_workbook(frames, tmp_path / "x.xlsx", DAY)
    with zipfile.ZipFile(path) as archive:
        assert "_x005F_x0041_ et _x005F_x005F_x005F_x0042_ et _X_" in archive.read(
            "xl/worksheets/sheet2.xml").decode()
    assert_same_tables(read_without_openpyxl(path, monkeypatch), frames)


def test_text_keeps_its_blanks_with_xml_space_preserve_only_where_needed(xlsx):
    with zipfile.ZipFile(xlsx) as archive:
        members = archive.read("xl/worksheets/sheet2.xml").decode()
    assert '<t xml:space="preserve">  espaces  </t>' in members
    assert '<t xml:space="preserve">&#13;retour</t>' in members
    assert "<t>Grande Usine</t>" in members


def test_a_table_longer_than_a_sheet_is_refused_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 4)  # Excel's 1,048,576, header included
    with pytest.raises(ValueError, match=r"members: 4 rows do not fit one sheet \(3 rows under"):
        write_workbook(tricky_frames(), tmp_path / "x.xlsx", DAY)
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("table, column, value, message", [
    ("member_types", "share", float("inf"), r"member_types!E2: inf is not a number"),
    ("members", "activities", "fin\ufffe", r"members!O2: a control character"),
    ("members", "activities", "a\ud800b", r"members!O2: a lone surrogate"),
])
def test_values_a_workbook_cannot_hold_are_refused_with_their_place(tmp_path, table, column,
                                                                   value, message):
    frames = tricky_frames()
    frames[table] = frames[table].copy()
    frames[table].loc[0, column] = value
    with pytest.raises(ValueError, match=message):
        write_workbook(frames, tmp_path / "x.xlsx", DAY)
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("table, column, value", [
    ("membership_history", "first_seen", dt.datetime(2004, 2, 29, 12)),  # a date, not a time
    ("members", "name", 42),
    ("clusters", "listed_member_count", 2.5),
])
def test_values_of_another_type_are_refused_as_column_values_refuses_them(tmp_path, table,
                                                                         column, value):
    frames = tricky_frames()
    frames[table] = frames[table].astype({column: object})
    frames[table].loc[frames[table].index[-1], column] = value  # after values of the right type
    with pytest.raises(TypeError, match=re.escape(f"{column}: {value!r} is not a")):
        writers.column_values(frames[table], TABLES[table])
    with pytest.raises(TypeError, match=re.escape(f"{column}: {value!r} is not a")):
        write_workbook(frames, tmp_path / "x.xlsx", DAY)


def test_reading_column_wise_refuses_a_number_in_a_text_column(xlsx, monkeypatch):
    rewrite_sheet(xlsx, "members", '<c r="B2" t="inlineStr"><is><t>=1+1</t></is></c>',
                  '<c r="B2" s="2"><v>5</v></c>')
    with pytest.raises(ValueError, match=r"members!B2: 5 is not a text cell"):
        read_without_openpyxl(xlsx, monkeypatch)


def test_reading_column_wise_refuses_a_header_that_is_not_the_schema(xlsx, monkeypatch):
    rewrite_sheet(xlsx, "members", "<t>name</t>", "<t>nom</t>")
    with pytest.raises(ValueError, match=r"sheet members has header \['member_id', 'nom'"):
        read_without_openpyxl(xlsx, monkeypatch)


@pytest.mark.parametrize("old, new", [
    ('<row r="3">', '<row r="3" spans="1:15">'),  # another writer's row
    ('<c r="B3" t="inlineStr">', '<c r="B3" t="inlineStr" s="0">'),  # attributes in another order
    ('<c r="A3"', '<c r="A9"'),  # a cell whose reference is not its row's
])
def test_a_sheet_of_another_shape_is_read_with_openpyxl(xlsx, monkeypatch, old, new):
    read_by_openpyxl = []
    original = workbook_read._read_with_openpyxl
    monkeypatch.setattr(workbook_read, "_read_with_openpyxl",
                        lambda path: read_by_openpyxl.append(path) or original(path))
    rewrite_sheet(xlsx, "members", old, new)
    read = read_workbook(xlsx)
    assert read_by_openpyxl == [xlsx]
    if old == '<c r="A3"':
        return  # openpyxl puts that cell where its reference says
    assert_same_tables(read, tricky_frames())


@pytest.mark.parametrize("new, message", [
    ('<c r="C3" t="inlineStr"><is><t>hier</t></is></c>',
     r"membership_history!C3: 'hier' is not a date"),
    ('<c r="C3" s="2"><v>38046</v></c>', r"membership_history!C3: 38046 is not a date cell"),
])
def test_reading_column_wise_refuses_a_date_column_cell_that_is_no_date(xlsx, monkeypatch, new,
                                                                        message):
    rewrite_sheet(xlsx, "membership_history", '<c r="C3" s="3"><v>38046</v></c>', new)
    with pytest.raises(ValueError, match=message):
        read_without_openpyxl(xlsx, monkeypatch)
