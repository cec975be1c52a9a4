"""A pair's tension series and turning points read from the per-day summary by type
(``store.summary``, table ``dyad_type_days``) instead of its incidents one by one.

``series.daily`` over ``data.dyad_points`` spreads each incident over the days of its date and
adds its weighted hostility or cooperation; the summary holds those sums per pair, first day,
date precision, type and quad class, so the same buckets come from a few hundred rows a year
instead of one row per incident (27,000 a year for the bench's busiest pair). The turning points
need the incidents only to name those driving each turn, so only those are read. The summary
counts the coder's incidents: for a pair that analysts' reviews touch, and for one side's moves
alone (the summary is undirected), these functions answer None and the caller reads the
incidents (``analysis.series``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, select

from detente.analysis.data import Point, dyad_points, span_days
from detente.analysis.series import Bucket, spread, weekly, with_index
from detente.analysis.turns import Surge, Turn, surges, turning_points
from detente.store import Store
from detente.store.schema import dyad_type_days

MONTH_BEFORE = dt.timedelta(days=31)  # as dyad_points: a month-dated incident may concern since


def _reviewed(store: Store, pair: tuple[str, str]) -> bool:
    from detente.analysis.reviewed import touched_pairs
    from detente.store.reviews import resolve

    reviewed = resolve(store)
    return bool(reviewed) and pair in touched_pairs(store, reviewed)


def summary_days(
    store: Store,
    dyad: tuple[str, str],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Bucket] | None:
    """The pair's daily series, as ``series.daily`` gives it over the pair's incidents (empty
    when it has none in the range); None when reviews touch the pair."""
    lo, hi = sorted(dyad)
    if _reviewed(store, (lo, hi)):
        return None
    t = dyad_type_days.c
    where = [t.lo == lo, t.hi == hi]
    if since is not None:
        where.append(t.day >= since - MONTH_BEFORE)
    if until is not None:
        where.append(t.day <= until)
    query = select(
        t.day, t.date_precision, t.event, t.quad_code, t.incidents, t.hostility, t.cooperation
    ).where(and_(*where))
    with store.engine.connect() as conn:
        rows = [(r, span_days(r.day, r.date_precision)) for r in conn.execute(query)]
    if not rows:
        return []
    start = since or min(r.day for r, _ in rows)
    end = until or max(r.day + dt.timedelta(days=span - 1) for r, span in rows)
    buckets = [Bucket(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]
    carried = sum(
        spread(buckets, row.day, span, (row.event, row.quad_code), row.incidents,
               row.hostility, row.cooperation)
        for row, span in rows
    )  # fmt: skip
    return with_index(buckets, carried)


def summary_turns(
    store: Store, dyad: tuple[str, str], days: list[Bucket]
) -> tuple[list[Turn], list[Surge]]:
    """The turning points and surges of the pair's series ``days`` (``summary_days``), as
    ``analyse`` finds them, each with the incidents driving it (read for its days only)."""
    turns = [
        dataclasses.replace(t, incidents=tuple(
            p for p in _points(store, dyad, t.onset, t.signalled)
            if (p.intensity < 0) == (t.kind == "escalation")
        ))
        for t in turning_points(days, [])
    ]  # fmt: skip
    found = [
        dataclasses.replace(s, incidents=tuple(
            p for p in _points(store, dyad, s.week, s.week + dt.timedelta(days=6))
            if p.intensity < 0
        ))
        for s in surges(weekly(days), [])
    ]  # fmt: skip
    return turns, found


def _points(store: Store, dyad: tuple[str, str], first: dt.date, last: dt.date) -> list[Point]:
    return [p for p in dyad_points(store, dyad, since=first, until=last) if first <= p.date]
