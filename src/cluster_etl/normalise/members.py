"""Directory entries + detail pages -> the members and memberships tables, deduplicated.

Two steps so that tests can work on tiny DataFrames: `raw_members_frame` flattens a RawPortal to
one row per directory entry, `normalise_members` cleans, groups and builds the tables.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from cluster_etl.normalise.dedup import Entry, GroupKey, group_keys, member_ids, warn
from cluster_etl.normalise.entries import clean_entries
from cluster_etl.normalise.frames import frame_from_records
from cluster_etl.normalise.identifiers import province_for, region_for
from cluster_etl.normalise.text import collapse_whitespace, fold
from cluster_etl.raw import MEMBER_FIELDS, RawPortal
from cluster_etl.schema import Check

FRAME_COLUMNS = ("cluster_id", "member_page_url", "page_status", "directory_name", "directory_city",
                 "directory_type_label", *MEMBER_FIELDS)
_TAKE_FIRST = ("name", "legal_form", "street", "postal_code", "city", "website", "email", "phone",
               "activities")


def raw_members_frame(raw: RawPortal) -> pd.DataFrame:
    """One row per directory entry, per cluster in portal order, with its detail page's fields.

    page_status is 200 when the detail page was parsed, else the HTTP status the crawl recorded
    (<NA> when none); the detail fields are None when the page is missing.
    """
    rows = []
    for cluster in raw.clusters:
        for entry in cluster.directory:
            url = entry["detail_url"]
            page = cluster.members.get(url)
            fields = page["fields"] if page is not None else {}
            status = 200 if page is not None else cluster.member_status.get(url)
            rows.append([cluster.link["cluster_id"], url, status, entry.get("name"), entry.get("city"),
                         entry.get("member_type_label"), *(fields.get(f) for f in MEMBER_FIELDS)])
    # Column by column: pandas builds a frame from rows value by value.
    columns = list(zip(*rows)) or [()] * len(FRAME_COLUMNS)
    frame = pd.DataFrame({name: pd.Series(values, dtype=object)
                          for name, values in zip(FRAME_COLUMNS, columns)})
    frame["page_status"] = frame["page_status"].astype("Int64")
    return frame


def _sorted_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The frame's rows as tuples of FRAME_COLUMNS, cluster_id and URL collapsed, sorted."""
    if "cluster_id" not in frame.columns or "member_page_url" not in frame.columns:
        raise ValueError("members frame needs cluster_id and member_page_url columns")
    n = len(frame)
    # A frame without page_status holds parsed pages only.
    defaults = {"page_status": 200}
    columns = [frame[c].tolist() if c in frame.columns else [defaults.get(c)] * n
               for c in FRAME_COLUMNS]
    columns[0] = [collapse_whitespace(v) for v in columns[0]]
    columns[1] = [collapse_whitespace(v) for v in columns[1]]
    rows = list(zip(*columns))
    # Input order must not matter: sort on every column, cluster and URL first. Only rows that
    # share a cluster and URL (rare) need the other columns compared.
    rows.sort(key=lambda r: (r[0], r[1]))
    start = 0
    for i in range(1, n + 1):
        if i == n or rows[i][:2] != rows[start][:2]:
            if i - start > 1:
                rows[start:i] = sorted(rows[start:i],
                                       key=lambda r: tuple(map(collapse_whitespace, r)))
            start = i
    return rows


def _type_name(member_type: tuple[str, str]) -> str:
    return "/".join(p for p in member_type if p)


def _member_record(key: GroupKey, group: list[Entry]) -> tuple[dict[str, str], list[Check]]:
    """Values of one organisation: first non-empty per column over its entries, in `group` order."""
    if len(group) == 1:  # most organisations are in one cluster
        values = group[0].values
        record = {c: values[c] for c in _TAKE_FIRST}
    else:
        record = {c: next((e.values[c] for e in group if e.values[c]), "") for c in _TAKE_FIRST}
    record["enterprise_number"] = key[1] if key[0] == "en" else ""
    record["province"] = province_for(record["postal_code"])
    record["region"] = region_for(record["postal_code"])
    typed = [e for e in group if e.member_type is not None]
    record["member_type"], record["size_class"] = typed[0].member_type if typed else ("", "")
    findings = []
    if len({e.member_type for e in typed}) > 1:
        pages = "; ".join(f"{e.url} ({e.cluster_id}): {e.type_label!r}" for e in typed)
        findings.append(warn(
            "member_type_conflict", f"{record['name']!r}: pages disagree on the member type, the "
            f"first is kept: {pages}", expected=_type_name(typed[0].member_type),
            observed=sorted({_type_name(e.member_type) for e in typed})))  # type: ignore[arg-type]
    return record, findings


def _label_findings(entries: list[Entry]) -> list[Check]:
    """One finding per distinct unknown label (by folded text), one for all entries without one."""
    unknown: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.member_type is None:
            unknown[fold(e.type_label)].append(e)
    findings = []
    for folded, group in sorted(unknown.items(), key=lambda kv: (not kv[0], kv[0])):
        pages = ", ".join(f"{e.url} ({e.cluster_id})" for e in group)
        if folded:
            findings.append(warn("member_type_unknown", f"label {group[0].type_label!r} is not in "
                                 f"the member-type mapping; {len(group)} page(s): {pages}",
                                 expected="a known member-type label", observed=group[0].type_label))
        else:
            findings.append(warn("member_type_missing", f"{len(group)} member(s) without a "
                                 f"member-type label: {pages}", expected=0, observed=len(group)))
    return findings


def normalise_members(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[Check]]:
    """(members, memberships, findings) from a raw_members_frame-shaped frame.

    Rows are first sorted on all columns (cluster_id, member_page_url first), so the result does
    not depend on the input order. Organisations:
    - entries with the same valid enterprise number are one organisation; two different valid
      numbers are never merged;
    - an entry without a valid number and with a postal code joins the organisation with the same
      (fold(name without legal form), postal code), when exactly one enterprise number has that key;
      without any, such entries form one organisation per key;
    - an entry with neither number nor postal code joins the one organisation of that folded name,
      if there is exactly one;
    - several candidates: kept apart, `member_match_ambiguous` finding.
    member_id: `BE` + 10 digits, else `<fold(name) slug, max 60>-<postal code or 0000>`.
    Member values: first non-empty per column, entries with a valid number first, then by
    (cluster_id, member_page_url). Memberships: one per (cluster, organisation), the first URL kept.
    """
    rows = _sorted_rows(frame)
    del frame  # the caller's is usually a temporary: free its columns before the entries grow
    entries, findings = clean_entries(rows)
    del rows
    keys, match_findings = group_keys(entries)
    findings += match_findings + _label_findings(entries)

    groups: dict[GroupKey, list[Entry]] = defaultdict(list)
    for entry, key in zip(entries, keys):
        groups[key].append(entry)
    records = {}
    for key, group in groups.items():
        group.sort(key=lambda e: not e.enterprise_number)  # stable: then (cluster_id, url)
        records[key], type_findings = _member_record(key, group)
        findings += type_findings
    ids, id_findings = member_ids(sorted(groups), records)
    findings += id_findings

    memberships: dict[tuple[str, str], str] = {}
    for entry, key in zip(entries, keys):
        pair = (entry.cluster_id, ids[key])
        if pair in memberships:
            findings.append(warn(
                "duplicate_membership", f"cluster {pair[0]} lists {pair[1]} twice: "
                f"{memberships[pair]} (kept) and {entry.url}", expected=1, observed=2))
        else:
            memberships[pair] = entry.url

    members = frame_from_records(
        sorted(({**records[key], "member_id": ids[key]} for key in groups),
               key=lambda r: r["member_id"]), "members")
    membership_table = frame_from_records(
        ({"cluster_id": c, "member_id": m, "member_page_url": url}
         for (c, m), url in memberships.items()), "memberships")
    return members, membership_table, findings
