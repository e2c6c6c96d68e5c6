"""member_sectors: memberships counted by the NACE section of the member's main activity.

The section is that of NACE Rev. 2 (NACE-BEL 2008), letters A to U, from the code's first two
digits (its division). A NACE-BEL 2025 code (NACE Rev. 2.1) gets the letter its division has in
NACE-BEL 2008: Rev. 2.1 kept the division numbers but relettered the sections from J on (its J
is divisions 58-60, K 61-63, ..., V 99) and emptied division 45 (into 46, 47 and 95); keeping
the 2008 letters gives one scale over both versions, at the cost of those few moves. A NACE-BEL
2003 code (NACE Rev. 1.1, other divisions) has no section here, like a member without a main
activity: nace_section is empty.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from cluster_etl.kbo import layout as L
from cluster_etl.normalise.text import is_missing

# (first division, last division, section) of NACE Rev. 2.
_SECTIONS = ((1, 3, "A"), (5, 9, "B"), (10, 33, "C"), (35, 35, "D"), (36, 39, "E"), (41, 43, "F"),
             (45, 47, "G"), (49, 53, "H"), (55, 56, "I"), (58, 63, "J"), (64, 66, "K"), (68, 68, "L"),
             (69, 75, "M"), (77, 82, "N"), (84, 84, "O"), (85, 85, "P"), (86, 88, "Q"), (90, 93, "R"),
             (94, 96, "S"), (97, 98, "T"), (99, 99, "U"))
MEMBER_SECTOR_COLUMNS = ("cluster_id", "nace_section", "member_count", "share")


def nace_section(code: str | None, version: str = "2008") -> str | None:
    """The NACE Rev. 2 section letter of a NACE-BEL 2008 or 2025 code; None otherwise."""
    if is_missing(code) or version not in ("2008", "2025"):
        return None
    digits = str(code).replace(".", "").strip()
    if len(digits) < 2 or not digits[:2].isdigit():
        return None
    division = int(digits[:2])
    return next((s for first, last, s in _SECTIONS if first <= division <= last), None)


def _main_versions(member_activities: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """(member_id, nace_code) -> the newest version in which that code is a MAIN activity."""
    versions: dict[tuple[str, str], str] = {}
    if member_activities is None:
        return versions
    for row in member_activities.to_dict("records"):
        if row["classification"] != L.MAIN_ACTIVITY:
            continue
        key = (row["member_id"], row["nace_code"])
        if L.nace_version_key(row["nace_version"]) > L.nace_version_key(versions.get(key, "")):
            versions[key] = row["nace_version"]
    return versions


def _none_last(value: str | None) -> tuple[bool, str]:
    return value is None, value or ""


def build_member_sectors(memberships: pd.DataFrame, members: pd.DataFrame,
                         member_activities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Memberships counted by the section of the member's nace_main: all clusters (cluster_id
    None), then each cluster; share = count / the scope's memberships. Rows ordered like
    member_types: all clusters first, then by cluster_id, nace_section (None last).

    With member_activities, a nace_main that is a 2003 code has no section; without, every code
    is read as NACE-BEL 2008 or 2025.
    """
    versions = _main_versions(member_activities)
    section_of = {}
    for member_id, main in zip(members["member_id"].tolist(), members["nace_main"].tolist()):
        main = None if is_missing(main) else main
        version = versions.get((member_id, main), "2008") if member_activities is not None else "2008"
        section_of[member_id] = nace_section(main, version)
    # Counted per (cluster, section) in C by Counter, then summed into both scopes.
    per_cluster = Counter(zip(memberships["cluster_id"].tolist(),
                              [section_of.get(m) for m in memberships["member_id"].tolist()]))
    counts: Counter[tuple[str | None, str | None]] = Counter()
    totals: Counter[str | None] = Counter()
    for (cluster_id, section), n in per_cluster.items():
        for scope in (None, cluster_id):
            counts[scope, section] += n
            totals[scope] += n
    order = sorted(counts, key=lambda k: (k[0] is not None, k[0] or "", _none_last(k[1])))
    records = [(scope, section, counts[scope, section], counts[scope, section] / totals[scope])
               for scope, section in order]
    frame = pd.DataFrame(records, columns=list(MEMBER_SECTOR_COLUMNS), dtype=object)
    frame["member_count"] = frame["member_count"].astype("Int64")
    frame["share"] = frame["share"].astype("float64")
    return frame
