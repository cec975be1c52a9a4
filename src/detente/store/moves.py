"""Each incident's country pairs with the incident's figures (``dyad_moves``), kept up to date
at write.

A pair's reciprocity looks at every one of its incidents in the period asked (27,312 in a year
for the analytics bench's busiest pair). Read from ``incident_dyads`` joined to ``incidents``,
that is a look-up of each incident by its id: 0.14 s for that year in SQLite alone.
``dyad_moves`` holds the same rows, each with its incident's figures, keyed by undirected pair
and first day (in SQLite the rows are stored in that order), so the read is one range of one
table (``analysis.moves``).

Matching moves needs each move only near the end of the period, where the matches shown are
(the last 500): before that, the number of moves each side made of each type on each day is
enough (``analysis.moves``). ``dyad_move_days`` holds those numbers per pair, first day and
type, from ``dyad_moves``: the incidents each side made (an incident with moves both ways counts
once, for the first side in code order, as ``data.dyad_points`` takes it) and those the two
sides made together only.

Each write, once it has regrouped its incidents (``incidents.refresh_many``), replaces the rows
of those incidents in ``dyad_moves`` and the pair days they were in before and are in now in
``dyad_move_days``; ``rebuild`` fills both tables again and ``check`` says how they differ from
those recomputed now.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, null, select, true
from sqlalchemy.engine import Connection

from detente.store.schema import dyad_move_days, dyad_moves, incident_dyads, incidents

_d = incident_dyads.c
_i = incidents.c
_m = dyad_moves.c
COLUMNS = [c.name for c in dyad_moves.columns]
DAY_COLUMNS = [c.name for c in dyad_move_days.columns]


def _fresh(where: Any) -> Any:
    """The rows of ``dyad_moves`` recomputed from the incidents, for the pair rows ``where``."""
    return (
        select(
            case((_d.source < _d.target, _d.source), else_=_d.target).label("lo"),
            case((_d.source < _d.target, _d.target), else_=_d.source).label("hi"),
            _d.date_start, _d.incident_id, _d.source, _d.target, _d.joint, _i.event, _i.mode,
            _i.date_precision, _i.quad_code, _i.intensity, _i.status, _i.n_events, _i.n_sources,
        )
        .join(incidents, _i.id == _d.incident_id)
        .where(and_(_d.date_start.is_not(None), _d.source != _d.target, where))
    )  # fmt: skip


def _days(where: Any) -> Any:
    """The rows of ``dyad_move_days`` counted from ``dyad_moves``, for its rows ``where``."""
    mover = func.min(case((_m.joint.is_(True), null()), else_=_m.source)).label("mover")
    each = (  # an incident: its first directed mover in code order, none when only joint
        select(_m.lo, _m.hi, _m.date_start, _m.event, mover)
        .where(where)
        .group_by(_m.incident_id, _m.lo, _m.hi, _m.date_start, _m.event)
        .subquery()
    )
    e = each.c
    return select(
        e.lo, e.hi, e.date_start, e.event,
        func.sum(case((e.mover == e.lo, 1), else_=0)),
        func.sum(case((e.mover == e.hi, 1), else_=0)),
        func.sum(case((e.mover.is_(None), 1), else_=0)),
    ).group_by(e.lo, e.hi, e.date_start, e.event)  # fmt: skip


def refresh(
    conn: Connection, incident_ids: Iterable[str], keys: Iterable[tuple[str, str, dt.date]]
) -> None:
    """Replace the rows of the incidents ``incident_ids`` by those they have now (none for an
    incident that is gone or has no date), and the day counts of ``keys`` (pair and day)."""
    wanted = sorted(set(incident_ids))
    for chunk in range(0, len(wanted), 500):
        part = wanted[chunk : chunk + 500]
        conn.execute(delete(dyad_moves).where(_m.incident_id.in_(part)))
        conn.execute(insert(dyad_moves).from_select(COLUMNS, _fresh(_d.incident_id.in_(part))))
    by_pair: dict[tuple[str, str], set[dt.date]] = {}
    for lo, hi, day in keys:
        by_pair.setdefault((lo, hi), set()).add(day)
    t = dyad_move_days.c
    for (lo, hi), days in sorted(by_pair.items()):
        on = sorted(days)
        conn.execute(delete(dyad_move_days).where(t.lo == lo, t.hi == hi, t.day.in_(on)))
        where = and_(_m.lo == lo, _m.hi == hi, _m.date_start.in_(on))
        conn.execute(insert(dyad_move_days).from_select(DAY_COLUMNS, _days(where)))


def rebuild(conn: Connection) -> int:
    """Fill both tables again from the incidents; returns the number of rows of
    ``dyad_moves``."""
    conn.execute(delete(dyad_moves))
    conn.execute(insert(dyad_moves).from_select(COLUMNS, _fresh(true())))
    conn.execute(delete(dyad_move_days))
    conn.execute(insert(dyad_move_days).from_select(DAY_COLUMNS, _days(true())))
    return int(conn.execute(select(func.count()).select_from(dyad_moves)).scalar_one())


def check(conn: Connection) -> Counter[str]:
    """How the stored rows differ from those recomputed now (empty when they are right): rows
    ``moves missing`` and ``moves extra`` (a changed row is one of each), and ``move days
    missing`` and ``move days extra``."""
    out: Counter[str] = Counter()
    for table, fresh_rows, name in (
        (dyad_moves, _fresh(true()), "moves"),
        (dyad_move_days, _days(true()), "move days"),  # from dyad_moves, checked first
    ):
        fresh = {tuple(r) for r in conn.execute(fresh_rows)}
        stored = {tuple(r) for r in conn.execute(select(*table.columns))}
        out[f"{name} missing"] = len(fresh - stored)
        out[f"{name} extra"] = len(stored - fresh)
    return +out


__all__ = ["check", "rebuild", "refresh"]
