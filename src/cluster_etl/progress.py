"""Progress of a run's fetch stage: a live line on a terminal, periodic log lines otherwise.

A live refresh at 1 request per second takes about 20 minutes; the operator sees pages done out
of pages known so far (the crawl learns of member pages directory by directory), the rate, the
pages answered 304 (unchanged since the last run) and the errors.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

LIVE_INTERVAL = 0.5  # seconds between redraws of the live line
LOG_INTERVAL = 30.0  # seconds between log lines


def progress_line(stats: Any, elapsed: float) -> str:
    done = stats.pages + stats.errors
    known = max(stats.expected, done)
    rate = done / elapsed if elapsed > 0 else 0.0
    share = f" ({100 * done / known:.0f}%)" if known else ""
    return (f"pages {done}/{known}{share}  {rate:.1f} pages/s  "
            f"304: {stats.statuses.get(304, 0)}  errors: {stats.errors}")


@contextlib.contextmanager
def reporting(stats: Any, live: bool | None = None, logger: logging.Logger | None = None,
              stream: TextIO | None = None, interval: float | None = None) -> Iterator[None]:
    """While the block runs, report `stats` (a FetchStats): redrawn in place on `stream` when
    `live` (default: when stdout is a terminal), else as a log line every LOG_INTERVAL seconds."""
    stream = stream or sys.stdout
    live = stream.isatty() if live is None else live
    interval = interval or (LIVE_INTERVAL if live else LOG_INTERVAL)
    logger = logger or logging.getLogger("cluster_etl.progress")
    started = time.monotonic()
    stop = threading.Event()

    def emit(final: bool = False) -> None:
        line = progress_line(stats, time.monotonic() - started)
        if live:
            stream.write(f"\r\x1b[K{line}" + ("\n" if final else ""))
            stream.flush()
        else:
            logger.info("%s", line)

    def loop() -> None:
        while not stop.wait(interval):
            emit()

    thread = threading.Thread(target=loop, name="progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        emit(final=True)
