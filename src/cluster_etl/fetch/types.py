"""The plain data and error types of the fetch stage: pages, exchanges, fetch errors, counters.

They import nothing from the rest of the package, so any fetch module can use them without a cycle.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    url: str  # the URL asked for
    final_url: str  # after redirects on the same host
    status: int
    headers: dict[str, str]
    body: bytes
    text: str
    retrieved_at: dt.datetime
    revalidated: bool = False  # the portal answered 304 and the archived body was reused


class FetchError(Exception):
    """A page could not be fetched: after retries, off-host, disallowed, or malformed."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}" + (f" (last status {status})" if status else ""))
        self.url = url
        self.reason = reason
        self.status = status


class RobotsDisallowed(FetchError):
    pass


class OffHost(FetchError):
    pass


@dataclass(frozen=True)
class Exchange:
    """What one request brought back (after urllib3's retries), before any judgement."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    received_at: dt.datetime
    revalidated: bool = False  # a 304: body and headers are the archived ones


class _BodyError(Exception):
    pass


@dataclass
class FetchStats:
    requests: int = 0
    pages: int = 0
    body_bytes: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0  # pages that failed after retries
    expected: int = 0  # pages the crawl knows it will ask for (for progress)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def expect(self, pages: int) -> None:
        with self._lock:
            self.expected += pages

    def record_error(self) -> None:
        with self._lock:
            self.errors += 1

    def record(self, attempts: int, status: int, body_bytes: int) -> None:
        with self._lock:
            self.requests += attempts
            self.pages += 1
            self.body_bytes += body_bytes
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def as_dict(self) -> dict:
        return {"requests": self.requests, "pages": self.pages, "body_bytes": self.body_bytes,
                "errors": self.errors,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())}}
