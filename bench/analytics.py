"""Analytics on a large store: 1,000,000 synthetic events (each its own incident, the worst case
for the analytics), written straight into SQLite, then one dyad over one year analysed.

The store is generated deterministically into bench/out/ the first time and reused after.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import detente
from detente.analysis import analyse
from detente.analysis.dyads import dyad_summaries
from detente.analysis.frames import tension
from detente.store import Store, summary
from detente.store.incidents import dyads

OUT = Path(__file__).resolve().parent / "out"
COUNTRIES = ["BLR", "UKR", "RUS", "POL", "LTU", "LVA", "EST", "MDA", "ROU", "HUN", "SVK", "CZE",
             "DEU", "FRA", "GBR", "USA", "CHN", "TUR", "GEO", "ARM", "AZE", "KAZ", "IRN", "ISR",
             "IND", "PAK", "JPN", "KOR", "PRK", "SRB"]  # fmt: skip
TYPES = [("MOBILIZE", -6.5, 4), ("ACCUSE", -3.0, 3), ("CONSULT", 2.5, 1), ("RETREAT", 8.0, 2),
         ("THREATEN", -3.5, 3), ("AGREE", 2.5, 1), ("ASSAULT", -9.0, 4), ("SANCTION", -6.0, 4)]  # fmt: skip
STATUSES = ["asserted"] * 6 + ["alleged"] * 3 + ["planned"]


def build(path: Path, n_events: int = 1_000_000, per_doc: int = 10, seed: int = 11) -> None:
    rng = random.Random(seed)
    store = detente.open_store(f"sqlite:///{path}")
    raw: Any = store.engine.raw_connection()
    cursor = raw.cursor()
    start = dt.date(2021, 1, 1)
    weights = [1 / (i + 1) for i in range(len(COUNTRIES))]  # a few pairs are far busier
    docs: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    actors: list[tuple[Any, ...]] = []
    incs: list[tuple[Any, ...]] = []
    pairs: list[tuple[Any, ...]] = []

    def flush() -> None:
        cursor.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", docs)
        cursor.executemany("INSERT INTO incidents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", incs)
        cursor.executemany(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", events
        )
        cursor.executemany("INSERT INTO event_actors VALUES (?,?,?,?,?,?)", actors)
        cursor.executemany("INSERT INTO incident_dyads VALUES (?,?,?,?,?)", pairs)
        raw.commit()
        for batch in (docs, events, actors, incs, pairs):
            batch.clear()

    for n in range(n_events):
        if n % per_doc == 0:
            doc = f"d{n // per_doc:07d}"
            day = start + dt.timedelta(days=rng.randrange(5 * 365))
            docs.append((doc, doc, f"id:{doc}", 1, 1, None, "bench", None, None, day.isoformat(),
                         "en", "jsonl", day.isoformat(), "published", "synthetic", "2026-01-01"))  # fmt: skip
        a, b = rng.choices(COUNTRIES, weights, k=2)
        if a == b:
            b = COUNTRIES[(COUNTRIES.index(a) + 1) % len(COUNTRIES)]
        kind, score, quad = rng.choice(TYPES)
        when = (day + dt.timedelta(days=rng.randrange(-3, 1))).isoformat()
        status = rng.choice(STATUSES)
        ident, incident = f"e{n:08d}", f"i{n:08d}"
        payload = json.dumps({"id": ident, "event": kind, "date": when, "text": f"{a} {kind} {b}",
                              "actor": [{"code": a}], "recipient": [{"code": b}]})  # fmt: skip
        events.append((ident, doc, doc, n % per_doc, kind, None, quad, score, status, when, when,
                       "day", a, b, 0.7, "x", False, incident, payload))  # fmt: skip
        actors += [(ident, "actor", 0, a, "GOV", None), (ident, "recipient", 0, b, None, None)]
        incs.append((incident, kind, None, a, b, when, when, "day", status, score, quad, 1, 1, 1,
                     day.isoformat(), day.isoformat(), ident))  # fmt: skip
        pairs += [(incident, s, t, j, when) for s, t, j in dyads(a, b)]
        if len(events) >= 20_000:
            flush()
    flush()
    raw.close()
    with store.engine.begin() as conn:  # rows written around the store: fill its pair summaries
        summary.rebuild(conn)
    store.close()


def main() -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "analytics-1m.db"
    if not path.exists():
        began = time.perf_counter()
        build(path.with_suffix(".partial"))
        path.with_suffix(".partial").rename(path)
        print(f"generated {path.name} in {time.perf_counter() - began:.0f} s")
    store: Store = detente.open_store(f"sqlite:///{path}")
    counts = store.counts()
    dyad = ("BLR", "UKR")
    since, until = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    whole, series = [], []
    for _ in range(5):
        began = time.perf_counter()
        analysis = analyse(store, dyad, since=since, until=until)  # series, turns, reciprocity
        whole.append(time.perf_counter() - began)
        began = time.perf_counter()
        frame = tension(store, dyad, since=since, until=until)  # the tension DataFrame alone
        series.append(time.perf_counter() - began)
    pairs, ranked = [], []
    for _ in range(5):
        began = time.perf_counter()
        ranked = dyad_summaries(store)  # `detente dyads`: every pair, index and 30-day change
        pairs.append(time.perf_counter() - began)
    store.close()
    result = {
        "dyads": len(ranked),
        "dyads_median_seconds": statistics.median(pairs),
        "dyads_max_seconds": max(pairs),
        "events": counts["events"],
        "incidents": counts["incidents"],
        "dyad_incidents_in_year": len(analysis.points),
        "days": len(frame),
        "turns": len(analysis.turns),
        "matches": len(analysis.matches),
        "analyse_median_seconds": statistics.median(whole),
        "analyse_max_seconds": max(whole),
        "tension_median_seconds": statistics.median(series),
        "tension_max_seconds": max(series),
    }
    print(
        f"analytics: {counts['events']:,} events in the store; {dyad[0]}-{dyad[1]} over {since.year}: "
        f"{len(analysis.points)} incidents; full analysis (series, turns, surges, reciprocity) "
        f"{result['analyse_median_seconds']:.3f} s, tension series {result['tension_median_seconds']:.3f} s "
        f"(median of 5; max {result['analyse_max_seconds']:.3f} s and {result['tension_max_seconds']:.3f} s)"
    )
    print(
        f"analytics: detente dyads over the whole store ({len(ranked)} pairs) "
        f"{result['dyads_median_seconds']:.3f} s (median of 5; max {result['dyads_max_seconds']:.3f} s)"
    )
    return result


if __name__ == "__main__":
    main()
