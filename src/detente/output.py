"""Rendering records for the terminal and for machines: table, jsonl, json, csv."""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
import sys
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


GAP = 2  # spaces between table columns
NARROWEST = 8  # a column cut to fit the terminal keeps at least this many characters


def column_widths(natural: Sequence[int], width: int) -> list[int]:
    """Column widths for a table ``width`` characters wide: every column as wide as its widest
    cell when they all fit; else the widest are cut down to one common cap (never below
    ``NARROWEST`` or their own width), the narrow ones kept whole; a table too wide even then
    runs past the edge."""
    room = width - GAP * (len(natural) - 1)
    if sum(natural) <= room:
        return list(natural)
    lo, hi = NARROWEST, max(natural)
    while lo < hi:  # the widest cap at which the table still fits
        cap = (lo + hi + 1) // 2
        if sum(min(w, cap) for w in natural) <= room:
            lo = cap
        else:
            hi = cap - 1
    widths = [min(w, lo) for w in natural]
    spare = room - sum(widths)  # what the common cap leaves over goes to the last cut columns
    for i in reversed(range(len(widths))):
        if spare <= 0:
            break
        if natural[i] > widths[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _table(records: list[dict[str, Any]], out: TextIO, columns: Sequence[str] | None) -> int:
    """An aligned table as wide as the terminal (``$COLUMNS``, else 160 off a terminal): what
    fits is never cut; a cut cell ends in "…"."""
    if not records:
        return 0  # the command says on stderr why there is nothing
    cols = list(columns or records[0].keys())
    rows = [[_flat(r.get(c)) for c in cols] for r in records]
    width = shutil.get_terminal_size((160, 24)).columns
    natural = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    widths = column_widths(natural, width)

    def line(cells: Sequence[str]) -> str:
        cut = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(cells, widths, strict=True)]
        return (" " * GAP).join(c.ljust(w) for c, w in zip(cut, widths, strict=True)).rstrip()

    out.write(line(cols) + "\n")
    for row in rows:
        out.write(line(row) + "\n")
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


@contextlib.contextmanager
def progress_bar(show: bool, what: str = "documents") -> Iterator[Any]:
    """A progress bar on stderr while documents are read (rich): yields a function that takes the
    counts so far (read, and a line of figures); nothing is shown when ``show`` is false."""
    if not show:
        yield lambda done, text: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr, force_terminal=True)
    columns = (
        TextColumn("{task.completed} " + what),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=None)

        def advance(done: int, text: str) -> None:
            bar.update(task, completed=done, description=text)

        yield advance
