"""Calendar words and absolute date forms shared by the readers and the date resolver."""

from __future__ import annotations

import datetime as dt
import re

MONTHS: dict[str, int] = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ABSOLUTE = [
    # 2024-08-01
    (re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"), "ymd"),
    # 01.08.2024 (day first, as printed in Europe)
    (re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"), "dmy"),
    # August 1, 2024 / Aug. 1 2024
    (
        re.compile(
            rf"(?P<mn>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})", re.I
        ),
        "mdy",
    ),
    # 1 August 2024
    (
        re.compile(
            rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mn>{_MONTH_RE})\.?,?\s+(?P<y>\d{{4}})", re.I
        ),
        "dmy",
    ),
]


def parse_absolute(text: str, *, whole: bool = True) -> dt.date | None:
    """A full calendar date written in ``text`` (the whole string when ``whole``), or None."""
    candidate = text.strip()
    for pattern, _ in _ABSOLUTE:
        match = pattern.fullmatch(candidate) if whole else pattern.search(candidate)
        if match is None:
            continue
        groups = match.groupdict()
        month = MONTHS[groups["mn"].lower()] if groups.get("mn") else int(groups["m"])
        try:
            return dt.date(int(groups["y"]), month, int(groups["d"]))
        except ValueError:
            return None
    return None


def parse_iso_date(value: str) -> dt.date:
    """Parse YYYY-MM-DD or an ISO timestamp's date part; ValueError otherwise."""
    value = value.strip()
    if "T" in value or " " in value:
        value = re.split(r"[T ]", value, maxsplit=1)[0]
    return dt.date.fromisoformat(value)
