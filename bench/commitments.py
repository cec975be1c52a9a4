"""Commitments on the large analytics store (bench/analytics.py builds it: 1,000,000 synthetic
events, each its own incident): one dyad's commitments made over one year, judged on every
incident of the pair up to the store's last day.

Run alone with ``python -m bench.commitments [STORE]``; ``make bench`` runs it after analytics.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import detente
from bench.analytics import OUT, build
from detente.analysis.commitments import commitments
from detente.analysis.promises import load_table


def main(path: Path | None = None) -> dict[str, Any]:
    path = path or OUT / "analytics-1m.db"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        build(path.with_suffix(".partial"))
        path.with_suffix(".partial").rename(path)
    store = detente.open_store(f"sqlite:///{path}", create=False)
    table = load_table()
    dyad = ("BLR", "UKR")
    since, until = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    times, found, later = [], [], []
    for _ in range(5):  # the dyad-year: commitments of the year, judged on the year
        began = time.perf_counter()
        found = commitments(store, dyad, since=since, until=until, as_of=until, table=table)
        times.append(time.perf_counter() - began)
    for _ in range(5):  # the same commitments judged on every later incident of the pair
        began = time.perf_counter()
        commitments(store, dyad, since=since, until=until, table=table)
        later.append(time.perf_counter() - began)
    store.close()
    statuses = Counter(c.status for c in found)
    result = {
        "commitments": len(found),
        "evidence_steps": sum(len(c.steps) - 1 for c in found),
        "statuses": dict(statuses),
        "commitments_median_seconds": statistics.median(times),
        "commitments_max_seconds": max(times),
        "commitments_to_end_median_seconds": statistics.median(later),
        "commitments_to_end_max_seconds": max(later),
    }
    print(
        f"commitments: {dyad[0]}-{dyad[1]} over {since.year}: {len(found)} commitments "
        f"({', '.join(f'{k} {v}' for k, v in statuses.most_common())}), "
        f"{result['evidence_steps']} evidence steps; {result['commitments_median_seconds']:.3f} s "
        f"(median of 5; max {result['commitments_max_seconds']:.3f} s); judged on every later "
        f"incident of the pair {result['commitments_to_end_median_seconds']:.3f} s "
        f"(max {result['commitments_to_end_max_seconds']:.3f} s)"
    )
    return result


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
