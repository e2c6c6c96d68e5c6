"""Directory entries + detail pages -> the members and memberships tables, deduplicated.

Two steps so that tests can work on tiny DataFrames: `raw_members_frame` flattens a RawPortal to
one row per directory entry, `normalise_members` cleans, groups and builds the tables.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from cluster_etl.normalise.contacts import normalise_email, normalise_phone, normalise_website
from cluster_etl.normalise.dedup import Entry, GroupKey, group_keys, member_ids, warn
from cluster_etl.normalise.frames import frame_from_records
from cluster_etl.normalise.identifiers import (
    normalise_enterprise_number, normalise_postal_code, province_for, region_for)
from cluster_etl.normalise.text import (
    collapse_whitespace, fold, is_missing, normalise_city, normalise_member_type, normalise_text,
    split_legal_form)
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
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS), dtype=object)
    frame["page_status"] = frame["page_status"].astype("Int64")
    return frame


def _first(*values: Any) -> str:
    return next((text for text in map(collapse_whitespace, values) if text), "")


def _clean_entry(row: dict[str, Any]) -> tuple[Entry, list[Check]]:
    cluster_id, url = collapse_whitespace(row["cluster_id"]), collapse_whitespace(row["member_page_url"])
    where = f"{url} (cluster {cluster_id})"
    findings = []
    status = None if is_missing(row["page_status"]) else int(row["page_status"])
    if status != 200:
        got = f"HTTP {status}" if status is not None else "not retrieved"
        findings.append(warn("member_page_missing", f"{where}: detail page {got}; name, city and "
                             "type taken from the directory entry", expected=200, observed=status))
    name, legal_form = split_legal_form(_first(row["name"], row["directory_name"]))
    published = {f: collapse_whitespace(row[f]) for f in
                 ("enterprise_number", "postal_code", "email", "website")}
    enterprise_number, problem = normalise_enterprise_number(published["enterprise_number"])
    if problem != "missing" and problem:
        findings.append(warn("enterprise_number_invalid",
                             f"{where}: published {published['enterprise_number']!r}, {problem}",
                             expected="valid enterprise number",
                             observed=published["enterprise_number"]))
    phone, phone_ok = normalise_phone(row["phone"])
    if not phone_ok:
        findings.append(warn("phone_unparsed", f"{where}: published {phone!r} is not one valid phone "
                             "number; kept as published", expected="phone number", observed=phone))
    values = {
        "name": name, "legal_form": legal_form, "enterprise_number": enterprise_number,
        "street": normalise_text(row["street"]),
        "postal_code": normalise_postal_code(published["postal_code"]),
        "city": normalise_city(_first(row["city"], row["directory_city"])),
        "website": normalise_website(published["website"]),
        "email": normalise_email(published["email"]),
        "phone": phone, "activities": normalise_text(row["activities"]),
    }
    for field, what in (("postal_code", "4-digit postal code"), ("email", "e-mail address"),
                        ("website", "website URL")):
        if published[field] and not values[field]:
            findings.append(warn(f"{field}_invalid", f"{where}: published {published[field]!r} is "
                                 f"not a {what}", expected=what, observed=published[field]))
    label = _first(row["member_type_label"], row["directory_type_label"])
    entry = Entry(cluster_id, url, values, label, normalise_member_type(label))
    return entry, findings


def _sorted_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if "cluster_id" not in frame.columns or "member_page_url" not in frame.columns:
        raise ValueError("members frame needs cluster_id and member_page_url columns")
    rows = frame.to_dict("records")
    for row in rows:
        row.setdefault("page_status", 200)  # a frame without the column holds parsed pages only
        for column in FRAME_COLUMNS:
            row.setdefault(column, None)
    # Input order must not matter: sort on every column, cluster and URL first.
    return sorted(rows, key=lambda r: tuple(collapse_whitespace(r[c]) for c in FRAME_COLUMNS))


def _type_name(member_type: tuple[str, str]) -> str:
    return "/".join(p for p in member_type if p)


def _member_record(key: GroupKey, group: list[Entry]) -> tuple[dict[str, str], list[Check]]:
    """Values of one organisation: first non-empty per column over its entries, in `group` order."""
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
    findings: list[Check] = []
    entries = []
    for row in _sorted_rows(frame):
        entry, row_findings = _clean_entry(row)
        entries.append(entry)
        findings += row_findings
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
