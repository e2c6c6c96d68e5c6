"""Small hand-written KBO extracts for the tests: CSV text per file, zipped or in a folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

from cluster_etl.kbo.sample import HEADERS

META = ('"Variable","Value"\n"SnapshotDate","28-06-2008"\n"ExtractTimestamp","28-06-2008 05:00:00"\n'
        '"ExtractType","full"\n"ExtractNumber","42"\n"Version","1.0.0"\n')


def header(file: str) -> str:
    return ",".join(f'"{c}"' for c in HEADERS[file]) + "\n"


def csv_rows(*rows: tuple[str, ...]) -> str:
    """Rows written as the register writes them: every value double-quoted."""
    return "".join(",".join(f'"{v}"' for v in row) + "\n" for row in rows)


def write_extract(target: Path, files: dict[str, str | None] | None = None, as_zip: bool = True,
                  raw: dict[str, str | bytes] | None = None,
                  name: str = "KboOpenData_0042_2008_06_Full.zip") -> Path:
    """An extract with every file of the register, header only unless `files` gives its rows
    (as CSV text after the header; None leaves the file out); `raw` gives whole files as they
    are (meta.csv included)."""
    texts: dict[str, str | bytes] = {"meta.csv": META}
    for file in HEADERS:
        if file != "meta.csv":
            texts[file] = header(file) + ((files or {}).get(file) or "")
    texts.update(raw or {})
    texts = {f: t for f, t in texts.items() if (files or {}).get(f, "") is not None}
    target.mkdir(parents=True, exist_ok=True)
    if not as_zip:
        for file, text in texts.items():
            (target / file).write_bytes(text.encode() if isinstance(text, str) else text)
        return target
    path = target / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file, text in texts.items():
            zf.writestr(file, text)
    return path


def enterprise(number: str, form: str = "014", start: str = "01-02-2001") -> tuple[str, ...]:
    return (number, "AC", "000", "2", form, "", start)


def address(number: str, zipcode: str, kind: str = "REGO", city: str = "Namur",
            struck: str = "") -> tuple[str, ...]:
    return (number, kind, "", "", zipcode, city, city, "Rue Haute", "Rue Haute", "1", "", "", struck)
