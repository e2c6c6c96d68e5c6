"""Open a KBO Open Data extract (a zip, or a folder of its CSV files) and select members' rows.

`open_extract(path, cache_dir)` checks what can be checked cheaply (the path, the zip, the
required files and their header rows, meta.csv: a full extract, not a monthly update) and
names the extract; `Extract.select(numbers)` returns the rows of those enterprises and of their
establishments, from the cache when it covers them, otherwise by streaming the big files once:
establishment.csv first (to learn the establishments' numbers), then the others. One file at a
time: pyarrow already parses a file on every core, and two files at once were no faster on two
cores while holding twice the memory.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

from cluster_etl.kbo import cache, layout
from cluster_etl.kbo import stream as S
from cluster_etl.kbo.rows import ExtractMeta, KboRows
from cluster_etl.kbo.stream import KboError
from cluster_etl.normalise.identifiers import normalise_enterprise_number

log = logging.getLogger(__name__)


class Extract:
    """An opened extract: `meta` names it, `select` reads it. Build with open_extract()."""

    def __init__(self, path: Path, members: dict[str, str], cache_dir: Path | None):
        self.path, self._members, self.cache_dir = path, members, cache_dir
        self.meta = _read_meta(self, path, cache_dir)

    def open_member(self, file: str) -> IO[bytes]:
        """A binary stream of one of the extract's files."""
        if self.path.is_dir():
            return open(self._members[file], "rb")
        archive = zipfile.ZipFile(self.path)
        try:
            return _ZipMember(archive, archive.open(self._members[file]))
        except BaseException:
            archive.close()
            raise

    def select(self, enterprise_numbers: Iterable[str]) -> KboRows:
        """The rows of these enterprises (any spelling of a valid number; others are ignored)."""
        wanted = frozenset(n for n in map(_canonical, enterprise_numbers) if n)
        cached = cache.load_rows(self.cache_dir, self.meta) if self.cache_dir else None
        if cached is not None and wanted <= cached.requested:
            log.info("KBO rows of %d enterprises from the cache", len(wanted))
            return cached.subset(wanted)
        numbers = wanted | (cached.requested if cached is not None else frozenset())
        log.info("KBO extract %s: reading the rows of %d enterprises", self.path.name, len(numbers))
        rows = read_rows(self, numbers)
        if self.cache_dir:
            cache.save_rows(self.cache_dir, rows)
        return rows.subset(wanted)


class _ZipMember(io.RawIOBase):
    """A zip member's stream that closes its archive with it."""

    def __init__(self, archive: zipfile.ZipFile, member: IO[bytes]):
        self._archive, self._member = archive, member

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._member.read(size)

    def readinto(self, buffer) -> int:
        data = self._member.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        return self._member.readline(size)

    def close(self) -> None:
        if not self.closed:
            self._member.close()
            self._archive.close()
        super().close()


def _canonical(number: object) -> str:
    return normalise_enterprise_number(number)[0] if isinstance(number, str) else ""


def open_extract(path: Path, cache_dir: Path | None = None) -> Extract:
    """Check and name the extract at `path`; KboError (one line) when it cannot be used."""
    path = Path(path)
    if not path.exists():
        raise KboError(f"KBO extract not found: {path}")
    if path.is_dir():
        names = {p.name: str(p) for p in path.iterdir() if p.is_file()}
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = {}
                for info in archive.infolist():
                    if not info.is_dir():
                        names.setdefault(info.filename.rsplit("/", 1)[-1], info.filename)
        except (zipfile.BadZipFile, OSError) as error:
            raise KboError(f"KBO extract {path} is not a readable zip file ({error})") from None
    missing = [f for f in layout.REQUIRED_FILES if f not in names]
    if missing:
        found = ", ".join(sorted(n for n in names if n.endswith(".csv"))) or "no CSV file"
        raise KboError(f"KBO extract {path} lacks {', '.join(missing)} (found: {found})")
    extract = Extract(path, {f: names[f] for f in (*layout.REQUIRED_FILES, "contact.csv") if f in names},
                      cache_dir)
    for file in layout.FILTERED_FILES:
        S.check_columns(file, S.read_header(lambda f=file: extract.open_member(f), file),
                        layout.COLUMNS[file])
    return extract


def _read_meta(extract: Extract, path: Path, cache_dir: Path | None) -> ExtractMeta:
    table, invalid = S.scan(lambda: extract.open_member("meta.csv"), "meta.csv", layout.COLUMNS["meta.csv"])
    values = dict(zip(table.column("Variable").to_pylist(), table.column("Value").to_pylist()))
    missing = [k for k in layout.REQUIRED_META_KEYS if not (values.get(k) or "").strip()]
    if missing or invalid:
        raise KboError(f"meta.csv of {path}: missing {', '.join(missing) or 'nothing'}"
                       f"{'' if not invalid else f', {invalid.count} malformed row(s)'}; expected "
                       f"{', '.join(layout.META_KEYS)}")
    kind = values["ExtractType"].strip().lower()
    if kind == layout.UPDATE_EXTRACT:
        raise KboError(f"KBO extract {path} is an update extract (ExtractType {values['ExtractType']}, "
                       f"ExtractNumber {values['ExtractNumber']}): it lists changes only; use the full "
                       "extract of the same month (KboOpenData_NNNN_YYYY_MM_Full.zip)")
    if kind != layout.FULL_EXTRACT:
        raise KboError(f"meta.csv of {path}: ExtractType {values['ExtractType']!r}, expected 'full'")
    snapshot = layout.parse_date(values["SnapshotDate"])
    if snapshot is None:
        raise KboError(f"meta.csv of {path}: SnapshotDate {values['SnapshotDate']!r} is not dd-mm-yyyy")
    return ExtractMeta(snapshot_date=snapshot, extract_timestamp=values.get("ExtractTimestamp") or "",
                       extract_type=kind, extract_number=values["ExtractNumber"].strip(),
                       version=values.get("Version") or "", sha256=_sha256(path, cache_dir),
                       file_name=path.name)


def _sha256(path: Path, cache_dir: Path | None) -> str:
    if path.is_file():
        return cache.file_sha256(path, cache_dir)
    # A folder: the hash of its SHA256SUMS-style listing of every CSV file.
    listing = "".join(f"{cache.file_sha256(p, cache_dir)}  {p.name}\n"
                      for p in sorted(path.glob("*.csv")))
    return hashlib.sha256(listing.encode()).hexdigest()


def read_rows(extract: Extract, numbers: frozenset[str]) -> KboRows:
    """Stream the extract once and keep the rows of `numbers` and of their establishments."""
    def scan(file: str, wanted: pa.Array | None = None) -> tuple[pa.Table, S.InvalidRows | None]:
        if wanted is not None and len(wanted) == 0:  # nothing to look for: no need to read
            return pa.table({c: pa.array([], pa.string()) for c in layout.COLUMNS[file]}), None
        key = layout.FILTERED_FILES.get(file) if wanted is not None else None
        return S.scan(lambda: extract.open_member(file), file, layout.COLUMNS[file], key, wanted)

    enterprises_wanted = pa.array(sorted(numbers), pa.string())
    results = {f: scan(f, enterprises_wanted) for f in ("establishment.csv", "enterprise.csv")}
    labels, labels_invalid = scan("code.csv")
    establishment_numbers = results["establishment.csv"][0].column("EstablishmentNumber")
    entities = pa.concat_arrays([enterprises_wanted, establishment_numbers.combine_chunks()]).unique()
    results.update({f: scan(f, entities) for f in ("activity.csv", "denomination.csv", "address.csv")})
    keep = pc.and_(pc.is_in(labels.column("Category"), value_set=pa.array(layout.LABEL_CATEGORIES)),
                   pc.equal(labels.column("Language"), layout.LABEL_LANGUAGE))
    invalid = [r for r in [labels_invalid, *(results[f][1] for f in layout.FILTERED_FILES)] if r]
    return KboRows(
        meta=extract.meta, requested=numbers, enterprises=results["enterprise.csv"][0],
        establishments=results["establishment.csv"][0], denominations=results["denomination.csv"][0],
        addresses=results["address.csv"][0], activities=results["activity.csv"][0],
        labels=labels.filter(keep), invalid_rows=sorted(invalid, key=lambda r: r.file))
