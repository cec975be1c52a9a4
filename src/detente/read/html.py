"""HTML pages: the main text and metadata, extracted with trafilatura."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import trafilatura

from detente.errors import EmptyInputError, InputError
from detente.nlp.calendar import parse_iso_date
from detente.read._decode import field, storable
from detente.records import Document

_OPEN = re.compile(rb"<(html|body)[\s>]", re.I)
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


# The last tag of a page, with only white space after it.
_LAST_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^<>]*>\s*\Z")


def check_complete(source: str, html: str) -> None:
    """Refuse a page cut off mid-way (a truncated download). HTML5 lets a page omit </body> and
    </html>, so a page without them is whole when it ends on a closing tag or a comment; one
    that stops inside an element or a tag is not."""
    lowered = html.lower()
    if "</html>" in lowered or "</body>" in lowered:
        return
    if not re.search(r"<(html|body)[\s>]", lowered):
        return  # a fragment, not a page
    tail = html.rstrip()[-4000:]
    last = _LAST_TAG.search(tail)
    if (last is not None and last.group(1) == "/") or tail.endswith("-->"):
        return
    raise InputError(source, "truncated HTML: the page stops inside an element, not after one")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (feed summaries): main text, else all text."""
    text = trafilatura.extract(html, include_comments=False, favor_recall=True)
    if text:
        return str(text)
    # a tag ends at its ">" or where the next one starts: "[^>]+" made a run of "<" quadratic
    return re.sub(r"\s+", " ", re.sub(r"<[^<>]+>", " ", html)).strip()


# (a tag stops at the next "<" too, so that a run of unclosed tags reads in linear time)
_CONTAINERS = re.compile(
    r"</?(?:div|span|section|font|center|main|aside|nav|figure|table|tbody|thead|tr|td|th|b|i|em"
    r"|strong)\b[^<>]*>",
    re.IGNORECASE,
)


def _extract(html: str) -> tuple[Any, str]:
    """trafilatura's main text and metadata of a page (the text "" when it finds none)."""
    options: dict[str, Any] = {"include_comments": False, "include_tables": False}
    try:
        result = trafilatura.bare_extraction(
            html, with_metadata=True, date_extraction_params=_DATE_PARAMS, **options
        )
    except AssertionError:
        # lxml asserts when htmldate drops an element that has no parent (a page whose body is
        # one <svg>): the date search failed, the text can still be read without metadata
        result = trafilatura.bare_extraction(html, with_metadata=False, **options)
    text = getattr(result, "text", None) if result is not None else None
    return result, storable(str(text)) if text else ""


def read_html(source: str, html: str, path: str | None) -> Document:
    check_complete(source, html)
    result, text = _extract(html)
    if not text.strip():
        # the HTML parser gives up on pages nested deeper than about 250 levels: read them again
        # without their layout containers (their text is in the paragraphs)
        flat = _CONTAINERS.sub(" ", html)
        if flat != html:
            result, text = _extract(flat)
    if not text.strip():
        raise EmptyInputError(source, "no main text found in the HTML page")
    published: dt.date | None = None
    raw_date = getattr(result, "date", None)
    if raw_date:
        try:
            published = parse_iso_date(str(raw_date))
        except ValueError:
            published = None
    return Document(
        id=Document.content_id(text),
        text=text,
        path=path,
        source=field(getattr(result, "sitename", None)),
        title=field(getattr(result, "title", None)),
        url=field(getattr(result, "url", None)),
        published=published,
        language=field(getattr(result, "language", None)),
        kind="html",
    )
