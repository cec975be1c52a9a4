"""Incidents: reports of one happening, across sentences, documents and sources, merged.

Which events report one happening is decided in ``clusters`` from the stored events of one kind
(type, actor codes, recipient codes; for mutual acts, type and parties: see ``kind``) alone, so
it never depends on the order reports arrive in or on how many writers store them. Each write
regroups the kinds it touched (``relink``) and recomputes the incidents that changed: the most
precise date (a later report giving the day refines a month), the lead event, its documents, its
independent sources (outlets), and its first and last report. Negated and hypothetical events
happen nowhere and join none.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from detente.store import clusters, moves, summary
from detente.store.clusters import Member
from detente.store.schema import (
    documents,
    events,
    incident_dyads,
    incident_sources,
    incidents,
)

LINKABLE = frozenset({"asserted", "alleged", "denied", "planned"})
_STATUS_RANK = {"asserted": 0, "alleged": 1, "denied": 2, "planned": 3}
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}


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


# Acts two sides do together: "Minsk and Kyiv agreed", "Minsk agreed with Kyiv" and "Kyiv agreed
# with Minsk" report one happening, so their incidents group by the parties, not by who is named
# as actor.
MUTUAL = frozenset({"AGREE", "CONSULT", "COOPERATE"})
EITHER_SIDE = "*"  # the actor codes of a mutual kind: the parties are in the recipient place
_MAX_PARTIES = 6  # beyond this many parties a mutual act is grouped by its own sides


def kind(row: Any) -> tuple[str, str, str]:
    """The kind of an event row that incidents group by: type, actor codes, recipient codes;
    for a mutual act between distinct sides, type and the parties (``EITHER_SIDE`` first)."""
    event, actor_codes, recipient_codes = row["event"], row["actor_codes"], row["recipient_codes"]
    actors = {c for c in actor_codes.split(";") if c}
    recipients = {c for c in recipient_codes.split(";") if c}
    parties = actors | recipients
    if event in MUTUAL and actors and not actors & recipients and len(parties) <= _MAX_PARTIES:
        return event, EITHER_SIDE, ";".join(sorted(parties))
    return event, actor_codes, recipient_codes


def _sides(key: tuple[str, str, str]) -> list[tuple[str, str]]:
    """The (actor codes, recipient codes) of the events a kind holds: its own, or for a mutual
    kind every way of splitting its parties into named actors and the rest."""
    if key[1] != EITHER_SIDE:
        return [(key[1], key[2])]
    parties = key[2].split(";")
    out = []
    for mask in range(1, 2 ** len(parties)):
        actors = [c for i, c in enumerate(parties) if mask >> i & 1]
        rest = [c for i, c in enumerate(parties) if not mask >> i & 1]
        out.append((";".join(actors), ";".join(rest)))
    return out


def relink(conn: Connection, keys: Iterable[tuple[str, str, str]]) -> None:
    """Group again every linkable event of each kind (type, actor codes, recipient codes) in
    ``keys`` (see ``clusters``) and write what changed: the events that move, the incidents
    they leave or join (new ones made, empty ones dropped), and those incidents' figures.
    The grouping depends only on the stored events, so writers in any order agree."""
    affected: set[str] = set()
    for key in sorted(set(keys)):
        affected |= _regroup(conn, key)
    refresh_many(conn, affected)


def _regroup(conn: Connection, key: tuple[str, str, str]) -> set[str]:
    sides = or_(*(and_(events.c.actor_codes == a, events.c.recipient_codes == r)
                  for a, r in _sides(key)))  # fmt: skip
    rows = conn.execute(
        select(
            events.c.id, events.c.content_hash, events.c.sentence_idx, events.c.mode,
            events.c.date_start, events.c.date_precision, events.c.incident_id,
            events.c.actor_codes, events.c.recipient_codes,
        ).where(
            events.c.event == key[0],
            sides,
            events.c.superseded.is_(False),
            events.c.status.in_(sorted(LINKABLE)),
        )
    ).all()  # fmt: skip
    current = {r.id: r.incident_id for r in rows}
    members = [
        Member(r.id, r.content_hash, int(r.sentence_idx), r.mode, r.date_start, r.date_precision)
        for r in rows
    ]  # fmt: skip
    codes = {r.id: (r.actor_codes, r.recipient_codes) for r in rows}
    moves: dict[str, str] = {}
    first: dict[str, str] = {}
    for found in clusters.group(members):
        incident = incident_id(found.id)
        first[incident] = found.id
        for m in found.members:
            if current[m.id] != incident:
                moves[m.id] = incident
    if not moves:
        return set()
    wanted = set(moves.values())
    left = {current[e] for e in moves if current[e] is not None}
    known = set(conn.execute(select(incidents.c.id).where(incidents.c.id.in_(wanted))).scalars())
    # a new incident is named by its first event, and takes that event's sides
    fresh = [_placeholder(i, key[0], codes[first[i]], next(e for e, j in moves.items() if j == i))
             for i in sorted(wanted - known)]  # fmt: skip
    if fresh:
        conn.execute(insert(incidents), fresh)
        pairs = [p for row in fresh for p in _dyad_rows(row)]
        if pairs:
            conn.execute(insert(incident_dyads), pairs)
    statement = update(events).where(events.c.id == bindparam("v_id"))
    conn.execute(
        statement.values(incident_id=bindparam("v_incident")),
        [{"v_id": e, "v_incident": i} for e, i in sorted(moves.items())],
    )
    return wanted | {i for i in left if i}


def incident_id(first_event: str) -> str:
    """An incident's id, from its first event in the canonical order."""
    return "inc-" + hashlib.sha256(first_event.encode()).hexdigest()[:16]


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


def _placeholder(incident: str, event: str, sides: tuple[str, str], lead: str) -> dict[str, Any]:
    """A new incident's row; ``refresh_many`` fills in its figures from its events."""
    return {
        "id": incident, "event": event, "mode": None, "actor_codes": sides[0],
        "recipient_codes": sides[1], "date": None, "date_start": None, "date_precision": "unknown",
        "status": "asserted", "intensity": 0.0, "quad_code": 0, "n_events": 0, "n_documents": 0,
        "n_sources": 0, "first_reported": None, "last_reported": None, "lead_event_id": lead,
    }  # fmt: skip


def refresh_many(conn: Connection, ids: Iterable[str]) -> None:
    """Recompute incidents from their current events, in bulk; drop those with none left; and
    the per-day pair summary rows (``summary``) they counted in before and count in now, and
    their rows of ``dyad_moves`` and ``dyad_move_days`` (``moves``)."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    before = summary.keys_of(conn, wanted)
    _refresh_incidents(conn, wanted)
    keys = before | summary.keys_of(conn, wanted)
    summary.refresh(conn, keys)
    moves.refresh(conn, wanted, keys)


def _refresh_incidents(conn: Connection, wanted: list[str]) -> None:
    query = (
        select(
            events.c.id, events.c.incident_id, events.c.date, events.c.date_start,
            events.c.date_precision, events.c.status, events.c.intensity, events.c.quad_code,
            events.c.confidence, events.c.mode, events.c.content_hash, documents.c.published,
            documents.c.source, documents.c.url, documents.c.doc_id,
        )
        .join(documents, documents.c.content_hash == events.c.content_hash)
        .where(and_(events.c.incident_id.in_(wanted), events.c.superseded.is_(False)))
    )  # fmt: skip
    members: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(query).mappings():
        members.setdefault(row["incident_id"], []).append(dict(row))
    conn.execute(delete(incident_sources).where(incident_sources.c.incident_id.in_(wanted)))
    empty = [i for i in wanted if i not in members]
    if empty:
        conn.execute(update(events).where(events.c.incident_id.in_(empty)).values(incident_id=None))
        conn.execute(delete(incident_dyads).where(incident_dyads.c.incident_id.in_(empty)))
        conn.execute(delete(incidents).where(incidents.c.id.in_(empty)))
    figures = [_figures(i, rows) for i, rows in sorted(members.items())]
    if not figures:
        return
    sources = [
        {"incident_id": f["v_id"], "content_hash": h, "source_key": k}
        for f in figures
        for h, k in f.pop("sources").items()
    ]
    conn.execute(insert(incident_sources), sources)
    conn.execute(
        update(incident_dyads)
        .where(incident_dyads.c.incident_id == bindparam("v_id"))
        .values(date_start=bindparam("v_date_start")),
        [{"v_id": f["v_id"], "v_date_start": f["v_date_start"]} for f in figures],
    )
    names = [k[2:] for k in figures[0] if k != "v_id"]
    conn.execute(
        update(incidents)
        .where(incidents.c.id == bindparam("v_id"))
        .values({n: bindparam(f"v_{n}") for n in names}),
        figures,
    )


def refresh(conn: Connection, incident: str) -> None:
    """Recompute one incident from its current events; drop it when none is left."""
    refresh_many(conn, [incident])


def _figures(incident: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    """An incident's figures from its events: the most precise date (the most reported among
    equals, then the earliest), the lead event (most certain status, then most confident),
    its documents and outlets, its first and last report."""
    dated = [m for m in members if m["date_start"] is not None]
    if dated:
        best_rank = min(_PRECISION_RANK[m["date_precision"]] for m in dated)
        precise = [m for m in dated if _PRECISION_RANK[m["date_precision"]] == best_rank]
        votes = Counter(m["date"] for m in precise)
        date = min(votes, key=lambda d: (-votes[d], d))
        chosen = next(m for m in precise if m["date"] == date)
        when = (date, chosen["date_start"], chosen["date_precision"])
    else:
        when = (None, None, "unknown")
    lead = min(members, key=lambda m: (_STATUS_RANK.get(m["status"], 9), -m["confidence"], m["id"]))
    sources: dict[str, str] = {}
    for m in sorted(members, key=lambda m: str(m["id"])):
        sources.setdefault(m["content_hash"], source_key(m))
    published = [m["published"] for m in members if m["published"] is not None]
    modes = [m["mode"] for m in sorted(members, key=lambda m: str(m["id"])) if m["mode"]]
    return {
        "v_id": incident, "v_date": when[0], "v_date_start": when[1], "v_date_precision": when[2],
        "v_mode": Counter(modes).most_common(1)[0][0] if modes else None,
        "v_status": lead["status"], "v_intensity": lead["intensity"],
        "v_quad_code": lead["quad_code"], "v_n_events": len(members),
        "v_n_documents": len(sources), "v_n_sources": len(set(sources.values())),
        "v_first_reported": min(published) if published else None,
        "v_last_reported": max(published) if published else None,
        "v_lead_event_id": lead["id"], "sources": sources,
    }  # fmt: skip
