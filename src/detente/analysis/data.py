"""Reading a dyad's incidents from the store for the analytics."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, tuple_

from detente.store import Store
from detente.store.schema import events, incident_dyads, incidents


@dataclass(frozen=True, slots=True)
class Point:
    """One incident as the analytics see it: when, which way, how hostile, how sure."""

    incident_id: str
    date: dt.date  # first day of its date
    precision: str  # day | month | year
    source: str  # the acting side
    target: str  # the side acted on (or the co-actor, when joint)
    joint: bool
    event: str
    mode: str | None
    quad: int
    intensity: float
    status: str
    n_events: int
    n_sources: int
    text: str

    @staticmethod
    def from_row(row: Any, day: dt.date, text: str = "", joint: bool = False) -> Point:
        """From a row of incidents joined with incident_dyads (source, target)."""
        return Point(
            row.id,
            day,
            row.date_precision,
            row.source,
            row.target,
            joint,
            row.event,
            row.mode,
            int(row.quad_code),
            float(row.intensity),
            row.status,
            int(row.n_events),
            int(row.n_sources),
            text,
        )

    @property
    def move(self) -> str:
        """The move as a line reads it: "BLR MOBILIZE UKR"; a joint act "BLR and UKR AGREE"."""
        if self.joint:
            return f"{self.source} and {self.target} {self.event}"
        return f"{self.source} {self.event} {self.target}"

    @property
    def span_days(self) -> int:
        return span_days(self.date, self.precision)


def span_days(start: dt.date, precision: str) -> int:
    """How many days an incident dated from ``start`` at ``precision`` is spread over."""
    if precision == "day":
        return 1
    if precision == "month":
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return (nxt - start).days
    return 365


def dyad_points(
    store: Store,
    dyad: tuple[str, str],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    with_text: bool = False,
) -> list[Point]:
    """The dated incidents between the two sides (each once, with its direction), oldest first.
    A joint incident (both sides acting together) appears once, from the first side. When the
    store holds reviews, the incidents are those of the reviewed events (``reviewed``)."""
    from detente.analysis.reviewed import reviewed_points
    from detente.store.reviews import resolve

    reviewed = resolve(store)
    if reviewed:  # analysts corrected some events: read the pair's events, reviewed
        return reviewed_points(store, dyad, reviewed, since=since, until=until, with_text=with_text)
    a, b = dyad
    pairs = [(a, b), (b, a)]
    columns = [
        incidents.c.id,
        incidents.c.date_start,
        incidents.c.date_precision,
        incident_dyads.c.source,
        incident_dyads.c.target,
        incident_dyads.c.joint,
        incidents.c.event,
        incidents.c.mode,
        incidents.c.quad_code,
        incidents.c.intensity,
        incidents.c.status,
        incidents.c.n_events,
        incidents.c.n_sources,
    ]
    if with_text:
        columns.append(events.c.payload)
    query = select(*columns).join(incidents, incidents.c.id == incident_dyads.c.incident_id)
    if with_text:
        query = query.join(events, events.c.id == incidents.c.lead_event_id)
    conditions = [
        tuple_(incident_dyads.c.source, incident_dyads.c.target).in_(pairs),
        incident_dyads.c.date_start.is_not(None),
        or_(incident_dyads.c.joint.is_(False), incident_dyads.c.source == a),
    ]
    if since is not None:
        # a month-precise incident starts before the day it may concern
        conditions.append(incident_dyads.c.date_start >= since - dt.timedelta(days=31))
    if until is not None:
        conditions.append(incident_dyads.c.date_start <= until)
    query = query.where(and_(*conditions)).order_by(incident_dyads.c.date_start, incidents.c.id)
    out: list[Point] = []
    seen: set[str] = set()
    with store.engine.connect() as conn:
        for row in conn.execution_options(yield_per=5000).execute(query):
            if row.id in seen:  # several actors on one side: count the incident once
                continue
            seen.add(row.id)
            text = json.loads(row.payload)["text"] if with_text else ""
            out.append(Point.from_row(row, row.date_start, text, bool(row.joint)))
    return out
