"""Turning points (escalation and de-escalation onsets) and surges in a dyad's series.

Turning points come from a two-sided CUSUM on the daily net hostility x(t) = hostility −
cooperation. With s the mean of |x| over the days that have any incident, the upper sum
S⁺(t) = max(0, S⁺(t−1) + x(t) − k) and the lower sum S⁻(t) = max(0, S⁻(t−1) − x(t) − k), with
allowance k = s/4, signal a change when they pass h = 1.5·s. The onset is the day the signalling
sum last left zero; the turn lists the incidents from the onset to the signal. A regime is
reported once: an escalation after an escalation is its continuation, not a new turn.

Surges follow ACLED's surge tracker: a week whose hostility exceeds the mean of the previous
eight weeks by two standard deviations (and is at least one incident's worth).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from detente.analysis.data import Point
from detente.analysis.series import Bucket

ALLOWANCE = 0.25
THRESHOLD = 1.5
SURGE_WEEKS = 8
SURGE_SD = 2.0
SURGE_FLOOR = 3.0


@dataclass(frozen=True, slots=True)
class Turn:
    kind: str  # escalation | de-escalation
    onset: dt.date
    signalled: dt.date
    magnitude: float  # the CUSUM sum when it signalled
    incidents: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Surge:
    week: dt.date
    hostility: float
    baseline: float
    incidents: tuple[Point, ...]


def turning_points(buckets: list[Bucket], points: list[Point]) -> list[Turn]:
    net = [b.hostility - b.cooperation for b in buckets]
    active = [abs(x) for x in net if x != 0]
    if not active:
        return []
    scale = sum(active) / len(active)
    k, h = ALLOWANCE * scale, THRESHOLD * scale
    up = down = 0.0
    up_start = down_start = 0
    regime: str | None = None
    turns: list[Turn] = []
    for i, x in enumerate(net):
        if up == 0:
            up_start = i
        if down == 0:
            down_start = i
        up = max(0.0, up + x - k)
        down = max(0.0, down - x - k)
        kind = "escalation" if up > h else "de-escalation" if down > h else None
        if kind is None:
            continue
        start = up_start if kind == "escalation" else down_start
        magnitude = up if kind == "escalation" else down
        up = down = 0.0
        if kind == regime:
            continue
        regime = kind
        onset, signalled = buckets[start].date, buckets[i].date
        # the day the move starts is the first day that moves the series its way
        for j in range(start, i + 1):
            if (net[j] > 0) == (kind == "escalation") and net[j] != 0:
                onset = buckets[j].date
                break
        hostile = kind == "escalation"
        drivers = tuple(
            p for p in points if onset <= p.date <= signalled and (p.intensity < 0) == hostile
        )
        turns.append(Turn(kind, onset, signalled, magnitude, drivers))
    return turns


def surges(weeks: list[Bucket], points: list[Point]) -> list[Surge]:
    found: list[Surge] = []
    for i, week in enumerate(weeks):
        history = [w.hostility for w in weeks[max(0, i - SURGE_WEEKS) : i]]
        if len(history) < 2:
            continue
        mean = statistics.fmean(history)
        spread = statistics.pstdev(history)
        if week.hostility >= SURGE_FLOOR and week.hostility > mean + SURGE_SD * spread:
            end = week.date + dt.timedelta(days=6)
            drivers = tuple(p for p in points if week.date <= p.date <= end and p.intensity < 0)
            found.append(Surge(week.date, week.hostility, mean, drivers))
    return found
