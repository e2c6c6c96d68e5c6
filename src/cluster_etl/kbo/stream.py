"""Read one CSV file of the extract streaming, keeping only the rows of the numbers wanted.

pyarrow's streaming CSV reader parses the file block by block (BLOCK_SIZE bytes of CSV at a time)
straight from the zip member, every column as a string; each block is filtered with
`pyarrow.compute.is_in` as it comes, and the reader is kept at most READ_AHEAD_BLOCKS ahead, so
memory holds a few blocks and the rows kept, never a whole file. A row with the wrong number of
fields (a stray quote merges two lines into one such row) is skipped and counted: a finding, not
a crash. Bytes that are not UTF-8, or a damaged zip member, are a KboError naming the file.
"""

from __future__ import annotations

import csv
import io
import threading
import zlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

BLOCK_SIZE = 16 * 1024 * 1024
# Blocks the reader may fetch ahead of the blocks filtered. pyarrow's reader fetches input in a
# background thread up to 32 blocks ahead; inflating a zip outruns parsing, so without this
# bound the queue alone holds hundreds of megabytes.
READ_AHEAD_BLOCKS = 3
THROTTLE_WAIT = 2.0  # seconds: the longest a read waits for the consumer (never a deadlock)

OpenMember = Callable[[], IO[bytes]]


class KboError(ValueError):
    """The extract cannot be used: the message is one line naming the file and what is wrong."""


@dataclass
class InvalidRows:
    """Rows of one file skipped for having the wrong number of fields."""

    file: str
    count: int
    first_line: int | None  # physical line number of the first one (1 = the header), when known
    first_text: str

    def to_dict(self) -> dict:
        return {"file": self.file, "count": self.count, "first_line": self.first_line,
                "first_text": self.first_text}


class _Throttle(io.RawIOBase):
    """A stream that makes its reader wait while it is READ_AHEAD_BLOCKS ahead of its consumer.

    The wait has a timeout: a throttle, never a deadlock, whatever the reader's buffering.
    """

    def __init__(self, stream: IO[bytes], block_size: int):
        self._stream, self._block_size = stream, block_size
        self._read = self._consumed = 0
        self._changed = threading.Condition()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        with self._changed:
            self._changed.wait_for(
                lambda: self._read - self._consumed <= READ_AHEAD_BLOCKS * self._block_size, timeout=THROTTLE_WAIT)
        data = self._stream.read(size)
        self._read += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def block_consumed(self) -> None:
        with self._changed:
            self._consumed += self._block_size
            self._changed.notify_all()


class _InvalidRowCounter:
    def __init__(self, file: str):
        self.file, self.count, self.first = file, 0, None

    def __call__(self, row) -> str:
        self.count += 1
        if self.first is None:
            self.first = (row.number, row.text[:200])  # the physical line: the header is line 1
        return "skip"

    def result(self) -> InvalidRows | None:
        if not self.count:
            return None
        return InvalidRows(self.file, self.count, *self.first)


def read_header(open_member: OpenMember, file: str) -> list[str]:
    """The column names of `file`'s first line."""
    try:
        with open_member() as stream:
            first = stream.readline(64 * 1024)
    except (zipfile.BadZipFile, zlib.error, OSError) as error:
        raise KboError(f"{file}: cannot be read from the extract ({error})") from None
    text = first.decode("utf-8-sig", errors="replace").strip("\r\n")
    if not text:
        raise KboError(f"{file}: empty file, expected a header row")
    return next(csv.reader(io.StringIO(text)))


def check_columns(file: str, header: list[str], needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in header]
    if missing:
        raise KboError(f"{file}: missing column(s) {', '.join(missing)} (found: {', '.join(header)})")


def scan(open_member: OpenMember, file: str, columns: tuple[str, ...], key_column: str | None = None,
         wanted: pa.Array | None = None, block_size: int = BLOCK_SIZE
         ) -> tuple[pa.Table, InvalidRows | None]:
    """`columns` of `file`'s rows whose `key_column` is in `wanted` (every row without a key).

    Returns the rows kept, as strings ("" for an empty field), and the rows skipped as invalid.
    """
    check_columns(file, read_header(open_member, file), columns)
    counter = _InvalidRowCounter(file)
    schema = pa.schema([(c, pa.string()) for c in columns])
    kept: list[pa.RecordBatch] = []
    try:
        with open_member() as member:
            stream = _Throttle(member, block_size)
            reader = pacsv.open_csv(
                stream,
                # One parsing thread: the line numbers of invalid rows are known (pyarrow knows
                # them only then), and a background thread already inflates the zip meanwhile.
                read_options=pacsv.ReadOptions(block_size=block_size, use_threads=False),
                parse_options=pacsv.ParseOptions(invalid_row_handler=counter),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(columns), column_types={c: pa.string() for c in columns},
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
            for batch in reader:
                if key_column is not None:
                    batch = batch.filter(pc.is_in(batch.column(key_column), value_set=wanted))
                if batch.num_rows:
                    kept.append(batch)
                stream.block_consumed()
    except (pa.ArrowInvalid, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise KboError(f"{file}: unreadable CSV ({reason})") from None
    return pa.Table.from_batches(kept, schema=schema), counter.result()
