"""The library surface behind the CLI: load resources once, extract, ingest."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from detente.errors import InputError, OverBudgetError
from detente.nlp.budget import Budget
from detente.nlp.model import DEFAULT_MODEL
from detente.nlp.pipeline import Coded, Resources, code_document, code_documents, load
from detente.read import DEFAULT_MAX_BYTES, read_inputs, read_record
from detente.records import Document, Event
from detente.store import Store, content_hash
from detente.store.repository import Prepared, prepare


def extract(
    paths: Iterable[str],
    resources: Resources,
    *,
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
) -> Iterator[Coded | InputError]:
    """Code every document under ``paths`` (files, folders, ``-``, http(s) URLs); unreadable
    inputs come back as ``InputError`` values."""
    pending: list[Document] = []
    for item in read_inputs(paths, max_bytes=max_bytes, allow_private=allow_private):
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


@dataclass(frozen=True)
class LoadOptions:
    """How to build the resources; what each ingestion worker loads for itself."""

    model: str = DEFAULT_MODEL
    actor_files: tuple[Path, ...] = ()
    detector: bool = True  # False: the rule-based coder alone (lexicon gate and rules)
    budget: Budget = field(default_factory=Budget)  # the limits on coding one document

    def load(self) -> Resources:
        res = load(model=self.model, actor_files=self.actor_files, use_detector=self.detector)
        return replace(res, budget=self.budget)


@dataclass
class IngestSummary:
    documents: int = 0  # documents read
    stored: int = 0  # newly stored
    already: int = 0  # already in the store (same normalised content)
    events: int = 0  # events in newly stored documents
    sentences: int = 0  # sentences in newly stored documents
    startup_seconds: float = 0.0  # loading the model (in every worker) before the first document
    skipped: Counter[str] = field(default_factory=Counter)  # reason → count
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items())) or "none"
        return (
            f"{self.documents} documents read, {self.stored} stored, "
            f"{self.already} already stored, {self.events} events; skipped: {skipped}"
        )


_WORKER: Resources | None = None
_BATCH = 32


def _init_worker(options: LoadOptions) -> None:
    global _WORKER  # one set of resources per worker process, loaded once
    _WORKER = options.load()


def _ready(_: int) -> bool:
    time.sleep(0.05)  # hold this worker so the next task goes to another one
    return _WORKER is not None


def _prepared(coded: Coded | OverBudgetError) -> Prepared | OverBudgetError:
    return coded if isinstance(coded, OverBudgetError) else prepare(coded)


def _code_batch(batch: tuple[list[Document], dt.date | None]) -> list[Prepared | OverBudgetError]:
    assert _WORKER is not None, "worker not initialised"
    docs, published = batch
    return [_prepared(coded) for coded in code_documents(docs, _WORKER, published)]


def _batches(
    docs: Iterable[Document], published: dt.date | None
) -> Iterator[tuple[list[Document], dt.date | None]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= _BATCH:
            yield batch, published
            batch = []
    if batch:
        yield batch, published


def ingest(
    paths: Iterable[str],
    store: Store,
    resources: Resources | None = None,
    *,
    options: LoadOptions | None = None,
    published: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int = 1,
    progress: Callable[[IngestSummary], None] | None = None,
    allow_private: bool = False,
) -> IngestSummary:
    """Read, code and store; a document already stored is neither coded nor stored again.

    With ``workers`` > 1, coding runs in that many processes (each loads its own resources
    once); the store is written from this process, one transaction per document.
    """
    summary = IngestSummary()

    def fresh() -> Iterator[Document]:
        pending: list[Document] = []

        def unseen() -> Iterator[Document]:
            known = store.stored(pending)
            for doc in pending:
                if content_hash(doc) in known:
                    summary.already += 1
                else:
                    yield doc
            pending.clear()

        for item in read_inputs(paths, max_bytes=max_bytes, allow_private=allow_private):
            if isinstance(item, InputError):
                summary.skipped[item.reason] += 1
                summary.errors.append(str(item))
                continue
            summary.documents += 1
            pending.append(item)
            if len(pending) >= _BATCH:
                yield from unseen()
        yield from unseen()

    def save(results: list[Prepared | OverBudgetError]) -> None:
        batch = []
        for result in results:
            if isinstance(result, OverBudgetError):  # refused: said, and the batch goes on
                summary.skipped[result.reason] += 1
                summary.errors.append(str(result))
            else:
                batch.append(result)
        stored = store.add_many(batch)
        for item in batch:
            if item.content_hash in stored:
                summary.stored += 1
                summary.events += item.n_events
                summary.sentences += item.n_sentences
            else:
                summary.already += 1
        if progress is not None:
            progress(summary)

    began = time.perf_counter()
    if workers <= 1:
        res = resources or (options or LoadOptions()).load()
        summary.startup_seconds = time.perf_counter() - began
        for docs, _ in _batches(fresh(), published):
            save([_prepared(coded) for coded in code_documents(docs, res, published)])
        return summary
    context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    initargs = (options or LoadOptions(),)
    with context.Pool(workers, initializer=_init_worker, initargs=initargs) as pool:
        assert all(pool.map(_ready, range(workers), chunksize=1))  # every worker has loaded
        summary.startup_seconds = time.perf_counter() - began
        for coded_batch in pool.imap(_code_batch, _batches(fresh(), published)):
            save(coded_batch)
    return summary


@dataclass(frozen=True)
class RecordIngested:
    """What storing one posted document did."""

    doc_id: str
    content_hash: str
    stored: bool  # False: the same text was stored already
    events: int
    event_ids: tuple[str, ...]


def ingest_record(
    raw: dict[str, Any],
    store: Store,
    resources: Resources,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RecordIngested:
    """Code and store one corpus-style record (``id``, ``text``, optional metadata): what
    ``POST /api/v1/documents`` does. A record that cannot be read raises its ``InputError``."""
    doc = read_record(raw, max_bytes=max_bytes)
    if isinstance(doc, InputError):
        raise doc
    key = content_hash(doc)
    if store.stored([doc]):
        return RecordIngested(doc.id, key, False, 0, ())
    prepared = prepare(code_document(doc, resources))  # refused by the budget: its error
    stored = key in store.add_many([prepared])
    ids = tuple(row["id"] for row in prepared.events)
    return RecordIngested(doc.id, key, stored, prepared.n_events if stored else 0, ids)


__all__ = [
    "IngestSummary",
    "LoadOptions",
    "RecordIngested",
    "extract",
    "extract_text",
    "ingest",
    "ingest_record",
    "load",
]
