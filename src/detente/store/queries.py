"""Bounded, paginated reads of the store for ``detente serve``: pages of events and incidents
under filters, one document with its sentences, one event, one incident with its sources;
every event as analysts reviewed it (``reviews``; filters select by the coder's values).

Pages are keyset-paginated in the timeline's order (dated first, oldest first, then id): a
cursor names the last row a page gave, so the next page starts after it however the store
grows meanwhile. A cursor is opaque text (URL-safe base64 of JSON) handed back by each page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Select, and_, literal, or_, select, true
from sqlalchemy.engine import Connection

from detente.errors import RequestError
from detente.store.repository import Store, _filters, _iso
from detente.store.reviews import resolve
from detente.store.schema import documents, events, incidents, sentences

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What a page of events (or incidents) is restricted to; None is no restriction."""

    dyad: tuple[str, str] | None = None
    actor: str | None = None
    recipient: str | None = None
    event_type: str | None = None
    quad: int | None = None
    status: str | None = None
    coder: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    text: str | None = None  # words the event's record holds (sentence, trigger, names)
    incident: str | None = None

    def conditions(self) -> list[Any]:
        """The filter on events."""
        found = _filters(None, None, self.event_type, self.since, self.until)
        found += self._parties(events.c.actor_codes, events.c.recipient_codes)
        return found + self._reports(events)

    def incident_conditions(self) -> list[Any]:
        """The filter on incidents: the pair, the parties, the type and the dates are the
        incident's own (every report of an incident has its type and parties; its date is the
        incident's date); the rest must hold for one of its current reports."""
        found = self._parties(incidents.c.actor_codes, incidents.c.recipient_codes)
        if self.event_type is not None:
            found.append(incidents.c.event == self.event_type.upper())
        if self.since is not None:
            found.append(incidents.c.date_start >= self.since)
        if self.until is not None:
            found.append(incidents.c.date_start <= self.until)
        report = events.alias("report")  # not the lead report the page joins
        one = select(report.c.id).where(report.c.incident_id == incidents.c.id)
        return [*found, one.where(*self._reports(report)).correlate(incidents).exists()]

    def _parties(self, actors: Column[Any], recipients: Column[Any]) -> list[Any]:
        found: list[Any] = []
        if self.dyad is not None:
            found.append(pair_condition(actors, recipients, self.dyad))
        if self.actor is not None:
            found.append(_holds(actors, self.actor))
        if self.recipient is not None:
            found.append(_holds(recipients, self.recipient))
        return found

    def _reports(self, table: Any) -> list[Any]:
        """What a report (a row of ``table``, the events or an alias of them) must be."""
        c = table.c
        found: list[Any] = [c.superseded.is_(False)]
        if self.quad is not None:
            found.append(c.quad_code == self.quad)
        if self.status is not None:
            found.append(c.status == self.status)
        if self.coder is not None:  # the payload is json.dumps' default layout
            found.append(c.payload.contains(f'"coder": {json.dumps(self.coder)}'))
        if self.text:
            found.append(c.payload.icontains(self.text, autoescape=True))
        if self.incident is not None:
            found.append(c.incident_id == self.incident)
        return found


def _holds(codes: Column[Any], code: str) -> Any:
    """The ";"-joined codes of a row include ``code``."""
    return (literal(";") + codes + literal(";")).contains(f";{code};", autoescape=True)


def pair_condition(actors: Column[Any], recipients: Column[Any], dyad: tuple[str, str]) -> Any:
    """Rows between the two sides (either way, or acting together), read from the row's own
    codes: checked row by row as the date index is walked, a page of a busy pair stops early,
    where sets of event ids looked up per side (``repository._filters``) cost the same for
    every page (a second on the bench's million events)."""
    a, b = dyad
    return or_(
        and_(_holds(actors, a), _holds(recipients, b)),
        and_(_holds(actors, b), _holds(recipients, a)),
        and_(_holds(actors, a), _holds(actors, b)),
    )


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(day: dt.date | None, ident: str) -> str:
    raw = json.dumps([day.isoformat() if day else None, ident]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.date | None, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        day, ident = json.loads(raw)
        return (dt.date.fromisoformat(day) if day else None), str(ident)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise RequestError(400, "the cursor is not one a page handed out") from None


def _after(date_column: Column[Any], id_column: Column[Any], cursor: str | None) -> Any:
    """Rows after the cursor in the order (undated last, date, id)."""
    if cursor is None:
        return true()
    day, ident = decode_cursor(cursor)
    if day is None:  # the cursor is among the undated rows, which come last
        return and_(date_column.is_(None), id_column > ident)
    return or_(
        date_column.is_(None),
        date_column > day,
        and_(date_column == day, id_column > ident),
    )


def _in_order(
    conn: Connection,
    query: Select[Any],
    date: Column[Any],
    ident: Column[Any],
    cursor: str | None,
    limit: int,
) -> list[Any]:
    """The first ``limit`` rows of ``query`` after the cursor in the timeline's order (dated
    rows by date and id, then the undated by id), asked as two queries so that the database
    can walk its date index and stop at the page's end (one ORDER BY "date IS NULL" sorts
    every matching row first)."""
    day, after = decode_cursor(cursor) if cursor else (dt.date.min, "")
    rows: list[Any] = []
    if cursor is None or day is not None:
        start = day or dt.date.min
        dated = and_(date >= start, or_(date > start, ident > after)) if cursor else (
            date.is_not(None)
        )  # fmt: skip
        found = conn.execute(query.where(dated).order_by(date, ident).limit(limit))
        rows = list(found.mappings())
        after = ""
    if len(rows) < limit:
        undated = and_(date.is_(None), ident > after)
        found = conn.execute(query.where(undated).order_by(ident).limit(limit - len(rows)))
        rows += list(found.mappings())
    return rows


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise RequestError(400, f"limit must be between 1 and {MAX_PAGE}")
    return limit


def event_page(
    store: Store, where: EventFilter, *, cursor: str | None = None, limit: int = 100
) -> Page:
    """Event records (with ``incident_id``) matching ``where``, at most ``limit`` of them."""
    limit = _limit(limit)
    query = select(events.c.id, events.c.date_start, events.c.payload, events.c.incident_id).where(
        and_(*where.conditions())
    )
    with store.engine.connect() as conn:
        rows = _in_order(conn, query, events.c.date_start, events.c.id, cursor, limit + 1)
    items = [{**json.loads(r["payload"]), "incident_id": r["incident_id"]} for r in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    # as reviewed: an event marked wrong leaves the page (which may then hold fewer rows)
    reviewed = list(resolve(store).records(items))
    return Page(reviewed, encode_cursor(last["date_start"], last["id"]) if last else None)


def incident_page(
    store: Store, where: EventFilter, *, cursor: str | None = None, limit: int = 100
) -> Page:
    """Incidents matching ``where`` (``EventFilter.incident_conditions``: dated from ``since``
    to ``until``, of the pair, parties and type, with a current report of the status, quad,
    coder and words asked): each its lead report's record with the incident's date, figures
    and sources."""
    limit = _limit(limit)
    query = (
        select(incidents, events.c.payload)
        .join(events, events.c.id == incidents.c.lead_event_id)
        .where(and_(*where.incident_conditions()))
    )
    with store.engine.connect() as conn:
        rows = _in_order(conn, query, incidents.c.date_start, incidents.c.id, cursor, limit + 1)
        items = [store.incident_record(conn, row) for row in rows[:limit]]
    reviewed = resolve(store)
    items = [reviewed.apply(i) or {**i, "wrong": True} for i in items]
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(items, encode_cursor(last["date_start"], last["id"]) if last else None)


def incident(store: Store, ident: str) -> dict[str, Any]:
    """One incident's record with its sources and every current report (event) of it."""
    query = (
        select(incidents, events.c.payload)
        .join(events, events.c.id == incidents.c.lead_event_id)
        .where(incidents.c.id == ident)
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).mappings().first()
        if row is None:
            raise RequestError(404, f"no incident {ident!r}")
        record = store.incident_record(conn, row)
        reports = conn.execute(
            select(events.c.payload)
            .where(and_(events.c.incident_id == ident, events.c.superseded.is_(False)))
            .order_by(events.c.date_start, events.c.doc_id, events.c.sentence_idx)
            .limit(MAX_PAGE)
        ).all()
    reviewed = resolve(store)
    record = reviewed.apply(record) or {**record, "wrong": True}
    record["reports"] = [
        reviewed.apply(coded) or {**coded, "wrong": True}
        for coded in (json.loads(r.payload) for r in reports)
    ]
    return record


def event(store: Store, ident: str) -> dict[str, Any]:
    """One event's record (superseded ones too: a link to it keeps working), with
    ``incident_id`` and ``superseded``."""
    query = select(events.c.payload, events.c.incident_id, events.c.superseded).where(
        events.c.id == ident
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise RequestError(404, f"no event {ident!r}")
    coded = {**json.loads(row.payload), "incident_id": row.incident_id}
    reviewed = resolve(store).apply(coded)
    out = {**(reviewed or coded), "superseded": row.superseded}
    if reviewed is not coded:  # a reviewer changed it, or marked it wrong
        out.update(wrong=reviewed is None, coded=coded)
    return out


_DOCUMENT_COLUMNS = (
    documents.c.doc_id,
    documents.c.content_hash,
    documents.c.revision,
    documents.c.latest,
    documents.c.path,
    documents.c.source,
    documents.c.title,
    documents.c.url,
    documents.c.published,
    documents.c.language,
    documents.c.kind,
    documents.c.ingested_at,
)


def _document_row(row: Any) -> dict[str, Any]:
    record = dict(row._mapping)
    record["published"] = _iso(record["published"])
    return record


def document_page(store: Store, *, cursor: str | None = None, limit: int = 100) -> Page:
    """The current revision of every document (without its text), oldest publication first
    (undated last), then by content hash."""
    limit = _limit(limit)
    query = (
        select(*_DOCUMENT_COLUMNS)
        .where(
            and_(
                documents.c.latest.is_(True),
                _after(documents.c.published, documents.c.content_hash, cursor),
            )
        )
        .order_by(documents.c.published.is_(None), documents.c.published, documents.c.content_hash)
        .limit(limit + 1)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        [_document_row(r) for r in rows[:limit]],
        encode_cursor(last.published, last.content_hash) if last else None,
    )


def document(store: Store, doc_id: str, revision: int | None = None) -> dict[str, Any]:
    """One document (its latest revision, or ``revision``) with its text and sentences."""
    chosen = documents.c.latest.is_(True) if revision is None else documents.c.revision == revision
    query = select(*_DOCUMENT_COLUMNS, documents.c.text).where(
        and_(documents.c.doc_id == doc_id, chosen)
    )
    with store.engine.connect() as conn:
        row = conn.execute(query.order_by(documents.c.revision.desc())).first()
        if row is None:
            raise RequestError(404, f"no document {doc_id!r}")
        spans = conn.execute(
            select(sentences.c.idx, sentences.c.start, sentences.c.end, sentences.c.paragraph)
            .where(sentences.c.content_hash == row.content_hash)
            .order_by(sentences.c.idx)
        ).all()
    record = _document_row(row)
    text = record["text"]
    record["sentences"] = [
        {"index": s.idx, "start": s.start, "end": s.end, "paragraph": s.paragraph,
         "text": text[s.start : s.end]}
        for s in spans
    ]  # fmt: skip
    return record


MAX_LOCATED = 2000


def located(store: Store, where: EventFilter, *, limit: int = MAX_LOCATED) -> list[dict[str, Any]]:
    """Current events matching ``where`` whose place has coordinates (reviewed), at most
    ``limit``, oldest first."""
    query = (
        select(events.c.payload, events.c.incident_id)
        .where(
            and_(
                *where.conditions(),
                events.c.payload.contains('"lat": '),
                ~events.c.payload.contains('"lat": null'),
            )
        )
        .order_by(events.c.date_start.is_(None), events.c.date_start, events.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    found = [{**json.loads(r.payload), "incident_id": r.incident_id} for r in rows]
    return [
        e for e in resolve(store).records(found) if (e.get("location") or {}).get("lat") is not None
    ]
