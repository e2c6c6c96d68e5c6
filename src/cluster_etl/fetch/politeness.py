"""robots.txt rules and the pace of requests to one host."""

from __future__ import annotations

import threading
import time

from protego import Protego


class RobotsRules:
    """What robots.txt allows for our user agent. No robots.txt (404) means everything is allowed."""

    def __init__(self, text: str | None, user_agent: str):
        self._parser = Protego.parse(text) if text else None
        self._agent = user_agent

    def allows(self, url: str) -> bool:
        return self._parser is None or self._parser.can_fetch(url, self._agent)

    @property
    def crawl_delay(self) -> float:
        if self._parser is None:
            return 0.0
        delay = self._parser.crawl_delay(self._agent)
        return float(delay) if delay else 0.0


class Pacer:
    """Spaces the starts of requests at least `interval` seconds apart, across threads."""

    def __init__(self, interval: float):
        self.interval = max(0.0, interval)
        self._lock = threading.Lock()
        self._next_start = 0.0

    def wait(self) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            time.sleep(start - now)
