"""A real HTTP server on 127.0.0.1 for the watcher's tests: each path answers with a queue of
replies that the test changes between polls (feeds that grow, 304s, 429s, slow bodies, ...),
and every request, POSTs included (a webhook), is recorded."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FEED_TYPE = "application/rss+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = HTML_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 to a request that already has it
    delay: float = 0.0  # seconds before the headers
    trickle: float = 0.0  # seconds between 16-byte pieces of the body
    times: int | None = None  # serve this reply so many times, then the next one in the queue
    length: bool = True  # send Content-Length (else the body ends when the connection closes)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Request] = []
        self.posts: list[Request] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def set(self, path: str, *replies: Reply) -> None:
        with self.lock:
            self.routes[path] = list(replies)

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path == path)

    def reply_for(self, path: str) -> Reply | None:
        with self.lock:
            queue = self.routes.get(path)
            if not queue:
                return None
            reply = queue[0]
            if reply.times is not None and len(queue) > 1:
                reply.times -= 1
                if reply.times <= 0:
                    queue.pop(0)
            return reply


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:  # quiet
            pass

        def _record(self, body: bytes = b"") -> Request:
            request = Request(self.command, self.path, dict(self.headers.items()), body)
            with site.lock:
                site.requests.append(request)
                if self.command == "POST":
                    site.posts.append(request)
            return request

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            self._record(self.rfile.read(length))
            reply = site.reply_for(self.path) or Reply(b"ok", content_type="text/plain")
            self._send(reply)

        def do_GET(self) -> None:
            self._record()
            reply = site.reply_for(self.path)
            if reply is None:
                self._send(Reply(b"not found", status=404, content_type="text/plain"))
                return
            if reply.etag and self.headers.get("If-None-Match") == reply.etag:
                self._send(Reply(b"", status=304, etag=reply.etag))
                return
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                if reply.status != 304:
                    self.send_header("Content-Type", reply.content_type)
                if reply.etag:
                    self.send_header("ETag", reply.etag)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if reply.trickle:
                    for start in range(0, len(reply.body), 16):
                        self.wfile.write(reply.body[start : start + 16])
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                else:
                    self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def serve() -> Generator[Site, None, None]:
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Entry:
    guid: str
    title: str
    published: dt.date
    summary: str
    link: str = ""
    content: str | None = None  # full text (content:encoded); absent, the entry is a summary


def rss(title: str, entries: list[Entry]) -> bytes:
    items = []
    for e in entries:
        when = format_datetime(dt.datetime(e.published.year, e.published.month, e.published.day, 9,
                                           tzinfo=dt.UTC), usegmt=True)  # fmt: skip
        content = f"<content:encoded><![CDATA[{e.content}]]></content:encoded>" if e.content else ""
        items.append(
            f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
            f"<guid>{escape(e.guid)}</guid><pubDate>{when}</pubDate>"
            f"<description>{escape(e.summary)}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>http://127.0.0.1/</link>"
        f"<description>test feed</description><language>en</language>{''.join(items)}"
        "</channel></rss>"
    ).encode()


def article(title: str, published: dt.date, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title>"
        f'<meta name="date" content="{published.isoformat()}"></head>'
        f"<body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
    ).encode()


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)
