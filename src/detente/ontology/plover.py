"""The PLOVER ontology as data: event types, modes, quad classes, scores and CAMEO codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detente.datafiles import load_yaml, packaged_text
from detente.errors import DataFileError
from detente.records import EventType

_FILE = "plover.yaml"


@dataclass(frozen=True, slots=True)
class ModeSpec:
    name: str
    score: float
    cameo: str | None


@dataclass(frozen=True, slots=True)
class EventSpec:
    event: EventType
    quad: int
    score: float
    cameo: str | None
    modes: dict[str, ModeSpec]


@dataclass(frozen=True, slots=True)
class Ontology:
    version: str
    events: dict[EventType, EventSpec]
    contexts: frozenset[str]

    def spec(self, event: EventType) -> EventSpec:
        return self.events[event]

    def check_mode(self, event: EventType, mode: str | None) -> None:
        if mode is not None and mode not in self.events[event].modes:
            raise ValueError(f"{mode!r} is not a mode of {event.value}")

    def intensity(self, event: EventType, mode: str | None) -> float:
        spec = self.events[event]
        if mode is not None and mode in spec.modes:
            return spec.modes[mode].score
        return spec.score

    def cameo(self, event: EventType, mode: str | None) -> str | None:
        spec = self.events[event]
        if mode is not None and mode in spec.modes and spec.modes[mode].cameo:
            return spec.modes[mode].cameo
        return spec.cameo


def _parse(raw: Any, origin: str) -> Ontology:
    if not isinstance(raw, dict) or "events" not in raw:
        raise DataFileError(origin, "expected a mapping with 'events'")
    events: dict[EventType, EventSpec] = {}
    for name, body in raw["events"].items():
        try:
            event = EventType(name)
        except ValueError:
            raise DataFileError(origin, f"unknown PLOVER event type {name!r}") from None
        try:
            modes = {
                mode: ModeSpec(mode, float(spec["score"]), spec.get("cameo"))
                for mode, spec in (body.get("modes") or {}).items()
            }
            events[event] = EventSpec(
                event, int(body["quad"]), float(body["score"]), body.get("cameo"), modes
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(origin, f"event {name}: {exc}") from None
        if not -10 <= events[event].score <= 10:
            raise DataFileError(origin, f"event {name}: score outside -10..10")
    missing = set(EventType) - set(events)
    if missing:
        raise DataFileError(origin, f"missing event types: {sorted(m.value for m in missing)}")
    return Ontology(str(raw.get("version", "")), events, frozenset(raw.get("contexts", [])))


def load_ontology() -> Ontology:
    """Load the packaged PLOVER ontology."""
    origin = f"detente/ontology/data/{_FILE}"
    return _parse(load_yaml(packaged_text("detente.ontology", "data", _FILE), origin), origin)
