"""The per-day summary of each country pair's incidents (``dyad_days``), kept up to date at write.

``detente dyads`` ranks every pair of the store; read from the incidents, that is a join and a
grouping over every incident (3.2 s on a million). Instead each write, once it has regrouped its
incidents (``incidents.refresh_many``), recomputes the summary rows those incidents were in
before and are in after: per undirected pair, first day and date precision, how many incidents,
their events, and their hostility and cooperation weighted as ``analysis.series`` weighs them
(status, independent sources). An incident counts once per pair, whichever way it goes and
however many actors share a side. If the weights change, ``rebuild`` recomputes the summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlalchemy.engine import Connection

from detente.store.schema import dyad_days, incident_dyads, incidents

Key = tuple[str, str, dt.date]  # lo, hi, day
Row = dict[str, Any]

_d = incident_dyads.c
_LO = case((_d.source < _d.target, _d.source), else_=_d.target)
_HI = case((_d.source < _d.target, _d.target), else_=_d.source)


def keys_of(conn: Connection, incident_ids: Iterable[str]) -> set[Key]:
    """The summary rows (pair and day) the incidents ``incident_ids`` count in now."""
    wanted = sorted(set(incident_ids))
    out: set[Key] = set()
    for chunk in range(0, len(wanted), 500):
        query = select(_LO, _HI, _d.date_start).where(
            _d.incident_id.in_(wanted[chunk : chunk + 500]),
            _d.date_start.is_not(None),
            _d.source != _d.target,
        )
        out.update((lo, hi, day) for lo, hi, day in conn.execute(query.distinct()))
    return out


def _grouped(where: Any) -> Any:
    pairs = (
        select(_d.incident_id, _LO.label("lo"), _HI.label("hi"), _d.date_start)
        .where(and_(_d.date_start.is_not(None), _d.source != _d.target, where))
        .distinct()
        .subquery()
    )
    hostile = case((incidents.c.intensity < 0, 1), else_=0).label("hostile")
    keys = [pairs.c.lo, pairs.c.hi, pairs.c.date_start, incidents.c.date_precision,
            incidents.c.status, incidents.c.n_sources, hostile]  # fmt: skip
    return (
        select(
            *keys,
            func.count().label("n"),
            func.coalesce(func.sum(incidents.c.n_events), 0).label("events"),
            func.coalesce(func.sum(func.abs(incidents.c.intensity)), 0.0).label("strength"),
        )
        .join(incidents, incidents.c.id == pairs.c.incident_id)
        .group_by(*keys)
    )


def _rows(conn: Connection, query: Any) -> list[Row]:
    """Summary rows from grouped incidents, weighted (status, sources) and summed by day."""
    from detente.analysis.series import status_weight  # analysis reads the store: import late

    out: dict[tuple[str, str, dt.date, str], Row] = {}
    for lo, hi, day, precision, status, sources, hostile, n, n_events, strength in conn.execute(
        query
    ):
        row = out.setdefault(
            (lo, hi, day, precision),
            {"lo": lo, "hi": hi, "day": day, "date_precision": precision, "incidents": 0,
             "events": 0, "hostility": 0.0, "cooperation": 0.0},
        )  # fmt: skip
        row["incidents"] += int(n)
        row["events"] += int(n_events)
        weighted = float(strength) * status_weight(status, sources)
        row["hostility" if hostile else "cooperation"] += weighted
    return list(out.values())


def refresh(conn: Connection, keys: Iterable[Key]) -> None:
    """Recompute the summary rows of ``keys`` (pair and day) from the incidents."""
    by_pair: dict[tuple[str, str], set[dt.date]] = {}
    for lo, hi, day in keys:
        by_pair.setdefault((lo, hi), set()).add(day)
    for (lo, hi), days in sorted(by_pair.items()):
        on = sorted(days)
        same = and_(dyad_days.c.lo == lo, dyad_days.c.hi == hi, dyad_days.c.day.in_(on))
        conn.execute(delete(dyad_days).where(same))
        pair = or_(and_(_d.source == lo, _d.target == hi), and_(_d.source == hi, _d.target == lo))
        rows = _rows(conn, _grouped(and_(pair, _d.date_start.in_(on))))
        if rows:
            conn.execute(insert(dyad_days), rows)


def rebuild(conn: Connection) -> int:
    """Recompute the whole summary from the incidents (a migrated store, or new weights);
    returns its number of rows."""
    conn.execute(delete(dyad_days))
    rows = _rows(conn, _grouped(_d.date_start.is_not(None)))
    for chunk in range(0, len(rows), 20_000):
        conn.execute(insert(dyad_days), rows[chunk : chunk + 20_000])
    return len(rows)


def check(conn: Connection) -> Counter[str]:
    """How the stored summary differs from one recomputed now (empty when it is right): rows
    ``missing``, ``extra`` or ``different``."""
    fresh = {_key(r): r for r in _rows(conn, _grouped(_d.date_start.is_not(None)))}
    stored = {_key(dict(r)): dict(r) for r in conn.execute(select(dyad_days)).mappings()}
    out: Counter[str] = Counter()
    out["missing"] = len(fresh.keys() - stored.keys())
    out["extra"] = len(stored.keys() - fresh.keys())
    out["different"] = sum(
        1 for k in fresh.keys() & stored.keys() if not _same(fresh[k], stored[k])
    )
    return +out


def _key(row: Row) -> tuple[Any, ...]:
    return row["lo"], row["hi"], row["day"], row["date_precision"]


def _same(a: Row, b: Row) -> bool:
    return (a["incidents"], a["events"]) == (b["incidents"], b["events"]) and all(
        abs(a[k] - b[k]) <= 1e-9 for k in ("hostility", "cooperation")
    )


__all__ = ["Key", "check", "keys_of", "rebuild", "refresh"]
