"""Exports of stored events, streamed in constant memory: JSONL (the event record as it is, or
with PLOVER's own field names), CSV (flat columns, ``flat``) and Parquet (typed, ``parquet``).
The README's "Export formats" documents every column."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from detente.exports.flat import EVENT_COLUMNS, INCIDENT_COLUMNS, flat
from detente.exports.plover import to_plover
from detente.output import write_records

__all__ = [
    "EVENT_COLUMNS",
    "INCIDENT_COLUMNS",
    "flat",
    "to_plover",
    "write_csv",
    "write_parquet",
    "write_text",
]


def write_text(
    records: Iterable[dict[str, Any]],
    fmt: str,
    out: TextIO,
    plover: bool = False,
    incidents: bool = False,
) -> int:
    """Write records as JSONL or CSV to ``out``; returns how many were written."""
    if fmt == "jsonl":
        rows = (to_plover(r) if plover else r for r in records)
        return write_records(rows, "jsonl", out)
    return write_csv(records, out, incidents)


def write_csv(records: Iterable[dict[str, Any]], out: TextIO, incidents: bool = False) -> int:
    """The header (also when there is nothing to write), then one row a record; an absent value
    is an empty cell and a date is ``YYYY-MM-DD``."""
    columns = INCIDENT_COLUMNS if incidents else EVENT_COLUMNS
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for record in records:
        row = flat(record)
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
        count += 1
    return count


def write_parquet(records: Iterable[dict[str, Any]], path: Path, incidents: bool = False) -> int:
    """Write records to a Parquet file (pyarrow loads on first use)."""
    from detente.exports import parquet

    return parquet.write_parquet(records, path, incidents=incidents)
