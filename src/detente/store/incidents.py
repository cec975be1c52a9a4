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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select, tuple_, update
from sqlalchemy.engine import Connection

from detente.store.schema import (
    documents,
    events,
    incident_dyads,
    incident_sources,
    incidents,
)

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


@dataclass
class _Draft:
    """An incident as the documents being stored change it (written back in bulk)."""

    row: dict[str, Any]
    new: bool
    members: int = 0
    triggers: dict[str, set[str]] = field(default_factory=dict)  # document → its trigger stems
    openings: set[str] = field(default_factory=set)  # documents whose opening reports it
    documents: dict[str, str] = field(default_factory=dict)  # document added → its outlet


@dataclass(frozen=True)
class NewDocument:
    """What linking needs of a document being stored."""

    content_hash: str
    rows: list[dict[str, Any]]
    about: dict[str, Any]  # source, url, doc_id, published


def link(conn: Connection, batch: list[NewDocument]) -> list[dict[str, Any]]:
    """Attach the event rows of documents about to be stored to incidents: one query for the
    candidates, the choices in memory (document by document, in order), the incidents written in
    bulk. Sets each row's ``incident_id`` before the rows are inserted; returns the
    incident-source rows, to insert once the documents are."""
    linkable = [(doc, r) for doc in batch for r in doc.rows if r["status"] in LINKABLE]
    if not linkable:
        return []
    drafts = _candidates(conn, [r for _, r in linkable])
    for doc, row in linkable:
        draft = _choose(drafts, row, doc.content_hash)
        if draft is None:
            incident = "inc-" + hashlib.sha256(row["id"].encode()).hexdigest()[:16]
            draft = _Draft(_placeholder(incident, row), new=True)
            drafts.setdefault(_key(row), []).append(draft)
        _absorb(draft, row, doc.about.get("published"))
        draft.triggers.setdefault(doc.content_hash, set()).add(row["trigger"])
        if _opening(row):
            draft.openings.add(doc.content_hash)
        draft.documents[doc.content_hash] = source_key(doc.about)
        row["incident_id"] = draft.row["id"]
    touched = [d for group in drafts.values() for d in group if d.members]
    _count_sources(conn, touched)
    if any(d.new for d in touched):
        conn.execute(insert(incidents), [d.row for d in touched if d.new])
        pairs = [p for d in touched if d.new for p in _dyad_rows(d.row)]
        if pairs:
            conn.execute(insert(incident_dyads), pairs)
    changed = [{f"v_{k}": v for k, v in d.row.items()} for d in touched if not d.new]
    if changed:
        moved = [{"v_id": c["v_id"], "v_date_start": c["v_date_start"]} for c in changed]
        statement = update(incident_dyads).where(incident_dyads.c.incident_id == bindparam("v_id"))
        conn.execute(statement.values(date_start=bindparam("v_date_start")), moved)
        values: dict[str, Any] = {k: bindparam(f"v_{k}") for k in touched[0].row if k != "id"}
        statement = update(incidents).where(incidents.c.id == bindparam("v_id")).values(values)
        conn.execute(statement, changed)
    return [
        {"incident_id": d.row["id"], "content_hash": h, "source_key": k}
        for d in touched
        for h, k in d.documents.items()
    ]


def dyads(actor_codes: str, recipient_codes: str) -> list[tuple[str, str, bool]]:
    """Directed country pairs of an incident: each actor towards each recipient, and co-actors
    towards each other (joint)."""
    actors = [c for c in actor_codes.split(";") if c]
    recipients = [c for c in recipient_codes.split(";") if c]
    pairs = {(a, b): False for a in actors for b in recipients if a != b}
    for a in actors:
        for b in actors:
            if a != b:
                pairs.setdefault((a, b), True)  # co-actors, unless also actor and recipient
    return [(a, b, joint) for (a, b), joint in pairs.items()]


def _dyad_rows(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "incident_id": row["id"],
            "source": a,
            "target": b,
            "joint": joint,
            "date_start": row["date_start"],
        }
        for a, b, joint in dyads(row["actor_codes"], row["recipient_codes"])
    ]


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
        "first_reported": None,
        "last_reported": None,
        "lead_event_id": row["id"],
    }


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["event"], row["actor_codes"], row["recipient_codes"]


Drafts = dict[tuple[str, str, str], list[_Draft]]


def _candidates(conn: Connection, rows: list[dict[str, Any]]) -> Drafts:
    keys = {_key(r) for r in rows}
    query = select(incidents).where(
        tuple_(incidents.c.event, incidents.c.actor_codes, incidents.c.recipient_codes).in_(
            list(keys)
        )
    )
    spans = [date_span(r["date_start"], r["date_precision"]) for r in rows]
    known = [s for s in spans if s is not None]
    if known and len(known) == len(rows):
        # an incident's start lies at most a month before the earliest day, or a window after
        low = min(s.first for s in known) - dt.timedelta(days=WINDOW_DAYS + 31)
        high = max(s.last for s in known) + dt.timedelta(days=WINDOW_DAYS)
        query = query.where(
            or_(incidents.c.date_start.is_(None), incidents.c.date_start.between(low, high))
        )
    found: Drafts = {}
    for candidate in conn.execute(query).mappings():
        found.setdefault(_key(dict(candidate)), []).append(_Draft(dict(candidate), new=False))
    return found


def _choose(drafts: Drafts, row: dict[str, Any], document: str) -> _Draft | None:
    span = date_span(row["date_start"], row["date_precision"])
    best: tuple[int, int, str] | None = None
    chosen: _Draft | None = None
    for draft in drafts.get(_key(row), []):
        current = draft.row
        if row["mode"] and current["mode"] and row["mode"] != current["mode"]:
            continue
        # One article naming two acts of a kind with different words reports two happenings;
        # outlets word one happening differently, so this holds inside a document only.
        # A headline and its lede tell the one happening of the story, whatever their words.
        mine = draft.triggers.get(document)
        opening = _opening(row) and document in draft.openings
        if mine and row["trigger"] not in mine and not opening:
            continue
        other = date_span(current["date_start"], current["date_precision"])
        if span is None or other is None:
            if document not in draft.triggers:  # undated: only with what this document reports
                continue
            distance = 0
        else:
            found = compatible(span, other)
            if found is None:
                continue
            distance = found
        rank = (distance, -int(current["n_events"]), str(current["id"]))
        if best is None or rank < best:
            best, chosen = rank, draft
    return chosen


OPENING = 1  # sentences 0 and 1: the headline (or lede) and the sentence after it


def _opening(row: dict[str, Any]) -> bool:
    return int(row.get("sentence_idx") or 0) <= OPENING


def _absorb(draft: _Draft, row: dict[str, Any], published: dt.date | None) -> None:
    """Fold one event into the incident's figures."""
    current = draft.row
    draft.members += 1
    current["n_events"] = int(current["n_events"]) + 1
    if _PRECISION_RANK[row["date_precision"]] < _PRECISION_RANK[current["date_precision"]]:
        current.update(
            date=row["date"], date_start=row["date_start"], date_precision=row["date_precision"]
        )
    if current["mode"] is None and row["mode"]:
        current["mode"] = row["mode"]
    better = _STATUS_RANK.get(row["status"], 9) < _STATUS_RANK.get(current["status"], 9)
    if (draft.new and draft.members == 1) or better:
        for name in ("status", "intensity", "quad_code"):
            current[name] = row[name]
        current["lead_event_id"] = row["id"]
    if published is not None:
        first, last = current.get("first_reported"), current.get("last_reported")
        current["first_reported"] = min(first, published) if first else published
        current["last_reported"] = max(last, published) if last else published


def _count_sources(conn: Connection, drafts: list[_Draft]) -> None:
    """Each touched incident gains its new documents, and the outlets new to it."""
    existing = [d.row["id"] for d in drafts if not d.new]
    known: dict[str, set[str]] = {}
    if existing:
        query = select(incident_sources.c.incident_id, incident_sources.c.source_key).where(
            incident_sources.c.incident_id.in_(existing)
        )
        for incident, key in conn.execute(query):
            known.setdefault(incident, set()).add(key)
    for draft in drafts:
        outlets = known.get(draft.row["id"], set())
        draft.row["n_documents"] = int(draft.row["n_documents"]) + len(draft.documents)
        draft.row["n_sources"] = int(draft.row["n_sources"]) + len(
            set(draft.documents.values()) - outlets
        )


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
        update(incident_dyads)
        .where(incident_dyads.c.incident_id == incident)
        .values(date_start=date_fields["date_start"])
    )
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
