"""Readers: turn paths (files, directories, ``-`` for stdin) into Documents.

Each input yields Documents or an ``InputError`` value saying why it could not be read, so one
bad input never stops a batch. ``read_inputs`` is the entry point.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from detente.errors import InputError, UnsupportedLanguageError
from detente.nlp.calendar import parse_iso_date
from detente.read._decode import (
    DEFAULT_MAX_BYTES,
    check_size,
    decode,
    encoding_of,
    field,
    quoted,
    storable,
)
from detente.read.corpora import read_csv, read_jsonl, record
from detente.read.feeds import looks_like_feed, read_feed
from detente.read.html import looks_like_html, read_html
from detente.read.lang import SUPPORTED, detect
from detente.read.text import find_date_line, find_title
from detente.records import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
CSV_SUFFIXES = {".csv"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES
SIDECAR_NAMES = ("index.jsonl", "metadata.jsonl")
STDIN = "<stdin>"

Item = Document | InputError


def read_inputs(
    paths: Iterable[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    check_language: bool = True,
    allow_private: bool = False,
) -> Iterator[Item]:
    """Documents (or errors) from files, directories, ``-`` (standard input) and http(s) URLs
    (fetched politely; private addresses refused unless ``allow_private``)."""
    fetcher: Any = None
    try:
        for raw in paths:
            if raw.startswith(("http://", "https://")):
                from detente.watch.fetch import Fetcher, FetchSettings, read_url

                if fetcher is None:
                    settings = FetchSettings(max_bytes=max_bytes, allow_private=allow_private)
                    fetcher = Fetcher(settings)
                yield from _languages(read_url(raw, fetcher), check_language)
            else:
                yield from _read_path(raw, max_bytes, stdin, check_language)
    finally:
        if fetcher is not None:
            fetcher.close()


def _read_path(
    raw: str, max_bytes: int, stdin: BinaryIO | None, check_language: bool
) -> Iterator[Item]:
    if raw == "-":
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stream is None:  # started with standard input closed (``<&-``)
            yield InputError(STDIN, "standard input is closed: nothing to read")
            return
        try:
            content = stream.read()
        except OSError as exc:
            yield InputError(STDIN, f"cannot read standard input: {exc.strerror or exc}")
            return
        yield from _languages(_read_bytes(STDIN, content, None, "", max_bytes), check_language)
        return
    path = Path(raw)
    try:
        is_dir, is_file, exists = path.is_dir(), path.is_file(), path.exists()
    except OSError as exc:  # a folder on its way that may not be searched
        yield InputError(raw, f"cannot read: {exc.strerror or exc}")
        return
    if is_dir:
        yield from _languages(_read_dir(path, max_bytes), check_language)
    elif is_file:
        yield from _languages(_read_file(path, max_bytes, {}), check_language)
    elif exists:
        yield InputError(raw, "not a regular file or directory")
    else:
        yield InputError(raw, "no such file or directory")


def read_record(
    raw: dict[str, Any], *, where: str = "request", max_bytes: int = DEFAULT_MAX_BYTES
) -> Item:
    """One document from a corpus-style record (``id``, ``text``; ``published``, ``title``,
    ``url``, ``source``, ``language`` optional), checked like a line of a JSONL corpus."""
    item = record(where, raw, None, "jsonl", max_bytes)
    return _with_language(item) if isinstance(item, Document) else item


def _languages(items: Iterable[Item], check: bool) -> Iterator[Item]:
    for item in items:
        if check and isinstance(item, Document):
            item = _with_language(item)
        yield item


def check_language(doc: Document) -> Item:
    """The document with its language set (declared, else detected), or why it is not coded."""
    return _with_language(doc)


def _with_language(doc: Document) -> Item:
    where = doc.path or STDIN  # only what standard input gives has no path
    if doc.id and doc.id not in where and len(doc.id) < 64:
        where = f"{where} (record {doc.id})"
    if doc.language:
        declared = doc.language.lower().split("-")[0]
        if declared not in SUPPORTED:
            return UnsupportedLanguageError(
                where, f"language {quoted(doc.language)} is not coded yet"
            )
        return doc
    lang, prob = detect(doc.text)
    if lang not in SUPPORTED and prob >= 0.5:
        return UnsupportedLanguageError(
            where, f"detected language {lang!r} (p={prob:.2f}); only English is coded yet"
        )
    return replace(doc, language="en")


def _files(root: Path) -> tuple[list[Path], list[InputError]]:
    """The files under ``root`` (hidden ones and symbolic links to folders left out), and a
    reason for each folder that could not be listed: its files are not read, and it is said."""
    unreadable: list[InputError] = []

    def refused(exc: OSError) -> None:
        name = exc.filename if exc.filename is not None else root
        reason = f"cannot read this folder ({exc.strerror or exc}): the files in it are not read"
        unreadable.append(InputError(str(name), reason))

    found: list[Path] = []
    for folder, subfolders, names in os.walk(root, onerror=refused):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in names:
            path = Path(folder) / name
            try:
                if not _hidden(path, root) and path.is_file():
                    found.append(path)
            except OSError as exc:  # listed, but its folder may not be searched
                unreadable.append(InputError(str(path), f"cannot read: {exc.strerror or exc}"))
    return sorted(found), unreadable


def _read_dir(root: Path, max_bytes: int) -> Iterator[Item]:
    files, unreadable = _files(root)
    yield from unreadable
    metadata: dict[Path, dict[str, Any]] = {}
    sidecars: set[Path] = set()
    for path in files:
        found = _read_sidecar(path) if path.name in SIDECAR_NAMES else None
        if found is not None:
            sidecars.add(path)
            metadata.update(found)
    for path in files:
        if path in sidecars:
            continue
        if path.suffix.lower() not in KNOWN_SUFFIXES:
            log.debug("skipping %s: not a known input kind", path)
            continue
        yield from _read_file(path, max_bytes, metadata.get(path.resolve(), {}))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _read_sidecar(path: Path) -> dict[Path, dict[str, Any]] | None:
    """``index.jsonl`` beside files: records with ``path`` and no ``text`` give file metadata.
    None when the file is not such an index (then it is read as a corpus)."""
    found: dict[Path, dict[str, Any]] = {}
    records = 0
    try:
        data = path.read_bytes()
        lines = data.decode(encoding_of(data[:4])[0]).splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return None
        if not isinstance(record, dict) or "path" not in record or "text" in record:
            return None
        records += 1
        try:
            found[(path.parent / str(record["path"])).resolve()] = record
        except (OSError, ValueError, RuntimeError):  # NUL in the name, a symlink loop
            log.warning("%s:%d: ignoring unusable path %.80r", path, number, record["path"])
    return found if records else None


def _read_file(path: Path, max_bytes: int, meta: dict[str, Any]) -> Iterator[Item]:
    source = str(path)
    # a name that is not UTF-8 reads with surrogates, which no store can hold: the document's
    # path shows them as U+FFFD (its errors name the file as it is)
    doc_path = storable(source)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl_file(path, doc_path, max_bytes)
        return
    try:
        if suffix not in CSV_SUFFIXES:
            check_size(source, path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except InputError as exc:
        yield exc
        return
    except OSError as exc:
        yield InputError(source, f"cannot read: {exc.strerror}")
        return
    for item in _read_bytes(source, data, doc_path, suffix, max_bytes):
        yield _apply_meta(item, meta) if meta and isinstance(item, Document) else item


def _read_jsonl_file(path: Path, doc_path: str, max_bytes: int) -> Iterator[Item]:
    """A JSONL corpus, streamed line by line: the size limit applies to each record. UTF-8
    lines are decoded one by one (a bad one is one bad record); UTF-16 and UTF-32 as a stream,
    which stops at the first undecodable block."""
    source = str(path)
    lines_read = 0

    def counted(lines: Iterable[str]) -> Iterator[str]:
        nonlocal lines_read
        for line in lines:
            lines_read += 1
            yield line

    try:
        with path.open("rb") as handle:
            codec, name = encoding_of(handle.read(4))
            handle.seek(0)
            if codec == "utf-8-sig":
                yield from read_jsonl(source, _lines(handle), doc_path, max_bytes)
                return
            text = io.TextIOWrapper(handle, encoding=codec, errors="strict")
            yield from read_jsonl(source, counted(text), doc_path, max_bytes)
    except UnicodeDecodeError:
        # decoding runs ahead of the lines in blocks: every line up to here was read
        yield InputError(source, f"invalid {name} after line {lines_read}; reading stopped there")
    except OSError as exc:
        yield InputError(source, f"cannot read: {exc.strerror}")


def _lines(handle: BinaryIO) -> Iterator[bytes]:
    """The lines of a binary file split as universal newlines do (\\n, \\r\\n, \\r)."""
    for chunk in handle:
        if b"\r" in chunk:
            yield from chunk.splitlines()
        else:
            yield chunk


def _apply_meta(doc: Document, meta: dict[str, Any]) -> Document:
    published = doc.published
    if meta.get("published"):
        try:
            published = parse_iso_date(str(meta["published"]))
        except ValueError:
            log.warning("%s: ignoring unreadable 'published' in index", doc.path)
    return replace(
        doc,
        title=field(meta.get("title")) or doc.title,
        source=field(meta.get("source")) or doc.source,
        url=field(meta.get("url")) or doc.url,
        language=field(meta.get("language")) or doc.language,
        published=published,
    )


def _read_bytes(
    source: str, data: bytes, path: str | None, suffix: str, max_bytes: int
) -> Iterator[Item]:
    try:
        text = decode(source, data, records=suffix in CSV_SUFFIXES | JSONL_SUFFIXES)
    except InputError as exc:
        yield exc
        return
    kind = _sniff(suffix, data, text)
    try:
        if kind == "jsonl":
            yield from read_jsonl(source, io.StringIO(text), path, max_bytes)
        elif kind == "csv":
            yield from read_csv(source, text, path, max_bytes)
        elif kind == "feed":
            yield from read_feed(source, data, path)
        elif kind == "html":
            check_size(source, len(data), max_bytes)
            yield read_html(source, text, path)
        else:
            check_size(source, len(data), max_bytes)
            yield _text_document(
                text, path, "markdown" if suffix in {".md", ".markdown"} else "text"
            )
    except InputError as exc:
        yield exc


def _sniff(suffix: str, data: bytes, text: str) -> str:
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in FEED_SUFFIXES or looks_like_feed(data):
        return "feed"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if looks_like_html(data):
        return "html"
    if text.lstrip().startswith("{"):
        return "jsonl"
    return "text"


def _text_document(text: str, path: str | None, kind: str) -> Document:
    return Document(
        id=Document.content_id(text),
        text=text,
        path=path,
        title=find_title(text),
        published=find_date_line(text),
        kind=kind,
    )


__all__ = ["DEFAULT_MAX_BYTES", "Item", "check_language", "read_inputs"]
