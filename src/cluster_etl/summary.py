"""What a run reports to the operator, as plain data: the rows of the checks table and the Markdown
summary that the flows publish as Prefect artifacts (and that any other front end can show)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cluster_etl.run import RunResult
from cluster_etl.schema import Report

_NAMES_SHOWN = 10  # joined/left members named in the summary; the rest are counted


def check_rows(report: Report) -> list[dict[str, Any]]:
    """One row per check, failures first, then warnings, then passes (each in report order)."""
    order = {"fail": 0, "warn": 1, "pass": 2}
    checks = sorted(report.checks, key=lambda c: order.get(c.status, 3))
    return [{"status": c.status, "name": c.name, "expected": _cell(c.expected),
             "observed": _cell(c.observed), "detail": c.detail} for c in checks]


def _cell(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def read_changes(release: Path | None) -> dict[str, Any] | None:
    if release is None or not (Path(release) / "changes.json").is_file():
        return None
    return json.loads((Path(release) / "changes.json").read_text(encoding="utf-8"))


def release_url(release: Path, base_url: str | None = None) -> str:
    """Where a person opens the release: under base_url when the output folder is served, else
    the folder's file:// address."""
    if base_url:
        return f"{base_url.rstrip('/')}/releases/{Path(release).name}/index.html"
    return (Path(release).resolve() / "index.html").as_uri()


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f}%"


def _changes_lines(changes: dict[str, Any]) -> list[str]:
    if changes["previous_release"] is None:
        return ["First release in this output folder."]
    counts = changes["counts"]
    lines = [f"Since release {changes['previous_release']}:", "",
             "| table | before | after | added | removed | changed |", "| --- | --- | --- | --- | --- | --- |"]
    for table in ("clusters", "members", "memberships"):
        c = counts[table]
        lines.append(f"| {table} | {c['before']} | {c['after']} | {c['added']} | {c['removed']} | "
                     f"{c.get('changed', '')} |")
    for title, pairs in (("Joined", changes["memberships"]["added"]),
                         ("Left", changes["memberships"]["removed"])):
        if pairs:
            shown = ", ".join(f"{p['member_id']} ({p['cluster_id']})" for p in pairs[:_NAMES_SHOWN])
            more = f" and {len(pairs) - _NAMES_SHOWN} more" if len(pairs) > _NAMES_SHOWN else ""
            lines += ["", f"**{title}:** {shown}{more}"]
    return lines


def summary_markdown(result: RunResult, changes: dict[str, Any] | None = None,
                     base_url: str | None = None) -> str:
    """The run in one screen: outcome, counts, shares, checks, changes, where the files are."""
    status = result.report.status
    failed = [c for c in result.report.checks if c.status == "fail"]
    warned = [c for c in result.report.checks if c.status == "warn"]
    outcome = (f"Published **{result.release.name}**" if result.release else
               "**Nothing published**" + (f": failed {', '.join(c.name for c in failed)}" if failed else ""))
    lines = [
        f"# cluster-etl run: {outcome}", "",
        f"- portal: {result.portal_url} (figures as of {result.as_of or 'unknown'})",
        f"- clusters: {result.clusters}; members: {result.members}; memberships: {result.memberships}",
        f"- companies: {result.companies} ({_pct(result.company_share)}); "
        f"SMEs: {result.smes} ({_pct(result.sme_share)})",
        f"- pages: {result.fetch.get('pages', 0)}, not modified (304): "
        f"{result.fetch.get('statuses', {}).get('304', 0)}",
        f"- validation: {status.upper()}, {len(failed)} failed, {len(warned)} warnings, "
        f"{len(result.report.checks) - len(failed) - len(warned)} passed",
    ]
    if result.archive:
        lines.append(f"- raw archive: {result.archive}")
    if result.release:
        lines.append(f"- release: [{result.release}]({release_url(result.release, base_url)})")
    if changes is not None:
        lines += ["", "## Changes", "", *_changes_lines(changes)]
    return "\n".join(lines) + "\n"
