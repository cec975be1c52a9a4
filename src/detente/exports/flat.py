"""Event records as flat rows of scalars: the CSV export's columns and ``frames.events``.

Every field of the JSONL record has a column. A list (the actors, the recipients, the contexts,
an incident's sources) becomes one column per field of its items, each the items' values joined
by ``;`` in the same order, so ``actor_codes`` and ``actor_sectors`` line up position by position;
an empty item is a value the record does not have, and a ``;`` inside a value is written as
``,`` so that the positions hold. Objects (the claimant, the location) become a column per field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from detente.exports.fields import bounds, day

SEPARATOR = ";"
MENTION_FIELDS = ("code", "sector", "name", "text", "entity_id", "role")
# The plural column names of a mention's fields: actor_codes, actor_entity_ids, ...
_PLURAL = {"code": "codes", "sector": "sectors", "name": "names", "text": "texts",
           "entity_id": "entity_ids", "role": "roles"}  # fmt: skip
SOURCE_FIELDS = {"doc_id": "source_doc_ids", "source": "source_outlets",
                 "title": "source_titles", "url": "source_urls", "path": "source_paths",
                 "published": "source_published"}  # fmt: skip


def _mention_columns(side: str) -> tuple[str, ...]:
    return tuple(f"{side}_{_PLURAL[f]}" for f in MENTION_FIELDS)


EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "incident_id",
    "doc_id",
    "doc_path",
    "published",
    "date",
    "date_start",
    "date_end",
    "date_precision",
    "date_basis",
    "event",
    "mode",
    "context",
    "quad_code",
    "intensity",
    "status",
    *_mention_columns("actor"),
    *_mention_columns("recipient"),
    "claimed_by_code",
    "claimed_by_sector",
    "claimed_by_text",
    "event_text",
    "text",
    "start",
    "end",
    "place",
    "place_country",
    "lat",
    "lon",
    "cameo",
    "confidence",
    "coder",
)
INCIDENT_COLUMNS: tuple[str, ...] = (
    *EVENT_COLUMNS,
    "n_events",
    "n_documents",
    "n_sources",
    "first_reported",
    "last_reported",
    *SOURCE_FIELDS.values(),
)

# The columns' kinds, for typed readers (``frames.events``); every other column is text.
DATE_COLUMNS = ("published", "date_start", "date_end", "first_reported", "last_reported")
INT_COLUMNS = ("quad_code", "start", "end", "n_events", "n_documents", "n_sources")
FLOAT_COLUMNS = ("intensity", "confidence", "lat", "lon")
CATEGORY_COLUMNS = ("date_precision", "date_basis", "event", "mode", "status", "coder")


def joined(values: Iterable[Any]) -> str:
    """List items as one cell: ``;``-joined, an absent value left empty."""
    return SEPARATOR.join("" if v is None else str(v).replace(SEPARATOR, ",") for v in values)


def _mentions(side: str, mentions: list[dict[str, Any]]) -> dict[str, str]:
    return {f"{side}_{_PLURAL[f]}": joined(m.get(f) for m in mentions) for f in MENTION_FIELDS}


def flat(record: Mapping[str, Any]) -> dict[str, Any]:
    """One row of scalars (text, numbers, dates or None) for an event or incident record."""
    start, end = bounds(record.get("date"))
    claimed = record.get("claimed_by") or {}
    location = record.get("location") or {}
    row: dict[str, Any] = {
        "id": record["id"],
        "incident_id": record.get("incident_id"),
        "doc_id": record.get("doc_id"),
        "doc_path": record.get("doc_path"),
        "published": day(record.get("published")),
        "date": record.get("date"),
        "date_start": start,
        "date_end": end,
        "date_precision": record.get("date_precision"),
        "date_basis": record.get("date_basis"),
        "event": record["event"],
        "mode": record.get("mode"),
        "context": joined(record.get("context") or []),
        "quad_code": record.get("quad_code"),
        "intensity": record.get("intensity"),
        "status": record.get("status"),
        **_mentions("actor", record.get("actor") or []),
        **_mentions("recipient", record.get("recipient") or []),
        "claimed_by_code": claimed.get("code"),
        "claimed_by_sector": claimed.get("sector"),
        "claimed_by_text": claimed.get("text"),
        "event_text": record.get("event_text"),
        "text": record.get("text"),
        "start": record.get("start"),
        "end": record.get("end"),
        "place": location.get("name"),
        "place_country": location.get("country"),
        "lat": location.get("lat"),
        "lon": location.get("lon"),
        "cameo": record.get("cameo"),
        "confidence": record.get("confidence"),
        "coder": record.get("coder"),
    }
    if "n_sources" in record:  # an incident: its figures and its sources
        sources = record.get("sources") or []
        row.update(
            n_events=record.get("n_events"),
            n_documents=record.get("n_documents"),
            n_sources=record.get("n_sources"),
            first_reported=day(record.get("first_reported")),
            last_reported=day(record.get("last_reported")),
            **{column: joined(s.get(f) for s in sources) for f, column in SOURCE_FIELDS.items()},
        )
    return row
