"""The Parquet export: the JSONL record's fields with Arrow types, written in row groups.

Lists of actors stay lists of structs, the location and the claimant are structs, dates are
``date32`` (the event's ``date`` stays the string at its precision, with ``date_start`` and
``date_end`` the days it spans), closed vocabularies are dictionary columns (pandas reads them as
``category``) and integers are integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from detente.exports.fields import bounds, day
from detente.output import written

TEXT = pa.string()
CATEGORY = pa.dictionary(pa.int32(), pa.string())
MENTION = pa.struct(
    [
        ("code", TEXT),
        ("sector", TEXT),
        ("text", TEXT),
        ("name", TEXT),
        ("entity_id", TEXT),
        ("role", TEXT),
    ]
)
CLAIMANT = pa.struct([("code", TEXT), ("sector", TEXT), ("text", TEXT)])
LOCATION = pa.struct(
    [("name", TEXT), ("country", TEXT), ("lat", pa.float64()), ("lon", pa.float64())]
)
SOURCE = pa.struct(
    [
        ("doc_id", TEXT),
        ("title", TEXT),
        ("url", TEXT),
        ("path", TEXT),
        ("published", pa.date32()),
        ("source", TEXT),
    ]
)

EVENT_FIELDS = [
    pa.field("id", TEXT, nullable=False),
    pa.field("doc_id", TEXT),
    pa.field("doc_path", TEXT),
    pa.field("published", pa.date32()),
    pa.field("date", TEXT),
    pa.field("date_start", pa.date32()),
    pa.field("date_end", pa.date32()),
    pa.field("date_precision", CATEGORY, nullable=False),
    pa.field("date_basis", CATEGORY),
    pa.field("actor", pa.list_(MENTION), nullable=False),
    pa.field("recipient", pa.list_(MENTION), nullable=False),
    pa.field("event", CATEGORY, nullable=False),
    pa.field("mode", CATEGORY),
    pa.field("context", pa.list_(TEXT)),
    pa.field("quad_code", pa.int64(), nullable=False),
    pa.field("intensity", pa.float64(), nullable=False),
    pa.field("status", CATEGORY, nullable=False),
    pa.field("claimed_by", CLAIMANT),
    pa.field("event_text", TEXT),
    pa.field("text", TEXT),
    pa.field("start", pa.int64()),
    pa.field("end", pa.int64()),
    pa.field("location", LOCATION),
    pa.field("cameo", TEXT),
    pa.field("confidence", pa.float64()),
    pa.field("coder", CATEGORY),
    pa.field("incident_id", TEXT),
]
INCIDENT_FIELDS = [
    *EVENT_FIELDS,
    pa.field("n_events", pa.int64()),
    pa.field("n_documents", pa.int64()),
    pa.field("n_sources", pa.int64()),
    pa.field("first_reported", pa.date32()),
    pa.field("last_reported", pa.date32()),
    pa.field("sources", pa.list_(SOURCE)),
]
EVENT_SCHEMA = pa.schema(EVENT_FIELDS)
INCIDENT_SCHEMA = pa.schema(INCIDENT_FIELDS)


def schema(incidents: bool = False) -> pa.Schema:
    """The Arrow schema of the events export, or of the incidents export."""
    return INCIDENT_SCHEMA if incidents else EVENT_SCHEMA


def arrow_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """A JSONL record with its date strings as dates and its date span added; nested objects
    are kept as they are (Arrow reads their fields by name)."""
    start, end = bounds(record.get("date"))
    row = {
        **record,
        "published": day(record.get("published")),
        "date_start": start,
        "date_end": end,
    }
    if "n_sources" in record:
        row["first_reported"] = day(record.get("first_reported"))
        row["last_reported"] = day(record.get("last_reported"))
        row["sources"] = [
            {**s, "published": day(s.get("published"))} for s in record.get("sources") or []
        ]
    return row


def write_parquet(
    records: Iterable[Mapping[str, Any]], path: Path, incidents: bool = False, batch: int = 5000
) -> int:
    """Write records to a Parquet file at ``path`` (whole or not at all), ``batch`` records per
    row group; returns how many were written."""
    target = schema(incidents)
    count = 0
    with written(path, binary=True) as handle, pq.ParquetWriter(handle, target) as writer:
        for chunk in _chunks((arrow_row(r) for r in records), batch):
            writer.write_table(pa.Table.from_pylist(chunk, schema=target))
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
