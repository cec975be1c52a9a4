"""A dyad's incidents as analysts reviewed them (``store.reviews``), for the analytics.

Without reviews the analytics read the stored incidents (``data.dyad_points``). With them, the
pair's events are read instead, reviewed (an event marked wrong leaves; a changed one takes its
new type, mode, parties, status or date), and grouped again: an event stays in the coder's
incident unless a reviewer changed its kind (type or parties: it becomes an incident of its own)
or merged or split it (it joins the review's incident). Each incident's figures are computed as
the store computes them (``store.incidents``): the most precise date, the lead report, the
independent sources.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import and_, or_, select

from detente.analysis.data import Point
from detente.exports.fields import bounds
from detente.store import Store
from detente.store.incidents import LINKABLE, _figures, dyads, incident_id
from detente.store.repository import _filters
from detente.store.reviews import Resolved
from detente.store.schema import documents, events


def _rows(store: Store, dyad: tuple[str, str], extra: set[str]) -> list[dict[str, Any]]:
    """The pair's current events (by the coder's parties) and the reviewed events ``extra``."""
    query = (
        select(
            events.c.id, events.c.incident_id, events.c.payload, events.c.confidence,
            events.c.content_hash, documents.c.published, documents.c.source, documents.c.url,
            documents.c.doc_id,
        )
        .join(documents, documents.c.content_hash == events.c.content_hash)
        .where(
            and_(
                events.c.superseded.is_(False),
                or_(and_(*_filters(dyad, None, None, None, None)), events.c.id.in_(sorted(extra))),
            )
        )
    )  # fmt: skip
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _codes(mentions: list[dict[str, Any]]) -> str:
    return ";".join(sorted({m["code"] for m in mentions}))


def touched_pairs(store: Store, reviewed: Resolved) -> set[tuple[str, str]]:
    """The pairs (each as a sorted tuple) whose incidents the reviews may change: those of every
    reviewed event, with the parties the coder gave it and those a reviewer gave it."""
    ids = sorted(reviewed.touched)
    out: set[tuple[str, str]] = set()
    with store.engine.connect() as conn:
        for chunk in range(0, len(ids), 500):
            query = select(events.c.payload).where(events.c.id.in_(ids[chunk : chunk + 500]))
            for (payload,) in conn.execute(query):
                coded = json.loads(payload)
                for record in (coded, reviewed.apply(coded)):
                    if record is None:
                        continue
                    for a, b, _ in dyads(_codes(record["actor"]), _codes(record["recipient"])):
                        out.add((min(a, b), max(a, b)))
    return out


def reviewed_points(
    store: Store,
    dyad: tuple[str, str],
    reviewed: Resolved,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    with_text: bool = False,
) -> list[Point]:
    """``data.dyad_points`` over the reviewed events."""
    a, b = dyad
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(store, dyad, set(reviewed.touched)):
        coded = json.loads(row["payload"])
        record = reviewed.apply(coded)
        if record is None or record["status"] not in LINKABLE:
            continue
        kind = (record["event"], _codes(record["actor"]), _codes(record["recipient"]))
        same_kind = kind == (coded["event"], _codes(coded["actor"]), _codes(coded["recipient"]))
        # an event whose type or parties a review changed leaves its incident for one of its
        # own, named apart from the coder's (whose name may come from this very event)
        key = reviewed.groups.get(row["id"]) or (
            row["incident_id"]
            if same_kind and row["incident_id"]
            else incident_id(f"reviewed:{row['id']}")
        )
        start, _ = bounds(record["date"])
        member = {**row, **record}  # the record's (reviewed) values over the row's
        member.update(published=row["published"], date_start=start, kind=kind, payload=record)
        groups.setdefault(key, []).append(member)
    points: list[Point] = []
    for key, members in groups.items():
        figures = _figures(key, members)
        lead = next(m for m in members if m["id"] == figures["v_lead_event_id"])
        day = figures["v_date_start"]
        if day is None or (until is not None and day > until):
            continue
        if since is not None and day < since - dt.timedelta(days=31):
            continue
        pairs = [(s, t, j) for s, t, j in dyads(lead["kind"][1], lead["kind"][2])
                 if {s, t} == {a, b} and (not j or s == a)]  # fmt: skip
        if not pairs:
            continue
        source, target, joint = min(pairs, key=lambda p: (p[2], p))  # a directed move first
        points.append(
            Point(
                key, day, figures["v_date_precision"], source, target, joint, lead["event"],
                figures["v_mode"], int(lead["quad_code"]), float(lead["intensity"]),
                lead["status"], len(members), int(figures["v_n_sources"]),
                str(lead["payload"].get("text", "")) if with_text else "",
            )
        )  # fmt: skip
    return sorted(points, key=lambda p: (p.date, p.incident_id))
