"""The watcher: poll each source when due, ingest what is new, raise and deliver alerts.

A round claims every due source (a lease in the store), fetches it, reads the items it has not
seen (a feed entry with only a summary has its article page read; an index page's new links are
followed), codes and stores each new document in its own transaction, then evaluates the alert
rules and delivers what each channel has not delivered yet. Every write to the store happens in
a guarded section: a stop request (SIGTERM) arriving there waits for it to finish, one arriving
anywhere else stops the watcher at once; nothing is half-written either way.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from detente.analysis.alerts import Rule, evaluate
from detente.errors import DeliveryError, FetchError, InputError
from detente.nlp.pipeline import Resources, code_documents
from detente.read import check_language
from detente.read.html import read_html
from detente.records import Document
from detente.store import Store, content_hash
from detente.store.repository import prepare
from detente.watch import state
from detente.watch.deliver import Channel, alert_payload
from detente.watch.fetch import FEED_TYPES, HTML_TYPES, Fetcher, text_of
from detente.watch.items import Item, SourceBrokenError, feed_items, page_items
from detente.watch.sources import Source, SourcesFile

log = logging.getLogger(__name__)

LEASE_SECONDS = 600.0
MAX_BACKOFF = 86400.0
MAX_LINKS = 50
BATCH = 8  # items read and coded together before they are stored
STOP_GRACE = 1.0  # seconds a stop waits for an alert's send in progress to end


class Stop(BaseException):
    """Raised (from a signal handler) to stop the watcher outside a guarded section."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


@dataclass
class SourceReport:
    name: str
    status: str = "ok"  # ok | not-modified | failed
    items: int = 0  # items in the feed or links on the page
    new: int = 0  # items not seen before
    stored: int = 0  # documents newly stored
    events: int = 0
    problems: list[str] = field(default_factory=list)  # items skipped, with the reason
    notes: list[str] = field(default_factory=list)  # items read another way, or later
    deferred: int = 0  # items whose page failed for now: read again at the next poll
    error: str | None = None
    next_in: float = 0.0
    seconds: float = 0.0

    def line(self) -> str:
        head = f"source={self.name!r} status={self.status}"
        if self.status == "failed":
            return f'{head} error="{_one_line(self.error or "")}" next_in={self.next_in:.0f}s'
        return (
            f"{head} items={self.items} new={self.new} stored={self.stored} "
            f"events={self.events} skipped={len(self.problems)} seconds={self.seconds:.2f} "
            f"next_in={self.next_in:.0f}s"
        )


@dataclass
class RoundReport:
    sources: list[SourceReport] = field(default_factory=list)
    alerts: int = 0  # new alerts raised this round
    delivered: int = 0
    delivery_failures: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return sum(s.stored for s in self.sources)

    def line(self) -> str:
        failed = sum(1 for s in self.sources if s.status == "failed")
        return (
            f"round polled={len(self.sources)} failed={failed} stored={self.stored} "
            f"events={sum(s.events for s in self.sources)} alerts={self.alerts} "
            f"delivered={self.delivered} delivery_failures={len(self.delivery_failures)}"
        )


class Watcher:
    def __init__(
        self,
        store: Store,
        resources: Resources,
        sources: SourcesFile,
        fetcher: Fetcher,
        *,
        rules: Sequence[Rule] = (),
        channels: Sequence[Channel] = (),
        owner: str | None = None,
        report_url: str | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        max_links: int = MAX_LINKS,
        batch: int = BATCH,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self.store = store
        self.resources = resources
        self.sources = sources
        self.fetcher = fetcher
        self.rules = list(rules)
        self.channels = list(channels)
        self.owner = owner or f"{socket.gethostname()}:{Path(sources.path).resolve()}"
        self.report_url = report_url
        self.clock = clock
        self.max_links = max_links
        self.batch = max(1, batch)
        self.stop_grace = stop_grace
        self._stop = threading.Event()
        self._guarded = 0
        self._interrupted = False
        self._held: set[str] = set()
        self._evaluated = False
        state.register(store, sources.sources)

    # -- stopping ----------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the watcher to stop after what it is doing (from any thread)."""
        self._stop.set()

    def interrupt(self) -> None:
        """Stop now, unless a write is in progress (then right after it): for signal handlers.
        A second signal while the first stop is under way changes nothing."""
        if self._interrupted:
            return
        self._interrupted = True
        self._stop.set()
        if self._guarded == 0:
            raise Stop

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        self._guarded += 1
        try:
            yield
        finally:
            self._guarded -= 1
        if self._guarded == 0 and self._stop.is_set():
            raise Stop

    # -- running -----------------------------------------------------------------------------
    def run(
        self, *, once: bool = False, on_round: Callable[[RoundReport], None] | None = None
    ) -> None:
        """Rounds until stopped (or one round with ``once``); returns cleanly on a stop."""
        try:
            while not self._stop.is_set():
                report = self.run_round()
                if on_round is not None:
                    on_round(report)
                if once:
                    return
                self._stop.wait(self._idle_seconds())
        except Stop:
            log.info("stopped")
        finally:
            for name in list(self._held):
                state.release(self.store, name, self.owner)
            self._held.clear()

    def _idle_seconds(self) -> float:
        now = self.clock()
        due = [
            (state.parse_stamp(s.next_due) - now).total_seconds()
            for s in state.states(self.store).values()
            if s.next_due and s.name in self.sources.names
        ]
        return min(60.0, max(0.2, min(due, default=60.0)))

    def run_round(self, *, force: bool = False) -> RoundReport:
        """Poll every due source (every source with ``force``), then alerts and deliveries."""
        report = RoundReport()
        for source in self.sources.sources:
            if self._stop.is_set():
                break
            with self._guard():
                claimed = state.claim(
                    self.store, source.name, self.owner, self.clock(), LEASE_SECONDS, force=force
                )
                if claimed is not None:
                    self._held.add(source.name)
            if claimed is None:
                continue
            polled = self._poll(source, claimed)
            report.sources.append(polled)
            (log.warning if polled.status == "failed" else log.info)(polled.line())
            for problem in polled.problems:
                log.warning("source=%r skipped %s", source.name, _one_line(problem))
            for note in polled.notes:
                log.warning("source=%r item %s", source.name, _one_line(note))
        if self.rules and (report.stored or not self._evaluated):
            report.alerts = self._raise_alerts()
            self._evaluated = True
        self._deliver(report)
        log.info(report.line())
        return report

    # -- one source --------------------------------------------------------------------------
    def _poll(self, source: Source, known: state.SourceState) -> SourceReport:
        began = time.monotonic()
        report = SourceReport(source.name)
        feed = source.kind == "feed"
        try:
            response = self.fetcher.get(
                source.url,
                accept=FEED_TYPES if feed else HTML_TYPES,
                etag=known.etag,
                last_modified=known.last_modified,
            )
            if response.not_modified:
                report.status = "not-modified"
                return self._done(source, report, began, keep=True)
            if feed:
                items = feed_items(response)
            else:
                items = page_items(response, text_of(response), source, self.max_links)
        except FetchError as exc:
            return self._failed(source, known, report, exc.detail, exc.retry_after)
        except SourceBrokenError as exc:
            return self._failed(source, known, report, exc.error.detail, None)
        report.items = len(items)
        known_keys = state.seen(self.store, source.name, [i.key for i in items])
        fresh = list({i.key: i for i in items if i.key not in known_keys}.values())
        report.new = len(fresh)
        self._ingest(source, fresh, report)
        if report.deferred:  # no validators: the next poll reads the body again, not a 304
            return self._done(source, report, began)
        return self._done(
            source, report, began, etag=response.etag, last_modified=response.last_modified
        )

    def _done(
        self,
        source: Source,
        report: SourceReport,
        began: float,
        *,
        keep: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> SourceReport:
        now = self.clock()
        report.next_in = source.every
        with self._guard():
            state.finish(
                self.store,
                source.name,
                now,
                now + dt.timedelta(seconds=source.every),
                etag=etag,
                last_modified=last_modified,
                keep_validators=keep,
            )
            self._held.discard(source.name)
        report.seconds = time.monotonic() - began
        return report

    def _failed(
        self,
        source: Source,
        known: state.SourceState,
        report: SourceReport,
        error: str,
        retry_after: float | None,
    ) -> SourceReport:
        failures = known.failures + 1
        wait = min(MAX_BACKOFF, max(source.every, source.every * 2 ** min(failures, 16)))
        wait *= 1 + random.uniform(0, 0.1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        now = self.clock()
        report.status, report.error, report.next_in = "failed", error, wait
        with self._guard():
            state.finish(
                self.store, source.name, now, now + dt.timedelta(seconds=wait), error=error
            )
            self._held.discard(source.name)
        return report

    def _ingest(self, source: Source, fresh: list[Item], report: SourceReport) -> None:
        for start in range(0, len(fresh), self.batch):
            self._ingest_batch(source, fresh[start : start + self.batch], report)

    def _ingest_batch(self, source: Source, fresh: list[Item], report: SourceReport) -> None:
        """Read, code and store a few items: each document in its own transaction, then the
        item marked seen (a kill in between codes it again and stores nothing twice)."""
        ready: list[tuple[Item, Document]] = []
        for item in fresh:
            if self._stop.is_set():
                raise Stop
            doc = self._document(source, item, report)
            if doc is None:
                continue
            checked = check_language(doc)
            if isinstance(checked, InputError):
                self._skip(source, item, report, checked)
                continue
            ready.append((item, checked))
        known = self.store.stored([doc for _, doc in ready])
        to_code = []
        for item, doc in ready:
            if content_hash(doc) in known:  # the same text came from elsewhere before
                with self._guard():
                    self._remember(source, item, content_hash(doc), "already stored")
            else:
                to_code.append((item, doc))
        coded_all = code_documents([doc for _, doc in to_code], self.resources)
        for (item, _), coded in zip(to_code, coded_all, strict=True):  # one result per document
            if isinstance(coded, InputError):  # refused by the coding budget
                self._skip(source, item, report, coded)
                continue
            prepared = prepare(coded)
            with self._guard():
                stored = self.store.add_many([prepared])
                self._remember(source, item, prepared.content_hash)
            if stored:
                report.stored += 1
                report.events += prepared.n_events
            log.debug(
                "source=%r item=%s stored=%s events=%d",
                source.name,
                item.url,
                bool(stored),
                prepared.n_events,
            )

    def _skip(self, source: Source, item: Item, report: SourceReport, error: InputError) -> None:
        report.problems.append(str(error))
        with self._guard():
            self._remember(source, item, None, _one_line(str(error)))

    def _remember(
        self, source: Source, item: Item, stored_as: str | None, note: str | None = None
    ) -> None:
        """Record that ``source`` published ``item``: the document it gave, or why none."""
        state.remember_item(self.store, source.name, item.key, self.clock(), url=item.url,
                            content_hash=stored_as, note=note)  # fmt: skip

    def _document(self, source: Source, item: Item, report: SourceReport) -> Document | None:
        """The item's document: the entry's own text, or its article page read; None when it
        has none (skipped and remembered) or its page failed for now (tried again next round)."""
        if item.error is not None:
            self._skip(source, item, report, item.error)
            return None
        entry = item.document
        if entry is not None and not item.summary_only:
            return _with_source(entry, source)
        assert item.url is not None
        try:
            page = self.fetcher.get(item.url, accept=HTML_TYPES)
            doc = read_html(item.url, text_of(page), None)
        except FetchError as exc:
            if exc.transient:
                report.notes.append(f"{exc} (tried again next round)")
                report.deferred += 1
                return None
            if entry is None:
                self._skip(source, item, report, exc)
                return None
            report.notes.append(f"{exc}; the entry's summary is coded instead")
            return _with_source(entry, source)
        except InputError as exc:
            if entry is None:
                self._skip(source, item, report, exc)
                return None
            report.notes.append(f"{exc}; the entry's summary is coded instead")
            return _with_source(entry, source)
        if entry is not None:
            doc = replace(
                doc,
                id=entry.id,
                title=doc.title or entry.title,
                published=doc.published or entry.published,
                source=entry.source or doc.source,
                language=doc.language or entry.language,
                kind="feed-entry",
            )
        return _with_source(replace(doc, url=item.url), source)

    # -- alerts ------------------------------------------------------------------------------
    def _raise_alerts(self) -> int:
        by_name = {r.name: r for r in self.rules}
        fresh = [a for a in evaluate(self.store, self.rules, remember=False) if a.new]
        payloads = [
            (a.rule, a.key, alert_payload(self.store, by_name[a.rule], a, self.report_url))
            for a in fresh
        ]
        with self._guard():
            return state.record_alerts(self.store, payloads)

    def _deliver(self, report: RoundReport) -> None:
        """Each pending delivery: claimed ``sending`` (its own transaction), sent, then marked
        ``delivered`` or ``failed`` (another); see ``deliver`` for the guarantee."""
        by_name = {c.name: c for c in self.channels}
        for channel, rule, key, payload in state.pending(self.store, list(by_name)):
            if self._stop.is_set():
                raise Stop
            with self._guard():
                claim = state.claim_delivery(
                    self.store, channel, rule, key, self.owner, self.clock(), LEASE_SECONDS
                )
            if claim is None:
                continue  # delivered meanwhile, or another watcher is sending it
            where = f"alert={rule!r} key={key} channel={channel}"
            if claim.in_doubt:
                log.warning("%s was cut short mid-send: sent again, same id", where)
            error = self._send(by_name[channel], payload, claim.attempt > 1, where)
            with self._guard():
                attempts = state.mark_delivery(self.store, channel, rule, key, error=error)
            if error is None:
                report.delivered += 1
                continue
            line = (f'{where} status=failed attempts={attempts} error="{_one_line(error)}" '
                    "(retried next round)")  # fmt: skip
            report.delivery_failures.append(line)
            log.warning(line)

    def _send(
        self, channel: Channel, payload: dict[str, Any], redelivery: bool, where: str
    ) -> str | None:
        """Send on a worker thread, so that a stop request waits for a slow receiver at most
        ``stop_grace`` seconds; None when delivered, else why not. A send still running then
        is abandoned and its delivery stays ``sending`` (in doubt: sent again at the next
        start)."""
        outcome: list[str | None] = []
        done = threading.Event()

        def work() -> None:
            try:
                channel.send(payload, redelivery=redelivery)
                outcome.append(None)
            except DeliveryError as exc:
                outcome.append(str(exc))
            except Exception as exc:  # a channel's own bug: reported and retried like a failure
                outcome.append(f"{type(exc).__name__}: {exc}")
            finally:
                done.set()

        threading.Thread(target=work, name=f"deliver-{channel.name}", daemon=True).start()
        try:
            done.wait()
        except Stop:
            if not done.wait(self.stop_grace):
                log.warning(
                    "%s stopped mid-send: in doubt, sent again (same id) at the next start", where
                )
                raise
        return outcome[0]  # on a stop: recorded by the caller, whose guard then stops


def _with_source(doc: Document, source: Source) -> Document:
    return replace(doc, language=doc.language or source.language, source=doc.source or source.name)
