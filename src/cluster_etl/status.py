"""`cluster-etl status --out DIR`: what an output folder holds, for the operator at a glance."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cluster_etl.outcomes import LAST_FAILURE
from cluster_etl.publish import latest_date, release_dates
from cluster_etl.publish.series import LATEST


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _published_at(folder: Path) -> dt.datetime | None:
    package = _read_json(folder / "datapackage.json") or {}
    stamp = package.get("cluster_etl", {}).get("retrieved_at") or package.get("created")
    try:
        when = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _age(when: dt.date, now: dt.datetime) -> str:
    days = (now.date() - when).days
    return "today" if days == 0 else f"{days} day{'s' * (days != 1)} ago"


def status_lines(out_dir: Path, now: dt.datetime | None = None) -> tuple[list[str], bool]:
    """The report, and whether the folder is healthy (a latest release, no newer failure)."""
    out_dir = Path(out_dir)
    now = now or dt.datetime.now(dt.timezone.utc)
    dates = release_dates(out_dir)
    latest = latest_date(out_dir)
    lines = [f"output folder  {out_dir.resolve()}"]
    healthy = latest is not None
    if latest is None:
        lines.append("latest         none: nothing published yet")
    else:
        folder = out_dir / LATEST
        report = _read_json(folder / "validation.json") or {}
        checks = report.get("checks", [])
        counts = {s: sum(c.get("status") == s for c in checks) for s in ("pass", "warn", "fail")}
        changes = _read_json(folder / "changes.json") or {}
        lines += [
            f"latest         {latest.isoformat()} ({_age(latest, now)}), validation "
            f"{str(report.get('status', 'unknown')).upper()}: {counts['pass']} pass, "
            f"{counts['warn']} warn, {counts['fail']} fail",
        ]
        after = changes.get("counts", {})
        if after:
            lines.append("               " + ", ".join(
                f"{after[t]['after']} {t}" for t in ("clusters", "members", "memberships") if t in after))
        warned = sorted({c["name"].split(":")[0] for c in checks if c.get("status") == "warn"})
        if warned:
            lines.append(f"warnings       {', '.join(warned)}")
    failure = _read_json(out_dir / LAST_FAILURE)
    if failure:
        when = failure.get("when", "")
        published = _published_at(out_dir / LATEST) if latest else None
        try:
            newer = published is None or dt.datetime.fromisoformat(when) > published
        except ValueError:
            newer = True
        if newer:
            healthy = False
            lines.append(f"last failure   {when} ({failure.get('kind')}, exit {failure.get('exit_status')}): "
                         f"{str(failure.get('message', '')).splitlines()[0]}")
            lines += [f"               check {c['name']}: {c.get('detail', '')}" for c in failure.get("checks", [])[:5]]
            lines += [f"               {u['url']}: {u.get('reason')}" for u in failure.get("urls", [])[:5]]
            if failure.get("archive"):
                lines.append(f"               raw pages: {failure['archive']}")
    lines.append(f"releases       {len(dates)}" + (f": {', '.join(d.isoformat() for d in reversed(dates[-10:]))}"
                                                   + (" ..." if len(dates) > 10 else "") if dates else ""))
    return lines, healthy
