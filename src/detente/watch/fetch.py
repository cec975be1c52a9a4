"""Fetching the web politely (httpx): one ``Fetcher`` per process, shared by every source.

What it does for every URL, in order:

- only ``http`` and ``https``; a host that is (or resolves to) a private, loopback, link-local
  or otherwise non-global address is refused unless ``allow_private`` (every redirect hop too);
- robots.txt of the host is read once (cached for an hour) and honoured for our User-Agent,
  its ``Crawl-delay`` included; a robots.txt that is missing (4xx) allows everything, one that
  fails (5xx, unreachable) disallows everything, as RFC 9309 asks, until it is read again ten
  minutes later (a transient ``FetchError``: the caller tries again later);
- one request at a time per host, at least ``min_interval`` seconds apart;
- conditional requests (``If-None-Match``, ``If-Modified-Since``) when the caller knows them;
- timeouts on connecting, on each read and on the whole body; a size cap (the declared length
  and the bytes read); at most ``max_redirects`` redirects, a loop refused;
- retries of timeouts, connection errors, 429 and 5xx with exponential backoff and jitter; a
  ``Retry-After`` longer than ``max_retry_wait`` is not waited here but handed back on the
  ``FetchError`` so the caller schedules the source after it;
- the content type checked against what the caller accepts.

Every failure is a ``FetchError`` with a one-line reason.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import random
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit

import httpx

from detente.errors import FetchError, InputError
from detente.read._decode import DEFAULT_MAX_BYTES
from detente.read.feeds import looks_like_feed, read_feed
from detente.read.html import looks_like_html, read_html
from detente.records import Document

log = logging.getLogger(__name__)

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUS = {429, 500, 502, 503, 504}
_ROBOTS_TTL = 3600.0
_ROBOTS_RETRY = 600.0  # a robots.txt that could not be read is asked for again after this


def default_user_agent() -> str:
    try:
        number = version("detente")
    except PackageNotFoundError:  # run from a source tree that is not installed
        from detente import __version__ as number
    return f"detente/{number} (news watcher; honours robots.txt)"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str = field(default_factory=default_user_agent)
    connect_timeout: float = 5.0
    read_timeout: float = 5.0  # the longest wait for any one read
    total_timeout: float = 30.0  # the whole body
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    retries: int = 2  # attempts after the first
    backoff: float = 0.5  # first wait; doubled on each retry, plus up to as much jitter
    max_retry_wait: float = 10.0
    min_interval: float = 1.0  # seconds between two requests to one host
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str  # the media type, lower case, without parameters
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _media_type(header: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for part in parts[1:]:
        if part.lower().startswith("charset="):
            charset = part.split("=", 1)[1].strip("\"' ") or None
    return parts[0].lower(), charset


def check_address(url: str, allow_private: bool) -> None:
    """Refuse schemes other than http(s), and hosts on non-global addresses unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, f"only http and https URLs are fetched, not {parts.scheme or '?'}:")
    host = parts.hostname
    if not host:
        raise FetchError(url, "the URL has no host")
    if allow_private:
        return
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise FetchError(url, f"cannot resolve {host} ({exc.strerror})") from None
        addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)
        real = mapped or address
        if not real.is_global or real.is_multicast:
            raise FetchError(
                url,
                f"{host} is a private, loopback or link-local address ({real}); refused "
                "(set allow_private: true in the sources file to allow it)",
            )


class Fetcher:
    """A polite HTTP client; safe to share between threads (one request per host at a time)."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or FetchSettings()
        s = self.settings
        self._client = httpx.Client(
            headers={"User-Agent": s.user_agent},
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=False,
            trust_env=False,
        )
        self._sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | str]] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the public call ---------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        accept: tuple[str, ...] = (),
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET ``url`` (following redirects); a 304 comes back as a Response, not an error."""
        visited = {url}
        current = url
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        for _hop in range(self.settings.max_redirects + 1):
            check_address(current, self.settings.allow_private)
            if not self._allowed(current):
                raise FetchError(current, "disallowed by the site's robots.txt")

            response = self._with_retries(current, conditional)
            if response.status in _REDIRECTS:
                location = response.location
                if not location:
                    raise FetchError(current, f"HTTP {response.status} without a Location")
                nxt = urljoin(current, location)
                if nxt in visited:
                    raise FetchError(url, f"redirect loop (back to {nxt})")
                visited.add(nxt)
                current = nxt
                continue
            if response.status == 304:
                return response
            if response.status >= 400:
                raise FetchError(current, f"HTTP {response.status}")
            self._check_type(response, accept)
            return response
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _check_type(self, response: Response, accept: tuple[str, ...]) -> None:
        if not accept or response.content_type in accept:
            return
        sniffed = response.content_type in ("", "text/plain", "application/octet-stream")
        if sniffed and (
            (set(accept) & set(FEED_TYPES) and looks_like_feed(response.body))
            or (set(accept) & set(HTML_TYPES) and looks_like_html(response.body))
        ):
            return
        wanted = "a feed (XML)" if set(accept) <= set(FEED_TYPES) else "an HTML page"
        if set(accept) & set(FEED_TYPES) and set(accept) & set(HTML_TYPES):
            wanted = "a feed or an HTML page"
        raise FetchError(
            response.url, f"content type {response.content_type or 'none'} is not {wanted}"
        )

    # -- politeness --------------------------------------------------------------------------
    def _host_lock(self, host: str) -> threading.Lock:
        with self._lock:
            return self._hosts.setdefault(host, threading.Lock())

    def _wait_turn(self, host: str) -> None:
        gap = max(self.settings.min_interval, self._delay.get(host, 0.0))
        wait = self._last.get(host, -1e9) + gap - time.monotonic()
        if wait > 0:
            self._sleep(wait)

    def _allowed(self, url: str) -> bool:
        """What the host's robots.txt says of ``url``; a robots.txt that cannot be read (5xx,
        unreachable) is a transient FetchError: the host is not fetched until it can be."""
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(host)
        ttl = _ROBOTS_TTL if cached is None or not isinstance(cached[1], str) else _ROBOTS_RETRY
        if cached is None or time.monotonic() - cached[0] > ttl:
            cached = (time.monotonic(), self._read_robots(host))
            self._robots[host] = cached
            if not isinstance(cached[1], str):
                delay = cached[1].crawl_delay(self.settings.user_agent)
                if delay:
                    self._delay[parts.netloc] = float(delay)
        rules = cached[1]
        if isinstance(rules, str):
            raise FetchError(
                url, f"{host}/robots.txt could not be read ({rules}); not fetched for now",
                transient=True,
            )  # fmt: skip
        return rules.can_fetch(self.settings.user_agent, url)

    def _read_robots(self, host: str) -> urllib.robotparser.RobotFileParser | str:
        """The parsed robots.txt, or why it could not be read."""
        parser = urllib.robotparser.RobotFileParser(f"{host}/robots.txt")
        small = replace(self.settings, max_bytes=512 * 1024, retries=0)
        try:
            response = self._request(f"{host}/robots.txt", {}, small)
        except FetchError as exc:
            return exc.detail
        if response.status >= 500:
            return f"HTTP {response.status}"
        if response.status >= 400 or response.status in _REDIRECTS:
            parser.parse([])  # no robots.txt: everything is allowed
        else:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser

    # -- one request, retried ----------------------------------------------------------------
    def _with_retries(self, url: str, headers: dict[str, str]) -> _Raw:
        s = self.settings
        attempt = 0
        while True:
            try:
                response = self._request(url, headers, s)
            except FetchError as exc:
                if attempt >= s.retries or not exc.transient:
                    raise
                wait = s.backoff * 2**attempt + random.uniform(0, s.backoff * 2**attempt)
                log.debug("%s: %s; retrying in %.1f s", url, exc.detail, wait)
            else:
                if response.status not in _RETRY_STATUS:
                    return response
                after = response.retry_after
                if after is not None and after > s.max_retry_wait:
                    raise FetchError(
                        url,
                        f"HTTP {response.status}; the server asks to wait {after:.0f} s",
                        retry_after=after,
                    )
                if attempt >= s.retries:
                    raise FetchError(
                        url,
                        f"HTTP {response.status} after {attempt + 1} attempts",
                        retry_after=after,
                        transient=True,
                    )
                wait = s.backoff * 2**attempt + random.uniform(0, s.backoff * 2**attempt)
                if after is not None:
                    wait = max(wait, after)
                log.debug("%s: HTTP %d; retrying in %.1f s", url, response.status, wait)
            self._sleep(wait)
            attempt += 1

    def _request(self, url: str, headers: dict[str, str], s: FetchSettings) -> _Raw:
        host = urlsplit(url).netloc
        with self._host_lock(host):
            self._wait_turn(host)
            try:
                return self._stream(url, headers, s)
            finally:
                self._last[host] = time.monotonic()

    def _stream(self, url: str, headers: dict[str, str], s: FetchSettings) -> _Raw:
        began = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as reply:
                status = reply.status_code
                ctype, charset = _media_type(reply.headers.get("content-type", ""))

                def raw(body: bytes) -> _Raw:
                    return _Raw(
                        url,
                        status,
                        body,
                        ctype,
                        charset,
                        reply.headers.get("etag"),
                        reply.headers.get("last-modified"),
                        _retry_after(reply.headers.get("retry-after")),
                        reply.headers.get("location"),
                    )

                if status in _REDIRECTS or status == 304 or status >= 400:
                    return raw(b"")
                declared = reply.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > s.max_bytes:
                    raise FetchError(url, _too_large(int(declared), s.max_bytes))
                chunks: list[bytes] = []
                size = 0
                for chunk in _chunks(reply):
                    size += len(chunk)
                    if size > s.max_bytes:
                        raise FetchError(url, _too_large(size, s.max_bytes, "more than "))
                    if time.monotonic() - began > s.total_timeout:
                        raise _transient(url, f"the body took more than {s.total_timeout:g} s")
                    chunks.append(chunk)
                return raw(b"".join(chunks))
        except httpx.TimeoutException as exc:
            raise _transient(url, f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _transient(url, f"connection failed ({exc or type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"HTTP error ({exc})") from None


@dataclass(frozen=True, slots=True)
class _Raw(Response):
    retry_after: float | None = None
    location: str | None = None


def _chunks(reply: httpx.Response) -> Iterator[bytes]:
    yield from reply.iter_bytes()  # as they arrive: a trickling body meets the deadline


def _transient(url: str, message: str) -> FetchError:
    return FetchError(url, message, transient=True)


def _too_large(size: int, cap: int, prefix: str = "") -> str:
    return f"{prefix}{size / 1_048_576:.1f} MB is above the {cap / 1_048_576:g} MB size cap"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def text_of(response: Response) -> str:
    """The body as text: the declared charset, else UTF-8 (undecodable bytes replaced)."""
    for encoding in (response.charset, "utf-8"):
        if not encoding:
            continue
        try:
            return response.body.decode(encoding).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            continue
    return response.body.decode("utf-8", "replace").replace("\r\n", "\n")


def read_response(
    response: Response, *, feed: bool | None = None
) -> Iterator[Document | InputError]:
    """Documents of a fetched body: a feed's entries, or one page's main text."""
    is_feed = (
        feed
        if feed is not None
        else (response.content_type in FEED_TYPES or looks_like_feed(response.body))
    )
    if is_feed:
        yield from read_feed(response.url, response.body, None)
        return
    try:
        doc = read_html(response.url, text_of(response), None)
    except InputError as exc:
        yield exc
        return
    yield replace(doc, url=response.url)


def read_url(url: str, fetcher: Fetcher) -> Iterator[Document | InputError]:
    """What ``detente ingest URL`` reads: a feed's entries or a page's text."""
    try:
        response = fetcher.get(url, accept=FEED_TYPES + HTML_TYPES)
    except FetchError as exc:
        yield exc
        return
    yield from read_response(response)
