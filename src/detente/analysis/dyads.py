"""The country pairs of the store, most active first: where is it heating up?

For every pair (undirected) with dated incidents: the incidents and the events behind them, the
hostility and cooperation they add up to (weighted as in ``series``: status, independent
sources), and the tension index as of a day (the store's latest incident date unless given) with
its change over the 30 days before it. Both are read from the per-day pair summary each write
keeps up to date (``store.summary``), with two grouped queries whose cost grows with the pairs
and days, not the events; the index only needs the days of the last ``HORIZON_DAYS`` (older
incidents weigh less than 0.2% in it at a 14-day half-life).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, func, or_, select, type_coerce

from detente.analysis.data import span_days
from detente.analysis.series import DECAY
from detente.store import Store
from detente.store.schema import dyad_days, dyad_totals

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


def _totals(store: Store, window: list[Any], whole: bool) -> list[Any]:
    """Each pair's sums over the days of ``window``; over all its days (``whole``), those the
    writes keep in ``dyad_totals``."""
    if whole:
        t = dyad_totals.c
        kept = select(t.lo, t.hi, t.incidents.label("n"), t.events, t.hostility, t.cooperation,
                      t.first, t.last)  # fmt: skip
        with store.engine.connect() as conn:
            return list(conn.execute(kept))
    d = dyad_days.c
    query = (
        select(
            d.lo,
            d.hi,
            func.sum(d.incidents).label("n"),
            func.sum(d.events).label("events"),
            func.sum(d.hostility).label("hostility"),
            func.sum(d.cooperation).label("cooperation"),
            func.min(d.day).label("first"),
            func.max(d.day).label("last"),
        )
        .where(and_(*window))
        .group_by(d.lo, d.hi)
    )
    with store.engine.connect() as conn:
        return list(conn.execute(query))


def _days(store: Store, window: list[Any]) -> list[tuple[str, str, Spread]]:
    """The summary rows of ``window``, each as its pair and its spread."""
    return _spreads(store, and_(*window))


Spread = tuple[int, int, float]  # first day (ordinal), days spread over, net hostility a day


def _spreads(store: Store, where: Any) -> list[tuple[str, str, Spread]]:
    # the day as the database gives it, parsed here: SQLAlchemy's parsing of SQLite's date text
    # was most of the time of ``detente dyads`` (38,000 rows over the last 210 days)
    d = dyad_days.c
    day = type_coerce(d.day, String)
    query = select(d.lo, d.hi, day, d.date_precision, d.hostility, d.cooperation).where(where)
    out: list[tuple[str, str, Spread]] = []
    with store.engine.connect() as conn:
        for lo, hi, first, precision, hostility, cooperation in conn.execute(query):
            start = first if isinstance(first, dt.date) else dt.date.fromisoformat(first)
            span = 1 if precision == "day" else span_days(start, precision)
            out.append((lo, hi, (start.toordinal(), span, (hostility - cooperation) / span)))
    return out


def _index(rows: Iterable[Spread], day: dt.date) -> float:
    """The tension index on ``day`` from summary rows: each day of a row's spread adds its net
    hostility decayed by the days since (a geometric sum, in closed form)."""
    on = day.toordinal()
    total = 0.0
    for first, span, net in rows:
        if first > on:
            continue
        counted = min(span, on - first + 1)  # the days of the spread up to ``day``
        last = first + counted - 1
        total += net * DECAY ** (on - last) * (1 - DECAY**counted) / (1 - DECAY)
    return total


def latest_date(store: Store) -> dt.date | None:
    with store.engine.connect() as conn:
        value = conn.execute(select(func.max(dyad_days.c.day))).scalar()
    return value if isinstance(value, dt.date) else None


@dataclass
class _Totals:
    n: int
    events: int
    hostility: float
    cooperation: float
    first: dt.date
    last: dt.date


def _reviewed_pairs(
    store: Store,
    day: dt.date,
    since: dt.date | None,
    recent_from: dt.date,
    only: set[tuple[str, str]] | None = None,
) -> dict[tuple[str, str], tuple[_Totals | None, list[Spread]]]:
    """With reviews in the store: the figures of every pair they touch (of ``only``, if given),
    from its reviewed incidents (``reviewed.reviewed_points``) rather than the summary table,
    which counts the coder's incidents: totals from ``since`` to ``day`` (``None`` when none is
    left) and the spreads from ``recent_from``."""
    from detente.analysis.reviewed import reviewed_points, touched_pairs
    from detente.analysis.series import weight
    from detente.store.reviews import resolve

    reviewed = resolve(store)
    if not reviewed:
        return {}
    out: dict[tuple[str, str], tuple[_Totals | None, list[Spread]]] = {}
    start = min(since, recent_from) if since is not None else None
    for pair in sorted(touched_pairs(store, reviewed)):
        if only is not None and pair not in only:
            continue
        points = [p for p in reviewed_points(store, pair, reviewed, since=start, until=day)
                  if start is None or p.date >= start]  # fmt: skip
        hostile = [weight(p) * abs(p.intensity) if p.intensity < 0 else 0.0 for p in points]
        friendly = [weight(p) * abs(p.intensity) if p.intensity >= 0 else 0.0 for p in points]
        spreads = [
            (p.date.toordinal(), p.span_days, (h - f) / p.span_days)
            for p, h, f in zip(points, hostile, friendly, strict=True)
            if p.date >= recent_from
        ]
        counted = [i for i, p in enumerate(points) if since is None or p.date >= since]
        if not counted:
            out[pair] = (None, spreads)
            continue
        days = [points[i].date for i in counted]
        totals = _Totals(len(counted), sum(points[i].n_events for i in counted),
                         sum(hostile[i] for i in counted), sum(friendly[i] for i in counted),
                         min(days), max(days))  # fmt: skip
        out[pair] = (totals, spreads)
    return out


def weekly_index(
    store: Store, pairs: list[tuple[str, str]], since: dt.date, until: dt.date
) -> dict[tuple[str, str], list[float]]:
    """Each pair's tension index at the end of each week (Monday to Sunday, the first and last
    cut at ``since`` and ``until``), from the summary table with the ``HORIZON_DAYS`` before
    ``since`` carried in; a pair that reviews touch, from its reviewed incidents. Pairs are
    given with their codes in order (as ``DyadSummary.dyad``)."""
    if not pairs:
        return {}
    start = since - dt.timedelta(days=HORIZON_DAYS)
    d = dyad_days.c
    chosen = or_(*(and_(d.lo == lo, d.hi == hi) for lo, hi in pairs))
    spreads: dict[tuple[str, str], list[Spread]] = defaultdict(list)
    for lo, hi, spread in _spreads(store, and_(chosen, d.day >= start, d.day <= until)):
        spreads[(lo, hi)].append(spread)
    for pair, (_, reviewed) in _reviewed_pairs(store, until, None, start, set(pairs)).items():
        spreads[pair] = reviewed
    return {pair: _weeks(spreads.get(pair, []), start, since, until) for pair in pairs}


def _weeks(rows: list[Spread], start: dt.date, since: dt.date, until: dt.date) -> list[float]:
    """The index at each week's last day from ``since`` to ``until``, days from ``start`` on."""
    first, last = start.toordinal(), until.toordinal()
    net = [0.0] * (last - first + 1)
    for begins, span, per_day in rows:
        for on in range(max(begins, first), min(begins + span - 1, last) + 1):
            net[on - first] += per_day
    index = 0.0
    out: list[float] = []
    for offset, value in enumerate(net):
        index = index * DECAY + value
        day = start + dt.timedelta(days=offset)
        if day >= since and (day.weekday() == 6 or day == until):
            out.append(index)
    return out


def dyad_summaries(
    store: Store,
    *,
    since: dt.date | None = None,
    as_of: dt.date | None = None,
    sort: str = "index",
) -> list[DyadSummary]:
    """Every pair with dated incidents from ``since`` to ``as_of``, sorted by ``sort`` (one of
    SORTS, largest first). Analysts' reviews are applied: a pair they touch is counted from its
    reviewed incidents."""
    if sort not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(SORTS)}")
    latest = latest_date(store)
    day = as_of or latest
    if day is None:
        return []
    window = [dyad_days.c.day <= day]
    if since is not None:
        window.append(dyad_days.c.day >= since)
    totals: dict[tuple[str, str], _Totals | None] = {
        (row.lo, row.hi): _Totals(int(row.n), int(row.events or 0), float(row.hostility or 0.0),
                                  float(row.cooperation or 0.0), row.first, row.last)
        for row in _totals(store, window, since is None and day >= (latest or day))
    }  # fmt: skip
    recent_from = day - dt.timedelta(days=HORIZON_DAYS + CHANGE_DAYS)
    if since is not None:
        recent_from = max(recent_from, since)
    recent: dict[tuple[str, str], list[Spread]] = defaultdict(list)
    for lo, hi, spread in _days(store, [*window, dyad_days.c.day >= recent_from]):
        recent[(lo, hi)].append(spread)
    for pair, (reviewed, spreads) in _reviewed_pairs(store, day, since, recent_from).items():
        totals[pair], recent[pair] = reviewed, spreads
    before = day - dt.timedelta(days=CHANGE_DAYS)
    out = []
    for pair, entry in totals.items():
        if entry is None:  # every incident of the pair was reviewed away
            continue
        rows = recent.get(pair, [])
        now = _index(rows, day)
        out.append(
            DyadSummary(pair, entry.n, entry.events, entry.hostility, entry.cooperation, now,
                        now - _index(rows, before), entry.first, entry.last, day)
        )  # fmt: skip
    out.sort(key=lambda s: (-getattr(s, sort), s.dyad))
    return out
