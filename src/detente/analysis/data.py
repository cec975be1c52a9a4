"""Reading a dyad's incidents from the store for the analytics."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, func, or_, select, type_coerce

from detente.store import Store
from detente.store.schema import events, incident_dyads, incidents

if TYPE_CHECKING:
    from detente.analysis.promises import Act


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
        # two equalities, not a row-value IN, which SQLite answers by scanning every pair
        or_(*(and_(incident_dyads.c.source == s, incident_dyads.c.target == t) for s, t in pairs)),
        incident_dyads.c.date_start.is_not(None),
        or_(incident_dyads.c.joint.is_(False), incident_dyads.c.source == a),
    ]
    if since is not None:
        # a month-precise incident starts before the day it may concern
        conditions.append(incident_dyads.c.date_start >= since - dt.timedelta(days=31))
    if until is not None:
        conditions.append(incident_dyads.c.date_start <= until)
    # an incident with several rows here counts once, by its first: a directed move before a
    # joint one, then by codes (as ``reviewed`` chooses), whatever order the database reads in
    query = query.where(and_(*conditions)).order_by(
        incident_dyads.c.date_start, incidents.c.id, incident_dyads.c.joint,
        incident_dyads.c.source, incident_dyads.c.target,
    )  # fmt: skip
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


@dataclass(frozen=True, slots=True)
class Report:
    """An incident as the commitments see it: its act, sides, date, status and words."""

    incident_id: str
    date: dt.date  # first day of its date
    precision: str
    event: str
    mode: str | None
    status: str
    actors: frozenset[str]
    recipients: frozenset[str]
    quad: int
    intensity: float
    n_events: int
    n_sources: int

    @property
    def last_day(self) -> dt.date:
        return self.date + dt.timedelta(days=span_days(self.date, self.precision) - 1)

    def point(self, source: str, target: str) -> Point:
        return Point(
            self.incident_id, self.date, self.precision, source, target,
            source in self.actors and target in self.actors, self.event, self.mode, self.quad,
            self.intensity, self.status, self.n_events, self.n_sources, "",
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Said:
    """One coded event's words: for a promise's act, object, condition, deadline and name, and
    for evidence, whether the text dates it (not only the publication date)."""

    id: str  # the event's
    incident_id: str | None
    sentence: tuple[str, int]  # (content hash, sentence index)
    event: str
    mode: str | None
    status: str
    actors: frozenset[str]
    claimed_by: str | None
    event_text: str
    text: str
    dated_by_text: bool
    published: dt.date | None


@functools.lru_cache(maxsize=4096)
def _codes(value: str) -> frozenset[str]:
    """The codes of a ";"-joined column (few distinct values: each is split once)."""
    return frozenset(c for c in value.split(";") if c)


def dyad_reports(
    store: Store,
    dyad: tuple[str, str],
    *,
    acts: Iterable[Act],
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Report]:
    """The pair's dated incidents of ``acts`` (either way, or joint), oldest first, from the
    pair index alone (no event payloads). An act without a mode takes any of its modes."""
    a, b = dyad
    query = (
        select(
            # the day as stored (SQLite: text, parsed below; PostgreSQL: a date), not through
            # the Date type's per-row conversion
            incidents.c.id, type_coerce(incidents.c.date_start, String), incidents.c.date_precision,
            incidents.c.event, incidents.c.mode, incidents.c.status, incidents.c.actor_codes,
            incidents.c.recipient_codes, incidents.c.quad_code, incidents.c.intensity,
            incidents.c.n_events, incidents.c.n_sources,
        )
        .join(incidents, incidents.c.id == incident_dyads.c.incident_id)
        .where(
            # an OR of the two directions, not a row-value IN: SQLite searches the pair index
            # (source, target, date_start) for each, where IN would scan the table
            or_(
                and_(incident_dyads.c.source == a, incident_dyads.c.target == b),
                and_(incident_dyads.c.source == b, incident_dyads.c.target == a),
            ),
            incident_dyads.c.date_start.is_not(None),
            or_(*(incidents.c.event == act.event if act.mode is None
                  else and_(incidents.c.event == act.event, incidents.c.mode == act.mode)
                  for act in sorted(set(acts), key=str))),
        )
        .order_by(incident_dyads.c.date_start, incidents.c.id)
    )  # fmt: skip
    if since is not None:
        query = query.where(incident_dyads.c.date_start >= since)
    if until is not None:
        query = query.where(incident_dyads.c.date_start <= until)
    out: list[Report] = []
    seen: set[str] = set()
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    for ident, day, precision, event, mode, status, actors, recipients, quad, *figures in rows:
        if ident in seen:
            continue
        seen.add(ident)
        first = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        out.append(
            Report(
                ident, first, precision, event, mode, status, _codes(actors), _codes(recipients),
                int(quad), float(figures[0]), int(figures[1]), int(figures[2]),
            )
        )  # fmt: skip
    return out


def _said(row: Any) -> Said:
    record = json.loads(row.payload)
    claimed = record.get("claimed_by") or {}
    published = record.get("published")
    return Said(
        row.id,
        row.incident_id,
        (row.content_hash, int(row.sentence_idx)),
        record.get("event", ""),
        record.get("mode"),
        record.get("status", "asserted"),
        frozenset(str(m.get("code")) for m in record.get("actor") or []),
        claimed.get("code"),
        record.get("event_text", ""),
        record.get("text", ""),
        record.get("date_basis", "text") != "published",
        dt.date.fromisoformat(published) if published else None,
    )


_SAID_COLUMNS = (
    events.c.id,
    events.c.incident_id,
    events.c.content_hash,
    events.c.sentence_idx,
    events.c.payload,
)
_CHUNK = 500


def incident_words(store: Store, ids: list[str], *, lead_only: bool) -> list[Said]:
    """The words of the incidents ``ids``: every current report of each, or only its lead."""
    out: list[Said] = []
    with store.engine.connect() as conn:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            if lead_only:
                query = (
                    select(*_SAID_COLUMNS)
                    .join(incidents, incidents.c.lead_event_id == events.c.id)
                    .where(incidents.c.id.in_(chunk))
                )
            else:
                query = select(*_SAID_COLUMNS).where(
                    events.c.incident_id.in_(chunk), events.c.superseded.is_(False)
                )
            out += [_said(row) for row in conn.execute(query)]
    return out


def sentence_words(
    store: Store, sentences: list[tuple[str, int]], known: Iterable[Said] = ()
) -> list[Said]:
    """Every current event coded in the given sentences (content hash, index) but the events
    ``known`` already, those of no incident (hypothetical ones: "would release the detainees")
    included. The index on (content hash, sentence) counts each sentence's events without
    reading them; only a sentence with more events than those known is read, then the payloads
    of its other events by primary key."""
    skip = {s.id for s in known}
    seen = Counter(s.sentence for s in known)
    wanted = set(sentences)
    hashes = sorted({h for h, _ in wanted})
    crowded: dict[str, set[int]] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(hashes), _CHUNK):
            query = (  # the index alone, no event row read; a sentence of one event is its own
                select(events.c.content_hash, events.c.sentence_idx, func.count())
                .where(events.c.content_hash.in_(hashes[start : start + _CHUNK]))
                .group_by(events.c.content_hash, events.c.sentence_idx)
                .having(func.count() > 1)
            )
            for h, i, n in conn.execute(query):
                if (h, int(i)) in wanted and n > seen[(h, int(i))]:
                    crowded.setdefault(h, set()).add(int(i))
        ids: list[str] = []
        keys = sorted(crowded)
        for start in range(0, len(keys), _CHUNK):
            query = select(events.c.id, events.c.content_hash, events.c.sentence_idx).where(
                events.c.content_hash.in_(keys[start : start + _CHUNK]),
                events.c.superseded.is_(False),
            )
            for r in conn.execute(query):
                if int(r.sentence_idx) in crowded[r.content_hash] and r.id not in skip:
                    ids.append(r.id)
        out: list[Said] = []
        for start in range(0, len(ids), _CHUNK):
            query = select(*_SAID_COLUMNS).where(events.c.id.in_(ids[start : start + _CHUNK]))
            out += [_said(row) for row in conn.execute(query)]
    return out
