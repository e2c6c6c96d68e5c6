"""Directory entries cleaned column by column: one cleaner call per value, no work per row
beyond building the Entry, and the findings of the few rows that have any, in row order."""

from __future__ import annotations

from typing import Any

from cluster_etl.normalise.contacts import normalise_email, normalise_website
from cluster_etl.normalise.dedup import Entry, warn
from cluster_etl.normalise.identifiers import normalise_enterprise_number, normalise_postal_code
from cluster_etl.normalise.phones import normalise_phone
from cluster_etl.normalise.text import (
    collapse_whitespace, is_missing, normalise_city, normalise_member_type, split_legal_form)
from cluster_etl.schema import Check

# The published values whose cleaning can fail: (field, what it should be).
_CHECKED = (("postal_code", "4-digit postal code"), ("email", "e-mail address"),
            ("website", "website URL"))


def _first(values: list[Any], fallbacks: list[Any]) -> list[str]:
    """Per row, the page's value, else the directory's, whitespace collapsed."""
    cw = collapse_whitespace
    return [cw(v) or cw(f) for v, f in zip(values, fallbacks)]


def _status(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def clean_entries(rows: list[tuple[Any, ...]]) -> tuple[list[Entry], list[Check]]:
    """Entries of rows of FRAME_COLUMNS (cluster_id and URL already collapsed), in row order, and
    the findings: per row, page missing, enterprise number, phone, postal code, e-mail, website."""
    if not rows:
        return [], []
    (cluster_ids, urls, statuses, directory_names, directory_cities, directory_labels, names,
     labels, streets, postals, cities, phones, emails, websites, numbers, activities
     ) = map(list, zip(*rows))
    cw = collapse_whitespace
    statuses = [s if type(s) is int else _status(s) for s in statuses]
    published = {"enterprise_number": [cw(v) for v in numbers],
                 "postal_code": [cw(v) for v in postals], "email": [cw(v) for v in emails],
                 "website": [cw(v) for v in websites]}
    split_names = [split_legal_form(n) for n in _first(names, directory_names)]
    checked_numbers = [normalise_enterprise_number(v) for v in published["enterprise_number"]]
    cleaned_phones = [normalise_phone(v) for v in phones]
    cleaned = {"postal_code": [normalise_postal_code(v) for v in published["postal_code"]],
               "email": [normalise_email(v) for v in published["email"]],
               "website": [normalise_website(v) for v in published["website"]]}
    type_labels = _first(labels, directory_labels)
    entries = [
        Entry(cluster_id, url, {
            "name": name, "legal_form": form, "enterprise_number": number,
            "street": cw(street), "postal_code": postal, "city": normalise_city(city),
            "website": website, "email": email, "phone": phone, "activities": cw(activity)},
            label, normalise_member_type(label))
        for (cluster_id, url, (name, form), (number, _), street, postal, city, website, email,
             (phone, _), activity, label) in zip(
            cluster_ids, urls, split_names, checked_numbers, streets, cleaned["postal_code"],
            _first(cities, directory_cities), cleaned["website"], cleaned["email"],
            cleaned_phones, activities, type_labels)]
    flagged = [i for i, (status, (_, problem), (_, phone_ok)) in enumerate(
        zip(statuses, checked_numbers, cleaned_phones))
        if status != 200 or (problem and problem != "missing") or not phone_ok]
    flagged += [i for field, _ in _CHECKED
                for i, (given, value) in enumerate(zip(published[field], cleaned[field]))
                if given and not value]
    findings: list[Check] = []
    for i in sorted(set(flagged)):
        findings += _row_findings(entries[i], statuses[i], checked_numbers[i][1], cleaned_phones[i],
                                  {f: published[f][i] for f in published})
    return entries, findings


def _row_findings(entry: Entry, status: int | None, number_problem: str,
                  phone: tuple[str, bool], published: dict[str, str]) -> list[Check]:
    where = f"{entry.url} (cluster {entry.cluster_id})"
    findings = []
    if status != 200:
        got = f"HTTP {status}" if status is not None else "not retrieved"
        findings.append(warn("member_page_missing", f"{where}: detail page {got}; name, city and "
                             "type taken from the directory entry", expected=200, observed=status))
    if number_problem and number_problem != "missing":
        findings.append(warn("enterprise_number_invalid",
                             f"{where}: published {published['enterprise_number']!r}, "
                             f"{number_problem}", expected="valid enterprise number",
                             observed=published["enterprise_number"]))
    if not phone[1]:
        findings.append(warn("phone_unparsed", f"{where}: published {phone[0]!r} is not one valid "
                             "phone number; kept as published", expected="phone number",
                             observed=phone[0]))
    for field, what in _CHECKED:
        if published[field] and not entry.values[field]:
            findings.append(warn(f"{field}_invalid", f"{where}: published {published[field]!r} is "
                                 f"not a {what}", expected=what, observed=published[field]))
    return findings
