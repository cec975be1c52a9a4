"""One watcher polling many local feeds: items per second and the round time.

A local HTTP server on 127.0.0.1 serves ``--feeds`` RSS feeds (200 by default) of ``--items``
entries each (20), every entry a whole paragraph of our news corpus in full text (no article
page to fetch), with an ETag. The first round fetches, reads, codes and stores every item;
the second round finds every feed unchanged (304) and measures the polling alone.

    python -m bench.watch                      # as make bench runs it
    python -m bench.watch --feeds 20 --items 5 # a small run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _paragraphs(n: int) -> list[str]:
    from detente.training.documents import read_corpus

    docs, _ = read_corpus(ROOT / "corpus" / "docs")
    found: list[str] = []
    for doc in docs:
        for paragraph in doc.text.split("\n\n")[1:]:
            if len(paragraph) > 80:
                found.append(" ".join(paragraph.split()))
    out = [found[i % len(found)] for i in range(n)]
    if n > len(found):  # distinct texts even past the corpus's paragraphs
        out = [f"{t} (item {i})" if i >= len(found) else t for i, t in enumerate(out)]
    return out


def measure(feeds: int = 200, items: int = 20) -> dict[str, Any]:
    from tests.webserver import FEED_TYPE, Entry, Reply, rss, serve

    import detente
    from detente.watch import Fetcher, FetchSettings, Watcher, load_sources

    texts = _paragraphs(feeds * items)
    day = dt.date(2024, 6, 1)
    server = serve()
    site = next(server)
    try:
        for f in range(feeds):
            entries = [
                Entry(
                    f"f{f}-i{i}",
                    f"Report {f}-{i}",
                    day + dt.timedelta(days=i % 28),
                    texts[f * items + i][:80],
                    link=site.url(f"/f{f}/{i}"),
                    content=f"<p>{texts[f * items + i]}</p>",
                )
                for i in range(items)
            ]
            site.set(f"/feed/{f}", Reply(rss(f"Feed {f}", entries), content_type=FEED_TYPE,
                                         etag=f'"{f}"'))  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            sources = Path(folder) / "sources.yaml"
            sources.write_text(
                "allow_private: true\nmin_interval: 0s\nsources:\n"
                + "".join(
                    f"  - {{name: feed-{f}, url: '{site.url(f'/feed/{f}')}', kind: feed, every: 1h}}\n"
                    for f in range(feeds)
                ),
                encoding="utf-8",
            )
            began = time.perf_counter()
            res = detente.load()
            load_seconds = time.perf_counter() - began
            store = detente.open_store(f"sqlite:///{folder}/watch.db")
            fetcher = Fetcher(FetchSettings(allow_private=True, min_interval=0))
            try:
                watcher = Watcher(store, res, load_sources(sources), fetcher)
                began = time.perf_counter()
                first = watcher.run_round(force=True)
                first_seconds = time.perf_counter() - began
                began = time.perf_counter()
                second = watcher.run_round(force=True)
                second_seconds = time.perf_counter() - began
                counts = store.counts()
            finally:
                fetcher.close()
                store.close()
    finally:
        server.close()
    new = sum(s.new for s in first.sources)
    return {
        "feeds": feeds,
        "items_per_feed": items,
        "load_seconds": load_seconds,
        "first_round_seconds": first_seconds,
        "items_new": new,
        "stored": first.stored,
        "events": counts["events"],
        "items_per_second": new / max(first_seconds, 1e-9),
        "unchanged_round_seconds": second_seconds,
        "not_modified": sum(1 for s in second.sources if s.status == "not-modified"),
        "feeds_per_second_unchanged": feeds / max(second_seconds, 1e-9),
    }


def main(feeds: int = 200, items: int = 20) -> dict[str, Any]:
    figures = measure(feeds, items)
    print(
        f"watch: {figures['feeds']} feeds x {figures['items_per_feed']} items: first round "
        f"{figures['first_round_seconds']:.1f} s for {figures['items_new']} new items = "
        f"{figures['items_per_second']:.1f} items/s (fetch, read, code, store; "
        f"{figures['events']} events); unchanged round (304s) "
        f"{figures['unchanged_round_seconds']:.2f} s = "
        f"{figures['feeds_per_second_unchanged']:.0f} feeds/s"
    )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=200, help="feeds to serve and poll")
    parser.add_argument("--items", type=int, default=20, help="entries in each feed")
    args = parser.parse_args()
    print(json.dumps(main(args.feeds, args.items)))
