"""Small helpers for asserting on coded events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from detente.records import Event, event_json


def codes(mentions: Iterable[dict[str, Any]]) -> set[str]:
    return {m["code"] for m in mentions}


def find(
    events: Iterable[Event | dict[str, Any]],
    event: str,
    *,
    actor: set[str] | str | None = None,
    recipient: set[str] | str | None = None,
    date: str | None = None,
    claimed_by: str | None = None,
    status: str | None = None,
    mode: str | None = None,
) -> list[dict[str, Any]]:
    """Events (as JSON) matching every given field; actor/recipient compare country-code sets."""
    want_actor = {actor} if isinstance(actor, str) else actor
    want_recipient = {recipient} if isinstance(recipient, str) else recipient
    out = []
    for item in events:
        record = event_json(item) if isinstance(item, Event) else item
        if record["event"] != event:
            continue
        if want_actor is not None and codes(record["actor"]) != want_actor:
            continue
        if want_recipient is not None and not want_recipient <= codes(record["recipient"]):
            continue
        if date is not None and record["date"] != date:
            continue
        if claimed_by is not None and (record["claimed_by"] or {}).get("code") != claimed_by:
            continue
        if status is not None and record["status"] != status:
            continue
        if mode is not None and record["mode"] != mode:
            continue
        out.append(record)
    return out
