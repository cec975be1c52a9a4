"""What a fetched source holds: the items of a feed, the article links of an index page."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from detente.errors import InputError
from detente.read.feeds import feed_entries
from detente.records import Document
from detente.watch.fetch import Response
from detente.watch.sources import Source

_NOT_ARTICLES = re.compile(
    r"\.(css|js|png|jpe?g|gif|svg|webp|ico|pdf|zip|xml|rss|atom|json|mp3|mp4)$", re.I
)


def key_of(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Item:
    """One thing a source published: a feed entry (its document, or why it has none) or a link
    of an index page still to fetch."""

    key: str  # what makes it the same item: its id and content, or its link
    url: str | None
    document: Document | None
    error: InputError | None = None
    summary_only: bool = False  # a feed entry without its full text: read its page


class SourceBrokenError(Exception):
    """The whole body is unreadable (a feed that does not parse): a failure of the source."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def feed_items(response: Response) -> list[Item]:
    found = list(feed_entries(response.url, response.body, None))
    if (
        len(found) == 1
        and isinstance(found[0][0], InputError)
        and "#entry" not in found[0][0].source
    ):
        raise SourceBrokenError(found[0][0])
    items = []
    for entry, summary_only in found:
        if isinstance(entry, InputError):
            items.append(Item(key_of(entry.source, entry.detail), None, None, entry))
        else:
            items.append(
                Item(
                    key_of(entry.id, entry.text),
                    entry.url,
                    entry,
                    None,
                    summary_only and bool(entry.url),
                )
            )
    return items


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(value.strip())


def page_items(response: Response, text: str, source: Source, limit: int) -> list[Item]:
    """The article links of an index page: same host, not the index itself nor a file of
    another kind, matching the source's ``follow`` regex if it has one; at most ``limit``."""
    parser = _Links()
    parser.feed(text)
    base = urlsplit(response.url)
    pattern = re.compile(source.follow) if source.follow else None
    links: dict[str, None] = {}
    for href in parser.hrefs:
        link = urldefrag(urljoin(response.url, href))[0]
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
            continue
        if link.rstrip("/") == response.url.rstrip("/") or parts.path in ("", "/"):
            continue
        if _NOT_ARTICLES.search(parts.path):
            continue
        if pattern is not None and not pattern.search(link):
            continue
        links[link] = None
    return [Item(key_of(link), link, None) for link in list(links)[:limit]]
