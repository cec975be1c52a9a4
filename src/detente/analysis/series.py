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


DECAY = 0.5 ** (1 / HALF_LIFE_DAYS)  # what a day's net hostility keeps of itself a day later


def spread(
    buckets: list[Bucket],
    first: dt.date,
    span: int,
    kind: tuple[str, int],
    incidents: float,
    hostility: float,
    cooperation: float,
) -> float:
    """Spread incidents of one type and quad class (``kind``) dated from ``first`` over ``span``
    days evenly into the day ``buckets`` (consecutive, non-empty); returns the net hostility of
    the days before the first bucket, decayed to it (what the index carries in)."""
    start, end = buckets[0].date, buckets[-1].date
    event, quad = kind
    share, hostile, cooperative = incidents / span, hostility / span, cooperation / span
    carried = 0.0
    for offset in range(span):
        day = first + dt.timedelta(days=offset)
        if day < start:
            carried += (hostile - cooperative) * DECAY ** (start - day).days
            continue
        if day > end:
            break
        bucket = buckets[(day - start).days]
        bucket.events += share
        bucket.by_type[event] = bucket.by_type.get(event, 0.0) + share
        bucket.by_quad[quad] = bucket.by_quad.get(quad, 0.0) + share
        bucket.hostility += hostile
        bucket.cooperation += cooperative
    return carried


def with_index(buckets: list[Bucket], carried: float) -> list[Bucket]:
    """The buckets with their tension index: yesterday's decayed, plus the day's net hostility,
    starting from what is ``carried`` in from before."""
    index = carried
    for bucket in buckets:
        index = index * DECAY + bucket.hostility - bucket.cooperation
        bucket.index = index
    return buckets


def daily(points: Iterable[Point], since: dt.date, until: dt.date) -> list[Bucket]:
    """One bucket per day from ``since`` to ``until`` (inclusive)."""
    days = (until - since).days + 1
    buckets = [Bucket(since + dt.timedelta(days=i)) for i in range(days)]
    carried = 0.0  # the index carried in from before ``since``
    for point in points:
        w = weight(point)
        hostility, cooperation = max(-point.intensity, 0.0) * w, max(point.intensity, 0.0) * w
        kind = (point.event, point.quad)
        carried += spread(buckets, point.date, point.span_days, kind, 1.0, hostility, cooperation)
    return with_index(buckets, carried)


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
