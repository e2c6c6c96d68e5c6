"""Which directory entries are the same organisation, and the organisation's member_id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cluster_etl.normalise.text import fold
from cluster_etl.schema import Check

SLUG_MAX = 60
NO_POSTAL_CODE = "0000"

GroupKey = tuple[str, ...]  # ("en", number) | ("name", folded name, postal) | ("page", cluster, url)


@dataclass(slots=True)
class Entry:
    """One directory entry, cleaned: values hold the members columns, "" when empty."""

    cluster_id: str
    url: str
    values: dict[str, str]
    type_label: str
    member_type: tuple[str, str] | None
    name_key: str = field(init=False)  # fold(name), the matching key: computed once

    def __post_init__(self) -> None:
        self.name_key = fold(self.values["name"])

    @property
    def enterprise_number(self) -> str:
        return self.values["enterprise_number"]

    @property
    def postal_code(self) -> str:
        return self.values["postal_code"]


def warn(name: str, detail: str, expected: Any = None, observed: Any = None) -> Check:
    return Check(name, "warn", expected=expected, observed=observed, detail=detail)


def _ambiguous(e: Entry, matches: list[str]) -> Check:
    return warn("member_match_ambiguous",
                f"{e.url} (cluster {e.cluster_id}): {e.values['name']!r} has no valid enterprise "
                f"number and matches several organisations ({', '.join(matches)}); kept apart",
                expected=1, observed=len(matches))


def group_keys(entries: list[Entry]) -> tuple[list[GroupKey], list[Check]]:
    """The organisation each entry belongs to (see normalise_members for the rules)."""
    numbers_by_place: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in entries:
        if e.enterprise_number and e.name_key:
            numbers_by_place[e.name_key, e.postal_code].add(e.enterprise_number)
    keys: list[GroupKey | None] = [None] * len(entries)
    findings = []
    for i, e in enumerate(entries):
        if e.enterprise_number:
            keys[i] = ("en", e.enterprise_number)
        elif not e.name_key:
            keys[i] = ("page", e.cluster_id, e.url)
        elif e.postal_code:
            numbers = sorted(numbers_by_place.get((e.name_key, e.postal_code), ()))
            keys[i] = ("en", numbers[0]) if len(numbers) == 1 else ("name", e.name_key, e.postal_code)
            if len(numbers) > 1:
                findings.append(_ambiguous(e, numbers))
    # Entries with neither number nor postal code join the one organisation of that name, if any.
    orgs_by_name: dict[str, set[GroupKey]] = defaultdict(set)
    for e, key in zip(entries, keys):
        if key is not None and key[0] != "page":
            orgs_by_name[e.name_key].add(key)
    for i, e in enumerate(entries):
        if keys[i] is None:
            candidates = sorted(orgs_by_name.get(e.name_key, ()))
            keys[i] = candidates[0] if len(candidates) == 1 else ("name", e.name_key, "")
            if len(candidates) > 1:
                findings.append(_ambiguous(e, [k[1] if k[0] == "en" else f"postal code {k[2]}"
                                               for k in candidates]))
    return keys, findings  # type: ignore[return-value]


def _base_member_id(record: dict[str, str]) -> str:
    if record["enterprise_number"]:
        return "BE" + record["enterprise_number"].replace(".", "")
    slug = "-".join(fold(record["name"]).split())[:SLUG_MAX].rstrip("-") or "member"
    return f"{slug}-{record['postal_code'] or NO_POSTAL_CODE}"


def member_ids(keys: list[GroupKey], records: dict[GroupKey, dict[str, str]]
               ) -> tuple[dict[GroupKey, str], list[Check]]:
    """Base ids; organisations that still collide get -2, -3 in the order of their group keys."""
    by_base: dict[str, list[GroupKey]] = defaultdict(list)
    for key in keys:
        by_base[_base_member_id(records[key])].append(key)
    ids: dict[GroupKey, str] = {}
    used = set(by_base)
    findings = []
    for base, colliding in sorted(by_base.items()):
        ids[colliding[0]] = base
        for n, key in enumerate(colliding[1:], start=2):
            while f"{base}-{n}" in used:
                n += 1
            ids[key] = f"{base}-{n}"
            used.add(ids[key])
        if len(colliding) > 1:
            names = ", ".join(f"{ids[k]} = {records[k]['name']!r}" for k in colliding)
            findings.append(warn("member_id_collision", f"different organisations share the id "
                                 f"{base}: {names}", expected=1, observed=len(colliding)))
    return ids, findings
