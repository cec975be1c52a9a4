"""Incidents: reports of one happening, across sentences, documents and sources, merged.

An event joins an incident with the same type, the same actor and recipient codes, a compatible
mode and a compatible date: day-precise dates within ``WINDOW_DAYS`` of each other, or a day that
falls inside a month-precise one. An undated event joins only an incident its own document
already reports. Negated and hypothetical events happen nowhere and join none.

An incident's figures are recomputed from its events whenever it changes: the most precise date
(a later report giving the day refines a month), its documents, its independent sources (outlets),
and its first and last report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from detente.store.schema import documents, events, incident_sources, incidents

WINDOW_DAYS = 3
LINKABLE = frozenset({"asserted", "alleged", "denied", "planned"})
_STATUS_RANK = {"asserted": 0, "alleged": 1, "denied": 2, "planned": 3}
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}


@dataclass(frozen=True, slots=True)
class Span:
    """The days a date at its precision may denote."""

    first: dt.date
    last: dt.date
    precision: str


def date_span(first: dt.date | None, precision: str) -> Span | None:
    if first is None:
        return None
    if precision == "day":
        return Span(first, first, precision)
    if precision == "month":
        nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return Span(first, nxt - dt.timedelta(days=1), precision)
    return Span(first, dt.date(first.year, 12, 31), precision)


def gap(a: Span, b: Span) -> int:
    """Days between two spans (0 when they overlap)."""
    if a.last < b.first:
        return (b.first - a.last).days
    if b.last < a.first:
        return (a.first - b.last).days
    return 0


def compatible(a: Span | None, b: Span | None) -> int | None:
    """The date gap if the two can be one happening, else None."""
    if a is None or b is None:
        return None
    if "year" in (a.precision, b.precision) and a.precision != b.precision:
        return None
    distance = gap(a, b)
    return distance if distance <= WINDOW_DAYS else None


def stem(event_text: str) -> str:
    """A crude stem of the trigger word: "withdrawal" and "withdrew" share "withd"."""
    words = event_text.lower().split()
    return words[0][:5] if words else ""


def source_key(doc: dict[str, Any]) -> str:
    """The outlet a document comes from: its source name, else its URL's host, else itself."""
    if doc.get("source"):
        return str(doc["source"]).strip().lower()
    url = doc.get("url") or ""
    if "://" in url:
        return url.split("://", 1)[1].split("/", 1)[0].lower().removeprefix("www.")
    return f"doc:{doc['doc_id']}"


def link(conn: Connection, content_hash: str, rows: list[dict[str, Any]]) -> set[str]:
    """Attach each new event row to an incident (existing or new); returns touched incident ids."""
    touched: set[str] = set()
    for row in rows:
        if row["status"] not in LINKABLE:
            continue
        incident = _best_incident(conn, row, content_hash)
        if incident is None:
            incident = "inc-" + hashlib.sha256(row["id"].encode()).hexdigest()[:16]
            conn.execute(insert(incidents).values(_placeholder(incident, row)))
        conn.execute(update(events).where(events.c.id == row["id"]).values(incident_id=incident))
        refresh(conn, incident)  # at once: a day-precise report narrows the incident for the next
        touched.add(incident)
    return touched


def _placeholder(incident: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": incident,
        "event": row["event"],
        "mode": row["mode"],
        "actor_codes": row["actor_codes"],
        "recipient_codes": row["recipient_codes"],
        "date": row["date"],
        "date_start": row["date_start"],
        "date_precision": row["date_precision"],
        "status": row["status"],
        "intensity": row["intensity"],
        "quad_code": row["quad_code"],
        "n_events": 0,
        "n_documents": 0,
        "n_sources": 0,
        "lead_event_id": row["id"],
    }


def _best_incident(conn: Connection, row: dict[str, Any], content_hash: str) -> str | None:
    query = select(incidents).where(
        and_(
            incidents.c.event == row["event"],
            incidents.c.actor_codes == row["actor_codes"],
            incidents.c.recipient_codes == row["recipient_codes"],
        )
    )
    span = date_span(row["date_start"], row["date_precision"])
    if span is not None:
        low = span.first - dt.timedelta(days=WINDOW_DAYS + 31)
        high = span.last + dt.timedelta(days=WINDOW_DAYS)
        query = query.where(
            or_(incidents.c.date_start.is_(None), incidents.c.date_start.between(low, high))
        )
    best: tuple[int, int, str] | None = None
    for candidate in conn.execute(query).mappings():
        if row["mode"] and candidate["mode"] and row["mode"] != candidate["mode"]:
            continue
        if not _same_wording_if_same_document(conn, candidate["id"], content_hash, row["trigger"]):
            continue
        other = date_span(candidate["date_start"], candidate["date_precision"])
        if span is None or other is None:
            if not _reported_in(conn, candidate["id"], content_hash):
                continue
            distance = 0
        else:
            found = compatible(span, other)
            if found is None:
                continue
            distance = found
        rank = (distance, -int(candidate["n_events"]), str(candidate["id"]))
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _same_wording_if_same_document(
    conn: Connection, incident: str, content_hash: str, trigger: str
) -> bool:
    """Outlets word one happening differently; one article naming two acts of the same kind with
    different words (an inspection, a deployment) reports two happenings."""
    query = select(events.c.trigger).where(
        and_(events.c.incident_id == incident, events.c.content_hash == content_hash)
    )
    triggers = {r.trigger for r in conn.execute(query)}
    return not triggers or trigger in triggers


def _reported_in(conn: Connection, incident: str, content_hash: str) -> bool:
    query = (
        select(func.count())
        .select_from(events)
        .where(and_(events.c.incident_id == incident, events.c.content_hash == content_hash))
    )
    return bool(conn.execute(query).scalar())


def refresh(conn: Connection, incident: str) -> None:
    """Recompute an incident from its current events; drop it when none is left."""
    members = list(
        conn.execute(
            select(
                events.c.id,
                events.c.date,
                events.c.date_start,
                events.c.date_precision,
                events.c.status,
                events.c.intensity,
                events.c.quad_code,
                events.c.confidence,
                events.c.mode,
                events.c.content_hash,
                documents.c.published,
                documents.c.source,
                documents.c.url,
                documents.c.doc_id,
            )
            .join(documents, documents.c.content_hash == events.c.content_hash)
            .where(and_(events.c.incident_id == incident, events.c.superseded.is_(False)))
        ).mappings()
    )
    conn.execute(delete(incident_sources).where(incident_sources.c.incident_id == incident))
    if not members:
        conn.execute(
            update(events).where(events.c.incident_id == incident).values(incident_id=None)
        )
        conn.execute(delete(incidents).where(incidents.c.id == incident))
        return
    dated = [m for m in members if m["date_start"] is not None]
    if dated:
        best_rank = min(_PRECISION_RANK[m["date_precision"]] for m in dated)
        precise = [m for m in dated if _PRECISION_RANK[m["date_precision"]] == best_rank]
        votes = Counter(m["date"] for m in precise)
        date = min(votes, key=lambda d: (-votes[d], d))
        chosen = next(m for m in precise if m["date"] == date)
        date_fields = {
            "date": date,
            "date_start": chosen["date_start"],
            "date_precision": chosen["date_precision"],
        }
    else:
        date_fields = {"date": None, "date_start": None, "date_precision": "unknown"}
    lead = min(members, key=lambda m: (_STATUS_RANK.get(m["status"], 9), -m["confidence"], m["id"]))
    sources: dict[str, str] = {}
    for m in members:
        sources.setdefault(m["content_hash"], source_key(dict(m)))
    conn.execute(
        insert(incident_sources),
        [{"incident_id": incident, "content_hash": h, "source_key": k} for h, k in sources.items()],
    )
    published = [m["published"] for m in members if m["published"] is not None]
    modes = [m["mode"] for m in members if m["mode"]]
    conn.execute(
        update(incidents)
        .where(incidents.c.id == incident)
        .values(
            **date_fields,
            mode=modes[0] if modes else None,
            status=lead["status"],
            intensity=lead["intensity"],
            quad_code=lead["quad_code"],
            n_events=len(members),
            n_documents=len(sources),
            n_sources=len(set(sources.values())),
            first_reported=min(published) if published else None,
            last_reported=max(published) if published else None,
            lead_event_id=lead["id"],
        )
    )
