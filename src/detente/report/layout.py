"""Where the report's chart labels go: pure functions over numbers, no SVG.

Chart text is measured before any browser sees it, so widths are estimated from the characters,
on the wide side: a generous box that is never narrower than the text as drawn by the wide sans
fonts browsers fall back to (DejaVu Sans, Verdana), so boxes that do not overlap here do not
overlap on screen.

Labels tied to a point on the x axis (a turning point's marker line, the start of a month) are
placed by ``place_labels``: each goes just right of its anchor, or just left of it when it would
cross the chart's right edge, and never outside [lo, hi]; each on the first row where it touches
no other label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Advance widths in em, rounded up from DejaVu Sans (one of the widest common sans faces).
_NARROW = frozenset(" !'(),-./:;I[]\\fijlrt|")
_WIDE = frozenset("mwMW%@…")


def char_width(char: str) -> float:
    """The width of one character in em, on the wide side."""
    if char in _NARROW:
        return 0.42
    if char in _WIDE:
        return 1.0
    if char.isdigit() or char.islower():
        return 0.65
    if char.isupper():
        return 0.8
    return 1.0  # symbols (▲ ▼ → –) and anything unforeseen


def text_width(text: str, size: float) -> float:
    """The width, in the chart's units, of ``text`` set at font size ``size``."""
    return size * sum(char_width(char) for char in text)


@dataclass(frozen=True, slots=True)
class Placed:
    start: float  # left end of the label's box
    row: int  # 0 is the top row
    flipped: bool  # set left of its anchor, so that it stays inside the chart


def place_labels(
    labels: Sequence[tuple[float, float]],  # (anchor x, width)
    lo: float,
    hi: float,
    *,
    pad: float = 3.0,
    gap: float = 4.0,
    flip: bool = True,
) -> list[Placed]:
    """Positions and rows of labels anchored on the x axis, in the order given.

    Each starts ``pad`` right of its anchor or, with ``flip``, ends ``pad`` left of it when it
    would pass ``hi``; it is then moved into [lo, hi] if it fits there at all. Taken left to
    right, each goes to the first row where its box keeps ``gap`` clear of every box of that row.
    Without ``flip`` a label is only ever moved left, so that a box as wide as the span it names
    (a month) still covers that span."""
    placed: dict[int, Placed] = {}
    ends: list[float] = []  # per row, the right end of its boxes
    for i in sorted(range(len(labels)), key=lambda n: labels[n][0]):
        anchor, width = labels[i]
        start, flipped = anchor + pad, False
        if flip and start + width > hi:
            start, flipped = anchor - pad - width, True
        start = max(lo, min(start, hi - width))
        row = next((r for r, end in enumerate(ends) if end + gap <= start), len(ends))
        if row == len(ends):
            ends.append(start + width)
        ends[row] = start + width
        placed[i] = Placed(start, row, flipped)
    return [placed[i] for i in range(len(labels))]


def rows(placed: Sequence[Placed]) -> int:
    """How many rows the placed labels take."""
    return max((p.row for p in placed), default=-1) + 1


def centred(x: float, width: float, lo: float, hi: float) -> float:
    """The left end of a box of ``width`` centred on ``x`` and moved, if need be, into [lo, hi]."""
    return max(lo, min(x - width / 2, hi - width))


def flow(widths: Sequence[float], lo: float, hi: float, *, gap: float = 16.0) -> list[Placed]:
    """Boxes set one after the other from ``lo``, as words in a line, onto a new row when the
    next would pass ``hi`` (a legend)."""
    out: list[Placed] = []
    x, row = lo, 0
    for width in widths:
        if x > lo and x + width > hi:
            x, row = lo, row + 1
        out.append(Placed(x, row, False))
        x += width + gap
    return out
