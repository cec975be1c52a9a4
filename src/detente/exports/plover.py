"""Event records with PLOVER 2.0's own JSON field names, for interchange (``export --plover``)."""

from __future__ import annotations

from typing import Any

from detente import __version__


def to_plover(record: dict[str, Any]) -> dict[str, Any]:
    """An event record with PLOVER 2.0 field names (actor/recipient entity objects, event_scale,
    event_loc, text_info)."""

    def entity(mention: dict[str, Any]) -> dict[str, Any]:
        return {
            "code": mention["code"],
            "sector": mention.get("sector"),
            "entity_text": mention.get("text"),
            "identifier_id": mention.get("entity_id"),
            "identifier_text": mention.get("name"),
            "office": mention.get("role"),
        }

    location = record.get("location")
    return {
        "id": record["id"],
        "date": record.get("date"),
        "actor": [entity(m) for m in record["actor"]],
        "recipient": [entity(m) for m in record["recipient"]],
        "event": record["event"],
        "mode": [record["mode"]] if record.get("mode") else [],
        "context": record.get("context", []),
        "quad_code": record["quad_code"],
        "event_scale": record["intensity"],
        "event_text": [record["event_text"]] if record.get("event_text") else [],
        "event_loc": location,
        "text": record.get("text"),
        "text_info": {"start": record.get("start"), "end": record.get("end")},
        "cite_info": {
            "doc_id": record.get("doc_id"),
            "path": record.get("doc_path"),
            "published": record.get("published"),
        },
        "link": record.get("incident_id"),
        "coder": f"detente {__version__}",
        "comment": f"status={record['status']}; date_precision={record['date_precision']}",
    }
