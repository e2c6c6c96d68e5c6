"""typed_columns converts a table once per release (converted_once), never another frame's."""

import pytest

from cluster_etl.publish import arrays
from cluster_etl.publish.arrays import converted_once, typed_columns
from cluster_etl.schema import TABLES
from tests.tables_factory import make_tables


def test_inside_converted_once_a_frame_is_converted_once(monkeypatch):
    clusters = make_tables().clusters
    calls = []
    real = arrays._typed_columns
    monkeypatch.setattr(arrays, "_typed_columns", lambda df, t: calls.append(t.name) or real(df, t))
    with converted_once():
        first = typed_columns(clusters, TABLES["clusters"])
        assert typed_columns(clusters, TABLES["clusters"]) is first
    assert calls == ["clusters"]
    assert typed_columns(clusters, TABLES["clusters"]) is not first  # outside: converted again
    assert calls == ["clusters", "clusters"]


def test_another_frame_gets_its_own_arrays():
    clusters = make_tables().clusters
    table = TABLES["clusters"]
    with converted_once():
        written = typed_columns(clusters, table)
        changed = typed_columns(clusters.assign(domain=None), table)
    domain = table.column_names.index("domain")
    assert written[domain].null_count == 0 and changed[domain].null_count == len(clusters)


def test_errors_are_not_remembered():
    clusters = make_tables().clusters
    broken = clusters.iloc[:, ::-1]
    with converted_once():
        for _ in range(2):
            with pytest.raises(ValueError, match="columns"):
                typed_columns(broken, TABLES["clusters"])
