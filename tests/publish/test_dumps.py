"""metadata.dumps writes the bytes json.dumps(jsonable(value), ensure_ascii=False, indent=1) does."""

import datetime as dt
import json

from cluster_etl.publish.metadata import dumps, jsonable

VALUE = {
    "release": "2026-01-05", "previous_release": None, "empty": {}, "none": [], "flag": True,
    "nested": {"a": [1, 2.5, -0.0, 1e300, None, "é\\\"\n\x01\u2028😀"], "b": {"c": {"d": []}}},
    "memberships": {"added": [{"cluster_id": "c1", "member_id": f"m{i}"} for i in range(5)]},
    "changed": [{"member_id": "x", "fields": {"city": ["Namur", None], "since": [dt.date(2008, 6, 30), 3]}}],
    "tuple": ("a", ["b", {"c": "d"}]), "set": {"b", "a"}, 7: "a key that is not text",
    "texts": ["", " ", "'", "\t"],
    # Lists of records: of the same text keys and values, and every way of not being so.
    "records": [{"a%s": "x%sy", "100%": "é\"", "{b}": ""}, {"a%s": "2", "100%": "", "{b}": "\n"}],
    "reordered": [{"a": "1", "b": "2"}, {"b": "2", "a": "1"}],
    "fewer keys": [{"a": "1", "b": "2"}, {"a": "1"}],
    "not all text": [{"a": "1"}, {"a": None}, {"a": 2}],
    "not all dicts": [{"a": "1"}, "a", ["b"]],
    "empty records": [{}, {}],
    "tuple of records": ({"a": "1"}, {"a": "2"}),
}


def test_dumps_gives_the_bytes_of_json_dumps_with_an_indent():
    assert dumps(VALUE) == json.dumps(jsonable(VALUE), ensure_ascii=False, indent=1) + "\n"
    for value in ("text", 3, None, [], {}, ["only"], {"k": "v"}):
        assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=1) + "\n"
