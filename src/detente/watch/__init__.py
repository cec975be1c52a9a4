"""Watching the web: sources, polite fetching, per-source state, the watch loop, delivery.

sources   the sources file (YAML): which feeds and pages, how often
fetch     the polite HTTP client (robots.txt, conditional requests, retries, caps)
items     what a fetched feed or index page holds
state     per-source state, seen items, the alert outbox and deliveries, in the store
loop      the watcher: rounds of polling, ingesting, alerting
deliver   alert channels: stdout, file, webhook (HMAC-signed), SMTP
status    ``sources status`` and ``sources check``
"""

from detente.watch.fetch import Fetcher, FetchSettings
from detente.watch.loop import RoundReport, Watcher
from detente.watch.sources import Source, SourcesFile, load_sources

__all__ = [
    "FetchSettings",
    "Fetcher",
    "RoundReport",
    "Source",
    "SourcesFile",
    "Watcher",
    "load_sources",
]
