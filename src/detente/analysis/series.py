"""Per-dyad series: counts, hostility, cooperation and the tension index.

Each incident carries a weight: its status (asserted 1, alleged 0.5, denied 0.25, planned 0.25;
hypothetical and negated events never form incidents) times a bonus for independent sources,
1 + 0.5·log2(sources). An incident dated to a month or a year is spread evenly over its days.

- hostility(day)   = Σ weight · |intensity| over incidents with a negative PLOVER score
- cooperation(day) = Σ weight · intensity over incidents with a positive score
- index(day)       = Σ over past days d of (hostility(d) − cooperation(d)) · 0.5^((day − d)/H)
  with a half-life H of 14 days: positive means tension, negative détente; a quiet dyad decays
  towards 0.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from detente.analysis.data import Point

STATUS_WEIGHT = {"asserted": 1.0, "alleged": 0.5, "denied": 0.25, "planned": 0.25}
HALF_LIFE_DAYS = 14.0


def weight(point: Point) -> float:
    return status_weight(point.status, point.n_sources)


def status_weight(status: str, sources: int) -> float:
    """An incident's weight from its status and its number of independent sources."""
    return STATUS_WEIGHT.get(status, 0.0) * (1 + 0.5 * math.log2(max(int(sources), 1)))


@dataclass
class Bucket:
    date: dt.date
    events: float = 0.0  # incidents (fractions when spread over a month)
    hostility: float = 0.0
    cooperation: float = 0.0
    index: float = 0.0
    by_type: dict[str, float] = field(default_factory=dict)
    by_quad: dict[int, float] = field(default_factory=dict)


def daily(points: Iterable[Point], since: dt.date, until: dt.date) -> list[Bucket]:
    """One bucket per day from ``since`` to ``until`` (inclusive)."""
    days = (until - since).days + 1
    buckets = [Bucket(since + dt.timedelta(days=i)) for i in range(days)]
    carried = 0.0  # the index carried in from before ``since``
    decay = 0.5 ** (1 / HALF_LIFE_DAYS)
    for point in points:
        share = 1.0 / point.span_days
        w = weight(point) * share
        for offset in range(point.span_days):
            day = point.date + dt.timedelta(days=offset)
            net = -point.intensity * w
            if day < since:
                carried += net * decay ** (since - day).days
                continue
            if day > until:
                break
            bucket = buckets[(day - since).days]
            bucket.events += share
            bucket.by_type[point.event] = bucket.by_type.get(point.event, 0.0) + share
            bucket.by_quad[point.quad] = bucket.by_quad.get(point.quad, 0.0) + share
            if point.intensity < 0:
                bucket.hostility += -point.intensity * w
            else:
                bucket.cooperation += point.intensity * w
    index = carried
    for bucket in buckets:
        index = index * decay + bucket.hostility - bucket.cooperation
        bucket.index = index
    return buckets


def weekly(buckets: list[Bucket]) -> list[Bucket]:
    """Weeks starting on Monday; the index is the value at the week's last day."""
    weeks: dict[dt.date, Bucket] = {}
    for bucket in buckets:
        start = bucket.date - dt.timedelta(days=bucket.date.weekday())
        week = weeks.setdefault(start, Bucket(start))
        week.events += bucket.events
        week.hostility += bucket.hostility
        week.cooperation += bucket.cooperation
        week.index = bucket.index
        for key, value in bucket.by_type.items():
            week.by_type[key] = week.by_type.get(key, 0.0) + value
        for quad, value in bucket.by_quad.items():
            week.by_quad[quad] = week.by_quad.get(quad, 0.0) + value
    return list(weeks.values())


def window_mean(
    buckets: list[Bucket], start: dt.date, end: dt.date, what: str = "hostility"
) -> float:
    """Mean daily value of ``what`` over [start, end]."""
    chosen = [getattr(b, what) for b in buckets if start <= b.date <= end]
    return sum(chosen) / len(chosen) if chosen else 0.0


def default_range(points: list[Point]) -> tuple[dt.date, dt.date]:
    first = min(p.date for p in points)
    last = max(p.date + dt.timedelta(days=p.span_days - 1) for p in points)
    return first, last
