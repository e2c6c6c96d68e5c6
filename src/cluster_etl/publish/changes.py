"""What changed between two releases: changes.json (for tools), CHANGES.md (for people), and the
membership_history table carried from release to release.

Releases are compared through their clean tables, so only real data changes count: a page
re-rendered with other whitespace, another spelling of the same type label or another directory
order normalise to the same rows. Links to portal pages (schema `portal_link`) are compared by path
and query: the same portal served under another host or port changes nothing. Every list is sorted,
so the same two releases always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cluster_etl.publish.metadata import dumps
from cluster_etl.publish.arrays import arrow_type, frame_of, to_frame, typed_columns
from cluster_etl.schema import MEMBERSHIP_HISTORY, TABLES, Table

Frames = dict[str, pd.DataFrame]
_NOTED = 50  # names listed per cluster and direction in CHANGES.md; the rest are counted


def _comparable(value: Any, portal_link: bool) -> Any:
    if portal_link and isinstance(value, str):
        parts = urlsplit(value)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return value


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _keyed(df: pd.DataFrame | None, table: Table, key: int) -> list[pa.Array]:
    """The typed columns of a table; where a key is given twice, its last row (as a dict keeps)."""
    if df is None:
        return [pa.array([], arrow_type(c)) for c in table.columns]
    arrays = typed_columns(df, table)
    if pc.count_distinct(arrays[key]).as_py() < len(arrays[key]):
        last = ~pd.Series(arrays[key].to_pylist()).duplicated(keep="last").to_numpy()
        arrays = [a.filter(pa.array(last)) for a in arrays]
    return arrays


def _differs(old: pa.Array, new: pa.Array, portal_link: bool) -> np.ndarray:
    """Row by row, whether two aligned columns hold different values (null equals null)."""
    same = pc.or_(pc.fill_null(pc.equal(old, new), False),
                  pc.and_(pc.is_null(old), pc.is_null(new)))
    differ = pc.invert(same).to_numpy(zero_copy_only=False)
    if portal_link and differ.any():  # rare: compared by path and query, one by one
        rows = np.flatnonzero(differ)
        differ[rows] = [_comparable(a, True) != _comparable(b, True) for a, b in
                        zip(old.take(rows).to_pylist(), new.take(rows).to_pylist())]
    return differ


def _compare_rows(before: pd.DataFrame | None, after: pd.DataFrame, table: Table) -> dict[str, Any]:
    """added / removed ids and per-row changed fields ({column: [old, new]}) of a one-column key,
    compared column-wise: Python values are made for the rows that changed only."""
    (key,) = table.primary_key
    k = table.column_names.index(key)
    old, new = _keyed(before, table, k), _keyed(after, table, k)
    in_old = pc.is_in(new[k], value_set=old[k])
    added = sorted(new[k].filter(pc.invert(in_old)).to_pylist())
    removed = sorted(old[k].filter(pc.invert(pc.is_in(old[k], value_set=new[k]))).to_pylist())
    common = new[k].filter(in_old)
    common = common.take(pc.sort_indices(common))  # UTF-8 order is code point order
    old_at, new_at = pc.index_in(common, value_set=old[k]), pc.index_in(common, value_set=new[k])
    differing = {}
    for i, column in enumerate(table.columns):
        if i != k:
            pair = old[i].take(old_at), new[i].take(new_at)
            if (differ := _differs(*pair, column.portal_link)).any():
                differing[column.name] = (differ, *pair)
    rows = (np.flatnonzero(np.logical_or.reduce([d for d, _, _ in differing.values()]))
            if differing else np.zeros(0, dtype=np.int64))
    values = {name: (differ[rows], a.take(rows).to_pylist(), b.take(rows).to_pylist())
              for name, (differ, a, b) in differing.items()}
    changed = []
    for j, ident in enumerate(common.take(rows).to_pylist()):
        fields = {name: [_plain(a[j]), _plain(b[j])] for name, (d, a, b) in values.items() if d[j]}
        changed.append({key: ident, "fields": fields})
    return {"added": added, "removed": removed, "changed": changed}


_PAIR = ("cluster_id", "member_id")  # a membership's key


def membership_pairs(memberships: pd.DataFrame | None) -> pa.Table:
    """The distinct (cluster_id, member_id) of a memberships table."""
    if memberships is None:
        return pa.table({k: pa.array([], pa.large_string()) for k in _PAIR})
    table = TABLES["memberships"]
    arrays = typed_columns(memberships, table)
    pairs = pa.table({k: arrays[table.column_names.index(k)] for k in _PAIR})
    return pairs.group_by(list(_PAIR), use_threads=False).aggregate([])


def _sorted(pairs: pa.Table) -> pa.Table:
    """Sorted as Python sorts (cluster_id, member_id) tuples: UTF-8 byte order is code point
    order."""
    return pairs.sort_by([(k, "ascending") for k in _PAIR])


def _pair_dicts(pairs: pa.Table) -> list[dict[str, str]]:
    pairs = _sorted(pairs)
    return [{"cluster_id": c, "member_id": m} for c, m in
            zip(pairs["cluster_id"].to_pylist(), pairs["member_id"].to_pylist())]


def compare_releases(before: Frames | None, after: Frames, release_date: dt.date,
                     previous_date: dt.date | None) -> dict[str, Any]:
    """changes.json of `after` against `before` (None: the first release, everything added)."""
    get = (lambda name: before[name]) if before is not None else (lambda name: None)
    clusters = _compare_rows(get("clusters"), after["clusters"], TABLES["clusters"])
    members = _compare_rows(get("members"), after["members"], TABLES["members"])
    old, new = membership_pairs(get("memberships")), membership_pairs(after["memberships"])
    memberships = {"added": _pair_dicts(new.join(old, keys=list(_PAIR), join_type="left anti")),
                   "removed": _pair_dicts(old.join(new, keys=list(_PAIR), join_type="left anti"))}

    def counts(name: str, change: dict[str, list]) -> dict[str, int | None]:
        return {"before": None if before is None else len(before[name]), "after": len(after[name]),
                **{kind: len(items) for kind, items in change.items()}}

    return {
        "release": release_date.isoformat(),
        "previous_release": previous_date.isoformat() if previous_date else None,
        "members": members, "memberships": memberships, "clusters": clusters,
        "counts": {"clusters": counts("clusters", clusters), "members": counts("members", members),
                   "memberships": counts("memberships", memberships)},
    }


def release_names(after: Frames, before: Frames | None) -> dict[str, dict[str, str]]:
    """member_id / cluster_id -> name over both releases (the newer name wins), for people."""
    names: dict[str, dict[str, str]] = {"members": {}, "clusters": {}}
    for frames in (before, after):
        if frames is None:
            continue
        for table, key in (("members", "member_id"), ("clusters", "cluster_id")):
            df = frames[table]
            names[table].update(zip(df[key].tolist(), df["name"].tolist()))
    return names


# --- membership_history -----------------------------------------------------------------------

def empty_history() -> pd.DataFrame:
    return to_frame(MEMBERSHIP_HISTORY, {c.name: [] for c in MEMBERSHIP_HISTORY.columns})


def _last_rows(history: pa.Table) -> pa.Table:
    """The history with one row per membership: the last where it gives one twice."""
    if history.group_by(list(_PAIR)).aggregate([]).num_rows == history.num_rows:
        return history
    keys = pd.DataFrame({k: history[k].to_pylist() for k in _PAIR})
    return history.filter(pa.array(~keys.duplicated(keep="last").to_numpy()))


def extend_history(previous: pd.DataFrame, memberships: pd.DataFrame,
                   release_date: dt.date) -> pd.DataFrame:
    """The history up to `release_date`: `previous` (the history up to the release before it) with
    this release's memberships seen today. Rows sorted by (cluster_id, member_id)."""
    history = _last_rows(pa.table(dict(zip(MEMBERSHIP_HISTORY.column_names,
                                            typed_columns(previous, MEMBERSHIP_HISTORY)))))
    seen = membership_pairs(memberships)
    seen = seen.append_column("seen", pa.array(np.ones(seen.num_rows, dtype=bool)))
    joined = _sorted(history.join(seen, keys=list(_PAIR), join_type="full outer"))
    today = pa.scalar(release_date, pa.date32())
    columns = [joined["cluster_id"], joined["member_id"], pc.coalesce(joined["first_seen"], today),
               pc.if_else(pc.fill_null(joined["seen"], False), today, joined["last_seen"])]
    return frame_of(MEMBERSHIP_HISTORY, [c.combine_chunks() for c in columns])


# --- files --------------------------------------------------------------------------------------

def _name_list(ids: list[str], names: dict[str, str]) -> str:
    shown = [f"{names.get(i) or i} ({i})" for i in ids[:_NOTED]]
    more = f" and {len(ids) - _NOTED} more" if len(ids) > _NOTED else ""
    return ", ".join(shown) + more


def _by_cluster(pairs: list[dict[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for pair in pairs:
        grouped.setdefault(pair["cluster_id"], []).append(pair["member_id"])
    return grouped


def changes_markdown(changes: dict[str, Any], names: dict[str, dict[str, str]]) -> str:
    counts, previous = changes["counts"], changes["previous_release"]
    lines = [f"# Changes in release {changes['release']}", ""]
    if previous is None:
        lines += ["The first release in this folder: every row is new.", ""]
    else:
        lines += [f"Compared with release {previous}.", ""]
    lines += ["| table | before | after | added | removed | changed |", "| --- | --- | --- | --- | --- | --- |"]
    for table in ("clusters", "members", "memberships"):
        c = counts[table]
        before = "" if c["before"] is None else c["before"]
        lines.append(f"| {table} | {before} | {c['after']} | {c['added']} | {c['removed']} | "
                     f"{c.get('changed', '')} |")
    lines.append("")
    if previous is None:
        return "\n".join(lines)
    for title, pairs in (("Joined", changes["memberships"]["added"]),
                         ("Left", changes["memberships"]["removed"])):
        grouped = _by_cluster(pairs)
        if grouped:
            lines += [f"## {title}", ""]
            lines += [f"- {names['clusters'].get(c) or c}: {_name_list(ids, names['members'])}"
                      for c, ids in sorted(grouped.items())]
            lines.append("")
    for table, key in (("clusters", "cluster_id"), ("members", "member_id")):
        if changes[table]["added"] or changes[table]["removed"]:
            lines += [f"## {table.capitalize()} added and removed", ""]
            if changes[table]["added"]:
                lines.append(f"- added: {_name_list(changes[table]['added'], names[table])}")
            if changes[table]["removed"]:
                lines.append(f"- removed: {_name_list(changes[table]['removed'], names[table])}")
            lines.append("")
        if changes[table]["changed"]:
            lines += [f"## {table.capitalize()} changed", ""]
            for item in changes[table]["changed"][:_NOTED]:
                ident = item[key]
                fields = ", ".join(sorted(item["fields"]))
                lines.append(f"- {names[table].get(ident) or ident} ({ident}): {fields}")
            if len(changes[table]["changed"]) > _NOTED:
                lines.append(f"- and {len(changes[table]['changed']) - _NOTED} more")
            lines.append("")
    return "\n".join(lines)


def write_changes(changes: dict[str, Any], names: dict[str, dict[str, str]], folder: Path) -> None:
    """changes.json and CHANGES.md into a release folder."""
    (folder / "changes.json").write_text(dumps(changes), encoding="utf-8", newline="")
    (folder / "CHANGES.md").write_text(changes_markdown(changes, names), encoding="utf-8", newline="")
