"""Benchmarks: throughput and peak memory of `extract` and `ingest` beside the bare spaCy
pipeline, on real-like news: the whole documents of our corpus's test split (never template
sentences), the seeds and the demo; the time of one long document at 10 KB, 100 KB and 1 MB;
analytics on a million events (bench/analytics.py); one watcher polling 200 local feeds of 20
items (bench/watch.py).

Run with ``make bench``. Each measurement runs in its own process so peak memory (max RSS) is its
own. Results are printed and written to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SHARED = Path(os.environ.get("DETENTE_SHARED", ROOT.parent / "shared"))


def _texts(paths: list[str]) -> list[str]:
    from detente import Document, read_inputs

    return [d.text for d in read_inputs(paths) if isinstance(d, Document)]


def measure_spacy(paths: list[str]) -> dict[str, Any]:
    """The bare pipeline (all components) over the same document texts."""
    import spacy

    from detente.nlp.model import DEFAULT_MODEL

    texts = _texts(paths)
    nlp = spacy.load(DEFAULT_MODEL)
    start = time.perf_counter()
    sentences = sum(len(list(doc.sents)) for doc in nlp.pipe(texts, batch_size=16))
    seconds = time.perf_counter() - start
    return {"documents": len(texts), "sentences": sentences, "seconds": seconds}


def measure_extract(paths: list[str]) -> dict[str, Any]:
    """detente's extract: read, parse, code, resolve dates and places (load time excluded)."""
    import detente

    res = detente.load()
    start = time.perf_counter()
    documents = sentences = events = 0
    for item in detente.extract(paths, res):
        if isinstance(item, detente.Coded):
            documents += 1
            sentences += len(item.sentences)
            events += len(item.events)
    seconds = time.perf_counter() - start
    return {"documents": documents, "sentences": sentences, "events": events, "seconds": seconds}


def measure_ingest(paths: list[str], workers: int) -> dict[str, Any]:
    """detente ingest into a fresh SQLite file with ``workers`` coding processes."""
    import tempfile

    import detente
    from detente.api import LoadOptions

    with tempfile.TemporaryDirectory() as folder:
        store = detente.open_store(f"sqlite:///{folder}/bench.db")
        start = time.perf_counter()
        summary = detente.ingest(paths, store, options=LoadOptions(), workers=workers)
        seconds = time.perf_counter() - start
        counts = store.counts()
        store.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "documents": summary.stored,
        "sentences": summary.sentences,
        "events": summary.events,
        "incidents": counts["incidents"],
        "seconds": seconds,
        "startup_seconds": summary.startup_seconds,
        "coding_seconds": seconds - summary.startup_seconds,
        "workers": workers,
        "peak_worker_rss_mb": children if workers > 1 else None,
    }


def measure_load() -> dict[str, Any]:
    import detente

    start = time.perf_counter()
    detente.load()
    return {"seconds": time.perf_counter() - start}


MEASURES: dict[str, Callable[[list[str]], dict[str, Any]]] = {
    "spacy": measure_spacy,
    "extract": measure_extract,
    "ingest-1": lambda paths: measure_ingest(paths, 1),
    "ingest-2": lambda paths: measure_ingest(paths, 2),
}


def measure_long(paths: list[str]) -> dict[str, Any]:
    """One long document (the first path), coded alone: seconds and seconds per sentence, by the
    clock and in CPU time (the fair figure when other work shares the cores). A short document
    is coded first, untimed: the first coding of a process pays a one-off start (about 0.7 CPU
    seconds: lazy loads, first calls) that is no cost of the document's length."""
    import tempfile

    import detente

    res = detente.load()
    with tempfile.TemporaryDirectory() as folder:
        warm = Path(folder) / "warm-up.txt"
        warm.write_text(Path(paths[0]).read_text("utf-8")[:2000], "utf-8")
        list(detente.extract([str(warm)], res))
    start, cpu = time.perf_counter(), time.process_time()
    sentences = events = 0
    for item in detente.extract(paths[:1], res):
        if not isinstance(item, detente.Coded):  # refused (by the coding budget, say): no figure
            raise SystemExit(f"bench: {item}")
        sentences += len(item.sentences)
        events += len(item.events)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return {"documents": 1, "sentences": sentences, "events": events, "seconds": seconds,
            "ms_per_sentence": 1000 * seconds / max(1, sentences), "cpu_seconds": cpu_seconds,
            "cpu_ms_per_sentence": 1000 * cpu_seconds / max(1, sentences)}  # fmt: skip


MEASURES["long"] = measure_long


def news_split(path: Path, split: str = "test") -> Path:
    """The corpus documents of one split as a detente JSONL corpus (id, title, text, published)."""
    from detente.training.documents import read_corpus

    docs, _ = read_corpus(ROOT / "corpus" / "docs")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for doc in docs:
            if doc.split == split:
                title = doc.text.split("\n\n", 1)[0]
                record = {"id": doc.id, "title": title, "text": doc.text,
                          "published": doc.published.isoformat()}  # fmt: skip
                out.write(json.dumps(record) + "\n")
    return path


def long_document(path: Path, size: int) -> Path:
    """One document of about ``size`` bytes: the test split's paragraphs one after another."""
    from detente.training.documents import read_corpus

    docs, _ = read_corpus(ROOT / "corpus" / "docs")
    paragraphs = [p for d in docs if d.split == "test" for p in d.text.split("\n\n")[1:]]
    parts: list[str] = []
    total = 0
    while total < size:
        for paragraph in paragraphs:
            parts.append(paragraph)
            total += len(paragraph) + 2
            if total >= size:
                break
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


LONG_SIZES = (10_000, 100_000, 1_000_000)
MAX_SPREAD = 2.0  # the most the time per sentence may differ across LONG_SIZES
MAX_PEAK_MB = 1536  # the most memory one long document may take


def long_documents() -> dict[str, Any]:
    """One document at 10 KB, 100 KB and 1 MB, each coded alone in its own process: the time per
    sentence at each size, and whether it differs by less than 2x across them with peak memory
    under 1.5 GB (issue 12's linear-time goal)."""
    results: dict[str, Any] = {}
    for size in LONG_SIZES:
        path = long_document(OUT / f"long-{size // 1000}k.txt", size)
        figures = _child("long", [str(path)])
        results[str(size)] = figures
        print(
            f"one document of {size // 1000} KB: {figures['sentences']} sentences in "
            f"{figures['seconds']:.1f} s = {figures['ms_per_sentence']:.2f} ms/sentence "
            f"({figures['cpu_ms_per_sentence']:.2f} ms of CPU), peak {figures['peak_rss_mb']:.0f} MB"
        )
    for key in ("ms_per_sentence", "cpu_ms_per_sentence"):
        per_sentence = [results[str(size)][key] for size in LONG_SIZES]
        results[f"spread_{key}"] = max(per_sentence) / min(per_sentence)
    spread, cpu_spread = results["spread_ms_per_sentence"], results["spread_cpu_ms_per_sentence"]
    peak = max(results[str(size)]["peak_rss_mb"] for size in LONG_SIZES)
    results["peak_rss_mb"] = peak
    results["within_goal"] = cpu_spread < MAX_SPREAD and peak < MAX_PEAK_MB
    print(
        f"time per sentence from 10 KB to 1 MB differs {cpu_spread:.2f}x in CPU time "
        f"(goal < {MAX_SPREAD:g}x; {spread:.2f}x by the clock), peak {peak:.0f} MB "
        f"(goal < {MAX_PEAK_MB} MB): {'within' if results['within_goal'] else 'OUTSIDE'} the goal"
    )
    return results


def _child(kind: str, paths: list[str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--child", kind, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


HEADER = f"{'corpus':<16}{'run':<10}{'docs':>6}{'sents':>7}{'events':>7}{'sec':>8}{'sent/s':>8}{'x spaCy':>8}{'peak MB':>9}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--long", action="store_true", help="Only time the long documents (10 KB, 100 KB, 1 MB)."
    )
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = measure_load() if args.child == "load" else MEASURES[args.child](args.paths)
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return
    if args.long:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "long.json").write_text(json.dumps(long_documents(), indent=2))
        print(f"written {OUT / 'long.json'}")
        return

    synthetic = "news-test"
    corpora: dict[str, list[str]] = {"demo": [str(ROOT / "data" / "demo")]}
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        corpora["seeds"] = [str(seeds)]
    corpora[synthetic] = [str(news_split(OUT / "news-test.jsonl"))]
    results: dict[str, Any] = {"load": _child("load", [])}
    load = results["load"]
    print(f"load resources once: {load['seconds']:.2f} s, peak {load['peak_rss_mb']:.0f} MB")
    print("speed-up = time of the full spaCy pipeline on the same texts / time of the run")
    print(HEADER)
    for name, paths in corpora.items():
        results[name] = {}
        kinds = ["spacy", "extract"] + (["ingest-1", "ingest-2"] if name == synthetic else [])
        for kind in kinds:
            figures = _child(kind, paths)
            figures["sentences_per_second"] = figures["sentences"] / max(figures["seconds"], 1e-9)
            figures["speedup"] = (
                results[name]["spacy"]["seconds"] / figures["seconds"] if kind != "spacy" else 1.0
            )
            results[name][kind] = figures
            print(
                f"{name:<16}{kind:<10}{figures['documents']:>6}{figures['sentences']:>7}"
                f"{figures.get('events', ''):>7}{figures['seconds']:>8.2f}"
                f"{figures['sentences_per_second']:>8.0f}{figures['speedup']:>8.2f}"
                f"{figures['peak_rss_mb']:>9.0f}"
            )
    base = results[synthetic]["spacy"]
    for kind in ("ingest-1", "ingest-2"):
        run = results[synthetic][kind]
        rate = run["sentences"] / run["coding_seconds"]
        print(
            f"{kind} after start-up ({run['startup_seconds']:.1f} s loading the model per worker): "
            f"{rate:.0f} sentences/s, {base['seconds'] / run['coding_seconds']:.2f} x the full spaCy pipeline"
        )
    two = results[synthetic]["ingest-2"]
    print(
        f"ingest with 2 workers: {two['documents'] / two['seconds']:.0f} documents/s, "
        f"{two['incidents']} incidents; peak memory per worker {two['peak_worker_rss_mb']:.0f} MB, "
        f"parent {two['peak_rss_mb']:.0f} MB"
    )
    results["long"] = long_documents()
    from bench import analytics

    results["analytics"] = analytics.main()
    from bench import watch

    results["watch"] = watch.main()
    from bench import commitments

    results["commitments"] = commitments.main()
    from bench import web

    results["web"] = web.main()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(f"written {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
