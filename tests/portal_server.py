"""A scriptable HTTP server on 127.0.0.1 for fetch tests: each path answers from a queue of
responses, so a test can make a page fail a few times and then recover."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from cluster_etl.sample.server import serve_in_thread, write_response


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the headers are sent
    reset: bool = False  # close the connection without answering
    truncate_to: int | None = None  # send only this many body bytes (Content-Length stays full)


def html(text: str, status: int = 200, charset: str = "utf-8", **kw) -> Reply:
    headers = {"Content-Type": f"text/html; charset={charset}", **kw.pop("headers", {})}
    return Reply(status=status, body=text.encode(charset), headers=headers, **kw)


class ScriptedPortal:
    """routes: path (with query) -> a Reply, or a list of Replies served in turn (the last repeats)."""

    def __init__(self, routes: dict[str, Reply | list[Reply]]):
        self.routes = {k: (v if isinstance(v, list) else [v]) for k, v in routes.items()}
        self.log: list[tuple[float, str, dict[str, str]]] = []  # (monotonic time, path, headers)
        self._lock = threading.Lock()

    def next_reply(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.log.append((time.monotonic(), path, headers))
            queue = self.routes.get(path)
            if not queue:
                return Reply(status=404, body=b"not found")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p == path)


def write_reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    """Answer one request with `reply`, faults included."""
    if reply.delay:
        time.sleep(reply.delay)
    if reply.reset:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        handler.close_connection = True
        handler.connection.close()
        return
    headers = {**reply.headers, "Content-Length": str(len(reply.body))}
    body = reply.body
    if reply.truncate_to is not None:
        headers["Connection"] = "close"
        handler.close_connection = True
        body = body[: reply.truncate_to]
    with contextlib.suppress(OSError):
        write_response(handler, reply.status, headers, body)  # one write: head and body together


def _handler(portal: ScriptedPortal):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            write_reply(self, portal.next_reply(self.path, dict(self.headers)))

        def log_message(self, *args):
            pass

    return Handler


def serve(portal: ScriptedPortal):
    return serve_in_thread(_handler(portal))
