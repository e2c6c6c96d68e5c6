"""The sample portal's members and memberships as the pipeline normalises them, without a crawl:
its detail pages are read from the files write_sample_portal writes, parsed and normalised by the
pipeline's own functions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cluster_etl.normalise.members import FRAME_COLUMNS, normalise_members
from cluster_etl.portal.parse_members import parse_member_page
from cluster_etl.sample.generate import write_sample_portal

BASE = "http://127.0.0.1:8000"


def sample_portal_tables(root: Path, week: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    write_sample_portal(root, week=week)
    rows = []
    for path in sorted((root / "sites").glob("*/home/membres/memberList/*.html")):
        data = path.read_bytes()
        try:
            html = data.decode("utf-8")
        except UnicodeDecodeError:  # the two ISO-8859-1 pages
            html = data.decode("iso-8859-1")
        url = f"{BASE}/{path.relative_to(root).as_posix()}"
        page = parse_member_page(html, url)
        rows.append({"cluster_id": path.relative_to(root).parts[1], "member_page_url": url,
                     "page_status": 200, **page["fields"]})
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS), dtype=object)
    frame["page_status"] = frame["page_status"].astype("Int64")
    members, memberships, _ = normalise_members(frame)
    return members, memberships
