"""A pair's reciprocity from ``dyad_move_days`` and ``dyad_moves`` (``store.moves``): what
``reciprocity.matched_moves`` and ``lagged_response`` give over ``data.dyad_points``, without
reading every incident of the period (27,312 in a year for the analytics bench's busiest pair).

Matching. ``matched_moves`` takes the moves of each type in order (by day, then id); a move that
is no answer yet takes the first move of the other side from its day on that is no answer yet,
if within ``WINDOW_DAYS``. Taken in that order, the moves of a lane before the current one are
all answers or spent, and those answered ahead are the next few of the other lane; so all the
matching needs is, for each lane, how many it has answered ahead. Those counts, and how many
matches start on each day, come from the number of moves each side made on each day: the order
of one day's moves changes which move answers which, not how many, nor the counts at the day's
end (two adjacent moves of one day give the same counts in either order). So the matches shown
(the last ``keep``) are made from the moves of the last days alone, started with the counts the
days before leave; the others are only counted.

The lagged response needs each hostile move (its weight, its days): those are read, and spread
and summed in the order and with the arithmetic of ``lagged_response``, so the estimates are
the same to the last bit.

For a pair that analysts' reviews touch, the incidents are those of the reviewed events:
``reciprocity`` answers None and the caller reads them (``data.dyad_points``).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, or_, select, type_coerce

from detente.analysis.data import Point, span_days
from detente.analysis.reciprocity import (
    MATCHED_TYPES,
    WINDOW_DAYS,
    LaggedResponse,
    Match,
    estimate,
)
from detente.analysis.series import status_weight
from detente.analysis.summarised import MONTH_BEFORE, _reviewed
from detente.store import Store
from detente.store.schema import dyad_move_days, dyad_moves

# one day's incidents of one type: moves by the pair's first side, by its second, joint only
Count = tuple[dt.date, str, int, int, int]
# a hostile move: its first day, date precision, mover, intensity, status, independent sources
Hostile = tuple[dt.date, str, str, float, str, int]


@dataclass(frozen=True, slots=True)
class Reciprocity:
    incidents: int  # how many the period has
    matches: list[Match]  # the last ``keep`` matched moves, in order
    total: int  # how many moves were matched in all
    lagged: list[LaggedResponse | str]  # b's response to a, then a's to b


def _window(column: Any, since: dt.date | None, until: dt.date | None) -> list[Any]:
    """As ``data.dyad_points``: first days from a month before ``since`` to ``until``."""
    where = []
    if since is not None:
        where.append(column >= since - MONTH_BEFORE)
    if until is not None:
        where.append(column <= until)
    return where


def _day(value: Any, known: dict[Any, dt.date]) -> dt.date:
    """A day as stored (a string in SQLite, a date in PostgreSQL), each parsed once."""
    day = known.get(value)
    if day is None:
        day = known[value] = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return day


def pair_days(
    store: Store, dyad: tuple[str, str], *, since: dt.date | None, until: dt.date | None
) -> list[Count]:
    """The pair's incidents counted by first day and type (oldest first), as ``dyad_points``
    gives them: each side's moves and the joint ones."""
    t = dyad_move_days.c
    lo, hi = sorted(dyad)
    query = (
        select(type_coerce(t.day, String), t.event, t.by_lo, t.by_hi, t.joint)
        .where(and_(t.lo == lo, t.hi == hi, *_window(t.day, since, until)))
        .order_by(t.day, t.event)
    )
    flip = dyad[0] != lo
    known: dict[Any, dt.date] = {}
    with store.engine.connect() as conn:
        return [
            (_day(day, known), event, by_hi if flip else by_lo, by_lo if flip else by_hi, joint)
            for day, event, by_lo, by_hi, joint in conn.execute(query)
        ]


def pair_points(
    store: Store, dyad: tuple[str, str], *, since: dt.date, until: dt.date | None
) -> list[Point]:
    """The pair's incidents from ``since`` (its first day, no month before) to ``until``, as
    ``dyad_points`` gives them: in its order, each once, a directed move before a joint one."""
    m = dyad_moves.c
    lo, hi = sorted(dyad)
    query = (
        select(
            m.incident_id, type_coerce(m.date_start, String), m.date_precision, m.source,
            m.target, m.joint, m.event, m.mode, m.quad_code, m.intensity, m.status, m.n_events,
            m.n_sources,
        )
        .where(
            m.lo == lo, m.hi == hi, or_(m.joint.is_(False), m.source == dyad[0]),
            m.date_start >= since, *_window(m.date_start, None, until),
        )
        .order_by(m.lo, m.hi, m.date_start, m.incident_id, m.source)  # the key's order
    )  # fmt: skip
    out: list[Point] = []
    known: dict[Any, dt.date] = {}
    with store.engine.connect() as conn:
        for row in conn.execution_options(yield_per=5000).execute(query):
            ident, day, precision, source, target, joint, event, mode, *figures = row
            if out and out[-1].incident_id == ident:  # its other direction (rows adjacent)
                if not out[-1].joint or joint:  # dyad_points takes a directed move first
                    continue
                out.pop()
            quad, intensity, status, n_events, n_sources = figures
            out.append(Point(ident, known.get(day) or _day(day, known), precision, source,
                             target, joint, event, mode, quad, intensity, status, n_events,
                             n_sources, ""))  # fmt: skip
    return out


def hostile_moves(
    store: Store, dyad: tuple[str, str], *, since: dt.date | None, until: dt.date | None
) -> list[Hostile]:
    """The pair's hostile moves by either side (not joint), in ``dyad_points``'s order: each
    incident once, moved by its first side in code order, as ``dyad_points`` takes it."""
    m = dyad_moves.c
    lo, hi = sorted(dyad)
    query = (
        select(
            m.incident_id, type_coerce(m.date_start, String), m.date_precision, m.source,
            m.intensity, m.status, m.n_sources,
        )
        .where(
            m.lo == lo, m.hi == hi, m.joint.is_(False), m.intensity < 0,
            *_window(m.date_start, since, until),
        )
        .order_by(m.lo, m.hi, m.date_start, m.incident_id, m.source)  # the key's order
    )  # fmt: skip
    out: list[Hostile] = []
    last = ""
    known: dict[Any, dt.date] = {}
    with store.engine.connect() as conn:
        rows = conn.execution_options(yield_per=5000).execute(query)
        for ident, day, precision, source, intensity, status, sources in rows:
            if ident != last:  # an incident moved both ways: by its first side only
                date = known.get(day) or _day(day, known)
                out.append((date, precision, source, intensity, status, sources))
                last = ident
    return out


def _counted(
    days: list[Count],
) -> tuple[dict[dt.date, int], dict[str, list[tuple[dt.date, int, int]]]]:
    """From the counts: how many matches start on each day, and for each type the moves each
    side has answered ahead at the start of each of its days (taking one day's moves by the
    first side, then those by the second: any order gives the same counts)."""
    starting: dict[dt.date, int] = {}
    lanes: dict[str, list[tuple[dt.date, int, int]]] = {}
    for day, event, first, second, joint in days:
        if event not in MATCHED_TYPES:
            continue
        if joint:  # a joint move is a match by itself
            starting[day] = starting.get(day, 0) + joint
        if first or second:
            lanes.setdefault(event, []).append((day, first, second))
    ahead_at: dict[str, list[tuple[dt.date, int, int]]] = {}
    for event, lane in lanes.items():
        ordinals = [day.toordinal() for day, _, _ in lane]
        moved: tuple[list[int], list[int]] = ([0], [0])  # each side's moves before each day
        for _, first, second in lane:
            moved[0].append(moved[0][-1] + first)
            moved[1].append(moved[1][-1] + second)
        taken, ahead = [0, 0], [0, 0]
        starts = ahead_at[event] = []
        for (day, first, second), ordinal in zip(lane, ordinals, strict=True):
            starts.append((day, ahead[0], ahead[1]))
            reach = bisect.bisect_right(ordinals, ordinal + WINDOW_DAYS)  # days in the window
            matches = 0
            for side, n in ((0, first), (1, second)):
                them = 1 - side
                answers = min(n, ahead[side])  # moves that answer earlier ones
                ahead[side] -= answers
                # the other side's moves in the window that answer none yet (never fewer than
                # none: those taken or answering are all of days up to the window's end)
                free = moved[them][reach] - taken[them] - ahead[them]
                found = min(n - answers, free)
                ahead[them] += found
                matches += found
                taken[side] += n
            if matches:
                starting[day] = starting.get(day, 0) + matches
    return starting, ahead_at


def _answered(one: list[Point], other: list[Point], ahead: tuple[int, int]) -> list[Match]:
    """The moves of one type by the two sides (each side's in order) matched as
    ``matched_moves`` does, the first ``ahead`` of each side being answers already."""
    lanes = (one, other)
    days = ([p.date.toordinal() for p in one], [p.date.toordinal() for p in other])
    ids = ([p.incident_id for p in one], [p.incident_id for p in other])
    sizes = (len(one), len(other))
    taken, waiting = [0, 0], list(ahead)  # each lane's next move; its answers from there on
    out: list[Match] = []
    while taken[0] < sizes[0] or taken[1] < sizes[1]:
        i, j = taken
        if j >= sizes[1]:
            side = 0
        elif i >= sizes[0]:
            side = 1
        else:  # the earlier of the two lanes' next moves, by day, then id
            side = 0 if (days[0][i], ids[0][i]) < (days[1][j], ids[1][j]) else 1
        them, at = 1 - side, taken[side]
        taken[side] += 1
        if waiting[side]:  # this move is an answer already
            waiting[side] -= 1
            continue
        answer = taken[them] + waiting[them]
        lag = days[them][answer] - days[side][at] if answer < sizes[them] else WINDOW_DAYS + 1
        if lag <= WINDOW_DAYS:
            waiting[them] += 1
            first = lanes[side][at]
            out.append(Match(first.event, first, lanes[them][answer], lag))
    return out


def matched(
    days: list[Count],
    dyad: tuple[str, str],
    read: Callable[[dt.date], list[Point]],
    keep: int | None = None,
) -> tuple[list[Match], int]:
    """``reciprocity.matched_moves`` over the pair's incidents counted in ``days``: the last
    ``keep`` matches (all by default) and how many there are; ``read(day)`` gives the
    incidents from a day on (as ``dyad_points``), read only for the days the matches kept
    start on."""
    starting, ahead_at = _counted(days)
    total = sum(starting.values())
    if keep == 0 or not days:
        return [], total
    start = days[0][0]
    if keep is not None:  # the last days whose matches are enough
        counted = 0
        for day in sorted(starting, reverse=True):
            counted += starting[day]
            if counted >= keep:
                start = day
                break
    points = read(start)
    found = [Match(p.event, p, None, 0) for p in points if p.joint and p.event in MATCHED_TYPES]
    lanes: dict[tuple[str, str], list[Point]] = {}
    for p in sorted(points, key=lambda q: (q.date, q.incident_id)):
        if not p.joint and p.event in MATCHED_TYPES:
            lanes.setdefault((p.event, p.source), []).append(p)
    a, b = dyad
    for event in sorted({event for event, _ in lanes}):
        ahead = next(((x, y) for day, x, y in ahead_at.get(event, []) if day >= start), (0, 0))
        found += _answered(lanes.get((event, a), []), lanes.get((event, b), []), ahead)
    found.sort(key=lambda m: (m.first.date, m.event))  # as matched_moves orders them
    return (found if keep is None else found[len(found) - min(keep, len(found)) :]), total


def weekly_hostility(
    moves: list[Hostile], dyad: tuple[str, str], first: dt.date, last: dt.date
) -> tuple[list[float], list[float]]:
    """What ``lagged_response`` regresses: each side's weekly hostility from its own hostile
    moves, from ``first`` to ``last``; each move's weighted hostility spread over its days and
    summed in the same order, then by week (a move that is not hostile adds 0.0: nothing)."""
    start, days = first.toordinal(), (last - first).days + 1
    daily = {side: [0.0] * days for side in dyad}
    weights: dict[tuple[str, int], float] = {}
    for day, precision, source, intensity, status, sources in moves:
        weight = weights.get((status, sources))
        if weight is None:
            weight = weights[(status, sources)] = status_weight(status, sources)
        span = 1 if precision == "day" else span_days(day, precision)
        hostile, offset = max(-intensity, 0.0) * weight / span, day.toordinal() - start
        into = daily[source]
        for k in range(offset, min(offset + span, days)):
            into[k] += hostile
    weekday = first.weekday()
    out = []
    for side in dyad:
        weeks: list[float] = []
        for k, value in enumerate(daily[side]):
            if k == 0 or (weekday + k) % 7 == 0:  # the first day, or a Monday
                weeks.append(0.0)
            weeks[-1] += value
        out.append(weeks)
    return out[0], out[1]


def lagged(
    moves: list[Hostile], dyad: tuple[str, str], days: list[Count]
) -> list[LaggedResponse | str]:
    """``lagged_response`` both ways (b's response to a, then a's to b) over the hostile
    moves, from the first to the last day the pair's incidents counted in ``days`` start on."""
    if not days:
        return ["no dated incidents"] * 2
    a, b = dyad
    of_a, of_b = weekly_hostility(moves, dyad, days[0][0], days[-1][0])
    return [estimate(of_b, of_a, responder=b, to=a), estimate(of_a, of_b, responder=a, to=b)]


def reciprocity(
    store: Store,
    dyad: tuple[str, str],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    keep: int | None = None,
) -> Reciprocity | None:
    """The pair's matched moves (the last ``keep``, all by default, with how many there are in
    all) and its lagged responses, as ``analyse`` gives them; None when reviews touch the pair."""
    if _reviewed(store, (min(dyad), max(dyad))):
        return None
    days = pair_days(store, dyad, since=since, until=until)
    kept, total = matched(
        days, dyad, lambda first: pair_points(store, dyad, since=first, until=until), keep
    )
    hostile = hostile_moves(store, dyad, since=since, until=until)
    incidents = sum(first + second + joint for _, _, first, second, joint in days)
    return Reciprocity(incidents, kept, total, lagged(hostile, dyad, days))
