"""The web app on the analytics bench's store (1,000,000 synthetic events, ``bench.analytics``):
the API calls of a dyad page over one year and the overview, answered in process (httpx's ASGI
transport, no network), 20 times each; the 50th and 95th percentiles of the time each took, and
of the CPU time the process spent on it (which other work on the machine inflates less).

``python -m bench.web [STORE]`` measures another store (a small one checks that this runs).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

import detente
from bench import analytics
from detente.web import create_app

DYAD_PAGE = [
    "/api/v1/dyads/BLR-UKR/tension?since=2024-01-01&until=2024-12-31",
    "/api/v1/dyads/BLR-UKR/turns?since=2024-01-01&until=2024-12-31",
    "/api/v1/dyads/BLR-UKR/reciprocity?since=2024-01-01&until=2024-12-31",
    "/api/v1/incidents?dyad=BLR-UKR&since=2024-01-01&until=2024-12-31&limit=100",
    "/api/v1/events?dyad=BLR-UKR&since=2024-01-01&limit=100",
]
OVERVIEW = ["/api/v1/dyads?limit=30", "/"]


def _percentiles(times: list[float], cpu: list[float]) -> dict[str, float]:
    def at(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return 1000 * ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return {
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": at(times, 0.95),
        "cpu_p50_ms": 1000 * statistics.median(cpu),
        "cpu_p95_ms": at(cpu, 0.95),
    }


async def _timed(app: Any, urls: list[str], runs: int) -> dict[str, dict[str, float]]:
    transport = httpx.ASGITransport(app=app)
    out: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for url in urls:
            times, cpu = [], []
            for _ in range(runs):
                began, spent = time.perf_counter(), time.process_time()
                answer = await client.get(url)
                times.append(time.perf_counter() - began)
                cpu.append(time.process_time() - spent)
                if answer.status_code != 200:
                    raise SystemExit(f"{url}: {answer.status_code} {answer.text[:200]}")
            out[url] = _percentiles(times, cpu)
    return out


def main(path: Path | None = None, runs: int = 20) -> dict[str, Any]:
    if path is None:
        path = analytics.OUT / "analytics-1m.db"
        if not path.exists():
            analytics.main()  # generates the store
    store = detente.open_store(f"sqlite:///{path}", create=False)
    app = create_app(store)
    timed = {
        "dyad_page": asyncio.run(_timed(app, DYAD_PAGE, runs)),
        "overview": asyncio.run(_timed(app, OVERVIEW, max(3, runs // 4))),
    }
    events = store.counts()["events"]
    store.close()
    for part, answers in timed.items():
        for url, figures in answers.items():
            print(
                f"web {part}: {url} p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms"
                f" (CPU p50 {figures['cpu_p50_ms']:.0f} ms, p95 {figures['cpu_p95_ms']:.0f} ms)"
            )
    return {**timed, "events": events}


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
