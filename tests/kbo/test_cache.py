"""The rows cache: a hit reads no file of the extract, new numbers grow it, another zip misses it."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from cluster_etl.kbo import cache, open_extract
from cluster_etl.kbo import stream as S
from tests.kbo.extracts import address, csv_rows, enterprise, write_extract
from tests.kbo.test_extract import A, B, C, EST_A, files

ABSENT = "0200.065.765"  # valid, not in the extract
TABLES = ("enterprises", "establishments", "denominations", "addresses", "activities", "labels")


def same_rows(a, b) -> bool:
    return a.requested == b.requested and all(
        getattr(a, t).sort_by(getattr(a, t).column_names[0]).equals(
            getattr(b, t).sort_by(getattr(b, t).column_names[0])) for t in TABLES)


def test_a_second_selection_comes_from_the_cache_without_reading_the_extract(tmp_path, monkeypatch):
    path, cache_dir = write_extract(tmp_path / "x", files()), tmp_path / "cache"
    cold = open_extract(path, cache_dir).select([A, B, ABSENT])  # the last: not in it
    # open_extract itself reads meta.csv and the headers; the big files are never scanned again
    original = S.scan
    monkeypatch.setattr(S, "scan", lambda open_member, file, *a, **k: (
        original(open_member, file, *a, **k) if file == "meta.csv" else pytest.fail(f"read {file}")))
    warm = open_extract(path, cache_dir).select([A, B, ABSENT])
    assert same_rows(cold, warm)
    assert warm.requested == {A, B, ABSENT}
    subset = open_extract(path, cache_dir).select([A])
    assert subset.enterprises.column("EnterpriseNumber").to_pylist() == [A]
    assert set(subset.activities.column("EntityNumber").to_pylist()) == {A, EST_A}


def test_numbers_not_yet_cached_read_the_extract_again_and_grow_the_cache(tmp_path, monkeypatch):
    path, cache_dir = write_extract(tmp_path / "x", files()), tmp_path / "cache"
    open_extract(path, cache_dir).select([A])
    scanned = []
    original = S.scan
    monkeypatch.setattr(S, "scan", lambda open_member, file, *a, **k: (
        scanned.append(file), original(open_member, file, *a, **k))[1])
    rows = open_extract(path, cache_dir).select([C])
    assert "activity.csv" in scanned
    assert rows.requested == {C}
    assert rows.enterprises.column("EnterpriseNumber").to_pylist() == [C]
    scanned.clear()
    both = open_extract(path, cache_dir).select([A, C])
    assert [f for f in scanned if f != "meta.csv"] == []
    assert sorted(both.enterprises.column("EnterpriseNumber").to_pylist()) == [A, C]
    versions = list(cache.extract_folder(cache_dir, both.meta).glob("rows-*"))
    assert len(versions) == 1  # the smaller cache was replaced


def test_another_zip_is_another_cache(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    path = write_extract(tmp_path / "x", files())
    first = open_extract(path, cache_dir).select([A])
    changed = files()
    changed["enterprise.csv"] = csv_rows(enterprise(A, form="610"), enterprise(B))
    write_extract(tmp_path / "x", changed)  # same name, same ExtractNumber, other content
    extract = open_extract(path, cache_dir)
    assert extract.meta.sha256 != first.meta.sha256
    assert extract.meta.extract_number == first.meta.extract_number
    rows = extract.select([A])
    assert rows.enterprises.column("JuridicalForm").to_pylist() == ["610"]


def test_an_unreadable_cache_is_read_again_from_the_extract(tmp_path):
    path, cache_dir = write_extract(tmp_path / "x", files()), tmp_path / "cache"
    rows = open_extract(path, cache_dir).select([A])
    folder = cache.extract_folder(cache_dir, rows.meta)
    version = folder / json.loads((folder / "current.json").read_text())["rows"]
    (version / "activities.parquet").write_bytes(b"not parquet")
    again = open_extract(path, cache_dir).select([A])
    assert same_rows(rows, again)


def test_invalid_rows_are_remembered_by_the_cache(tmp_path):
    text = files()
    text["address.csv"] = csv_rows(address(A, "5000")) + f'"{A}","REGO"\n'
    path, cache_dir = write_extract(tmp_path / "x", text), tmp_path / "cache"
    cold = open_extract(path, cache_dir).select([A])
    warm = open_extract(path, cache_dir).select([A])
    assert cold.invalid_rows == warm.invalid_rows
    assert [(r.file, r.count, r.first_line) for r in warm.invalid_rows] == [("address.csv", 1, 3)]


def test_the_zips_hash_is_cached_by_path_size_and_mtime(tmp_path, monkeypatch):
    path, cache_dir = write_extract(tmp_path / "x", files()), tmp_path / "cache"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert cache.file_sha256(path, cache_dir) == digest
    hashed = []
    real_sha256 = hashlib.sha256
    monkeypatch.setattr(cache.hashlib, "sha256", lambda *a: hashed.append(1) or real_sha256(*a))
    assert cache.file_sha256(path, cache_dir) == digest
    assert hashed == []
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert cache.file_sha256(path, cache_dir) == digest
    assert hashed == [1]
    assert cache.file_sha256(path, None) == digest  # no cache folder: hashed each time
    assert hashed == [1, 1]
