"""Serve a written sample portal on 127.0.0.1, with the portal's URL rewrites.

A static file server plus what the real portal does and a folder of files cannot:
- `/sites/<c>/home/membres.html?page=N` is the file `membres.page-N.html` (`page=1`: `membres.html`;
  a page that does not exist, or a `page` that is not a positive number, is a 404);
- the old form `/X/...` is `/sites/X/...` when `X` is a cluster (a folder under `sites/`);
- Content-Type from `_headers.json` (URL path -> value) for pages that are not UTF-8 HTML;
  otherwise `text/html; charset=utf-8` (.html) or `text/plain; charset=utf-8`;
- `ETag` (strong, a hash of the body) and `Last-Modified` (the file's mtime), answering
  `If-None-Match` and `If-Modified-Since` with 304.
Only files under the root are served; `_headers.json` itself and folders are not. Each response
goes out in one write (write_response), as a web server's would.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import re
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

HEADERS_FILE = "_headers.json"
_PAGE_PATH = re.compile(r"^(?P<dir>/sites/[^/]+/home/)membres\.html$")
_TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
          ".json": "application/json"}


class _NotFound(Exception):
    pass


def resolve(root: Path, target: str) -> tuple[Path, str]:
    """(file, its URL path under root) for a request target; _NotFound when there is none."""
    parts = urlsplit(target)
    path = unquote(parts.path)
    segments = path.split("/")[1:]
    if (not path.startswith("/") or any(s in ("", ".", "..") for s in segments[:-1])
            or segments[-1] in (".", "..") or "\\" in path or "\x00" in path):
        raise _NotFound(path)
    if segments[0] not in ("sites", "") and len(segments) > 1 and (root / "sites" / segments[0]).is_dir():
        path = "/sites" + path  # the old form without /sites/
    page = parse_qs(parts.query).get("page")
    match = _PAGE_PATH.match(path)
    if match and page:
        if not page[-1].isdigit() or int(page[-1]) < 1:
            raise _NotFound(path)
        if int(page[-1]) > 1:
            path = f"{match['dir']}membres.page-{int(page[-1])}.html"
    file = root / path.lstrip("/")
    if path == f"/{HEADERS_FILE}" or not file.is_file() or not file.resolve().is_relative_to(root):
        raise _NotFound(path)
    return file, path


def _make_handler(root: Path, content_types: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "cluster-etl-sample/1"
        disable_nagle_algorithm = True  # TCP_NODELAY as well: no write waits for an ACK

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._answer(body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            try:
                file, path = resolve(root, self.path)
            except _NotFound:
                return self._send(404, b"404 Not Found\n", "text/plain; charset=utf-8", body)
            data = file.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            mtime = int(file.stat().st_mtime)
            headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
            if self._not_modified(etag, mtime):
                return self._send(304, b"", None, False, headers)
            content_type = content_types.get(path) or _TYPES.get(file.suffix, "application/octet-stream")
            self._send(200, data, content_type, body, headers)

        def _not_modified(self, etag: str, mtime: int) -> bool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:  # takes precedence over If-Modified-Since (RFC 9110)
                tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
                return "*" in tags or etag in tags
            since = self.headers.get("If-Modified-Since")
            if since:
                with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
                    return mtime <= email.utils.parsedate_to_datetime(since).timestamp()
            return False

        def _send(self, status: int, data: bytes, content_type: str | None, body: bool,
                  headers: dict[str, str] | None = None) -> None:
            fields = {"Content-Type": content_type} if content_type else {}
            fields.update(headers or {})
            if status != 304:
                fields["Content-Length"] = str(len(data))
            write_response(self, status, fields, data if body and status != 304 else b"")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet: a sample run fetches ~1,100 pages

    return Handler


def write_response(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str],
                   body: bytes) -> None:
    """Status line, headers and body in one write.

    http.server writes the head and the body apart: two TCP segments per response, and with
    Nagle's algorithm on, the second waits for the client's delayed ACK of the first (40 ms).
    """
    handler.log_request(status)
    connection = next((v for k, v in headers.items() if k.lower() == "connection"), "").lower()
    if connection in ("close", "keep-alive"):  # as BaseHTTPRequestHandler.send_header does
        handler.close_connection = connection == "close"
    lines = [f"{handler.protocol_version} {status} {handler.responses.get(status, ('',))[0]}",
             f"Server: {handler.version_string()}", f"Date: {handler.date_time_string()}",
             *(f"{name}: {value}" for name, value in headers.items()), "", ""]
    handler.wfile.write("\r\n".join(lines).encode("latin-1", "strict") + body)


@contextlib.contextmanager
def serve_in_thread(handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1",
                    port: int = 0) -> Iterator[str]:
    """Run `handler` on a ThreadingHTTPServer in a daemon thread; yields the base URL."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    # serve_forever checks for shutdown every poll_interval (0.5 s by default): a run that ends
    # would wait up to that long for the server it started.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"portal-server-{server.server_port}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve_portal(root: Path, host: str = "127.0.0.1", port: int = 0) -> contextlib.AbstractContextManager[str]:
    """Serve `root` in a daemon thread; yields the base URL, e.g. `http://127.0.0.1:43117`."""
    root = Path(root).resolve()
    headers_file = root / HEADERS_FILE
    content_types = json.loads(headers_file.read_text("utf-8")) if headers_file.is_file() else {}
    return serve_in_thread(_make_handler(root, content_types), host, port)


def main(argv: list[str] | None = None) -> int:
    """`python -m cluster_etl.sample.server ROOT`: serve ROOT, print the base URL, stop at EOF
    on stdin (a benchmark serves the portal from its own process this way)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m cluster_etl.sample.server ROOT", file=sys.stderr)
        return 2
    with serve_portal(Path(args[0])) as base:
        print(base, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
