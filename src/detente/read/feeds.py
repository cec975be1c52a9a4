"""RSS and Atom feeds (feedparser): one document per entry."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import feedparser

from detente.errors import EmptyInputError, InputError
from detente.read._decode import field, storable
from detente.read.html import html_to_text
from detente.records import Document


def looks_like_feed(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)


def _entry_date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
            except ValueError:  # feedparser keeps years like 0 or 10000 that no date has
                continue
    return None


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    value = contents[0].get("value") if contents else entry.get("summary")
    html = value if isinstance(value, str) else ""  # a broken entry may leave None
    text = html_to_text(html) if "<" in html else html.strip()
    return storable(text)  # a character reference such as &#0; can make what no store holds


# A numeric character reference: feedparser's lenient parser fails on one that names no
# character (a surrogate, NUL, beyond U+10FFFF); such references become U+FFFD first.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")


def _charref(match: re.Match[bytes]) -> bytes:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return match.group(0) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else b"&#xFFFD;"


def read_feed(source: str, data: bytes, path: str | None) -> Iterator[Document | InputError]:
    for item, _summary_only in feed_entries(source, data, path):
        yield item


def feed_entries(
    source: str, data: bytes, path: str | None
) -> Iterator[tuple[Document | InputError, bool]]:
    """Each entry's document (or why it has none), and whether the entry gave only a summary
    (no full content): the watcher then reads the article page it links to."""
    try:
        # a stream, never bytes: feedparser opens bytes that name a file as that file
        parsed = feedparser.parse(io.BytesIO(_CHARREF.sub(_charref, data)))
    except (UnicodeError, ValueError) as exc:  # UTF-16 or UTF-32, where references are unseen
        yield InputError(source, f"not a readable feed ({type(exc).__name__} in the parser)"), False
        return
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            yield InputError(source, f"not a readable feed ({reason})"), False
        else:
            yield EmptyInputError(source, "feed has no entries"), False
        return
    feed = parsed.get("feed", {})
    for number, entry in enumerate(entries, start=1):
        where = f"{source}#entry{number}"
        text = _entry_text(entry)
        title = field(entry.get("title"))
        if not text.strip():
            yield EmptyInputError(where, "entry has no text"), False
            continue
        if title and not text.startswith(title):
            text = f"{title}\n\n{text}"
        document = Document(
            id=field(entry.get("id")) or field(entry.get("link")) or Document.content_id(text),
            text=text,
            path=path,
            source=field(feed.get("title")),
            title=title,
            url=field(entry.get("link")),
            published=_entry_date(entry),
            language=field(entry.get("language") or feed.get("language")),
            kind="feed-entry",
        )
        yield document, not entry.get("content")
