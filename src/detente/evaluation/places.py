"""Scoring the place resolver against annotated place mentions (``tests/gold/places.jsonl``).

Each record is one phrase of a corpus sentence that the resolver looks at (the object of a place
preposition: "in Islamabad", "near Kharkiv", "at the White House", "on Monday"), with the place
it names and that place's country, or ``null`` when it names no place. The sentence is parsed
alone, the phrase's last word is resolved as the pipeline resolves an event's place
(``detente.nlp.places.locate``, with the countries the sentence names; the event's parties
are not given), and:

- a resolution is **right** when its country is the gold country and, for a city or a region of
  one, it is the place the gold names (the gold name, looked up in the gazetteer, finds it);
  a country-level answer for a place inside that country ("Gaza" → Palestine) is right too;
- **precision** = right / resolved, **recall** = right / mentions that name a place;
  ``held_recall`` counts only the places of kinds the gazetteer holds (cities, their regions,
  countries), not streets, buildings, seas or provinces it does not know.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from detente.errors import DataFileError
from detente.geo import Gazetteer
from detente.nlp.pipeline import Resources
from detente.nlp.places import AREA_NOUNS, locate
from detente.records import Location

HELD = frozenset({"city", "region", "country"})


@dataclass(frozen=True)
class PlaceMention:
    doc: str
    text: str
    mention: str
    n: int  # which occurrence of ``mention`` in ``text``, from 1
    place: str | None
    country: str | None
    kind: str | None  # city, region, country, other (a place the gazetteer does not hold)

    @property
    def start(self) -> int:
        at = -1
        for _ in range(self.n):
            at = self.text.find(self.mention, at + 1)
            if at < 0:
                raise DataFileError(self.doc, f"{self.mention!r} #{self.n} is not in the text")
        return at


@dataclass
class PlaceScore:
    mentions: int = 0
    places: int = 0
    held: int = 0  # places of a kind the gazetteer holds: city, region, country
    resolved: int = 0
    right: int = 0
    held_right: int = 0
    wrong: list[tuple[PlaceMention, Location]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.resolved if self.resolved else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.places if self.places else 0.0

    @property
    def held_recall(self) -> float:
        return self.held_right / self.held if self.held else 0.0


def read_place_gold(path: Path) -> list[PlaceMention]:
    out = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(PlaceMention(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise DataFileError(str(path), f"not a place mention ({exc})", number) from None
    return out


def _fold(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = plain.lower().replace("-", " ").split()
    while words and words[-1] in AREA_NOUNS:
        words.pop()
    return " ".join(words)


def is_right(found: Location, gold: PlaceMention, gazetteer: Gazetteer) -> bool:
    if gold.country is None or found.country != gold.country:
        return False
    if found.kind not in ("city", "region"):
        return True  # the country, its border or airspace: coarse but true
    if gold.place is None or gold.kind in ("country", None):
        return False
    name = _fold(found.name)
    if name == _fold(gold.place):
        return True
    return any(_fold(p.location.name) == name for p in gazetteer.candidates(_fold(gold.place)))


def score_places(gold: Iterable[PlaceMention], res: Resources) -> PlaceScore:
    score = PlaceScore()
    for mention in gold:
        doc = res.actors(res.nlp(mention.text))
        span = doc.char_span(mention.start, mention.start + len(mention.mention))
        if span is None:
            raise DataFileError(mention.doc, f"{mention.mention!r} is not whole words")
        found = locate(span[-1], res.kb, res.gazetteer)
        score.mentions += 1
        score.places += mention.country is not None
        held = mention.country is not None and mention.kind in HELD
        score.held += held
        if found is None:
            continue
        score.resolved += 1
        if is_right(found, mention, res.gazetteer):
            score.right += 1
            score.held_right += held
        else:
            score.wrong.append((mention, found))
    return score


__all__ = ["PlaceMention", "PlaceScore", "is_right", "read_place_gold", "score_places"]
