"""Dates: find date expressions, resolve them against a reference date, attach them to events.

Absolute dates keep their precision ("December 2022" is a month). Partial dates ("13 July") and
relative ones ("last week", "on Monday") need a reference date: the publication date, one given
by the caller, or one inferred from the text (marked as such). Without a reference, a partial date
stays unresolved rather than get a guessed year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from detente.nlp.calendar import MONTHS, WEEKDAYS
from detente.records import DateValue

_M = "|".join(sorted(MONTHS, key=len, reverse=True))
_QUAL = (
    r"(?:(?:the\s+)?(?:first|second)\s+half\s+of|early|mid|mid-|late"
    r"|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of)"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("dmy_num", re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d{2})\b")),
    (
        "mdy",
        re.compile(
            rf"\b(?P<mn>{_M})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b",
            re.I,
        ),
    ),
    (
        "dmy",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mn>{_M})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b",
            re.I,
        ),
    ),
    (
        "md",
        re.compile(
            rf"\b(?P<mn>{_M})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?(?:19|20)\d{{2}})",
            re.I,
        ),
    ),
    (
        "dm",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mn>{_M})\b(?!\.?,?\s+(?:19|20)\d{{2}})",
            re.I,
        ),
    ),
    (
        "my",
        re.compile(
            rf"\b(?:{_QUAL}\s+)?(?P<mn>{_M})\.?,?\s+(?:of\s+)?(?P<y>(?:19|20)\d{{2}})\b", re.I
        ),
    ),
    (
        "m",
        re.compile(
            rf"\b(?:(?:in|since|during|until|by|of|from)\s+|{_QUAL}[\s-]+)(?P<mn>{_M})\b(?!\s+\d)",
            re.I,
        ),
    ),
    (
        "y",
        re.compile(
            r"\b(?:in|since|during|until|by|of|from|early|late|mid-?)\s+(?P<y>(?:19|20)\d{2})\b(?!\s*-\d)",
            re.I,
        ),
    ),
    (
        "rel",
        re.compile(
            r"\b(?P<rel>yesterday|today|tonight|this\s+morning|last\s+night|(?:last|this|next|past)\s+(?:week|month|year|weekend)|earlier\s+this\s+(?:week|month|year)|(?P<n>\d+|a|one|two|three|four|five|six|seven|ten)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago)\b",
            re.I,
        ),
    ),
    ("wd", re.compile(rf"\b(?:on\s+|last\s+|this\s+|next\s+)(?P<wd>{'|'.join(WEEKDAYS)})\b", re.I)),
]
_MONTH_ONLY_EXCLUDE = re.compile(r"^may$", re.I)
_NUMBERS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "ten": 10,
}


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression at ``start:end`` of a text (offsets relative to what was scanned)."""

    start: int
    end: int
    kind: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    relative: str | None = None
    weekday: int | None = None
    since: bool = False

    @property
    def absolute(self) -> bool:
        return self.year is not None


_MAYBE = re.compile(
    rf"\d|{_M}|{'|'.join(WEEKDAYS)}|yesterday|today|tonight|last|this|next|past|ago|earlier", re.I
)


def find_dates(text: str) -> list[DateMention]:
    """Date expressions in ``text``, longest first where they overlap."""
    if _MAYBE.search(text) is None:
        return []
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            mention = _mention(kind, match)
            if mention is not None:
                found.append(mention)
                taken.append((start, end))
    return sorted(found, key=lambda m: m.start)


def _mention(kind: str, match: re.Match[str]) -> DateMention | None:
    groups = match.groupdict()
    start, end = match.span()
    since = match.group(0).lower().startswith("since")
    month = (
        MONTHS[groups["mn"].lower()]
        if groups.get("mn")
        else (int(groups["m"]) if groups.get("m") else None)
    )
    if kind == "m" and _MONTH_ONLY_EXCLUDE.match(groups["mn"] or ""):
        return None  # "may" is far more often a verb
    if kind in ("md", "dm") and groups["mn"].lower() == "may" and not groups["mn"][0].isupper():
        return None
    year = int(groups["y"]) if groups.get("y") else None
    day = int(groups["d"]) if groups.get("d") else None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    if kind == "rel":
        return DateMention(start, end, kind, relative=" ".join(groups["rel"].lower().split()))
    if kind == "wd":
        return DateMention(
            start,
            end,
            kind,
            weekday=WEEKDAYS.index(groups["wd"].lower()),
            relative=match.group(0).split()[0].lower(),
        )
    return DateMention(start, end, kind, year, month, day, since=since)


def valid_day(year: int, month: int, day: int | None) -> bool:
    return day is None or day <= calendar.monthrange(year, month)[1]


def resolve(
    mention: DateMention, reference: dt.date | None, *, future: bool = False
) -> DateValue | None:
    """The calendar date a mention denotes, or None when it cannot be known."""
    if mention.since:
        return None  # "since 2021" starts a period; it does not date an event
    if mention.year is not None:
        if mention.month is not None and not valid_day(mention.year, mention.month, mention.day):
            return None
        return DateValue(mention.year, mention.month, mention.day)
    if reference is None:
        return None
    if mention.month is not None:
        year = choose_year(mention.month, mention.day, reference, future=future)
        return DateValue(year, mention.month, mention.day) if year is not None else None
    if mention.kind == "wd" and mention.weekday is not None:
        return DateValue.from_date(
            _weekday(mention.weekday, mention.relative or "on", reference, future)
        )
    if mention.relative:
        return _relative(mention.relative, reference)
    return None


def choose_year(
    month: int, day: int | None, reference: dt.date, *, future: bool = False
) -> int | None:
    """The year that puts month/day nearest the reference: on or before it for past events."""
    slack = dt.timedelta(days=3)
    years = [reference.year - 1, reference.year, reference.year + 1]
    dates = [(y, dt.date(y, month, day or 1)) for y in years if valid_day(y, month, day)]
    if not dates:
        return None
    if future:
        ahead = [(y, d) for y, d in dates if d >= reference - slack]
        return ahead[0][0] if ahead else dates[-1][0]
    behind = [(y, d) for y, d in dates if d <= reference + slack]
    return behind[-1][0] if behind else dates[0][0]


def _weekday(weekday: int, word: str, reference: dt.date, future: bool) -> dt.date:
    delta = (reference.weekday() - weekday) % 7
    if word == "next" or (future and word != "last"):
        ahead = (weekday - reference.weekday()) % 7 or 7
        return reference + dt.timedelta(days=ahead)
    if word == "last" and delta == 0:
        delta = 7
    return reference - dt.timedelta(days=delta)


def _relative(words: str, reference: dt.date) -> DateValue | None:
    if words in ("today", "tonight", "this morning"):
        return DateValue.from_date(reference)
    if words in ("yesterday", "last night"):
        return DateValue.from_date(reference - dt.timedelta(days=1))
    match = re.fullmatch(r"(\w+) (day|week|month|year)s? ago", words)
    if match:
        n = int(match.group(1)) if match.group(1).isdigit() else _NUMBERS.get(match.group(1), 1)
        unit = match.group(2)
        if unit == "day":
            return DateValue.from_date(reference - dt.timedelta(days=n))
        if unit == "week":
            return DateValue.from_date(reference - dt.timedelta(days=7 * n)).month_only()
        if unit == "month":
            return _months_back(reference, n)
        return DateValue(reference.year - n)
    if words.endswith("week") or words.endswith("weekend"):
        shift = {"last": -7, "past": -7, "next": 7}.get(words.split()[0], 0)
        return DateValue.from_date(reference + dt.timedelta(days=shift)).month_only()
    if words.endswith("month"):
        shift = {"last": -1, "past": -1, "next": 1}.get(words.split()[0], 0)
        return _months_back(reference, -shift)
    if words.endswith("year"):
        shift = {"last": -1, "past": -1, "next": 1}.get(words.split()[0], 0)
        return DateValue(reference.year + shift)
    return None


def _months_back(reference: dt.date, n: int) -> DateValue:
    index = reference.year * 12 + reference.month - 1 - n
    return DateValue(index // 12, index % 12 + 1)


def newest_absolute(mentions: Iterable[DateMention]) -> DateValue | None:
    """The newest full or partial date written out with its year; a day no calendar has
    ("29 February 2023", "31.02.2024") is passed over."""
    values = [
        DateValue(m.year, m.month, m.day)
        for m in mentions
        if m.year is not None
        and not m.since
        and (m.month is None or valid_day(m.year, m.month, m.day))
    ]
    values += [DateValue(m.year) for m in mentions if m.year is not None and m.since]
    return max(values, key=lambda v: (v.year, v.month or 0, v.day or 0), default=None)


def consistent_years(
    month: int, day: int | None, start: dt.date | None, end: dt.date | None, years: Iterable[int]
) -> Iterator[int]:
    """Years in which month/day falls within [start, end)."""
    for year in years:
        if not valid_day(year, month, day):
            continue
        when = dt.date(year, month, day or 1)
        if (start is None or start <= when) and (end is None or when < end):
            yield year
