"""The country pairs of the store, most active first: where is it heating up?

For every pair (undirected) with dated incidents: the incidents and the events behind them, the
hostility and cooperation they add up to (weighted as in ``series``: status, independent
sources), and the tension index as of a day (the store's latest incident date unless given) with
its change over the 30 days before it. Both are read with two grouped queries, so the answer
takes about the same time whatever the number of events; the index only needs the incidents of
the last ``HORIZON_DAYS`` (older ones weigh less than 0.2% in it at a 14-day half-life).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select

from detente.analysis.data import span_days
from detente.analysis.series import HALF_LIFE_DAYS, status_weight
from detente.store import Store
from detente.store.schema import incident_dyads, incidents

HORIZON_DAYS = 180
CHANGE_DAYS = 30
SORTS = ("index", "change", "hostility", "cooperation", "incidents", "events")


@dataclass(frozen=True, slots=True)
class DyadSummary:
    dyad: tuple[str, str]
    incidents: int
    events: int
    hostility: float
    cooperation: float
    index: float  # the tension index as of ``as_of``
    change: float  # index(as_of) - index(as_of - 30 days)
    first: dt.date
    last: dt.date
    as_of: dt.date

    def row(self) -> dict[str, Any]:
        return {
            "dyad": "-".join(self.dyad),
            "incidents": self.incidents,
            "events": self.events,
            "hostility": round(self.hostility, 2),
            "cooperation": round(self.cooperation, 2),
            "index": round(self.index, 2),
            f"change_{CHANGE_DAYS}d": round(self.change, 2),
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "as_of": self.as_of.isoformat(),
        }


def _grouped(store: Store, extra: list[Any], by_date: bool) -> list[Any]:
    d = incident_dyads.c
    lo = case((d.source < d.target, d.source), else_=d.target)
    hi = case((d.source < d.target, d.target), else_=d.source)
    # each incident once per pair, whichever way and however many actors on a side
    pairs = (
        select(d.incident_id, lo.label("lo"), hi.label("hi"), d.date_start)
        .where(and_(d.date_start.is_not(None), d.source != d.target, *extra))
        .distinct()
        .subquery()
    )
    hostile = case((incidents.c.intensity < 0, 1), else_=0).label("hostile")
    keys: list[Any] = [pairs.c.lo, pairs.c.hi, incidents.c.status, incidents.c.n_sources, hostile]
    if by_date:
        keys += [pairs.c.date_start, incidents.c.date_precision]
    query = (
        select(
            *keys,
            func.count().label("n"),
            func.sum(incidents.c.n_events).label("events"),
            func.sum(func.abs(incidents.c.intensity)).label("strength"),
            func.min(pairs.c.date_start).label("first"),
            func.max(pairs.c.date_start).label("last"),
        )
        .join(incidents, incidents.c.id == pairs.c.incident_id)
        .group_by(*keys)
    )
    with store.engine.connect() as conn:
        return list(conn.execute(query))


def _index(rows: Iterable[Any], day: dt.date) -> float:
    """The tension index on ``day`` from grouped rows (spread over their date's days)."""
    decay = 0.5 ** (1 / HALF_LIFE_DAYS)
    total = 0.0
    for row in rows:
        span = span_days(row.date_start, row.date_precision)
        net = float(row.strength) * status_weight(row.status, row.n_sources) / span
        net = net if row.hostile else -net
        for offset in range(span):
            when = row.date_start + dt.timedelta(days=offset)
            if when > day:
                break
            total += net * decay ** (day - when).days
    return total


def latest_date(store: Store) -> dt.date | None:
    with store.engine.connect() as conn:
        value = conn.execute(select(func.max(incident_dyads.c.date_start))).scalar()
    return value if isinstance(value, dt.date) else None


def dyad_summaries(
    store: Store,
    *,
    since: dt.date | None = None,
    as_of: dt.date | None = None,
    sort: str = "index",
) -> list[DyadSummary]:
    """Every pair with dated incidents from ``since`` to ``as_of``, sorted by ``sort`` (one of
    SORTS, largest first)."""
    if sort not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(SORTS)}")
    day = as_of or latest_date(store)
    if day is None:
        return []
    window = [incident_dyads.c.date_start <= day]
    if since is not None:
        window.append(incident_dyads.c.date_start >= since)
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _grouped(store, window, by_date=False):
        entry = totals.setdefault(
            (row.lo, row.hi),
            {"n": 0, "events": 0, "hostility": 0.0, "cooperation": 0.0, "first": row.first,
             "last": row.last},
        )  # fmt: skip
        entry["n"] += int(row.n)
        entry["events"] += int(row.events or 0)
        key = "hostility" if row.hostile else "cooperation"
        entry[key] += float(row.strength or 0.0) * status_weight(row.status, row.n_sources)
        entry["first"] = min(entry["first"], row.first)
        entry["last"] = max(entry["last"], row.last)
    recent_from = day - dt.timedelta(days=HORIZON_DAYS + CHANGE_DAYS)
    if since is not None:
        recent_from = max(recent_from, since)
    recent: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in _grouped(store, [*window, incident_dyads.c.date_start >= recent_from], True):
        recent[(row.lo, row.hi)].append(row)
    before = day - dt.timedelta(days=CHANGE_DAYS)
    out = []
    for pair, entry in totals.items():
        rows = recent.get(pair, [])
        now = _index(rows, day)
        out.append(
            DyadSummary(
                pair,
                entry["n"],
                entry["events"],
                entry["hostility"],
                entry["cooperation"],
                now,
                now - _index(rows, before),
                entry["first"],
                entry["last"],
                day,
            )
        )
    out.sort(key=lambda s: (-getattr(s, sort), s.dyad))
    return out
