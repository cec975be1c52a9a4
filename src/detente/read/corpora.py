"""JSONL and CSV corpora: one record per document with ``id`` and ``text``.

Optional fields: ``published`` (YYYY-MM-DD or an ISO timestamp), ``source``, ``title``, ``url``,
``language``. A broken record is reported with its line number; the other records go on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from detente.errors import DecodeError, EmptyInputError, InputError, InputTooLargeError
from detente.nlp.calendar import parse_iso_date
from detente.read._decode import field, quoted, storable
from detente.records import Document


def record(
    where: str, raw: Mapping[str, Any], path: str | None, kind: str, max_bytes: int
) -> Document | InputError:
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        return EmptyInputError(where, "record has no 'text'")
    if "\x00" in text:
        return DecodeError(where, "text holds NUL characters, not text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return DecodeError(where, f"text holds an unpaired surrogate at character {exc.start}")
    if len(text) > max_bytes:
        return InputTooLargeError(where, f"text of {len(text)} characters is above the limit")
    ident = raw.get("id")
    if ident is None or str(ident).strip() == "":
        return InputError(where, "record has no 'id'")
    if storable(str(ident)) != str(ident):
        return InputError(where, "'id' holds NUL or an unpaired surrogate")
    published = None
    if raw.get("published"):
        try:
            published = parse_iso_date(str(raw["published"]))
        except ValueError:
            return InputError(where, f"'published' is not a date: {quoted(raw['published'])}")
    return Document(
        id=str(ident),
        text=text.replace("\r\n", "\n"),
        path=path,
        source=field(raw.get("source")),
        title=field(raw.get("title")),
        url=field(raw.get("url")),
        published=published,
        language=field(raw.get("language")),
        kind=kind,
    )


# Fields every event record of detente's own output has (extract, export in every format), with
# its document's id or detente named as the coder: such a file is detente's output, not
# documents to code.
OWN_OUTPUT = frozenset({"event", "event_text", "quad_code"})


def own_output(fields: Mapping[str, Any] | Iterable[str]) -> bool:
    keys = set(fields)
    coder = fields.get("coder") if isinstance(fields, Mapping) else None
    return keys >= OWN_OUTPUT and ("doc_id" in keys or str(coder or "").startswith("detente"))


OWN_OUTPUT_REASON = "detente's own event records (extract or export output), not documents"


def read_jsonl(
    source: str, lines: Iterable[str | bytes], path: str | None, max_bytes: int
) -> Iterator[Document | InputError]:
    """One document per JSON line; lines given as bytes are decoded one by one (UTF-8), so that
    a line that is not UTF-8 is one bad record, not the end of the file."""
    seen = False
    for number, given in enumerate(lines, start=1):
        where = f"{source}:{number}"
        if isinstance(given, bytes):
            try:
                line = given.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                seen = True
                yield DecodeError(where, f"invalid UTF-8 at byte {exc.start} of the line")
                continue
        else:
            line = given
        if not line.strip():
            continue
        seen = True
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, f"broken JSON line ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(raw, dict):
            yield InputError(where, "a JSONL record must be an object")
            continue
        if own_output(raw):
            yield InputError(source, OWN_OUTPUT_REASON)
            return
        yield record(where, raw, path, "jsonl", max_bytes)
    if not seen:
        yield EmptyInputError(source, "empty input")


def read_csv(
    source: str, text: str, path: str | None, max_bytes: int
) -> Iterator[Document | InputError]:
    # a field as long as a whole document is allowed (the csv module stops at 128 KiB); the size
    # limit applies to each record's text below
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        yield InputError(source, "CSV needs a header row with at least 'id' and 'text'")
        return
    if own_output(reader.fieldnames):
        yield InputError(source, OWN_OUTPUT_REASON)
        return
    rows = 0
    for row in reader:
        rows += 1
        where = f"{source}:{reader.line_num}"
        if None in row:
            yield InputError(where, "row has more fields than the header")
            continue
        yield record(where, row, path, "csv", max_bytes)
    if not rows:
        yield EmptyInputError(source, "CSV has a header but no rows")
