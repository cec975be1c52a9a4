"""Rendering records for the terminal and for machines: table, jsonl, json, csv."""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from detente.errors import OutputError

FORMATS = ("table", "jsonl", "json", "csv")


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_flat(v) for v in value)
    if isinstance(value, dict):
        if "code" in value:
            return "/".join(str(v) for v in (value.get("code"), value.get("sector")) if v)
        if "name" in value:
            return str(value["name"])
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_records(
    records: Iterable[dict[str, Any]], fmt: str, out: TextIO, columns: Sequence[str] | None = None
) -> int:
    """Write records in ``fmt``; returns how many were written. jsonl and csv stream."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt == "json":
        items = list(records)
        json.dump(items, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return len(items)
    if fmt == "csv":
        writer: csv.DictWriter[str] | None = None
        for record in records:
            if writer is None:
                writer = csv.DictWriter(
                    out, fieldnames=list(columns or record.keys()), extrasaction="ignore"
                )
                writer.writeheader()
            writer.writerow({k: _flat(record.get(k)) for k in writer.fieldnames})
            count += 1
        return count
    return _table(list(records), out, columns)


def _table(records: list[dict[str, Any]], out: TextIO, columns: Sequence[str] | None) -> int:
    if not records:
        return 0  # the command says on stderr why there is nothing
    cols = list(columns or records[0].keys())
    rows = [[_flat(r.get(c)) for c in cols] for r in records]
    width = shutil.get_terminal_size((160, 24)).columns
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    fixed = sum(min(w, 24) for w in widths[:-1]) + 2 * (len(cols) - 1)
    widths = [min(w, 24) for w in widths[:-1]] + [max(20, min(widths[-1], width - fixed))]
    out.write("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip() + "\n")
    for row in rows:
        cells = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(row, widths, strict=True)]
        out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n")
    return len(rows)


EVENT_TABLE = ("date", "actor", "event", "mode", "recipient", "status", "claimed_by", "text")
INCIDENT_TABLE = (*EVENT_TABLE[:-1], "reports", "text")


def timeline_rows(events: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Event JSON → the compact rows of a timeline table."""
    for ev in events:
        row = {
            "date": ev.get("date") or "?",
            "actor": ev["actor"],
            "event": ev["event"],
            "mode": ev.get("mode"),
            "recipient": ev["recipient"],
            "status": ev["status"],
            "claimed_by": ev.get("claimed_by"),
            "text": " ".join(str(ev.get("text", "")).split()),
        }
        if "n_sources" in ev:  # an incident: how many reports and outlets
            row = {**row, "reports": f"{ev['n_events']}/{ev['n_sources']}"}
            row["text"] = row.pop("text")
        yield row


@contextlib.contextmanager
def written(path: Path, binary: bool = False) -> Iterator[Any]:
    """A file opened for writing that appears at ``path`` whole or not at all: written beside it
    under a hidden name, then renamed; a full disk or a missing folder is one OutputError and no
    partial or empty file is left."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        handle = partial.open("wb") if binary else partial.open("w", encoding="utf-8", newline="")
        with handle:
            yield handle
        partial.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
