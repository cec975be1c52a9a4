"""What the report's charts and tables show, computed from a dyad's analysis: incidents per week
(those dated to the day), the incidents dated only to a month or a year as spans, and counts by
PLOVER type and direction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from detente.analysis.data import Point


@dataclass(frozen=True, slots=True)
class Period:
    """Incidents whose date is only a month (or a year): drawn as one span over its days."""

    start: dt.date
    end: dt.date  # its last day
    name: str  # "July 2024", "2024"
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class TypeCount:
    event: str
    quad: int
    forward: int  # first side → second side
    backward: int  # second side → first side
    joint: int  # both sides acting together

    @property
    def total(self) -> int:
        return self.forward + self.backward + self.joint


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def day_dated_weeks(
    points: Sequence[Point], weeks: Sequence[dt.date]
) -> list[tuple[dt.date, dict[int, float]]]:
    """For each week (its Monday), the incidents dated to one of its days, by quad class."""
    counts: dict[dt.date, dict[int, float]] = {week: {} for week in weeks}
    for point in points:
        if point.precision != "day":
            continue
        quads = counts.get(_monday(point.date))
        if quads is not None:
            quads[point.quad] = quads.get(point.quad, 0.0) + 1
    return list(counts.items())


def periods(points: Sequence[Point]) -> list[Period]:
    """The incidents dated only to a month or a year, grouped by that month or year."""
    groups: dict[tuple[dt.date, int], list[Point]] = {}
    for point in points:
        if point.precision != "day":
            groups.setdefault((point.date, point.span_days), []).append(point)
    out = []
    for (start, span), members in sorted(groups.items(), key=lambda item: item[0]):
        name = f"{start:%B %Y}" if members[0].precision == "month" else f"{start:%Y}"
        out.append(Period(start, start + dt.timedelta(days=span - 1), name, tuple(members)))
    return out


def type_counts(points: Sequence[Point], dyad: tuple[str, str]) -> list[TypeCount]:
    """Incidents by PLOVER type and direction, most frequent type first."""
    first = dyad[0]
    table: dict[str, list[int]] = {}
    quads: dict[str, int] = {}
    for point in points:
        row = table.setdefault(point.event, [0, 0, 0])
        quads.setdefault(point.event, point.quad)
        row[2 if point.joint else 0 if point.source == first else 1] += 1
    counts = [TypeCount(event, quads[event], *row) for event, row in table.items()]
    return sorted(counts, key=lambda c: (-c.total, c.event))
