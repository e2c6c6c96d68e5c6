import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from cluster_etl.publish import database, writers
from cluster_etl.publish.database import read_database, write_database
from cluster_etl.schema import TABLES
from tests.publish.test_workbook import SHARE_17_DIGITS, TRICKY, assert_same_tables, tricky_frames
from tests.tables_factory import frame

SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "DATE"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return write_database(tricky_frames(), tmp_path / "cluster-etl.sqlite")


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    return con


def test_round_trip_gives_the_tables_back_in_the_order_written(tmp_path):
    frames = tricky_frames(members_reversed=True)
    path = write_database(frames, tmp_path / "cluster-etl.sqlite")
    read = read_database(path)
    assert_same_tables(read, frames)
    assert read["members"]["member_id"].iloc[0] == "petite-pme-1300"  # not sorted by the key
    assert read["member_types"]["share"].iloc[0] == SHARE_17_DIGITS
    assert read["membership_history"]["first_seen"].iloc[0] == dt.date(1999, 12, 31)


def test_values_are_stored_with_their_types(db):
    con = connect(db)
    name, phone = con.execute(
        "SELECT name, phone FROM members WHERE member_id = 'BE0123456749'").fetchone()
    assert (name, phone) == (TRICKY["name"], TRICKY["phone"])
    assert con.execute("SELECT typeof(listed_member_count), typeof(as_of), as_of FROM clusters "
                       "LIMIT 1").fetchone() == ("integer", "text", "2008-06-30")
    assert con.execute("SELECT typeof(share) FROM member_types LIMIT 1").fetchone() == ("real",)
    assert con.execute("SELECT count(*) FROM members WHERE legal_form IS NULL").fetchone() == (2,)


def test_columns_keys_and_foreign_keys_follow_the_schema(db):
    con = connect(db)
    for name, table in TABLES.items():
        info = con.execute(f"PRAGMA table_info({name})").fetchall()
        assert [row[1] for row in info] == table.column_names
        for (_, column_name, sql_type, not_null, _, pk), column in zip(info, table.columns):
            assert sql_type == SQL_TYPES[column.type], column_name
            assert not_null == int(column.required), column_name
            expected_pk = (0 if table.nullable_key_columns or column_name not in table.primary_key
                           else table.primary_key.index(column_name) + 1)
            assert pk == expected_pk, column_name
        fks = con.execute(f"PRAGMA foreign_key_list({name})").fetchall()
        assert sorted((row[2], row[3], row[4]) for row in fks) == sorted(
            (fk.table, c, p) for fk in table.foreign_keys
            for c, p in zip(fk.columns, fk.table_columns))
    assert [row[1] for row in con.execute("PRAGMA foreign_key_list(memberships)")] and \
        {row[2] for row in con.execute("PRAGMA foreign_key_list(memberships)")} == {
            "clusters", "members"}


def test_creation_order_puts_referenced_tables_first():
    order = [t.name for t in database.creation_order()]
    assert sorted(order) == sorted(TABLES)
    for table in database.creation_order():
        for fk in table.foreign_keys:
            assert order.index(fk.table) < order.index(table.name)


@pytest.mark.parametrize("sql", [
    "INSERT INTO memberships VALUES ('nowhere', 'BE0123456749', 'https://x/y.html')",
    "INSERT INTO memberships VALUES ('aresa', 'BE0123456749', 'https://x/duplicate.html')",
    "INSERT INTO memberships VALUES ('aresa', NULL, 'https://x/y.html')",
    "INSERT INTO members (member_id, name, member_type) VALUES ('x', 'X', 'alien')",
    "INSERT INTO membership_history VALUES ('a', 'b', '2008-02-30', '2008-06-30')",
    "INSERT INTO membership_history VALUES ('a', 'b', '30/06/2008', '2008-06-30')",
    "INSERT INTO membership_history VALUES ('a', 'b', '2008-6-30', '2008-06-30')",
    "INSERT INTO clusters VALUES ('x', 'X', NULL, NULL, NULL, 'https://x', NULL, 1, '')",
    # Two "all clusters" rows for one kind: refused although cluster_id is NULL in both.
    "INSERT INTO member_types VALUES (NULL, 'company', 'sme', 1, 0.5)",
])
def test_constraints_refuse_rows_the_schema_forbids(db, sql):
    con = connect(db)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute(sql)


def test_rows_the_schema_allows_go_in(db):
    con = connect(db)
    con.execute("INSERT INTO membership_history VALUES ('a', 'b', '2008-02-29', '2008-06-30')")
    con.execute("INSERT INTO member_types VALUES ('tweed', 'other', NULL, 1, 0.5)")
    con.execute("INSERT INTO member_types VALUES (NULL, 'other', NULL, 1, 0.5)")
    con.execute("INSERT INTO member_types VALUES (NULL, NULL, NULL, 1, 0.5)")


def test_a_dangling_foreign_key_fails_the_write_and_leaves_no_file(tmp_path):
    frames = tricky_frames()
    frames["memberships"] = frame("memberships", [
        {"cluster_id": "nowhere", "member_id": "BE0123456749", "member_page_url": "https://x/y"}])
    with pytest.raises(ValueError, match="memberships: .*FOREIGN KEY"):
        write_database(frames, tmp_path / "cluster-etl.sqlite")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("column, value", [("member_type", "alien"), ("province", "Anvers")])
def test_a_value_outside_its_enumeration_fails_the_write_and_leaves_no_file(tmp_path, column,
                                                                            value):
    frames = tricky_frames()
    members = frames["members"].copy()
    members.loc[len(members) - 1, column] = value  # the last row: every row is checked
    frames["members"] = members
    with pytest.raises(ValueError, match=f"members: a row breaks a constraint of the schema: "
                                         f"CHECK constraint failed: {column}$"):
        write_database(frames, tmp_path / "cluster-etl.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_the_file_stands_alone_and_replaces_an_earlier_one(tmp_path):
    path = tmp_path / "cluster-etl.sqlite"
    path.write_text("not a database")
    write_database(tricky_frames(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["cluster-etl.sqlite"]  # no -journal, -wal
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_same_tables_give_the_same_bytes(tmp_path):
    first = write_database(tricky_frames(), tmp_path / "a.sqlite")
    second = write_database(tricky_frames(), tmp_path / "b.sqlite")
    assert first.read_bytes() == second.read_bytes()


def test_documentation_tables_describe_every_column(db):
    con = connect(db)
    tables = con.execute("SELECT table_name, title, description FROM _tables").fetchall()
    assert tables == [(t.name, t.title, t.description) for t in TABLES.values()]
    columns = con.execute("SELECT table_name, column_name, type, required, allowed_values, "
                          "description FROM _columns ORDER BY rowid").fetchall()
    assert columns == [(t.name, c.name, c.type, int(c.required),
                        ", ".join(c.enum) if c.enum else None, c.description)
                       for t in TABLES.values() for c in t.columns]


def test_reading_refuses_text_columns_holding_other_values(db):
    con = connect(db)
    # A number would turn into text in a TEXT column; bytes stay bytes.
    con.execute("UPDATE members SET city = X'3432' WHERE member_id = 'petite-pme-1300'")
    con.commit()
    con.close()
    with pytest.raises(ValueError, match=r"members.city: b'42' is not text"):
        read_database(db)


def test_reading_a_missing_file_fails_without_creating_one(tmp_path):
    with pytest.raises(sqlite3.OperationalError):
        read_database(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def offline_duckdb():
    """DuckDB that never downloads: its SQLite scanner comes from the pip package of the same
    version (a dev dependency, pinned with duckdb)."""
    import duckdb
    import duckdb_extension_sqlite_scanner

    con = duckdb.connect(config={"autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    extension = (Path(duckdb_extension_sqlite_scanner.__file__).parent / "extensions" /
                 f"v{duckdb.__version__}" / "sqlite_scanner.duckdb_extension")
    con.execute(f"LOAD '{extension}'")
    return con


def test_duckdb_reads_the_database_with_its_types_and_keys(tmp_path):
    path = write_database(tricky_frames(), tmp_path / "cluster-etl.sqlite")
    con = offline_duckdb()
    con.execute(f"ATTACH '{path}' AS release (TYPE sqlite, READ_ONLY)")
    duck_types = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE"}
    for name, df in tricky_frames().items():
        table = TABLES[name]
        described = con.execute(f'DESCRIBE release."{name}"').fetchall()
        assert [row[0] for row in described] == table.column_names
        assert [row[1] for row in described] == [duck_types[c.type] for c in table.columns]
        values = writers.column_values(df, table)
        rows = con.execute(f'SELECT * FROM release."{name}" ORDER BY rowid').fetchall()
        assert rows == [tuple(row) for row in zip(*values.values())]


def test_duckdb_reads_the_parquet_tables_with_their_types(tmp_path):
    con = offline_duckdb()
    duck_types = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE"}
    for name, df in tricky_frames().items():
        table = TABLES[name]
        path = writers.write_parquet(df, table, tmp_path / f"{name}.parquet")
        relation = con.read_parquet(str(path))
        assert relation.columns == table.column_names
        assert [str(t) for t in relation.types] == [duck_types[c.type] for c in table.columns]
        values = writers.column_values(df, table)
        assert relation.fetchall() == [tuple(row) for row in zip(*values.values())]
