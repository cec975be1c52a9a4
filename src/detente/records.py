"""Typed records that flow between the stages: read → sentences → actors → events → dates → places.

All records are frozen dataclasses; enums carry the closed vocabularies. ``to_json`` functions give
the public event contract documented in the README.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass
from typing import Any


class EventType(enum.StrEnum):
    """The 16 PLOVER event types."""

    AGREE = "AGREE"
    CONSULT = "CONSULT"
    SUPPORT = "SUPPORT"
    CONCEDE = "CONCEDE"
    COOPERATE = "COOPERATE"
    AID = "AID"
    RETREAT = "RETREAT"
    REQUEST = "REQUEST"
    ACCUSE = "ACCUSE"
    REJECT = "REJECT"
    THREATEN = "THREATEN"
    PROTEST = "PROTEST"
    SANCTION = "SANCTION"
    MOBILIZE = "MOBILIZE"
    COERCE = "COERCE"
    ASSAULT = "ASSAULT"


class Status(enum.StrEnum):
    """How the source presents the event."""

    ASSERTED = "asserted"  # reported as fact, or said by the actor of its own action
    ALLEGED = "alleged"  # claimed by another party, or hedged ("alleged", "reportedly")
    DENIED = "denied"  # the actor (or its side) denies it happened
    NEGATED = "negated"  # the text says it did not happen
    PLANNED = "planned"  # announced, intended, ordered but not yet done
    HYPOTHETICAL = "hypothetical"  # conditional or speculative
    BACKGROUND = "background"  # history the report retells: an act over a year before it


class DatePrecision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class DateBasis(enum.StrEnum):
    """Where an event's date came from."""

    TEXT = "text"  # a date expression in the event's own sentence
    # carried from an earlier sentence of its paragraph (a headline: from its lede)
    NARRATIVE = "narrative"
    PUBLISHED = "published"  # no date in the text: the document's publication date
    NONE = "none"


class ReferenceBasis(enum.StrEnum):
    """Where a document's reference date (for relative and partial dates) came from."""

    PUBLISHED = "published"  # the document's own metadata or printed date line
    GIVEN = "given"  # supplied by the caller (--published)
    INFERRED = "inferred"  # inferred from the dates and dated roles in the text
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Document:
    """One input document, its text kept exactly as read (after decoding)."""

    id: str
    text: str
    path: str | None = None
    source: str | None = None
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    kind: str = "text"  # text | markdown | html | feed-entry | jsonl | csv

    @staticmethod
    def content_id(text: str) -> str:
        """A stable id from the normalised content: same text, same id."""
        return text_hash(text)[:16]


def text_hash(text: str) -> str:
    """SHA-256 of the text with white space normalised."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a document: ``doc.text[start:end] == text``."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved actor: country code (ISO3 or a PLOVER code such as IGO), sector, name."""

    code: str
    sector: str | None
    name: str
    entity_id: str | None = None  # knowledge-base id, e.g. "person:lukashenka"
    role: str | None = None  # the role held on the event date, for people


@dataclass(frozen=True, slots=True)
class ActorMention:
    """An entity as written in a sentence. Offsets are relative to the sentence."""

    text: str
    start: int
    end: int
    entity: Entity


@dataclass(frozen=True, slots=True)
class DateValue:
    """A calendar date at its real precision. Unknown parts are absent, never guessed."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The last day the date may mean: itself, the end of its month or of its year."""
        if self.day is not None:
            return self.first_day()
        if self.month is None:
            return dt.date(self.year, 12, 31)
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    def month_only(self) -> DateValue:
        return DateValue(self.year, self.month)

    @staticmethod
    def from_date(day: dt.date) -> DateValue:
        return DateValue(day.year, day.month, day.day)

    @staticmethod
    def parse(value: str) -> DateValue:
        parts = [int(p) for p in value.split("-")]
        return DateValue(*parts)


@dataclass(frozen=True, slots=True)
class Location:
    name: str
    country: str | None
    lat: float | None
    lon: float | None
    kind: str = "place"  # country | region | city | border | place


@dataclass(frozen=True, slots=True)
class Event:
    """One coded event, pointing back to its exact sentence."""

    doc_id: str
    sentence_index: int
    actor: tuple[ActorMention, ...]
    recipient: tuple[ActorMention, ...]
    event: EventType
    mode: str | None
    context: tuple[str, ...]
    quad_code: int
    intensity: float
    status: Status
    claimed_by: ActorMention | None
    event_text: str
    trigger_start: int  # offset of the trigger in the document text
    text: str
    start: int
    end: int
    date: DateValue | None = None
    date_basis: DateBasis = DateBasis.NONE
    location: Location | None = None
    cameo: str | None = None
    confidence: float = 0.5
    doc_path: str | None = None
    published: dt.date | None = None
    doc_hash: str = ""  # the document text's hash: a new revision gives new event ids
    coder: str = "rules"  # what found it: "rules", "model" (the trained typer) or "rules+model"

    @property
    def id(self) -> str:
        key = "|".join(
            [
                self.doc_id,
                self.doc_hash,
                str(self.trigger_start),
                self.event.value,
                ",".join(sorted(m.entity.code for m in self.actor)),
                ",".join(sorted(m.entity.code for m in self.recipient)),
            ]
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    @property
    def date_precision(self) -> DatePrecision:
        return self.date.precision if self.date else DatePrecision.UNKNOWN


def mention_json(mention: ActorMention) -> dict[str, Any]:
    entity = mention.entity
    out: dict[str, Any] = {
        "code": entity.code,
        "sector": entity.sector,
        "text": mention.text,
        "name": entity.name,
    }
    if entity.entity_id:
        out["entity_id"] = entity.entity_id
    if entity.role:
        out["role"] = entity.role
    return out


def event_json(event: Event) -> dict[str, Any]:
    """The public JSON form of an event (the contract other tools rely on)."""
    claimed = event.claimed_by
    location = event.location
    return {
        "id": event.id,
        "doc_id": event.doc_id,
        "doc_path": event.doc_path,
        "published": event.published.isoformat() if event.published else None,
        "date": event.date.iso() if event.date else None,
        "date_precision": event.date_precision.value,
        "date_basis": event.date_basis.value,
        "actor": [mention_json(m) for m in event.actor],
        "recipient": [mention_json(m) for m in event.recipient],
        "event": event.event.value,
        "mode": event.mode,
        "context": list(event.context),
        "quad_code": event.quad_code,
        "intensity": event.intensity,
        "status": event.status.value,
        "claimed_by": (
            {
                "code": claimed.entity.code,
                "sector": claimed.entity.sector,
                "text": claimed.text,
            }
            if claimed
            else None
        ),
        "event_text": event.event_text,
        "text": event.text,
        "start": event.start,
        "end": event.end,
        "location": (
            {
                "name": location.name,
                "country": location.country,
                "lat": location.lat,
                "lon": location.lon,
            }
            if location
            else None
        ),
        "cameo": event.cameo,
        "confidence": round(event.confidence, 3),
        "coder": event.coder,
    }
