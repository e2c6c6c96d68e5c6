"""Re-checking a published release offline (`cluster-etl validate RELEASE_DIR`): its checksums,
its data package, every format read back and compared, the schema and keys of every table, and
the totals against the figures its own validation.json recorded.

Each problem is a failed Check naming the file or table; nothing is modified.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from cluster_etl.publish import writers
from cluster_etl.publish.arrays import frame_of, typed_values
from cluster_etl.publish.metadata import CHECKSUMS, sha256
from cluster_etl.publish.release import read_back
from cluster_etl.schema import SNAPSHOT_TABLES, TABLES, Check, Report
from cluster_etl.validate import (check_cluster_counts, check_headline_totals, check_keys,
                                  check_not_empty, check_primary_key, check_schema,
                                  check_table_schema)


class _Snapshot:
    """The release's tables in the shape validate's checks take (attributes, findings)."""

    def __init__(self, frames: dict[str, pd.DataFrame]):
        for name, frame in frames.items():
            setattr(self, name, frame)
        self.findings: list[Check] = []


def check_checksums(folder: Path) -> list[Check]:
    path = folder / CHECKSUMS
    if not path.is_file():
        return [Check("checksums", "fail", detail=f"{CHECKSUMS} is missing")]
    listed: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    problems = [f"{name}: missing" if not (folder / name).is_file() else f"{name}: SHA-256 differs"
                for name, digest in sorted(listed.items())
                if not (folder / name).is_file() or sha256(folder / name) != digest]
    unlisted = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != CHECKSUMS
                      and p.name not in listed)
    problems += [f"{name}: not in {CHECKSUMS}" for name in unlisted]
    return [Check("checksums", "fail" if problems else "pass", expected=0, observed=len(problems),
                  detail="; ".join(problems) or f"{len(listed)} files match {CHECKSUMS}")]


def check_datapackage(folder: Path) -> list[Check]:
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [Check("datapackage", "fail", detail=f"datapackage.json cannot be read: {exc}")]
    problems = []
    for resource in package.get("resources", []):
        path = folder / resource["path"]
        if not path.is_file():
            problems.append(f"{resource['path']}: missing")
        elif resource.get("bytes") != path.stat().st_size or resource.get("hash") != f"sha256:{sha256(path)}":
            problems.append(f"{resource['path']}: size or hash differs from datapackage.json")
    return [Check("datapackage", "fail" if problems else "pass", expected=0, observed=len(problems),
                  detail="; ".join(problems) or f"{len(package.get('resources', []))} resources match")]


def check_formats(folder: Path) -> tuple[list[Check], dict[str, pd.DataFrame] | None]:
    """Every format read back; each table equal in all of them. Returns the Parquet tables."""
    problems, formats = [], set()
    try:
        reference = {name: writers.read_columns(folder / f"{name}.parquet", "parquet", table)
                     for name, table in TABLES.items()}
        expected = {name: typed_values(TABLES[name], columns) for name, columns in reference.items()}
        formats.add("parquet")
        for fmt, name, columns in read_back(folder, skip=("parquet",)):  # parquet: the reference
            formats.add(fmt)
            read = typed_values(TABLES[name], columns)
            if not all(a.equals(b) for a, b in zip(read, expected[name])):
                problems.append(f"{name} differs between parquet and {fmt}")
    except (OSError, ValueError, KeyError) as exc:
        return [Check("formats", "fail", detail=f"a file cannot be read: {exc}")], None
    return [Check("formats", "fail" if problems else "pass", expected=0, observed=len(problems),
                  detail="; ".join(problems) or f"{len(formats)} formats hold the same rows")], {
        name: frame_of(TABLES[name], columns) for name, columns in reference.items()}


def recorded_overview(report: dict[str, Any], clusters: pd.DataFrame) -> dict[str, Any]:
    """The headline figures the release was validated against, from its validation.json."""
    expected = {c["name"]: c.get("expected") for c in report.get("checks", [])}
    total = expected.get("membership_total")
    lower = isinstance(total, str) and total.startswith(">")
    return {
        "declared_cluster_count": expected.get("cluster_count"),
        "member_total": int(total.lstrip("> ")) if lower else total,
        "member_total_is_lower_bound": lower,
        "company_share_pct": expected.get("company_share"),
        "sme_share_pct": expected.get("sme_share"),
        "clusters": [{"cluster_id": c} for c in clusters["cluster_id"].tolist()],
    }


def audit_release(folder: Path) -> Report:
    """Every check of a published release; a `fail` is a problem."""
    folder = Path(folder)
    if not folder.is_dir():
        return Report([Check("release", "fail", detail=f"{folder} is not a folder")])
    checks = check_checksums(folder) + check_datapackage(folder)
    format_checks, frames = check_formats(folder)
    checks += format_checks
    try:
        recorded = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Report(checks + [Check("validation", "fail", detail=f"validation.json: {exc}")])
    checks.append(Check("recorded_status", "pass" if recorded.get("status") == "pass" else "fail",
                        expected="pass", observed=recorded.get("status"),
                        detail="the status validation.json recorded at publication"))
    if frames is None:
        return Report(checks)
    snapshot = _Snapshot({name: frames[name] for name in SNAPSHOT_TABLES})
    history = TABLES["membership_history"]
    checks += [*check_schema(snapshot), check_table_schema(frames[history.name], history),
               *check_keys(snapshot), check_primary_key(frames[history.name], history),
               *check_not_empty(snapshot)]
    figures = [c for c in recorded.get("checks", []) if c["name"] in
               ("cluster_count", "membership_total", "company_share", "sme_share")]
    if figures:
        checks += check_headline_totals(snapshot, recorded_overview(recorded, snapshot.clusters))
    checks += [c for c in check_cluster_counts(snapshot) if c.status == "fail"]
    return Report(checks)
