"""open_extract and Extract.select: checks, clear errors, streaming filter, corrupt rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import pyarrow as pa
import pytest

from cluster_etl.kbo import KboError, open_extract
from cluster_etl.kbo import stream as S
from tests.kbo.extracts import META, address, csv_rows, enterprise, header, write_extract

A, B, C = "0200.000.637", "0200.005.783", "0403.449.823"  # C: not asked for
EST_A, EST_C = "2.000.000.339", "2.000.000.438"


def files() -> dict[str, str]:
    return {
        "enterprise.csv": csv_rows(enterprise(A), enterprise(B), enterprise(C)),
        "establishment.csv": csv_rows((EST_A, "01-11-1974", A), (EST_C, "01-09-1964", C)),
        "denomination.csv": csv_rows((A, "1", "001", "Mosatec"), (B, "2", "001", "Verhoeven Bouw"),
                                     (C, "1", "001", "Autre"), (EST_A, "1", "003", "Mosatec Namur"),
                                     (EST_C, "1", "003", "Autre Liège")),
        "address.csv": csv_rows(address(A, "5000"), address(C, "4000"), address(EST_A, "5100", "BAET")),
        "activity.csv": csv_rows((A, "001", "2008", "62010", "MAIN"), (C, "001", "2008", "46900", "MAIN"),
                                 (EST_A, "001", "2008", "62020", "MAIN"), (EST_C, "001", "2008", "10710", "MAIN")),
        "code.csv": csv_rows(("JuridicalForm", "014", "FR", "Société anonyme"),
                             ("JuridicalForm", "014", "NL", "Naamloze vennootschap"),
                             ("Nace2008", "62010", "FR", "Programmation informatique"),
                             ("Status", "AC", "FR", "Actif")),
    }


def test_meta_names_the_extract_with_the_zips_sha256(tmp_path):
    path = write_extract(tmp_path, files())
    meta = open_extract(path).meta
    assert meta.snapshot_date == dt.date(2008, 6, 28)
    assert (meta.extract_number, meta.extract_type, meta.version) == ("42", "full", "1.0.0")
    assert meta.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta.file_name == path.name
    assert meta.to_dict()["snapshot_date"] == "2008-06-28"


def test_select_keeps_the_rows_of_the_enterprises_and_of_their_establishments_only(tmp_path):
    rows = open_extract(write_extract(tmp_path, files())).select([A, B])
    assert rows.requested == {A, B}
    assert sorted(rows.enterprises.column("EnterpriseNumber").to_pylist()) == [A, B]
    assert rows.establishments.column("EstablishmentNumber").to_pylist() == [EST_A]
    for table in (rows.denominations, rows.addresses, rows.activities):
        assert set(table.column("EntityNumber").to_pylist()) <= {A, B, EST_A}
    assert EST_A in rows.activities.column("EntityNumber").to_pylist()
    assert sorted(rows.denominations.column("Denomination").to_pylist()) == [
        "Mosatec", "Mosatec Namur", "Verhoeven Bouw"]
    # code.csv: the French labels of legal forms and NACE codes only
    labels = [(r["Category"], r["Code"], r["Language"]) for r in rows.labels.to_pylist()]
    assert sorted(labels) == [("JuridicalForm", "014", "FR"), ("Nace2008", "62010", "FR")]


def test_numbers_in_any_spelling_are_matched_and_invalid_ones_ignored(tmp_path):
    rows = open_extract(write_extract(tmp_path, files())).select(
        ["BE 0200 000 637", "200005783", "0200.000.638", None, float("nan"), ""])
    assert rows.requested == {A, B}


def test_a_folder_of_csv_files_reads_like_the_zip(tmp_path):
    zipped = open_extract(write_extract(tmp_path / "zip", files())).select([A])
    folder = open_extract(write_extract(tmp_path / "dir", files(), as_zip=False))
    assert folder.meta.sha256 != zipped.meta.sha256 and len(folder.meta.sha256) == 64
    rows = folder.select([A])
    for name in ("enterprises", "establishments", "denominations", "addresses", "activities"):
        assert getattr(rows, name).equals(getattr(zipped, name)), name


def test_the_registers_unquoted_dates_and_empty_fields_are_read(tmp_path):
    # The real files quote every value but dates and empty ones, and may start with a BOM.
    text = (header("enterprise.csv") + f'"{A}","AC","000","2","014",,09-08-1960\n')
    rows = open_extract(write_extract(tmp_path, raw={"enterprise.csv": "\ufeff" + text})).select([A])
    assert rows.enterprises.to_pylist() == [
        {"EnterpriseNumber": A, "Status": "AC", "JuridicalSituation": "000", "TypeOfEnterprise": "2",
         "JuridicalForm": "014", "StartDate": "09-08-1960"}]


@pytest.mark.parametrize("case, message", [
    ("missing", "KBO extract not found"),
    ("not_zip", "not a readable zip file"),
    ("no_enterprise", "lacks enterprise.csv"),
    ("no_establishment", "lacks establishment.csv"),
    ("update", "is an update extract"),
    ("no_number", "meta.csv of"),
    ("odd_type", "ExtractType 'weekly'"),
    ("bad_date", "SnapshotDate '2008-06-28' is not dd-mm-yyyy"),
    ("column", "address.csv: missing column(s) Zipcode (found: EntityNumber,"),
    ("empty", "activity.csv: empty file"),
])
def test_an_unusable_extract_is_one_clear_error(tmp_path, case, message):
    if case == "missing":
        path = tmp_path / "nowhere.zip"
    elif case == "not_zip":
        path = tmp_path / "extract.zip"
        path.write_text("EnterpriseNumber\n")
    elif case == "no_enterprise":
        path = write_extract(tmp_path, {"enterprise.csv": None})
    elif case == "no_establishment":
        path = write_extract(tmp_path, {"establishment.csv": None})
    elif case == "column":
        path = write_extract(tmp_path, raw={"address.csv": header("address.csv").replace('"Zipcode",', "")})
    elif case == "empty":
        path = write_extract(tmp_path, raw={"activity.csv": ""})
    else:
        meta = {"update": META.replace('"full"', '"update"'),
                "no_number": META.replace('"ExtractNumber","42"\n', ""),
                "odd_type": META.replace('"full"', '"weekly"'),
                "bad_date": META.replace("28-06-2008", "2008-06-28", 1)}[case]
        path = write_extract(tmp_path, raw={"meta.csv": meta})
    with pytest.raises(KboError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        open_extract(path)
    assert "\n" not in str(error.value)
    assert isinstance(error.value, ValueError)


def test_a_row_with_the_wrong_number_of_fields_is_skipped_and_counted(tmp_path):
    text = files()
    text["activity.csv"] = (csv_rows((A, "001", "2008", "62010", "MAIN"))
                            + f'"{A}","001","2008"\n'
                            + csv_rows((A, "001", "2025", "62100", "MAIN"))
                            + f'"{B}","001","2008","62010","MAIN","extra"\n'
                            # a stray quote swallows the next line: one row too long
                            + f'"{B}","001","2008","62010","MAIN\n' + csv_rows((B, "001", "2008", "62020", "SECO"))
                            + csv_rows((B, "001", "2025", "62100", "MAIN")))
    rows = open_extract(write_extract(tmp_path, text)).select([A, B])
    assert rows.activities.column("NaceCode").to_pylist() == ["62010", "62100", "62100"]
    [invalid] = rows.invalid_rows
    assert (invalid.file, invalid.count) == ("activity.csv", 3)
    assert invalid.first_line == 3  # line 1 is the header
    assert invalid.first_text == f'"{A}","001","2008"'


@pytest.mark.parametrize("text, reason", [
    (f'"{A}","001","2008","62010","MAI\xff"\n'.encode("latin-1"), "unreadable CSV"),
])
def test_an_unparsable_file_is_a_clear_error(tmp_path, text, reason):
    raw = (header("activity.csv").encode() + (text if isinstance(text, bytes) else text.encode()))
    extract = open_extract(write_extract(tmp_path, raw={"activity.csv": raw}))
    with pytest.raises(KboError, match=f"activity.csv: {reason}") as error:
        extract.select([A])
    assert "\n" not in str(error.value)


def test_a_damaged_zip_member_is_a_clear_error(tmp_path):
    path = write_extract(tmp_path, {"activity.csv": csv_rows(*[(A, "001", "2008", f"{i:05d}", "SECO")
                                                               for i in range(3000)])})
    extract = open_extract(path)
    data = bytearray(path.read_bytes())
    start = data.index(b"activity.csv") + 200  # inside the deflated data of activity.csv
    data[start:start + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(KboError, match="activity.csv"):
        extract.select([A])


def test_small_blocks_filter_every_block_and_lose_nothing(tmp_path):
    rows_in = [(f"{i:04d}.111.222", "001", "2008", "62010", "SECO") for i in range(2000)]
    wanted = {r[0] for r in rows_in[::250]}
    text = files()
    text["activity.csv"] = csv_rows(*rows_in)
    folder = write_extract(tmp_path, text, as_zip=False)
    table, invalid = S.scan(lambda: open(folder / "activity.csv", "rb"), "activity.csv",
                            ("EntityNumber", "NaceCode"), "EntityNumber", pa.array(sorted(wanted)),
                            block_size=4096)
    assert (folder / "activity.csv").stat().st_size > 20 * 4096
    assert invalid is None
    assert table.column("EntityNumber").to_pylist() == [r[0] for r in rows_in if r[0] in wanted]
    assert table.column_names == ["EntityNumber", "NaceCode"]


def test_files_in_a_folder_inside_the_zip_and_without_contact_csv_are_found(tmp_path):
    flat = write_extract(tmp_path / "flat", {**files(), "contact.csv": None}, as_zip=False)
    path = tmp_path / "nested.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for csv_file in sorted(flat.glob("*.csv")):
            zf.write(csv_file, f"KboOpenData_0042_2008_06_Full/{csv_file.name}")
    rows = open_extract(path).select([A])
    assert rows.enterprises.column("EnterpriseNumber").to_pylist() == [A]


def test_no_number_to_look_for_reads_no_big_file(tmp_path, monkeypatch):
    extract = open_extract(write_extract(tmp_path, files()))
    original = S.scan
    monkeypatch.setattr(S, "scan", lambda open_member, file, *a, **k: (
        original(open_member, file, *a, **k) if file in ("meta.csv", "code.csv") else pytest.fail(file)))
    rows = extract.select([None, "not a number"])
    assert rows.requested == frozenset() and rows.enterprises.num_rows == 0


def test_the_reader_stays_a_few_blocks_ahead_of_the_filter(tmp_path, monkeypatch):
    leads = []

    class Recording(S._Throttle):
        def read(self, size=-1):
            data = super().read(size)
            leads.append(self._read - self._consumed)
            return data

    monkeypatch.setattr(S, "_Throttle", Recording)
    monkeypatch.setattr(S, "THROTTLE_WAIT", 60)  # only the consumer releases the reader
    block = 16 * 1024
    text = files()
    text["activity.csv"] = csv_rows(*[(f"{i:04d}.111.222", "001", "2008", "62010", "SECO")
                                      for i in range(20_000)])
    folder = write_extract(tmp_path, text, as_zip=False)
    table, _ = S.scan(lambda: open(folder / "activity.csv", "rb"), "activity.csv", ("EntityNumber",),
                      "EntityNumber", pa.array(["0001.111.222"]), block_size=block)
    assert table.num_rows == 1
    assert (folder / "activity.csv").stat().st_size > 40 * block
    assert max(leads) <= (S.READ_AHEAD_BLOCKS + 2) * block  # unthrottled: some 35 blocks ahead
