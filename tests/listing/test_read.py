import codecs
import datetime as dt
import hashlib

import openpyxl
import pytest

from cluster_etl.listing import ListingError, cell_text, read_sheet, sniff_delimiter
from cluster_etl.listing.read import decode_text

HEADER = "Cluster;Dénomination;Code postal"


def write(tmp_path, data: bytes, name: str = "membres.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, encoding", [
    ("Liège".encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + "Liège".encode("utf-8"), "utf-8"),
    ("Liège".encode("cp1252"), "cp1252"),
    ("Liège".encode("utf-16"), "utf-16"),  # Excel's "Unicode text" (with a BOM)
])
def test_decode_text(data, encoding):
    assert decode_text(data, "f.csv") == ("Liège", encoding)


def test_undecodable_bytes_are_a_listing_error():
    with pytest.raises(ListingError, match=r"^f\.csv: not text in UTF-8"):
        decode_text(b"Li\x81ge \xc3", "f.csv")  # 0x81 is not a Windows-1252 character


@pytest.mark.parametrize("header, delimiter", [
    ("Cluster;Dénomination;Localité", ";"),
    ("Cluster,Dénomination,Localité", ","),
    ("Cluster\tDénomination\tLocalité", "\t"),
    ('"Nom, prénom";Cluster;Localité', ";"),  # a comma inside a quoted label is not a delimiter
    ("\n\nCluster;Dénomination\nTWEED,x,y,z;a", ";"),  # the first non-blank line decides
    ("Cluster", ","),
])
def test_sniff_delimiter(header, delimiter):
    assert sniff_delimiter(header) == delimiter


def test_windows_1252_with_semicolons_as_excel_saves_it(tmp_path):
    text = f"{HEADER}\r\nTWEED;Société Générale d'Électricité SA;B-4000\r\n"
    sheet = read_sheet(write(tmp_path, text.encode("cp1252")))
    assert sheet.format == "csv (cp1252, ';')"
    assert sheet.header == ("Cluster", "Dénomination", "Code postal")
    assert [r.cells for r in sheet.rows] == [("TWEED", "Société Générale d'Électricité SA", "B-4000")]


def test_rows_keep_their_spreadsheet_number(tmp_path):
    text = ("\r\n" + HEADER + "\r\n"  # a blank first line: the header is row 2
            "TWEED;A;4000\r\n"
            "\r\n"
            ";;\r\n"  # Excel's blank row: only delimiters
            'TWEED;"B\r\nsur deux lignes";5000\r\n'  # one row in a spreadsheet, two lines of text
            "TWEED;C;6000\r\n")
    sheet = read_sheet(write(tmp_path, text.encode("utf-8")))
    assert sheet.header_row == 2
    assert [(r.number, r.cells[1]) for r in sheet.rows] == [
        (3, "A"), (6, "B\r\nsur deux lignes"), (7, "C")]


def test_trailing_empty_cells_are_dropped_but_short_rows_kept_short(tmp_path):
    text = f"{HEADER};;\r\nTWEED;A;4000;;\r\nTWEED;B\r\nTWEED;C;4000;;x\r\n"
    sheet = read_sheet(write(tmp_path, text.encode("utf-8")))
    assert sheet.header == ("Cluster", "Dénomination", "Code postal")
    assert [r.cells for r in sheet.rows] == [
        ("TWEED", "A", "4000"), ("TWEED", "B"), ("TWEED", "C", "4000", "", "x")]


@pytest.mark.parametrize("value, text", [
    (None, ""), ("B-4000", "B-4000"), (4000, "4000"), (4000.0, "4000"), (123456749, "123456749"),
    (4000.5, "4000.5"), (True, "TRUE"), (dt.datetime(2008, 6, 30), "2008-06-30"),
    (dt.datetime(2008, 6, 30, 9, 30), "2008-06-30 09:30:00"), (dt.date(2008, 6, 30), "2008-06-30"),
])
def test_cell_text_is_what_a_person_typed(value, text):
    assert cell_text(value) == text


def test_xlsx_first_sheet_numbers_as_typed(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Membres"
    sheet.append([])  # row 1 blank: the header is row 2
    sheet.append(["Cluster", "Dénomination", "Code postal", "Numéro d'entreprise"])
    sheet.append(["TWEED", "Alpha", 4000, 123456749])
    sheet.append([])
    sheet.append(["TWEED", "Bêta", 4000.0, "0123.456.749"])
    sheet.append(["TWEED", "Gamma"])  # a workbook row is as wide as the sheet
    other = workbook.create_sheet("Autre")
    other.append(["pas", "cette", "feuille"])
    workbook.active = 1  # the sheet open when saved is not the one read
    workbook.save(tmp_path / "membres.xlsx")

    sheet_read = read_sheet(tmp_path / "membres.xlsx")
    assert sheet_read.format == "xlsx (first sheet 'Membres')"
    assert sheet_read.header_row == 2
    assert [(r.number, r.cells) for r in sheet_read.rows] == [
        (3, ("TWEED", "Alpha", "4000", "123456749")),
        (5, ("TWEED", "Bêta", "4000", "0123.456.749")),
        (6, ("TWEED", "Gamma", "", ""))]


def test_xlsx_is_told_by_content_not_by_name(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Cluster", "Dénomination"])
    workbook.save(tmp_path / "membres.csv")
    assert read_sheet(tmp_path / "membres.csv").format.startswith("xlsx")


@pytest.mark.parametrize("data, message", [
    (b"", "membres.csv: no header row, the file is empty"),
    (b"\r\n;;\r\n", "membres.csv: no header row, the file is empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "membres.csv: an old Excel .xls workbook"),
    (b"PK\x03\x04broken", "membres.csv: not a readable XLSX workbook"),
])
def test_unreadable_files_are_listing_errors(tmp_path, data, message):
    with pytest.raises(ListingError) as error:
        read_sheet(write(tmp_path, data))
    assert str(error.value).startswith(message)


def test_missing_file_is_a_listing_error(tmp_path):
    with pytest.raises(ListingError, match="^absent.csv: cannot be read"):
        read_sheet(tmp_path / "absent.csv")


def test_sha256_is_of_the_file_bytes(tmp_path):
    data = f"{HEADER}\r\nTWEED;A;4000\r\n".encode("cp1252")
    assert read_sheet(write(tmp_path, data)).sha256 == hashlib.sha256(data).hexdigest()
