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

import pandas as pd

from cluster_etl.publish.metadata import dumps
from cluster_etl.publish.writers import column_values, to_frame
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


def _rows_by_key(df: pd.DataFrame, table: Table, key: str) -> dict[Any, dict[str, Any]]:
    columns = column_values(df, table)
    return {row[key]: row for row in (dict(zip(columns, values)) for values in zip(*columns.values()))}


def _compare_rows(before: pd.DataFrame | None, after: pd.DataFrame, table: Table) -> dict[str, Any]:
    """added / removed ids and per-row changed fields ({column: [old, new]}) of a one-column key."""
    (key,) = table.primary_key
    old = _rows_by_key(before, table, key) if before is not None else {}
    new = _rows_by_key(after, table, key)
    changed = []
    for ident in sorted(old.keys() & new.keys()):
        fields = {c.name: [_plain(old[ident][c.name]), _plain(new[ident][c.name])]
                  for c in table.columns if c.name != key and
                  _comparable(old[ident][c.name], c.portal_link) !=
                  _comparable(new[ident][c.name], c.portal_link)}
        if fields:
            changed.append({key: ident, "fields": fields})
    return {"added": sorted(new.keys() - old.keys()), "removed": sorted(old.keys() - new.keys()),
            "changed": changed}


def membership_keys(memberships: pd.DataFrame | None) -> set[tuple[str, str]]:
    if memberships is None:
        return set()
    return set(zip(memberships["cluster_id"].tolist(), memberships["member_id"].tolist()))


def compare_releases(before: Frames | None, after: Frames, release_date: dt.date,
                     previous_date: dt.date | None) -> dict[str, Any]:
    """changes.json of `after` against `before` (None: the first release, everything added)."""
    get = (lambda name: before[name]) if before is not None else (lambda name: None)
    clusters = _compare_rows(get("clusters"), after["clusters"], TABLES["clusters"])
    members = _compare_rows(get("members"), after["members"], TABLES["members"])
    old, new = membership_keys(get("memberships")), membership_keys(after["memberships"])
    pairs = lambda keys: [{"cluster_id": c, "member_id": m} for c, m in sorted(keys)]  # noqa: E731
    memberships = {"added": pairs(new - old), "removed": pairs(old - new)}

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


def extend_history(previous: pd.DataFrame, memberships: pd.DataFrame,
                   release_date: dt.date) -> pd.DataFrame:
    """The history up to `release_date`: `previous` (the history up to the release before it) with
    this release's memberships seen today. Rows sorted by (cluster_id, member_id)."""
    seen: dict[tuple[str, str], list[dt.date]] = {
        (c, m): [first, last] for c, m, first, last in zip(
            previous["cluster_id"].tolist(), previous["member_id"].tolist(),
            previous["first_seen"].tolist(), previous["last_seen"].tolist())}
    for key in membership_keys(memberships):
        seen.setdefault(key, [release_date, release_date])[1] = release_date
    keys = sorted(seen)
    return to_frame(MEMBERSHIP_HISTORY, {
        "cluster_id": [k[0] for k in keys], "member_id": [k[1] for k in keys],
        "first_seen": [seen[k][0] for k in keys], "last_seen": [seen[k][1] for k in keys]})


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
