"""The cache of an extract's filtered rows, and of the SHA-256 of big files.

Rows: one folder per extract, `kbo-<ExtractNumber>-<sha256 of the zip>`, holds the rows of every
enterprise number ever requested from that extract (absent ones included, so a number missing
from the register is not looked for again). A request for numbers the cache does not cover
reads the extract for all of them and replaces the cache with a bigger one. Each version is a
`rows-<id>` folder of Parquet files plus rows.json; `current.json`, replaced atomically, names
the complete one, so a run that dies mid-write leaves the previous cache usable. Another extract
(another number or hash) has another folder: a changed zip never reuses stale rows.

Hashes: `sha256.json` maps (resolved path, size, mtime) to the file's SHA-256, so a weekly run
against the same 1+ GB zip does not read it through just to name it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path

import pyarrow.parquet as pq

from cluster_etl.kbo.rows import TABLES, ExtractMeta, KboRows
from cluster_etl.kbo.stream import InvalidRows

log = logging.getLogger(__name__)
HASH_CHUNK = 8 * 1024 * 1024
MAX_HASHES = 64


def _write_json(path: Path, data: object) -> None:
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.partial")
    partial.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def file_sha256(path: Path, cache_dir: Path | None) -> str:
    """The file's SHA-256, from the cache when its path, size and mtime are unchanged."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    index_path = cache_dir / "sha256.json" if cache_dir else None
    index: dict[str, str] = {}
    if index_path and index_path.is_file():
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        if key in index:
            return index[key]
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    if index_path:
        index = {k: v for k, v in index.items() if not k.startswith(f"{path.resolve()}|")}
        index[key] = digest.hexdigest()
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_json(index_path, dict(list(index.items())[-MAX_HASHES:]))
    return digest.hexdigest()


def extract_folder(cache_dir: Path, meta: ExtractMeta) -> Path:
    safe_number = "".join(c for c in meta.extract_number if c.isalnum()) or "x"
    return cache_dir / f"kbo-{safe_number}-{meta.sha256}"


def load_rows(cache_dir: Path, meta: ExtractMeta) -> KboRows | None:
    """The cached rows of this extract, or None (nothing cached, or a cache that cannot be read)."""
    folder = extract_folder(cache_dir, meta)
    try:
        current = json.loads((folder / "current.json").read_text(encoding="utf-8"))
        version = folder / current["rows"]
        info = json.loads((version / "rows.json").read_text(encoding="utf-8"))
        tables = {name: pq.read_table(version / f"{name}.parquet") for name in TABLES}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as error:
        log.warning("KBO cache %s unreadable (%s): reading the extract again", folder, error)
        return None
    return KboRows(meta=meta, requested=frozenset(info["requested"]),
                   invalid_rows=[InvalidRows(**r) for r in info["invalid_rows"]], **tables)


def save_rows(cache_dir: Path, rows: KboRows) -> None:
    folder = extract_folder(cache_dir, rows.meta)
    version = folder / f"rows-{uuid.uuid4().hex}"
    version.mkdir(parents=True)
    for name in TABLES:
        pq.write_table(getattr(rows, name), version / f"{name}.parquet")
    _write_json(version / "rows.json", {"meta": rows.meta.to_dict(), "requested": sorted(rows.requested),
                                        "invalid_rows": [r.to_dict() for r in rows.invalid_rows]})
    _write_json(folder / "current.json", {"rows": version.name})
    for old in folder.glob("rows-*"):
        if old != version:
            shutil.rmtree(old, ignore_errors=True)
