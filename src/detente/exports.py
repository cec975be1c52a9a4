"""Exports of stored events: JSONL, CSV and Parquet, streamed in constant memory, optionally with
PLOVER's own JSON field names for interchange."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from detente import __version__
from detente.output import write_records, written

FLAT_COLUMNS = (
    "id",
    "incident_id",
    "doc_id",
    "doc_path",
    "published",
    "date",
    "date_precision",
    "event",
    "mode",
    "quad_code",
    "intensity",
    "status",
    "actor_codes",
    "recipient_codes",
    "claimed_by",
    "context",
    "event_text",
    "text",
    "start",
    "end",
    "location",
    "cameo",
    "confidence",
)


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


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """One row of scalars for CSV and Parquet."""
    claimed = record.get("claimed_by")
    return {
        **{k: record.get(k) for k in FLAT_COLUMNS},
        "actor_codes": ";".join(f"{m['code']}/{m['sector'] or ''}" for m in record["actor"]),
        "recipient_codes": ";".join(
            f"{m['code']}/{m['sector'] or ''}" for m in record["recipient"]
        ),
        "claimed_by": f"{claimed['code']}/{claimed.get('sector') or ''}" if claimed else None,
        "context": ";".join(record.get("context", [])),
        "location": json.dumps(record["location"]) if record.get("location") else None,
    }


def write_text(records: Iterable[dict[str, Any]], fmt: str, out: TextIO, plover: bool) -> int:
    if fmt == "jsonl":
        rows = (to_plover(r) if plover else r for r in records)
        return write_records(rows, "jsonl", out)
    return write_records((flat(r) for r in records), "csv", out, FLAT_COLUMNS)


def write_parquet(records: Iterable[dict[str, Any]], path: Path, batch: int = 5000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            (
                name,
                pa.float64()
                if name in ("intensity", "confidence")
                else pa.int64()
                if name in ("quad_code", "start", "end")
                else pa.string(),
            )
            for name in FLAT_COLUMNS
        ]
    )
    count = 0
    with written(path, binary=True) as handle, pq.ParquetWriter(handle, schema) as writer:
        for chunk in _chunks((flat(r) for r in records), batch):
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
