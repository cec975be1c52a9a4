"""RSS and Atom feeds (feedparser): one document per entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import feedparser

from detente.errors import EmptyInputError, InputError
from detente.read.html import html_to_text
from detente.records import Document


def looks_like_feed(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)


def _entry_date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    html = contents[0].get("value", "") if contents else entry.get("summary", "")
    return html_to_text(html) if "<" in html else str(html).strip()


def read_feed(source: str, data: bytes, path: str | None) -> Iterator[Document | InputError]:
    for item, _summary_only in feed_entries(source, data, path):
        yield item


def feed_entries(
    source: str, data: bytes, path: str | None
) -> Iterator[tuple[Document | InputError, bool]]:
    """Each entry's document (or why it has none), and whether the entry gave only a summary
    (no full content): the watcher then reads the article page it links to."""
    parsed = feedparser.parse(data)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            yield InputError(source, f"not a readable feed ({reason})"), False
        else:
            yield EmptyInputError(source, "feed has no entries"), False
        return
    feed_title = parsed.get("feed", {}).get("title")
    for number, entry in enumerate(entries, start=1):
        where = f"{source}#entry{number}"
        text = _entry_text(entry)
        title = entry.get("title")
        if not text:
            yield EmptyInputError(where, "entry has no text"), False
            continue
        if title and not text.startswith(title):
            text = f"{title}\n\n{text}"
        document = Document(
            id=str(entry.get("id") or entry.get("link") or Document.content_id(text)),
            text=text,
            path=path,
            source=feed_title,
            title=title,
            url=entry.get("link"),
            published=_entry_date(entry),
            language=entry.get("language") or parsed.get("feed", {}).get("language"),
            kind="feed-entry",
        )
        yield document, not entry.get("content")
