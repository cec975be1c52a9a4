"""The library surface behind the CLI: load resources once, extract, ingest."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from detente.errors import InputError
from detente.nlp.pipeline import Coded, Resources, code_document, code_documents, load
from detente.read import DEFAULT_MAX_BYTES, read_inputs
from detente.records import Document, Event
from detente.store import Store


def extract(
    paths: Iterable[str],
    resources: Resources,
    *,
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Coded | InputError]:
    """Code every document under ``paths``; unreadable inputs come back as ``InputError`` values."""
    pending: list[Document] = []
    for item in read_inputs(paths, max_bytes=max_bytes):
        if isinstance(item, InputError):
            yield from code_documents(pending, resources, published)
            pending = []
            yield item
            continue
        pending.append(item)
        if len(pending) >= 32:
            yield from code_documents(pending, resources, published)
            pending = []
    yield from code_documents(pending, resources, published)


def extract_text(
    text: str,
    resources: Resources,
    *,
    published: dt.date | None = None,
    doc_id: str | None = None,
) -> list[Event]:
    """Events coded from one text."""
    doc = Document(id=doc_id or Document.content_id(text), text=text, published=published)
    return list(code_document(doc, resources).events)


@dataclass
class IngestSummary:
    documents: int = 0  # documents read and coded
    stored: int = 0  # newly stored
    already: int = 0  # already in the store (same normalised content)
    events: int = 0  # events in newly stored documents
    skipped: Counter[str] = field(default_factory=Counter)  # reason → count
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items())) or "none"
        return (
            f"{self.documents} documents read, {self.stored} stored, "
            f"{self.already} already stored, "
            f"{self.events} events; skipped: {skipped}"
        )


def ingest(
    paths: Iterable[str],
    store: Store,
    resources: Resources,
    *,
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestSummary:
    """Read, code and store; a document already stored is neither coded nor stored again."""
    summary = IngestSummary()

    def fresh() -> Iterator[Document]:
        for item in read_inputs(paths, max_bytes=max_bytes):
            if isinstance(item, InputError):
                summary.skipped[item.reason] += 1
                summary.errors.append(str(item))
                continue
            summary.documents += 1
            if store.has_document(item):
                summary.already += 1
                continue
            yield item

    for coded in code_documents(fresh(), resources, published):
        if store.add(coded):
            summary.stored += 1
            summary.events += len(coded.events)
        else:
            summary.already += 1
    return summary


__all__ = ["IngestSummary", "extract", "extract_text", "ingest", "load"]
