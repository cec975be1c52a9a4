"""How the watched sources are doing (``detente sources status``) and a dry run of a sources
file (``detente sources check``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from detente.errors import FetchError, InputError
from detente.store import Store
from detente.watch import state
from detente.watch.fetch import FEED_TYPES, HTML_TYPES, Fetcher, text_of
from detente.watch.items import SourceBrokenError, feed_items, page_items
from detente.watch.sources import SourcesFile


@dataclass(frozen=True, slots=True)
class Status:
    name: str
    kind: str
    last_success: str | None
    failures: int
    last_error: str | None
    items: int
    items_day: int
    items_week: int
    events_day: int
    events_week: int
    last_item: str | None
    quiet: bool  # nothing new for longer than the quiet threshold

    def row(self) -> dict[str, Any]:
        return {
            "source": self.name,
            "kind": self.kind,
            "last_success": self.last_success,
            "failures": self.failures,
            "items": self.items,
            "items_day": self.items_day,
            "items_week": self.items_week,
            "events_day": self.events_day,
            "events_week": self.events_week,
            "last_item": self.last_item,
            "quiet": self.quiet,
            "last_error": self.last_error,
        }


def source_status(store: Store, quiet_after: float, now: dt.datetime | None = None) -> list[Status]:
    """Every source the store knows, with its activity; ``quiet`` when its newest item (or,
    if it never gave one, its first success) is more than ``quiet_after`` seconds old."""
    moment = now or dt.datetime.now(dt.UTC)
    limit = state.stamp(moment - dt.timedelta(seconds=quiet_after))
    out = []
    for known in sorted(state.states(store).values(), key=lambda s: s.name):
        seen = state.activity(store, known.name, moment)
        newest = seen.last_item or known.last_success
        out.append(
            Status(
                known.name,
                known.kind,
                known.last_success,
                known.failures,
                known.last_error,
                known.items_seen,
                seen.items_day,
                seen.items_week,
                seen.events_day,
                seen.events_week,
                seen.last_item,
                newest is not None and newest < limit,
            )
        )
    return out


def check_sources(sources: SourcesFile, fetcher: Fetcher) -> list[dict[str, Any]]:
    """Fetch each source once and read it (nothing is stored): what it holds, or why not."""
    rows = []
    for source in sources.sources:
        row: dict[str, Any] = {"source": source.name, "kind": source.kind, "url": source.url}
        try:
            feed = source.kind == "feed"
            response = fetcher.get(source.url, accept=FEED_TYPES if feed else HTML_TYPES)
            if feed:
                items = feed_items(response)
            else:
                items = page_items(response, text_of(response), source, 1000)
        except (FetchError, SourceBrokenError) as exc:
            error: InputError = exc.error if isinstance(exc, SourceBrokenError) else exc
            row.update(status="failed", items=0, problem=" ".join(error.detail.split()))
        else:
            broken = [i for i in items if i.error is not None]
            row.update(
                status="ok",
                items=len(items),
                problem=f"{len(broken)} unreadable entries" if broken else None,
            )
        rows.append(row)
    return rows
