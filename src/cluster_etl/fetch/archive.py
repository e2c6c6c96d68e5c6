"""The raw archive: every response of a run in one WARC file, and the validators kept between runs.

Layout of an archive folder (by default `<out>/archive/`):

    <run-id>.warc.gz   one per run: a `warcinfo` record (portal, settings, start), then a `response`
                       record per response received, or a `revisit` record (profile
                       server-not-modified) when the portal answered 304 and the body was reused
                       from the earlier record it names (`WARC-Refers-To`)
    index.json         per URL: ETag, Last-Modified and where the last full body lies
                       (file, offset, record id), sent back as conditional requests next run

Bodies are stored as received after transfer decoding (requests decodes gzip); the
Content-Encoding and Transfer-Encoding headers are therefore dropped from the stored headers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

INDEX_NAME = "index.json"
WARC_SUFFIX = ".warc.gz"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding"}


class ArchiveError(LookupError):
    """An archived record is missing or unreadable."""


@dataclass(frozen=True)
class RecordRef:
    """Where a full response body lies: file name (within the archive folder), offset, record id."""

    warc: str
    offset: int
    record_id: str
    date: str
    payload_digest: str


@dataclass(frozen=True)
class Archived:
    """A response as the archive holds it."""

    url: str
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    date: dt.datetime


def warc_date(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_warc_date(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _http_headers(status: int, reason: str, headers: dict[str, str]) -> StatusAndHeaders:
    kept = [(k, v) for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS]
    return StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")


class RunArchive:
    """Writes one run's WARC file. Thread-safe: the crawl's threads share it."""

    def __init__(self, folder: Path, info: dict[str, Any], started: dt.datetime):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = started.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = self.folder / f"{stamp}{WARC_SUFFIX}"
        self._lock = threading.Lock()
        self._fh = open(self.path, "xb")  # noqa: SIM115 - closed in close()
        self._writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
        record = self._writer.create_warcinfo_record(
            self.path.name, {**{k: json.dumps(v) for k, v in info.items()},
                             "started": warc_date(started)})
        self._writer.write_record(record)

    def write_response(self, url: str, status: int, reason: str, headers: dict[str, str],
                       body: bytes, when: dt.datetime) -> RecordRef:
        date = warc_date(when)
        record = self._writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body),
            http_headers=_http_headers(status, reason, headers), warc_headers_dict={"WARC-Date": date})
        return self._write(record, date)

    def write_revisit(self, url: str, status: int, reason: str, headers: dict[str, str],
                      original: RecordRef, when: dt.datetime) -> RecordRef:
        date = warc_date(when)
        record = self._writer.create_revisit_record(
            url, digest=original.payload_digest, refers_to_uri=url, refers_to_date=original.date,
            http_headers=_http_headers(status, reason, headers),
            warc_headers_dict={"WARC-Date": date, "WARC-Refers-To": original.record_id,
                               "WARC-Profile": REVISIT_PROFILE})
        return self._write(record, date)

    def _write(self, record, date: str) -> RecordRef:
        with self._lock:
            offset = self._fh.tell()
            self._writer.write_record(record)
        headers = record.rec_headers
        return RecordRef(self.path.name, offset, headers.get_header("WARC-Record-ID"), date,
                         headers.get_header("WARC-Payload-Digest") or "")

    def close(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.close()


def _archived(record) -> Archived:
    status_line = record.http_headers.get_statuscode()
    reason = record.http_headers.statusline.partition(" ")[2]
    return Archived(
        url=record.rec_headers.get_header("WARC-Target-URI"), status=int(status_line), reason=reason,
        headers=dict(record.http_headers.headers), body=record.raw_stream.read(),
        date=parse_warc_date(record.rec_headers.get_header("WARC-Date")))


def read_record(folder: Path, ref: RecordRef) -> Archived:
    """The response record at `ref`; raises ArchiveError when the file or record is gone."""
    path = Path(folder) / ref.warc
    try:
        with open(path, "rb") as fh:
            fh.seek(ref.offset)
            record = next(iter(ArchiveIterator(fh)))
            if record.rec_headers.get_header("WARC-Record-ID") != ref.record_id:
                raise ArchiveError(f"{path}@{ref.offset} is not record {ref.record_id}")
            return _archived(record)
    except (OSError, StopIteration) as exc:
        raise ArchiveError(f"archived body not found: {path}@{ref.offset} ({exc})") from None


def read_run(path: Path) -> tuple[dict[str, Any], list[Archived]]:
    """A run's warcinfo fields and its responses in order; revisits carry the reused body."""
    path = Path(path)
    info: dict[str, Any] = {}
    records: list[Archived] = []
    revisits: dict[int, str] = {}
    with open(path, "rb") as fh:
        try:
            for record in ArchiveIterator(fh):
                if record.rec_type == "warcinfo":
                    info = _warcinfo_fields(record.content_stream().read())
                elif record.rec_type == "response":
                    records.append(_archived(record))
                elif record.rec_type == "revisit":
                    revisits[len(records)] = record.rec_headers.get_header("WARC-Refers-To")
                    records.append(_archived(record))
        except Exception as exc:  # warcio fails in many ways on a file cut short or damaged
            raise ArchiveError(f"{path.name}: damaged or cut short after {len(records)} "
                               f"record(s) ({type(exc).__name__}: {exc})") from exc
    if revisits:
        bodies = _bodies_by_record_id(path.parent, set(revisits.values()))
        for position, record_id in revisits.items():
            if record_id not in bodies:
                raise ArchiveError(f"{path.name}: revisit of {records[position].url} refers to "
                                  f"{record_id}, which no WARC file in {path.parent} holds")
            original = bodies[record_id]
            records[position] = Archived(records[position].url, original.status, original.reason,
                                         original.headers, original.body, records[position].date)
    return info, records


def read_run_info(path: Path) -> dict[str, Any]:
    """A run's warcinfo fields alone (portal, settings, start, release date), without reading its
    responses; ArchiveError when the file is no WARC or has no warcinfo record first."""
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "warcinfo":
                    info = _warcinfo_fields(record.content_stream().read())
                    if "started" in info:
                        return info
                break
    except (OSError, ValueError, EOFError, ArchiveLoadFailed) as exc:
        raise ArchiveError(f"{path}: not a readable WARC file ({exc})") from None
    raise ArchiveError(f"{path}: no warcinfo record of a cluster-etl run at its start")


def run_release_date(info: dict[str, Any]) -> dt.date:
    """The release date a run was published under, recorded when it started; for archives older
    than that record, the (UTC) date the run started."""
    if info.get("release_date"):
        return dt.date.fromisoformat(str(info["release_date"]))
    return parse_warc_date(info["started"]).date()


def _warcinfo_fields(payload: bytes) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for line in payload.decode("utf-8").splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        try:
            fields[key.strip()] = json.loads(value)
        except ValueError:
            fields[key.strip()] = value
    return fields


def _bodies_by_record_id(folder: Path, wanted: set[str]) -> dict[str, Archived]:
    found: dict[str, Archived] = {}
    for path in sorted(folder.glob(f"*{WARC_SUFFIX}")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                if record.rec_type == "response" and record_id in wanted:
                    found[record_id] = _archived(record)
        if len(found) == len(wanted):
            break
    return found


class ValidatorCache:
    """ETag / Last-Modified of pages fetched before, and where their bodies lie. Thread-safe."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / INDEX_NAME
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            try:
                self._entries = json.loads(self.path.read_text("utf-8"))
            except ValueError:
                self._entries = {}  # a damaged index only costs a full download

    def conditional_headers(self, url: str) -> dict[str, str]:
        entry = self._entries.get(url)
        if not entry:
            return {}
        headers = {}
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return headers

    def lookup(self, url: str) -> RecordRef | None:
        entry = self._entries.get(url)
        return RecordRef(**entry["ref"]) if entry else None

    def remember(self, url: str, headers: dict[str, str], ref: RecordRef) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        etag, modified = lowered.get("etag"), lowered.get("last-modified")
        with self._lock:
            if etag or modified:
                self._entries[url] = {"etag": etag, "last_modified": modified, "ref": asdict(ref)}
            else:
                self._entries.pop(url, None)

    def forget(self, url: str) -> None:
        with self._lock:
            self._entries.pop(url, None)

    def save(self) -> None:
        with self._lock:
            text = json.dumps(self._entries, indent=1, sort_keys=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)
