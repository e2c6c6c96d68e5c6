"""Members + the extract's rows -> the KBO columns, member_activities and the findings.

Rules (README, "Enrichment from the KBO"):
- kbo_status: "active" when the member's valid enterprise number is in the extract (the open
  extract lists active entities only), "not_found" when it is not (a `kbo_number_not_found`
  finding), empty without a valid number.
- kbo_name: the legal name (TypeOfDenomination 001) in French, else in Dutch, German, English,
  unknown language; kbo_legal_form: the French label of JuridicalForm; kbo_start_date: StartDate.
- An establishment's activities are its enterprise's. nace_main: among the MAIN activities of the
  newest NACE-BEL version present, the enterprise's own (else its establishments'), lowest code.
- kbo_name_mismatch: the published name shares no word (names.py) with any name the register holds
  for the enterprise or its establishments. kbo_postal_code_mismatch: the page's postal code is
  not that of the registered office (addresses struck off ignored), nor of one of the
  enterprise's establishments (a member may publish the site that is in the cluster).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cluster_etl.kbo import layout as L
from cluster_etl.kbo.names import share_a_word
from cluster_etl.kbo.rows import KboRows
from cluster_etl.normalise.identifiers import normalise_enterprise_number, normalise_postal_code
from cluster_etl.normalise.text import collapse_whitespace, is_missing
from cluster_etl.schema import Check

KBO_MEMBER_COLUMNS = ("kbo_status", "kbo_name", "kbo_legal_form", "kbo_start_date", "nace_main")
MEMBER_ACTIVITY_COLUMNS = ("member_id", "nace_version", "nace_code", "classification", "description_fr")
ACTIVE, NOT_FOUND = "active", "not_found"


@dataclass
class Enrichment:
    members: pd.DataFrame  # the members, then KBO_MEMBER_COLUMNS
    member_activities: pd.DataFrame  # MEMBER_ACTIVITY_COLUMNS
    findings: list[Check] = field(default_factory=list)  # status "warn"
    metadata: dict[str, Any] = field(default_factory=dict)  # names the extract; {} without one


def without_extract(members: pd.DataFrame) -> Enrichment:
    """No extract given: the KBO columns are empty and member_activities has no rows."""
    return Enrichment(_with_columns(members, [{}] * len(members)), _activities_frame([]))


def enrich(members: pd.DataFrame, memberships: pd.DataFrame, rows: KboRows) -> Enrichment:
    """Raises ValueError when a member's valid number was not selected into `rows` (a bug)."""
    register = _Register(rows)
    pages = _first_pages(memberships)
    values, activities, findings = [], [], [_invalid_rows_finding(r) for r in rows.invalid_rows]
    for member in members.to_dict("records"):
        number = normalise_enterprise_number(member.get("enterprise_number"))[0]
        where = pages.get(member["member_id"]) or f"member {member['member_id']}"
        if not number:
            values.append({})
        elif number not in rows.requested:
            raise ValueError(f"member {member['member_id']}: enterprise {number} was not selected "
                             "from the extract")
        elif number not in register.enterprises:
            values.append({"kbo_status": NOT_FOUND})
            findings.append(Check(
                "kbo_number_not_found", "warn", expected="in the KBO extract", observed=number,
                detail=f"{where}: enterprise number {number} is not in the KBO extract "
                       f"{rows.meta.extract_number} of {rows.meta.snapshot_date}: stopped, or wrong"))
        else:
            values.append(register.columns(number))
            activities += [{"member_id": member["member_id"], **a} for a in register.activities(number)]
            findings += register.findings(number, member, where, values[-1]["kbo_name"])
    metadata = {**rows.meta.to_dict(), "enterprises_requested": len(rows.requested),
                "enterprises_found": len(set(rows.requested) & set(register.enterprises))}
    return Enrichment(_with_columns(members, values), _activities_frame(activities), findings, metadata)


def _with_columns(members: pd.DataFrame, values: list[dict[str, Any]]) -> pd.DataFrame:
    out = members.copy()
    for column in KBO_MEMBER_COLUMNS:
        out[column] = pd.Series([v.get(column) for v in values], index=members.index, dtype=object)
    return out


def _activities_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    unique = {tuple(r[c] for c in MEMBER_ACTIVITY_COLUMNS) for r in records}
    ordered = sorted(unique, key=lambda r: (r[0], -L.nace_version_key(r[1]), r[2], r[3]))
    return pd.DataFrame(ordered, columns=list(MEMBER_ACTIVITY_COLUMNS), dtype=object)


def _first_pages(memberships: pd.DataFrame) -> dict[str, str]:
    """member_id -> where its findings point: its first page, else its first cluster."""
    pages: dict[str, str] = {}
    with_url: set[str] = set()
    for row in memberships.to_dict("records"):
        member_id = row["member_id"]
        url = "" if is_missing(row.get("member_page_url")) else collapse_whitespace(row["member_page_url"])
        if member_id in with_url or (member_id in pages and not url):
            continue
        pages[member_id] = f"{url or 'member ' + member_id} (cluster {row['cluster_id']})"
        if url:
            with_url.add(member_id)
    return pages


def _invalid_rows_finding(invalid) -> Check:
    line = f"line {invalid.first_line}" if invalid.first_line else "the first"
    return Check("kbo_row_invalid", "warn", expected="rows with the header's number of fields",
                 observed=invalid.count,
                 detail=f"KBO extract, {invalid.file}: {invalid.count} row(s) with the wrong number "
                        f"of fields skipped; {line}: {invalid.first_text!r}")


class _Register:
    """The extract's rows indexed by enterprise number."""

    def __init__(self, rows: KboRows):
        self.meta = rows.meta
        self.enterprises = {r["EnterpriseNumber"]: r for r in reversed(rows.enterprises.to_pylist())}
        self.establishments: dict[str, list[str]] = defaultdict(list)
        owner: dict[str, str] = {}
        for r in rows.establishments.to_pylist():
            self.establishments[r["EnterpriseNumber"]].append(r["EstablishmentNumber"])
            owner[r["EstablishmentNumber"]] = r["EnterpriseNumber"]
        self.names: dict[str, list[dict]] = defaultdict(list)
        for r in rows.denominations.to_pylist():
            self.names[r["EntityNumber"]].append(r)
        self.addresses: dict[str, list[dict]] = defaultdict(list)
        for r in rows.addresses.to_pylist():
            if not r["DateStrikingOff"].strip():
                self.addresses[r["EntityNumber"]].append(r)
        # enterprise -> (level: 0 its own, 1 an establishment's, version, code, classification)
        self.activity: dict[str, set[tuple[int, str, str, str]]] = defaultdict(set)
        for r in rows.activities.to_pylist():
            entity = r["EntityNumber"]
            enterprise, level = (entity, 0) if entity not in owner else (owner[entity], 1)
            self.activity[enterprise].add((level, r["NaceVersion"].strip(), r["NaceCode"].strip(),
                                           r["Classification"].strip()))
        self.labels = {(r["Category"], r["Code"]): r["Description"] for r in rows.labels.to_pylist()}

    def legal_name(self, number: str) -> str | None:
        legal = [r for r in self.names[number] if r["TypeOfDenomination"] == L.LEGAL_NAME]
        rank = {language: i for i, language in enumerate(L.LANGUAGE_ORDER)}
        legal.sort(key=lambda r: rank.get(r["Language"], len(rank)))
        return collapse_whitespace(legal[0]["Denomination"]) or None if legal else None

    def nace_main(self, number: str) -> str | None:
        main = [a for a in self.activity[number] if a[3] == L.MAIN_ACTIVITY and a[2]]
        if not main:
            return None
        return min(main, key=lambda a: (-L.nace_version_key(a[1]), a[0], a[2]))[2]

    def columns(self, number: str) -> dict[str, Any]:
        enterprise = self.enterprises[number]
        form = enterprise["JuridicalForm"].strip()
        return {"kbo_status": ACTIVE, "kbo_name": self.legal_name(number),
                "kbo_legal_form": self.labels.get((L.JURIDICAL_FORM, form)) if form else None,
                "kbo_start_date": L.parse_date(enterprise["StartDate"]),
                "nace_main": self.nace_main(number)}

    def activities(self, number: str) -> list[dict[str, Any]]:
        # (member_id, nace_version, nace_code, classification) is the table's key: a row of the
        # extract lacking one of them cannot be published
        return [{"nace_version": version, "nace_code": code, "classification": classification,
                 "description_fr": self.labels.get((L.NACE_CATEGORY.get(version, ""), code))}
                for _, version, code, classification in self.activity[number]
                if version and code and classification]

    def findings(self, number: str, member: dict[str, Any], where: str, kbo_name: str | None) -> list[Check]:
        findings = []
        entities = [number, *self.establishments[number]]
        registered = [r["Denomination"] for e in entities for r in self.names[e]]
        published = "" if is_missing(member.get("name")) else member["name"]
        if share_a_word(published, registered) is False:
            findings.append(Check(
                "kbo_name_mismatch", "warn", expected=kbo_name, observed=published,
                detail=f"{where}: published name {published!r} shares no word with the names the KBO "
                       f"holds for {number} (legal name {kbo_name!r})"))
        postal_code = normalise_postal_code(member.get("postal_code"))
        offices = [a for a in self.addresses[number] if a["TypeOfAddress"] == L.REGISTERED_OFFICE
                   and a["Zipcode"].strip()]
        sites = {a["Zipcode"].strip() for e in entities for a in self.addresses[e]}
        if postal_code and offices and postal_code not in sites:
            office = offices[0]
            place = f"{office['Zipcode']} {office['MunicipalityFR']}".strip()
            findings.append(Check(
                "kbo_postal_code_mismatch", "warn", expected=office["Zipcode"], observed=postal_code,
                detail=f"{where}: postal code {postal_code} on the page, the registered office of "
                       f"{number} is at {place} (no establishment at {postal_code} either)"))
        return findings
