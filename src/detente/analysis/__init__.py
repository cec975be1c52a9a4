"""Tension analytics per country pair: series, the tension index, turning points, surges,
reciprocity and alerts; ``frames`` gives pandas DataFrames of all of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from detente.analysis.data import Point, dyad_points
from detente.analysis.reciprocity import LaggedResponse, Match, lagged_response, matched_moves
from detente.analysis.series import Bucket, daily, default_range, weekly
from detente.analysis.turns import Surge, Turn, surges, turning_points
from detente.store import Store


@dataclass(frozen=True)
class DyadAnalysis:
    dyad: tuple[str, str]
    points: list[Point]
    days: list[Bucket]
    weeks: list[Bucket]
    turns: list[Turn]
    surges: list[Surge]
    matches: list[Match]
    lagged: list[LaggedResponse | str]


def series(
    store: Store,
    dyad: tuple[str, str],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    direction: str | None = None,
) -> tuple[list[Point], list[Bucket]]:
    """The pair's incidents (of ``direction`` only, if given) and its daily series from
    ``since`` (default its first incident) to ``until`` (default its last); nothing when it has
    no dated incident. What ``analyse`` starts from, for a caller that needs no more."""
    points = dyad_points(store, dyad, since=since, until=until, with_text=False)
    if direction is not None:
        points = [p for p in points if p.source == direction and not p.joint]
    if not points:
        return [], []
    first, last = default_range(points)
    return points, daily(points, since or first, until or last)


def analyse(
    store: Store,
    dyad: tuple[str, str],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    direction: str | None = None,
) -> DyadAnalysis:
    """Everything the analyst asks of a pair of states, from the stored incidents: both ways
    (undirected), or only the moves of ``direction`` (one of the two codes) towards the other."""
    points, days = series(store, dyad, since=since, until=until, direction=direction)
    if not points:
        return DyadAnalysis(dyad, [], [], [], [], [], [], [])
    weeks = weekly(days)
    a, b = dyad
    return DyadAnalysis(
        dyad,
        points,
        days,
        weeks,
        turning_points(days, points),
        surges(weeks, points),
        matched_moves(points, dyad),
        [lagged_response(points, b, a), lagged_response(points, a, b)],
    )


__all__ = ["Bucket", "DyadAnalysis", "LaggedResponse", "Match", "Point", "Surge", "Turn", "analyse",
           "series"]  # fmt: skip
