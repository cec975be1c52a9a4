"""A deterministic synthetic news corpus for benchmarks, written from our own templates."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

ACTORS = [
    ("Belarus", "Belarusian"), ("Ukraine", "Ukrainian"), ("Russia", "Russian"), ("Poland", "Polish"),
    ("Lithuania", "Lithuanian"), ("China", "Chinese"), ("Moldova", "Moldovan"), ("Latvia", "Latvian"),
]  # fmt: skip
EVENTS = [
    "{a} moved additional troops to the border with {b} on {day}, the defence ministry said.",
    "{A} officials accused {b} of massing forces near the frontier.",
    "{a} said on {day} that {B} troops had been spotted close to the border.",
    "The foreign ministers of {a} and {b} held talks in {city} on {day}.",
    "{a} withdrew part of its forces from the border with {b}, officials said.",
    "{a} handed a protest note to the {B} ambassador over a drone incursion.",
    "{a} and {b} agreed to set up a hotline between their general staffs.",
    "{A} border guards detained two {B} citizens near a crossing point on {day}.",
    "{a} threatened to close its border with {b} if the provocations continued.",
    "{a} expressed support for the peace initiative put forward by {b}.",
]
FILLER = [
    "Analysts said the situation remained tense but stable.",
    "The statement did not give further details.",
    "Independent verification of the claims was not possible.",
    "Traffic at the main crossing points continued as usual.",
    "Commentators expect the issue to feature at the next regional summit.",
]
CITIES = ["Minsk", "Kyiv", "Warsaw", "Vilnius", "Geneva", "Istanbul", "Astana", "Riga"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def generate(n_docs: int, seed: int = 7) -> list[dict[str, str]]:
    """``n_docs`` JSONL records of 6-10 sentences each, the same for the same seed."""
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    records = []
    for i in range(n_docs):
        (a, a_adj), (b, b_adj) = rng.sample(ACTORS, 2)
        sentences = []
        for _ in range(rng.randint(6, 10)):
            template = rng.choice(EVENTS) if rng.random() < 0.6 else rng.choice(FILLER)
            text = template.format(
                a=a, b=b, A=a_adj, B=b_adj, day=rng.choice(DAYS), city=rng.choice(CITIES)
            )
            sentences.append(text[0].upper() + text[1:])
        published = start + dt.timedelta(days=rng.randint(0, 330))
        records.append(
            {
                "id": f"bench-{i:05d}",
                "published": published.isoformat(),
                "source": "detente bench",
                "text": " ".join(sentences),
            }
        )
    return records


def write(path: Path, n_docs: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in generate(n_docs):
            handle.write(json.dumps(record) + "\n")
    return path
