"""The per-day summary of each country pair's incidents (``dyad_days``), kept up to date at write.

``detente dyads`` ranks every pair of the store; read from the incidents, that is a join and a
grouping over every incident (3.2 s on a million). Instead each write, once it has regrouped its
incidents (``incidents.refresh_many``), recomputes the summary rows those incidents were in
before and are in after: per undirected pair, first day and date precision, how many incidents,
their events, and their hostility and cooperation weighted as ``analysis.series`` weighs them
(status, independent sources). An incident counts once per pair, whichever way it goes and
however many actors share a side. If the weights change, ``rebuild`` recomputes the summary.

The same rows by PLOVER type and quad class (``dyad_type_days``) give a pair's tension series
(``analysis.summarised``) without reading its incidents one by one; both tables are kept from
one grouped query. ``dyad_totals`` sums ``dyad_days`` over every day of each pair, for the
ranking of every pair over the whole store (``detente dyads`` without ``--since``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, true
from sqlalchemy.engine import Connection

from detente.store import moves
from detente.store.schema import dyad_days, dyad_totals, dyad_type_days, incident_dyads, incidents

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
            incidents.c.event, incidents.c.quad_code, incidents.c.status, incidents.c.n_sources,
            hostile]  # fmt: skip
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


_EMPTY = {"incidents": 0, "events": 0, "hostility": 0.0, "cooperation": 0.0}


def _rows(conn: Connection, query: Any) -> tuple[list[Row], list[Row]]:
    """Summary rows from grouped incidents, weighted (status, sources) and summed by day: those
    of ``dyad_days``, and those of ``dyad_type_days`` (by type and quad class as well)."""
    from detente.analysis.series import status_weight  # analysis reads the store: import late

    days: dict[tuple[Any, ...], Row] = {}
    types: dict[tuple[Any, ...], Row] = {}
    for row in conn.execute(query):
        lo, hi, day, precision, event, quad, status, sources, hostile, n, n_events, strength = row
        weighted = float(strength) * status_weight(status, sources)
        base = {"lo": lo, "hi": hi, "day": day, "date_precision": precision}
        kind = {"event": event, "quad_code": int(quad)}
        for summed in (
            days.setdefault((lo, hi, day, precision), {**base, **_EMPTY}),
            types.setdefault((lo, hi, day, precision, event, int(quad)),
                             {**base, **kind, **_EMPTY}),
        ):  # fmt: skip
            summed["incidents"] += int(n)
            summed["events"] += int(n_events)
            summed["hostility" if hostile else "cooperation"] += weighted
    return list(days.values()), list(types.values())


def refresh(conn: Connection, keys: Iterable[Key]) -> None:
    """Recompute the summary rows of ``keys`` (pair and day) from the incidents."""
    by_pair: dict[tuple[str, str], set[dt.date]] = {}
    for lo, hi, day in keys:
        by_pair.setdefault((lo, hi), set()).add(day)
    for (lo, hi), days in sorted(by_pair.items()):
        on = sorted(days)
        for table in (dyad_days, dyad_type_days):
            same = and_(table.c.lo == lo, table.c.hi == hi, table.c.day.in_(on))
            conn.execute(delete(table).where(same))
        pair = or_(and_(_d.source == lo, _d.target == hi), and_(_d.source == hi, _d.target == lo))
        by_day, by_type = _rows(conn, _grouped(and_(pair, _d.date_start.in_(on))))
        for table, rows in ((dyad_days, by_day), (dyad_type_days, by_type)):
            if rows:
                conn.execute(insert(table), rows)
        conn.execute(delete(dyad_totals).where(dyad_totals.c.lo == lo, dyad_totals.c.hi == hi))
        _total(conn, and_(dyad_days.c.lo == lo, dyad_days.c.hi == hi))


def _total(conn: Connection, where: Any) -> None:
    """Sum the ``dyad_days`` rows ``where`` into ``dyad_totals``, a row a pair."""
    d = dyad_days.c
    summed = (
        select(d.lo, d.hi, func.sum(d.incidents), func.sum(d.events), func.sum(d.hostility),
               func.sum(d.cooperation), func.min(d.day), func.max(d.day))
        .where(where)
        .group_by(d.lo, d.hi)
    )  # fmt: skip
    columns = ["lo", "hi", "incidents", "events", "hostility", "cooperation", "first", "last"]
    conn.execute(insert(dyad_totals).from_select(columns, summed))


def rebuild(conn: Connection) -> int:
    """Recompute the whole summary from the incidents (a migrated store, or new weights), and
    ``dyad_moves`` (``moves``); returns its number of rows (of ``dyad_days``)."""
    moves.rebuild(conn)
    conn.execute(delete(dyad_days))
    conn.execute(delete(dyad_type_days))
    days, types = _rows(conn, _grouped(_d.date_start.is_not(None)))
    for table, rows in ((dyad_days, days), (dyad_type_days, types)):
        for chunk in range(0, len(rows), 20_000):
            conn.execute(insert(table), rows[chunk : chunk + 20_000])
    conn.execute(delete(dyad_totals))
    _total(conn, true())
    return len(days)


def check(conn: Connection) -> Counter[str]:
    """How the stored summary differs from one recomputed now (empty when it is right): rows
    ``missing``, ``extra`` or ``different`` (``types missing`` ... for ``dyad_type_days``;
    ``moves missing`` and ``moves extra`` for ``dyad_moves``)."""
    out: Counter[str] = moves.check(conn)
    fresh_days, fresh_types = _rows(conn, _grouped(_d.date_start.is_not(None)))
    for table, rows, prefix in ((dyad_days, fresh_days, ""), (dyad_type_days, fresh_types,
                                                                "types ")):  # fmt: skip
        fresh = {_key(r): r for r in rows}
        stored = {_key(dict(r)): dict(r) for r in conn.execute(select(table)).mappings()}
        out[prefix + "missing"] = len(fresh.keys() - stored.keys())
        out[prefix + "extra"] = len(stored.keys() - fresh.keys())
        out[prefix + "different"] = sum(
            1 for k in fresh.keys() & stored.keys() if not _same(fresh[k], stored[k])
        )
    totals: dict[tuple[str, str], Row] = {}
    for r in fresh_days:
        t = totals.setdefault((r["lo"], r["hi"]), {**_EMPTY, "first": r["day"], "last": r["day"]})
        for k in _EMPTY:
            t[k] += r[k]
        t["first"], t["last"] = min(t["first"], r["day"]), max(t["last"], r["day"])
    kept = {(r["lo"], r["hi"]): dict(r) for r in conn.execute(select(dyad_totals)).mappings()}
    out["totals missing"] = len(totals.keys() - kept.keys())
    out["totals extra"] = len(kept.keys() - totals.keys())
    out["totals different"] = sum(
        1 for k in totals.keys() & kept.keys() if not _same_total(totals[k], kept[k])
    )
    return +out


def _same_total(a: Row, b: Row) -> bool:
    """Sums of many rows, added in another order: equal but for rounding."""
    return (a["incidents"], a["events"], a["first"], a["last"]) == (
        b["incidents"], b["events"], b["first"], b["last"]
    ) and all(math.isclose(a[k], b[k], rel_tol=1e-9, abs_tol=1e-9)
              for k in ("hostility", "cooperation"))  # fmt: skip


def _key(row: Row) -> tuple[Any, ...]:
    return (row["lo"], row["hi"], row["day"], row["date_precision"], row.get("event"),
            row.get("quad_code"))  # fmt: skip


def _same(a: Row, b: Row) -> bool:
    return (a["incidents"], a["events"]) == (b["incidents"], b["events"]) and all(
        abs(a[k] - b[k]) <= 1e-9 for k in ("hostility", "cooperation")
    )


__all__ = ["Key", "check", "keys_of", "rebuild", "refresh"]
