"""Reciprocity in a dyad: matched moves, who moved first, and a lagged-response estimate.

A move by one side is matched by a move of the same PLOVER type by the other side within
``WINDOW_DAYS`` (closest first, each move used once); a joint incident (both sides acting
together, as in a coordinated withdrawal) is a matched pair by itself. For series of at least
twelve weeks, the lagged response follows Goldstein and Pevehouse: the weekly hostility of B
towards A regressed on A's hostility towards B the week before and on its own lag.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np

from detente.analysis.data import Point
from detente.analysis.series import Bucket, daily, weekly

WINDOW_DAYS = 14
MATCHED_TYPES = frozenset(
    {
        "RETREAT",
        "CONCEDE",
        "MOBILIZE",
        "ACCUSE",
        "THREATEN",
        "SANCTION",
        "COERCE",
        "ASSAULT",
        "REJECT",
        "AGREE",
        "SUPPORT",
    }
)
MIN_WEEKS = 12


@dataclass(frozen=True, slots=True)
class Match:
    event: str
    first: Point
    answer: Point | None  # None for a joint move (both sides at once, one incident)
    lag_days: int

    @property
    def first_mover(self) -> str:
        if self.answer is None or self.lag_days == 0:
            return "simultaneous"
        return self.first.source


@dataclass(frozen=True, slots=True)
class LaggedResponse:
    responder: str
    to: str
    coefficient: float
    t_stat: float
    weeks: int


def matched_moves(points: list[Point], dyad: tuple[str, str]) -> list[Match]:
    a, b = dyad
    matches: list[Match] = [
        Match(p.event, p, None, 0) for p in points if p.joint and p.event in MATCHED_TYPES
    ]
    # each side's moves of each type, in date order, for a quick look-up of the answers
    lanes: dict[tuple[str, str], list[Point]] = {}
    for p in sorted(points, key=lambda q: (q.date, q.incident_id)):
        if not p.joint and p.event in MATCHED_TYPES:
            lanes.setdefault((p.source, p.event), []).append(p)
    days = {key: [q.date.toordinal() for q in lane] for key, lane in lanes.items()}
    used: set[str] = set()
    moves = sorted(
        (p for lane in lanes.values() for p in lane), key=lambda q: (q.date, q.incident_id)
    )
    for p in moves:
        if p.incident_id in used:
            continue
        key = (b if p.source == a else a, p.event)
        lane = lanes.get(key, [])
        start = bisect.bisect_left(days.get(key, []), p.date.toordinal())
        answer = None
        for q in lane[start:]:
            if (q.date - p.date).days > WINDOW_DAYS:
                break
            if q.incident_id not in used:
                answer = q
                break
        if answer is None:
            continue
        used |= {p.incident_id, answer.incident_id}
        matches.append(Match(p.event, p, answer, (answer.date - p.date).days))
    return sorted(matches, key=lambda m: (m.first.date, m.event))


def _weekly_hostility(points: list[Point], since: dt.date, until: dt.date) -> list[Bucket]:
    return weekly(daily(points, since, until))


def lagged_response(points: list[Point], responder: str, to: str) -> LaggedResponse | str:
    """OLS of the responder's weekly hostility on the other side's, one week before; a reason
    string when the series is too short."""
    if not points:
        return "no dated incidents"
    since = min(p.date for p in points)
    until = max(p.date for p in points)
    mine = _weekly_hostility(
        [p for p in points if p.source == responder and not p.joint], since, until
    )
    theirs = _weekly_hostility([p for p in points if p.source == to and not p.joint], since, until)
    return estimate(
        [w.hostility for w in mine], [w.hostility for w in theirs], responder=responder, to=to
    )


def estimate(
    mine: list[float], theirs: list[float], *, responder: str, to: str
) -> LaggedResponse | str:
    """The lagged response from the two sides' weekly hostility (the responder's, then the
    other's), week by week; a reason string when the series is too short."""
    weeks = len(mine)
    if weeks < MIN_WEEKS:
        return f"too short for a lagged estimate ({weeks} weeks; {MIN_WEEKS} needed)"
    y = np.array(mine[1:])
    x = np.column_stack([np.ones(weeks - 1), theirs[:-1], mine[:-1]])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ coef
    dof = max(len(y) - 3, 1)
    sigma2 = float(residual @ residual) / dof
    try:
        cov = sigma2 * np.linalg.inv(x.T @ x)
    except np.linalg.LinAlgError:
        return "the series does not vary enough for a lagged estimate"
    se = float(np.sqrt(max(cov[1, 1], 1e-12)))
    return LaggedResponse(responder, to, float(coef[1]), float(coef[1]) / se, weeks)
