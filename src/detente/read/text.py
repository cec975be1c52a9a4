"""Plain text and Markdown: the text as read, a title and a printed date line when present."""

from __future__ import annotations

import datetime as dt
import re

from detente.nlp.calendar import parse_absolute

# Every pattern here runs in time linear in its line: a heading's closing hashes are cut in
# Python (a lazy group before "\s*#*\s*$" took minutes on a heading line of 5,000 spaces), and
# a link's label and address stop at the next bracket (an unbounded scan made a line of "["
# quadratic).
_HEADING = re.compile(r"#{1,6}\s+(.+)")
_EMPHASIS = "*_"
_HEAD_LINES = 25

# Markdown markup replaced by spaces of the same length, so offsets stay those of the raw text.
_MD_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\(([^()\n]{0,2000})\)")
_MD_MARKS = re.compile(
    r"(^[ \t]{0,3}#{1,6}[ \t])|(^[ \t]{0,3}>[ \t]?)|(\*{1,3}|_{2,3})|(^-{3,}[ \t]*$)", re.M
)


def find_title(text: str) -> str | None:
    """The first Markdown heading, else the first line that reads like a headline."""
    lines = [line.strip() for line in text.split("\n")[:_HEAD_LINES]]
    for line in lines:
        match = _HEADING.match(line)
        if match:
            heading = match.group(1).rstrip("#").rstrip() or match.group(1)
            return heading.strip(_EMPHASIS).strip() or None
    for line in lines:
        words = line.split()
        if 5 <= len(words) <= 30 and not line.endswith((".", ":", ",", ";")) and line[0].isupper():
            return line
    return None


def find_date_line(text: str) -> dt.date | None:
    """A line near the top holding nothing but a date (``01.08.2024``, ``August 1, 2024``)."""
    for line in text.split("\n")[:_HEAD_LINES]:
        bare = line.strip().strip(_EMPHASIS).strip()
        if bare and len(bare) <= 40:
            found = parse_absolute(bare)
            if found:
                return found
    return None


def mask_markdown(text: str) -> str:
    """Blank out Markdown markup with spaces, keeping every character offset."""

    def link(match: re.Match[str]) -> str:
        label = match.group(1)
        return " " + label + " " * (len(match.group(0)) - len(label) - 1)

    masked = _MD_LINK.sub(link, text)
    return _MD_MARKS.sub(lambda m: " " * len(m.group(0)), masked)
