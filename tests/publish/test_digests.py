"""sha256 reads a file once inside hashed_once(), and again once the file was written again."""

import hashlib

from cluster_etl.publish import metadata
from cluster_etl.publish.metadata import hashed_once, sha256


def test_a_file_is_read_once_inside_hashed_once(tmp_path, monkeypatch):
    path = tmp_path / "a.csv"
    path.write_bytes(b"first")
    reads = []
    real = metadata._sha256
    monkeypatch.setattr(metadata, "_sha256", lambda p: reads.append(p) or real(p))
    with hashed_once():
        assert sha256(path) == sha256(path) == hashlib.sha256(b"first").hexdigest()
        assert len(reads) == 1
        path.write_bytes(b"second, longer")
        assert sha256(path) == hashlib.sha256(b"second, longer").hexdigest()
    assert sha256(path) == hashlib.sha256(b"second, longer").hexdigest()
    assert len(reads) == 3  # outside: read every time
