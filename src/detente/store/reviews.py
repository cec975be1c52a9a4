"""Analysts' reviews: corrections of the coder kept apart from its output.

A review marks an event wrong, changes some of its fields (type, mode, actor, recipient,
status, date), merges two incidents or splits events off one, with a comment, the reviewer's
name, the time, and the values before and after. Nothing the coder stored is changed: reviews
are applied when events are read (``Store.events``, the exports, the analytics).

A review finds its events again by *anchor*: a hash of the page (the document's URL, record id
or path), the sentence's words and the trigger's words, and the type the coder gave. Ingesting
the same document again, or a revision of it that keeps the sentence, gives events of the same
anchors, so the review holds for them; a sentence the revision rewrote is no longer reviewed.
Later reviews of a field win over earlier ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from detente.errors import RequestError
from detente.ontology.plover import Ontology, load_ontology
from detente.records import EventType, Status
from detente.store.repository import Store
from detente.store.schema import documents, events, reviews

ACTIONS = ("wrong", "change", "merge", "split")
FIELDS = ("event", "mode", "actor", "recipient", "status", "date")
_CODE = re.compile(r"^[A-Z]{2,8}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_REVIEWS = 100_000


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    action: str
    target: str
    anchors: tuple[tuple[str, str], ...]  # (page, anchor)
    before: dict[str, Any]
    after: dict[str, Any]
    comment: str
    reviewer: str
    created_at: str

    def row(self) -> dict[str, Any]:
        """As a row of the reviews table export."""
        return {
            "id": self.id,
            "action": self.action,
            "target": self.target,
            "before": json.dumps(self.before, ensure_ascii=False, sort_keys=True),
            "after": json.dumps(self.after, ensure_ascii=False, sort_keys=True),
            "comment": self.comment,
            "reviewer": self.reviewer,
            "created_at": self.created_at,
        }


def anchor(page: str, record: dict[str, Any]) -> str:
    """What identifies an event across ingests and revisions of its page."""
    key = "|".join(
        [page, " ".join(str(record.get("text") or "").split()), str(record.get("event_text")),
         str(record.get("event"))]
    )  # fmt: skip
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


@dataclass
class Resolved:
    """The reviews as they bear on the current events: field changes and incident groupings by
    event id, and which reviews touched each event."""

    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    touched: dict[str, list[int]] = field(default_factory=dict)
    ontology: Ontology | None = None

    def __bool__(self) -> bool:
        return bool(self.touched)

    def apply(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The event record as reviewed (a new dict), None when a reviewer marked it wrong,
        the record itself when no review touches it."""
        ident = record.get("id")
        if ident not in self.touched:
            return record
        change = self.changes.get(str(ident), {})
        if change.get("wrong"):
            return None
        out = dict(record)
        for side in ("actor", "recipient"):
            if side in change:
                out[side] = [{"code": c, "sector": None, "text": None, "name": None}
                             for c in change[side]]  # fmt: skip
        for key in ("event", "mode", "status"):
            if key in change:
                out[key] = change[key]
        if "date" in change:
            out["date"] = change["date"]
            out["date_precision"] = {10: "day", 7: "month", 4: "year"}[len(change["date"])]
        if "event" in change or "mode" in change:
            ontology = self.ontology or load_ontology()
            kind = EventType(out["event"])
            mode = out.get("mode") if out.get("mode") in ontology.spec(kind).modes else None
            out["mode"] = mode
            out["quad_code"] = ontology.spec(kind).quad
            out["intensity"] = ontology.intensity(kind, mode)
            out["cameo"] = ontology.cameo(kind, mode)
        out["reviews"] = list(self.touched[str(ident)])
        return out

    def records(self, found: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The records as reviewed, those marked wrong left out."""
        for record in found:
            reviewed = self.apply(record)
            if reviewed is not None:
                yield reviewed


def _review(row: Any) -> Review:
    return Review(
        int(row.id),
        row.action,
        row.target,
        tuple((str(p), str(a)) for p, a in json.loads(row.anchors)),
        json.loads(row.before),
        json.loads(row.after),
        row.comment,
        row.reviewer,
        row.created_at,
    )


def list_reviews(store: Store, *, target: str | None = None) -> list[Review]:
    """Every review (of ``target`` only, if given), oldest first."""
    query = select(reviews).order_by(reviews.c.id).limit(MAX_REVIEWS)
    if target is not None:
        query = query.where(reviews.c.target == target)
    with store.engine.connect() as conn:
        return [_review(r) for r in conn.execute(query)]


def _current(conn: Connection, pages: Iterable[str]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Anchor → the current events of ``pages`` with it (id, record)."""
    query = (
        select(events.c.id, events.c.payload, events.c.incident_id, documents.c.doc_key)
        .join(documents, documents.c.content_hash == events.c.content_hash)
        .where(and_(documents.c.doc_key.in_(sorted(set(pages))), events.c.superseded.is_(False)))
    )
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for row in conn.execute(query):
        record = {**json.loads(row.payload), "incident_id": row.incident_id}
        found.setdefault(anchor(row.doc_key, record), []).append((row.id, record))
    return found


def resolve(store: Store) -> Resolved:
    """The reviews as they bear on the store's current events."""
    every = list_reviews(store)
    if not every:
        return Resolved()
    with store.engine.connect() as conn:
        current = _current(conn, (p for r in every for p, _ in r.anchors))
    out = Resolved(ontology=load_ontology())
    for review in every:
        ids = [i for _, a in review.anchors for i, _ in current.get(a, [])]
        for ident in ids:
            out.touched.setdefault(ident, []).append(review.id)
            if review.action == "wrong":
                out.changes.setdefault(ident, {})["wrong"] = True
            elif review.action == "change":
                out.changes.setdefault(ident, {}).update(review.after)
            else:  # merge, split: these events form one incident of the review's own
                out.groups[ident] = f"r{review.id}"
    return out


# -- writing reviews ---------------------------------------------------------------------------


def _event_rows(conn: Connection, where: Any) -> list[tuple[str, str, dict[str, Any]]]:
    query = (
        select(events.c.id, events.c.payload, events.c.incident_id, documents.c.doc_key)
        .join(documents, documents.c.content_hash == events.c.content_hash)
        .where(and_(where, events.c.superseded.is_(False)))
        .order_by(events.c.id)
    )
    return [
        (r.id, r.doc_key, {**json.loads(r.payload), "incident_id": r.incident_id})
        for r in conn.execute(query)
    ]


def check_changes(changes: dict[str, Any], ontology: Ontology) -> dict[str, Any]:
    """The changes of an event review, checked: known fields with values of their vocabulary."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise RequestError(422, f"cannot review {', '.join(sorted(unknown))}: one of {FIELDS}")
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "event":
            if value not in EventType.__members__:
                raise RequestError(422, f"{value!r} is not a PLOVER event type")
            out[key] = value
        elif key == "status":
            if value not in {s.value for s in Status}:
                raise RequestError(422, f"{value!r} is not a status")
            out[key] = value
        elif key == "mode":
            out[key] = None if value in (None, "") else str(value)
        elif key == "date":
            if not isinstance(value, str) or not _DATE.match(value) or not _valid_date(value):
                raise RequestError(422, f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
            out[key] = value
        else:
            codes = [str(c).upper() for c in (value or [])]
            if not 1 <= len(codes) <= 5 or not all(_CODE.match(c) for c in codes):
                raise RequestError(422, f"{key} must be 1 to 5 codes such as BLR or IGO")
            out[key] = sorted(set(codes))
    return out


def _valid_date(value: str) -> bool:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _write(
    store: Store,
    action: str,
    target: str,
    anchors: list[tuple[str, str]],
    before: dict[str, Any],
    after: dict[str, Any],
    comment: str,
    reviewer: str,
) -> Review:
    if not comment.strip():
        raise RequestError(422, "a review needs a comment saying why")
    row = {
        "action": action, "target": target, "anchors": json.dumps(anchors),
        "before": json.dumps(before, ensure_ascii=False),
        "after": json.dumps(after, ensure_ascii=False),
        "comment": comment.strip(), "reviewer": reviewer,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }  # fmt: skip
    with store.engine.begin() as conn:
        ident = conn.execute(reviews.insert().values(**row)).inserted_primary_key
    return Review(int(ident[0]) if ident else 0, action, target, tuple(anchors), before, after,
                  row["comment"], reviewer, row["created_at"])  # fmt: skip


def review_event(
    store: Store,
    event_id: str,
    *,
    wrong: bool = False,
    changes: dict[str, Any] | None = None,
    comment: str,
    reviewer: str,
) -> Review:
    """Mark the event wrong, or change some of its fields."""
    with store.engine.connect() as conn:
        found = _event_rows(conn, events.c.id == event_id)
    if not found:
        raise RequestError(404, f"no current event {event_id!r}")
    _, page, record = found[0]
    seen = resolve(store).apply(record) or record  # what the reviewer saw
    after: dict[str, Any]
    if wrong:
        action, after = "wrong", {"wrong": True}
        before = {k: seen.get(k) for k in FIELDS}
    else:
        ontology = load_ontology()
        after = check_changes(changes or {}, ontology)
        if not after:
            raise RequestError(422, "nothing to change: give wrong, or fields to change")
        if after.get("mode") is not None:
            try:
                ontology.check_mode(EventType(after.get("event") or seen["event"]), after["mode"])
            except ValueError as exc:
                raise RequestError(422, str(exc)) from None
        action = "change"
        before = {k: _plain(seen.get(k)) for k in after}
    return _write(store, action, event_id, [(page, anchor(page, record))], before, after,
                  comment, reviewer)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, list):  # actor, recipient: their codes
        return sorted({m["code"] for m in value if isinstance(m, dict)})
    return value


def _members(conn: Connection, incident: str) -> list[tuple[str, str, dict[str, Any]]]:
    found = _event_rows(conn, events.c.incident_id == incident)
    if not found:
        raise RequestError(404, f"no incident {incident!r}")
    return found


def merge_incidents(
    store: Store, first: str, second: str, *, comment: str, reviewer: str
) -> Review:
    """Make the two incidents one."""
    if first == second:
        raise RequestError(422, "an incident cannot be merged with itself")
    with store.engine.connect() as conn:
        members = _members(conn, first) + _members(conn, second)
    anchors = [(page, anchor(page, record)) for _, page, record in members]
    before = {"incidents": [first, second]}
    after = {"events": [i for i, _, _ in members]}
    return _write(store, "merge", first, anchors, before, after, comment, reviewer)


def split_incident(
    store: Store, incident: str, event_ids: list[str], *, comment: str, reviewer: str
) -> Review:
    """Take ``event_ids`` out of the incident: they become an incident of their own."""
    with store.engine.connect() as conn:
        members = _members(conn, incident)
    chosen = [(i, p, r) for i, p, r in members if i in set(event_ids)]
    missing = sorted(set(event_ids) - {i for i, _, _ in chosen})
    if missing or not chosen:
        raise RequestError(422, f"not events of incident {incident}: {', '.join(missing) or '-'}")
    if len(chosen) == len(members):
        raise RequestError(422, "a split must leave at least one event in the incident")
    anchors = [(page, anchor(page, record)) for _, page, record in chosen]
    before = {"incident": incident, "events": [i for i, _, _ in members]}
    after = {"events": [i for i, _, _ in chosen]}
    return _write(store, "split", incident, anchors, before, after, comment, reviewer)
