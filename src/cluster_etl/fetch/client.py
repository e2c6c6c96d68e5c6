"""The HTTP client the pipeline uses for one portal host."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from cluster_etl import __version__
from cluster_etl.fetch.archive import ArchiveError, RunArchive, ValidatorCache, read_record
from cluster_etl.fetch.decode import DecodeError, decode_body
from cluster_etl.fetch.politeness import Pacer, RobotsRules
from cluster_etl.fetch.types import (
    Exchange,
    FetchError,
    FetchStats,
    OffHost,
    Page,
    RobotsDisallowed,
    _BodyError,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Statuses handed back to the caller as a Page rather than raised: the caller knows what they mean.
PASS_THROUGH_STATUSES = frozenset({200, 404, 410})


@dataclass(frozen=True)
class FetchSettings:
    contact_url: str = "https://github.com/cluster-etl/cluster-etl"
    rate: float = 1.0  # requests per second; 0 lifts the limit (robots.txt's Crawl-delay still holds)
    concurrency: int = 2  # requests in flight at once to the host
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_body_bytes: int = 5 * 1024 * 1024
    retries: int = 4
    backoff_factor: float = 0.5  # seconds: 0.5, 1, 2, 4 ... plus jitter
    backoff_jitter: float = 0.5
    backoff_max: float = 60.0
    max_retry_after: float = 300.0  # never wait longer than this for a Retry-After
    max_redirects: int = 5
    max_directory_pages: int = 100  # per cluster: a "Suivant" that never ends is a finding

    @property
    def user_agent(self) -> str:
        return f"cluster-etl/{__version__} (+{self.contact_url})"


class CappedRetry(Retry):
    """urllib3's Retry, with Retry-After waits capped so a hostile header cannot stall a run."""

    max_retry_after: float = 300.0

    def new(self, **kw):  # type: ignore[override]
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry

    def get_retry_after(self, response):  # type: ignore[override]
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.max_retry_after)


class PortalClient:
    """Fetches pages of one host politely. Thread-safe: crawl tasks share one client."""

    def __init__(self, base_url: str, settings: FetchSettings | None = None,
                 archive: RunArchive | None = None, cache: ValidatorCache | None = None):
        self.base_url = base_url.rstrip("/")
        self.archive = archive  # every response received is written there
        self.cache = cache  # validators for conditional requests, bodies for 304s
        self.settings = settings or FetchSettings()
        self.host = urlsplit(self.base_url).netloc.lower()
        self.stats = FetchStats()
        self.robots: RobotsRules | None = None
        self._slots = threading.BoundedSemaphore(max(1, self.settings.concurrency))
        self._pacer = Pacer(1.0 / self.settings.rate if self.settings.rate > 0 else 0.0)
        self._session = self._make_session()

    def _make_retry(self) -> CappedRetry:
        s = self.settings
        retry = CappedRetry(
            total=s.retries, connect=s.retries, read=s.retries, status=s.retries, other=s.retries,
            redirect=False, status_forcelist=RETRY_STATUSES, allowed_methods={"GET", "HEAD"},
            backoff_factor=s.backoff_factor, backoff_jitter=s.backoff_jitter,
            backoff_max=s.backoff_max, respect_retry_after_header=True, raise_on_status=False,
        )
        retry.max_retry_after = s.max_retry_after
        return retry

    def _make_session(self) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=self._make_retry(), pool_maxsize=max(1, self.settings.concurrency))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = self.settings.user_agent
        session.headers["Accept"] = "text/html,text/plain;q=0.9,*/*;q=0.1"
        _settle_environment(session, self.base_url)
        return session

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- robots ---------------------------------------------------------------------------------

    def load_robots(self) -> RobotsRules:
        """Reads robots.txt once; its Crawl-delay slows the pace if it asks for more than our rate."""
        page = self._fetch(urljoin(self.base_url + "/", "robots.txt"), check_robots=False)
        text = page.text if page.status == 200 else None
        self.robots = RobotsRules(text, self.settings.user_agent)
        if self.robots.crawl_delay > self._pacer.interval:
            self._pacer.interval = self.robots.crawl_delay
        return self.robots

    # --- pages ----------------------------------------------------------------------------------

    def get(self, url: str) -> Page:
        """Returns the page (200, or 404/410 for the caller to judge); raises FetchError otherwise."""
        if self.robots is None:
            self.load_robots()
        try:
            return self._fetch(url, check_robots=True)
        except (RobotsDisallowed, OffHost):
            raise  # a refusal, not an error: the crawl reports it as a finding
        except FetchError:
            self.stats.record_error()
            raise

    def _fetch(self, url: str, check_robots: bool) -> Page:
        seen: list[str] = []
        current = url
        while True:
            self._check_allowed(current, check_robots)
            page = self._fetch_one(current, original=url)
            if page.status not in REDIRECT_STATUSES:
                return page
            seen.append(current)
            location = _header(page.headers, "Location")
            if not location:
                raise FetchError(current, "redirect without a Location header", page.status)
            current = urljoin(current, location)
            if current in seen:
                raise FetchError(url, f"redirect loop via {current}", page.status)
            if len(seen) > self.settings.max_redirects:
                raise FetchError(url, f"more than {self.settings.max_redirects} redirects", page.status)

    def _check_allowed(self, url: str, check_robots: bool) -> None:
        if urlsplit(url).netloc.lower() != self.host:
            raise OffHost(url, f"not on the portal's host {self.host}; not followed")
        if check_robots and self.robots is not None and not self.robots.allows(url):
            raise RobotsDisallowed(url, "disallowed by robots.txt")

    def _fetch_one(self, url: str, original: str) -> Page:
        """One URL, no redirects followed; body-level faults retried with the same backoff policy."""
        retry = self._make_retry()
        while True:
            try:
                return self._attempt(url, original)
            except _BodyError as exc:
                try:
                    retry = retry.increment(method="GET", url=url, error=exc)
                except Exception:
                    raise FetchError(url, f"{exc} (after {self.settings.retries} retries)") from None
                retry.sleep()
            except requests.RequestException as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                raise FetchError(url, _describe(exc), status) from None

    def _attempt(self, url: str, original: str) -> Page:
        exchange = self._exchange(url)
        status = exchange.status
        if status in REDIRECT_STATUSES:
            text = ""
        elif status in PASS_THROUGH_STATUSES:
            try:
                text = decode_body(exchange.body, _header(exchange.headers, "Content-Type"))
            except DecodeError as exc:
                raise _BodyError(str(exc)) from None
        else:
            raise FetchError(url, f"HTTP {status} {exchange.reason}".strip(), status)
        return Page(url=original, final_url=url, status=status, headers=exchange.headers,
                    body=exchange.body, text=text, retrieved_at=exchange.received_at,
                    revalidated=exchange.revalidated)

    def _exchange(self, url: str) -> Exchange:
        """One request on the network (urllib3 retries inside), recorded in the run's archive."""
        s = self.settings
        conditional = self.cache.conditional_headers(url) if self.cache else {}
        with self._slots:
            self._pacer.wait()
            response = self._session.get(url, headers=conditional, stream=True, allow_redirects=False,
                                         timeout=(s.connect_timeout, s.read_timeout))
            try:
                body = self._read_body(response)
            finally:
                response.close()
        history = getattr(getattr(response.raw, "retries", None), "history", ()) or ()
        self.stats.record(1 + len(history), response.status_code, len(body))
        now = dt.datetime.now(dt.timezone.utc)
        headers, reason = dict(response.headers), response.reason or ""
        if response.status_code == 304 and conditional:
            return self._reuse(url, reason, headers, now)
        if self.archive is not None:
            ref = self.archive.write_response(url, response.status_code, reason, headers, body, now)
            if response.status_code == 200 and self.cache is not None:
                self.cache.remember(url, headers, ref)
        return Exchange(response.status_code, reason, headers, body, now)

    def _reuse(self, url: str, reason: str, headers: dict[str, str], now: dt.datetime) -> Exchange:
        """304 Not Modified: the body comes from the archive; the run's WARC records a revisit."""
        ref = self.cache.lookup(url)
        try:
            archived = read_record(self.cache.folder, ref)
        except ArchiveError as exc:
            self.cache.forget(url)  # the next attempt asks for the whole page again
            raise _BodyError(f"304 for a page whose archived body is gone: {exc}") from None
        if self.archive is not None:
            self.archive.write_revisit(url, 304, reason, headers, ref, now)
        return Exchange(archived.status, archived.reason, archived.headers, archived.body, now,
                        revalidated=True)

    def _read_body(self, response: requests.Response) -> bytes:
        cap = self.settings.max_body_bytes
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > cap:
                    raise FetchError(response.url, f"response larger than {cap} bytes; not read")
                chunks.append(chunk)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                requests.exceptions.ContentDecodingError) as exc:
            raise _BodyError(f"body cut short or unreadable: {_describe(exc)}") from None
        body = b"".join(chunks)
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) != len(body) and "Content-Encoding" not in response.headers:
            raise _BodyError(f"body of {len(body)} bytes, Content-Length says {declared}")
        return body


def _settle_environment(session: requests.Session, base_url: str) -> None:
    """Read what requests takes from the environment once, for the client's one host.

    Why: with `trust_env` requests looks at the proxy variables (a scan of os.environ, twice) and
    for a ~/.netrc on every request, about a sixth of a sample page's fetch. What it would find
    (proxies, or none when NO_PROXY names the host; REQUESTS_CA_BUNDLE; .netrc credentials) is
    the same for every URL of the host, so it is read here and kept in the session.
    """
    found = session.merge_environment_settings(base_url + "/", {}, None, None, None)
    session.proxies = found["proxies"]
    session.verify = found["verify"]
    session.cert = found["cert"]
    session.auth = requests.utils.get_netrc_auth(base_url + "/")
    session.trust_env = False


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _describe(exc: BaseException) -> str:
    """A one-line reason, without urllib3's nested reprs."""
    reason = exc
    while reason.__context__ is not None and str(reason) == "":
        reason = reason.__context__
    text = str(reason).splitlines()[0] if str(reason) else type(reason).__name__
    return f"{type(exc).__name__}: {text}"[:300]
