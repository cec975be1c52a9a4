"""The watcher's state in the store, so a restart resumes where the last run stopped.

- ``source_state``: per source, its last fetch and success, validators (ETag, Last-Modified),
  consecutive failures, when it is next due, and a lease: a watcher claims a due source with one
  conditional UPDATE, so several watchers on one store never poll the same source at once.
- ``source_items``: every item a source published, keyed by a hash of its id and content, with
  the document it gave: an item seen before is not fetched or coded again.
- ``alert_outbox`` and ``alert_deliveries``: an alert is written to the outbox in the same
  transaction that marks it fired. Each channel's delivery of it is claimed ``sending`` in its
  own transaction before the send, and marked ``delivered`` or ``failed`` in another after it:
  a delivery still ``sending`` when no watcher is at it was cut short, its outcome unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from detente.store import Store
from detente.store.repository import write_lock
from detente.store.schema import (
    alert_deliveries,
    alert_outbox,
    alerts_fired,
    events,
    source_items,
    source_state,
)
from detente.watch.sources import Source


def stamp(moment: dt.datetime) -> str:
    """A UTC timestamp that sorts as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    url: str
    kind: str
    last_fetch: str | None
    last_success: str | None
    last_error: str | None
    failures: int
    next_due: str | None
    etag: str | None
    last_modified: str | None
    items_seen: int

    @staticmethod
    def from_row(row: Any) -> SourceState:
        return SourceState(
            row.name,
            row.url,
            row.kind,
            row.last_fetch,
            row.last_success,
            row.last_error,
            int(row.failures),
            row.next_due,
            row.etag,
            row.last_modified,
            int(row.items_seen),
        )


def register(store: Store, sources: Iterable[Source]) -> None:
    """A state row for every source not yet known; a source whose URL changed starts afresh."""
    with store.engine.begin() as conn:
        write_lock(conn)
        known = {r.name: r for r in conn.execute(select(source_state))}
        for source in sources:
            row = known.get(source.name)
            if row is None:
                conn.execute(
                    source_state.insert().values(
                        name=source.name,
                        url=source.url,
                        kind=source.kind,
                        failures=0,
                        items_seen=0,
                    )
                )
            elif row.url != source.url or row.kind != source.kind:
                conn.execute(
                    update(source_state)
                    .where(source_state.c.name == source.name)
                    .values(
                        url=source.url,
                        kind=source.kind,
                        etag=None,
                        last_modified=None,
                        failures=0,
                        next_due=None,
                    )
                )


def claim(
    store: Store, name: str, owner: str, now: dt.datetime, lease: float, *, force: bool = False
) -> SourceState | None:
    """Take the source for ``lease`` seconds if it is due (or ``force``) and nobody else holds
    it; None otherwise. A lease of our own ``owner`` (a restarted watcher) is taken back."""
    moment = stamp(now)
    conditions = [
        source_state.c.name == name,
        or_(
            source_state.c.lease_until.is_(None),
            source_state.c.lease_until < moment,
            source_state.c.lease_owner == owner,
        ),
    ]
    if not force:
        conditions.append(or_(source_state.c.next_due.is_(None), source_state.c.next_due <= moment))
    until = stamp(now + dt.timedelta(seconds=lease))
    with store.engine.begin() as conn:
        done = conn.execute(
            update(source_state)
            .where(and_(*conditions))
            .values(lease_owner=owner, lease_until=until)
        )
        if done.rowcount != 1:
            return None
        row = conn.execute(select(source_state).where(source_state.c.name == name)).one()
    return SourceState.from_row(row)


def finish(
    store: Store,
    name: str,
    now: dt.datetime,
    next_due: dt.datetime,
    *,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    keep_validators: bool = False,
) -> None:
    """Record the end of a poll (a success unless ``error``) and give the lease back."""
    values: dict[str, Any] = {
        "last_fetch": stamp(now),
        "next_due": stamp(next_due),
        "lease_owner": None,
        "lease_until": None,
    }
    if error is None:
        values.update(last_success=stamp(now), last_error=None, failures=0)
        if not keep_validators:
            values.update(etag=etag, last_modified=last_modified)
    else:
        values.update(last_error=error, failures=source_state.c.failures + 1)
    with store.engine.begin() as conn:
        conn.execute(update(source_state).where(source_state.c.name == name).values(**values))


def release(store: Store, name: str, owner: str) -> None:
    """Give a lease back without recording a poll (the watcher was stopped)."""
    with store.engine.begin() as conn:
        conn.execute(
            update(source_state)
            .where(and_(source_state.c.name == name, source_state.c.lease_owner == owner))
            .values(lease_owner=None, lease_until=None)
        )


def states(store: Store) -> dict[str, SourceState]:
    with store.engine.connect() as conn:
        return {r.name: SourceState.from_row(r) for r in conn.execute(select(source_state))}


def seen(store: Store, source: str, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    with store.engine.connect() as conn:
        query = select(source_items.c.item_key).where(
            and_(source_items.c.source == source, source_items.c.item_key.in_(list(keys)))
        )
        return {r.item_key for r in conn.execute(query)}


def remember_item(
    store: Store,
    source: str,
    key: str,
    now: dt.datetime,
    *,
    url: str | None,
    content_hash: str | None,
    note: str | None = None,
) -> None:
    """Mark an item seen (once; a second call for the same item changes nothing)."""
    with store.engine.begin() as conn:
        write_lock(conn)
        exists = conn.execute(
            select(source_items.c.item_key).where(
                and_(source_items.c.source == source, source_items.c.item_key == key)
            )
        ).first()
        if exists is not None:
            return
        conn.execute(
            source_items.insert().values(
                source=source,
                item_key=key,
                url=url,
                content_hash=content_hash,
                note=note,
                seen_at=stamp(now),
            )
        )
        conn.execute(
            update(source_state)
            .where(source_state.c.name == source)
            .values(items_seen=source_state.c.items_seen + 1)
        )


@dataclass(frozen=True, slots=True)
class Activity:
    items_day: int
    items_week: int
    events_day: int
    events_week: int
    last_item: str | None


def activity(store: Store, source: str, now: dt.datetime) -> Activity:
    """Items a source published, and events coded from them, in the last day and week."""
    day, week = stamp(now - dt.timedelta(days=1)), stamp(now - dt.timedelta(days=7))
    with store.engine.connect() as conn:
        rows = list(
            conn.execute(
                select(source_items.c.seen_at, func.count(events.c.id))
                .select_from(source_items)
                .outerjoin(
                    events,
                    and_(
                        events.c.content_hash == source_items.c.content_hash,
                        events.c.superseded.is_(False),
                    ),
                )
                .where(source_items.c.source == source)
                .group_by(source_items.c.item_key, source_items.c.seen_at)
            )
        )
    return Activity(
        sum(1 for r in rows if r[0] >= day),
        sum(1 for r in rows if r[0] >= week),
        sum(int(r[1]) for r in rows if r[0] >= day),
        sum(int(r[1]) for r in rows if r[0] >= week),
        max((r[0] for r in rows), default=None),
    )


# -- alerts ----------------------------------------------------------------------------------
def record_alerts(store: Store, alerts: Sequence[tuple[str, str, dict[str, Any]]]) -> int:
    """Mark alerts (rule, key, payload) fired and put them in the outbox, in one transaction;
    an alert fired before (by this or another watcher) is left alone. Returns how many were new."""
    if not alerts:
        return 0
    now = stamp(dt.datetime.now(dt.UTC))
    with store.engine.begin() as conn:
        write_lock(conn)
        fired = {(r.rule, r.key) for r in conn.execute(select(alerts_fired))}
        fresh = [(rule, key, p) for rule, key, p in alerts if (rule, key) not in fired]
        if fresh:
            conn.execute(
                alerts_fired.insert(),
                [{"rule": r, "key": k, "fired_at": now} for r, k, _ in fresh],
            )
            conn.execute(
                alert_outbox.insert(),
                [
                    {
                        "rule": r,
                        "key": k,
                        "payload": json.dumps(p, sort_keys=True),
                        "created_at": now,
                    }
                    for r, k, p in fresh
                ],
            )
    return len(fresh)


def pending(store: Store, channels: Sequence[str]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(channel, rule, key, payload) of every alert a channel has not delivered yet, oldest
    first."""
    with store.engine.connect() as conn:
        outbox = list(
            conn.execute(
                select(alert_outbox).order_by(
                    alert_outbox.c.created_at, alert_outbox.c.rule, alert_outbox.c.key
                )
            )
        )
        done = {
            (r.rule, r.key, r.channel)
            for r in conn.execute(
                select(alert_deliveries).where(alert_deliveries.c.delivered_at.is_not(None))
            )
        }
    return [
        (channel, row.rule, row.key, json.loads(row.payload))
        for row in outbox
        for channel in channels
        if (row.rule, row.key, channel) not in done
    ]


SENDING, DELIVERED, FAILED = "sending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery taken for one attempt."""

    attempt: int  # this attempt's number, from 1
    in_doubt: bool  # an earlier attempt was cut short mid-send: the receiver may have it


def _delivery(channel: str, rule: str, key: str) -> Any:
    return and_(
        alert_deliveries.c.rule == rule,
        alert_deliveries.c.key == key,
        alert_deliveries.c.channel == channel,
    )


def claim_delivery(
    store: Store, channel: str, rule: str, key: str, owner: str, now: dt.datetime, lease: float
) -> Claim | None:
    """Mark one delivery ``sending`` (by ``owner``, for ``lease`` seconds) in its own
    transaction, before the send; None if it is delivered or another watcher is sending it.

    A delivery found ``sending`` was cut short (a kill, or a stop that could not wait for the
    receiver): its outcome is unknown, so it is claimed again ``in_doubt``, by its own watcher
    at once (a restart) or by any other once the lease has run out."""
    where = _delivery(channel, rule, key)
    moment = stamp(now)
    with store.engine.begin() as conn:
        write_lock(conn)
        row = conn.execute(select(alert_deliveries).where(where)).first()
        if row is not None and row.status == DELIVERED:
            return None
        in_doubt = row is not None and row.status == SENDING
        held = row is not None and row.lease_owner != owner and (row.lease_until or "") > moment
        if in_doubt and held:
            return None  # another watcher is sending it now
        attempt = (int(row.attempts) if row is not None else 0) + 1
        values = {
            "status": SENDING,
            "attempts": attempt,
            "lease_owner": owner,
            "lease_until": stamp(now + dt.timedelta(seconds=lease)),
        }
        if row is None:
            conn.execute(
                alert_deliveries.insert().values(rule=rule, key=key, channel=channel, **values)
            )
        else:
            conn.execute(update(alert_deliveries).where(where).values(**values))
    return Claim(attempt, in_doubt)


def mark_delivery(
    store: Store, channel: str, rule: str, key: str, *, error: str | None = None
) -> int:
    """Record how a delivery attempt ended (``delivered``, or ``failed`` with ``error``) in its
    own transaction; an attempt not claimed first counts itself. Returns the attempts so far."""
    now = stamp(dt.datetime.now(dt.UTC))
    where = _delivery(channel, rule, key)
    with store.engine.begin() as conn:
        write_lock(conn)
        row = conn.execute(select(alert_deliveries).where(where)).first()
        attempts = int(row.attempts) if row is not None else 0
        if row is None or row.status != SENDING:
            attempts += 1
        values = {
            "status": FAILED if error else DELIVERED,
            "delivered_at": None if error else now,
            "attempts": attempts,
            "last_error": error,
            "lease_owner": None,
            "lease_until": None,
        }
        if row is None:
            conn.execute(
                alert_deliveries.insert().values(rule=rule, key=key, channel=channel, **values)
            )
        else:
            conn.execute(update(alert_deliveries).where(where).values(**values))
    return attempts


def deliveries(store: Store) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(rule, key, channel): (status, attempts) of every delivery attempted."""
    with store.engine.connect() as conn:
        return {
            (r.rule, r.key, r.channel): (r.status, int(r.attempts))
            for r in conn.execute(select(alert_deliveries))
        }


def undelivered(store: Store) -> int:
    """Deliveries attempted and failed so far (still pending)."""
    with store.engine.connect() as conn:
        count = conn.execute(
            select(func.count())
            .select_from(alert_deliveries)
            .where(alert_deliveries.c.delivered_at.is_(None))
        ).scalar_one()
    return int(count)
