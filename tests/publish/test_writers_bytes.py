"""The column-wise CSV and JSON writers give the bytes of the value-by-value reference (the csv
module, json.dumps), and the column-wise readers give back what was written."""

import csv
import datetime as dt
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from cluster_etl.publish import PublishError, csv_format, json_format, release, writers
from cluster_etl.publish.arrays import typed_columns, typed_values
from cluster_etl.schema import TABLES, Column, Table
from tests.tables_factory import make_tables

TRICKY_TEXT = [
    "=SUM(A1)", "+32 81 23 45 67", "-12.5", "-A1", "@cmd", "\tTab", "\rCR", "'=quoted", "''@twice",
    "'plain", "'", "''", "' =x", "=", "-", "Conseil, \"audit\" et\nformation", 'say "hi"',
    "a,b", "line\r\nbreak", "cr\ronly", "tab\tinside", "ctrl\x01\x1f\x7f", "back\\slash",
    "Liège — Société Générale d'Électricité", "emoji 😀", "\u2028sep", "", None, " lead",
    "trail ", "(081) 23/45.67", "_x0041_", "&<>", "\x00nul", "\ufeffbom", "'\t'",
]


def reference_csv(df: pd.DataFrame, table: Table) -> bytes:
    """write_csv as it was: the csv module, value by value."""
    columns = writers.column_values(df, table)
    out = io_text()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(table.column_names)
    writer.writerows([writers._csv_text(v) for v in row] for row in zip(*columns.values()))
    return out.getvalue().encode("utf-8")


def reference_json(df: pd.DataFrame, table: Table) -> bytes:
    """write_json as it was: json.dumps, record by record."""
    columns = writers.column_values(df, table)
    names = table.column_names
    lines = [json.dumps(dict(zip(names, (v.isoformat() if isinstance(v, dt.date) else v
                                         for v in row))),
                        ensure_ascii=False, allow_nan=False, separators=(",", ":"))
             for row in zip(*columns.values())]
    text = "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"
    return text.encode("utf-8")


def io_text():
    import io
    return io.StringIO(newline="")


def tricky_frames() -> dict[str, pd.DataFrame]:
    tables = make_tables()
    members = tables.members
    rows = len(TRICKY_TEXT)
    members = pd.concat([members] * (rows // len(members) + 1), ignore_index=True).iloc[:rows]
    members = members.assign(member_id=[f"m{i}" for i in range(rows)])
    for i, name in enumerate(["activities", "street", "city", "kbo_name", "email"]):
        members[name] = pd.Series(np.roll(np.array(TRICKY_TEXT, dtype=object), i), dtype=object)
    members["kbo_start_date"] = pd.Series(
        [dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(2024, 2, 29), None] * (rows // 4 + 1),
        dtype=object)[:rows]
    shares = [100.0, 0.1, 1e-05, 1 / 3, 0.0, -0.0, 1e300, 5e-324, 1e16, 2.5]
    types = tables.member_types
    types = pd.concat([types] * (len(shares) // len(types) + 1), ignore_index=True)
    types = types.iloc[:len(shares)].assign(share=pd.Series(shares, dtype="float64"))
    clusters = tables.clusters.copy()
    clusters["declared_member_count"] = pd.array([-(2 ** 63), None][:len(clusters)], "Int64")
    return {"members": members, "member_types": types, "clusters": clusters}


def test_csv_and_json_bytes_are_the_reference_ones(tmp_path):
    for name, df in tricky_frames().items():
        table = TABLES[name]
        assert writers.write_csv(df, table, tmp_path / "t.csv").read_bytes() == reference_csv(df, table)
        assert writers.write_json(df, table, tmp_path / "t.json").read_bytes() == reference_json(df, table)


def test_bytes_are_the_reference_ones_across_chunks_and_when_empty(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_format, "CHUNK_ROWS", 3)
    monkeypatch.setattr(json_format, "CHUNK_ROWS", 3)
    df = tricky_frames()["members"]
    table = TABLES["members"]
    for rows in (df, df.iloc[:0], df.iloc[:1]):
        assert writers.write_csv(rows, table, tmp_path / "t.csv").read_bytes() == reference_csv(rows, table)
        assert writers.write_json(rows, table, tmp_path / "t.json").read_bytes() == reference_json(rows, table)


def test_a_table_of_one_column_quotes_an_empty_line_as_the_csv_module_does(tmp_path):
    table = Table("one", "One", "One column.", (Column("v", "string", "A value."),), ("v",))
    df = pd.DataFrame({"v": pd.Series(["a", None, "=x", ""], dtype=object)})
    assert writers.write_csv(df, table, tmp_path / "t.csv").read_bytes() == reference_csv(df, table)


def test_a_lone_surrogate_is_refused_as_utf_8_refuses_it(tmp_path):
    df = tricky_frames()["members"]
    df.loc[0, "activities"] = "a\ud800b"
    for write in (writers.write_csv, writers.write_json):
        with pytest.raises(UnicodeEncodeError):
            write(df, TABLES["members"], tmp_path / "t")


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_each_format_reads_back_column_wise_as_written(tmp_path, fmt, monkeypatch):
    def refuse(path, table):
        raise AssertionError("read with json.loads, not column-wise")
    monkeypatch.setattr(json_format, "_read_any", refuse)
    monkeypatch.setattr(json_format, "READ_BYTES", 97)  # many pieces of a file
    for name, df in tricky_frames().items():
        table = TABLES[name]
        path = tmp_path / f"{name}.{fmt}"
        {"csv": writers.write_csv, "json": writers.write_json,
         "parquet": writers.write_parquet}[fmt](df, table, path)
        columns = writers.read_columns(path, fmt, table)
        read, written = typed_values(table, columns), typed_columns(df, table)
        assert all(a.equals(b) for a, b in zip(read, written)), name
        expected = writers.to_frame(table, writers.column_values(df, table))
        pd.testing.assert_frame_equal(writers.frame_of(table, columns), expected)


def test_json_of_another_layout_reads_as_json_loads_reads_it(tmp_path):
    df = tricky_frames()["members"]
    table = TABLES["members"]
    path = writers.write_json(df, table, tmp_path / "members.json")
    pd.testing.assert_frame_equal(writers.read_json(path, table),
                                  json_read_as_before(path, table))
    records = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")  # escaped, indented
    pd.testing.assert_frame_equal(writers.read_json(path, table),
                                  json_read_as_before(path, table))
    records[1] = dict(reversed(records[1].items()))
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(ValueError, match="record keys"):
        writers.read_json(path, table)


def json_read_as_before(path, table):
    records = json.loads(path.read_text(encoding="utf-8"))
    return writers.to_frame(table, {
        c.name: [None if r[c.name] is None else writers._parse_text(r[c.name], c)
                 if c.type == "date" else float(r[c.name]) if c.type == "number" else r[c.name]
                 for r in records] for c in table.columns})


def test_a_text_ending_with_a_comma_is_cut_where_its_value_ends(tmp_path):
    df = tricky_frames()["members"]
    df.loc[0, "activities"], df.loc[1, "street"] = "ends with a comma,", ',","name":"x'
    table = TABLES["members"]
    path = writers.write_json(df, table, tmp_path / "members.json")
    assert json_format._read_plain(path, table)[14].to_pylist()[0] == "ends with a comma,"
    pd.testing.assert_frame_equal(writers.read_json(path, table), json_read_as_before(path, table))


@pytest.mark.parametrize("fmt, old, new", [
    ("csv", b"Wavre", b"Wavra"),
    ("json", b'"Wavre"', b'"Wavra"'),
])
def test_verify_finds_one_value_changed_in_a_file(tmp_path, fmt, old, new):
    tables = make_tables()
    frames = {name: getattr(tables, name) for name in TABLES if hasattr(tables, name)}
    folder = tmp_path / "r"
    folder.mkdir()
    frames["membership_history"] = writers.to_frame(
        TABLES["membership_history"], {c: [] for c in TABLES["membership_history"].column_names})
    release.write_release_files(frames, {"checks": []}, folder, dt.date(2008, 6, 30), {}, {
        "release": "2008-06-30", "previous_release": None, "members": {"added": [], "removed": [], "changed": []},
        "memberships": {"added": [], "removed": []}, "clusters": {"added": [], "removed": [], "changed": []},
        "counts": {t: {"before": None, "after": 0, "added": 0, "removed": 0, "changed": 0}
                   for t in ("clusters", "members", "memberships")}},
        {"members": {}, "clusters": {}})
    release.verify_release(folder, frames)
    path = folder / f"members.{fmt}"
    assert old in path.read_bytes()
    path.write_bytes(path.read_bytes().replace(old, new, 1))
    with pytest.raises(PublishError, match=rf"members\.{fmt} does not read back"):
        release.verify_release(folder, frames)
    shutil.rmtree(folder)
