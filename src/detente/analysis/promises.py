"""The commitments rule table (``tables/commitments.yaml``): what makes a promise, which acts keep
it and which break it, and the word lists that read a promise's act, object, condition, deadline
and name from its sentences. Loaded and validated once, passed in; a user's file extends it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.datafiles import load_yaml, packaged_text, read_yaml_file
from detente.errors import DataFileError
from detente.nlp.dates import find_dates, resolve
from detente.ontology.plover import load_ontology
from detente.records import EventType

TABLE_VERSION = 1
_STATUSES = frozenset({"asserted", "alleged", "planned", "denied"})


@dataclass(frozen=True, slots=True)
class Act:
    """A PLOVER type with its mode, or any mode when ``mode`` is None."""

    event: str
    mode: str | None = None

    def matches(self, event: str, mode: str | None) -> bool:
        return self.event == event and (self.mode is None or self.mode == mode)

    def __str__(self) -> str:
        return f"{self.event} {self.mode}" if self.mode else self.event

    @staticmethod
    def parse(text: str) -> Act:
        parts = str(text).split()
        return Act(parts[0].upper(), parts[1] if len(parts) > 1 else None)


@dataclass(frozen=True, slots=True)
class Match:
    """One line of the compliance table: an act, whom it must be aimed at, objects it needs."""

    act: Act
    aimed: str = "any"  # any | partner
    objects: tuple[str, ...] = ()  # object classes the evidence's sentence must name
    not_objects: tuple[str, ...] = ()  # object classes that rule it out
    leaving: bool = False  # the evidence's own words (its trigger) must be words of leaving


@dataclass(frozen=True, slots=True)
class Compliance:
    fulfils: tuple[Match, ...]
    breaches: tuple[Match, ...]


@dataclass(frozen=True)
class Table:
    version: int
    promises: dict[str, frozenset[str]]  # event type -> statuses that make a promise
    acts: tuple[tuple[Act, re.Pattern[str]], ...]
    promise_words: re.Pattern[str]
    objects: dict[str, re.Pattern[str]]
    names: tuple[str, ...]
    conditions: re.Pattern[str]
    deadlines: re.Pattern[str]
    compliance: dict[Act, Compliance]
    abandons: tuple[Match, ...]
    lists: dict[str, tuple[str, ...]]  # the word lists as written, for a user's file to extend
    origins: tuple[str, ...] = field(default=())

    @functools.cached_property
    def leaving(self) -> re.Pattern[str]:
        """Words by which a party leaves an agreement ("withdrew", "abandoned")."""
        return _words(list(self.lists["leaving"]))

    # -- reading sentences -----------------------------------------------------------------
    def act_in(self, text: str) -> Act | None:
        """The promised act the words of ``text`` name, first rule first."""
        for act, pattern in self.acts:
            if pattern.search(text):
                return act
        return None

    def promises_in(self, text: str) -> bool:
        return self.promise_words.search(text) is not None

    def objects_in(self, text: str) -> tuple[str, ...]:
        return tuple(name for name, pattern in self.objects.items() if pattern.search(text))

    def condition_in(self, text: str) -> str | None:
        """The clause after a condition word ("if Kyiv halts its attacks"), or None."""
        found = self.conditions.search(text)
        if found is None:
            return None
        clause = re.split(r"[;,.](?:\s|$)", text[found.start() :], maxsplit=1)[0]
        return clause.strip() or None

    def deadline_in(self, text: str, made: dt.date) -> dt.date | None:
        """The last day of a deadline in ``text`` ("by 31 March", "within two weeks"), resolved
        forward from the day the promise was made."""
        for found in self.deadlines.finditer(text):
            rest = text[found.end() :]
            span = _WITHIN.match(rest) if found.group(0).lower() == "within" else None
            if span is not None:
                number = span.group(1).lower()
                n = int(number) if number.isdigit() else _NUMBERS.get(number, 1)
                days = {"day": 1, "week": 7, "month": 30, "year": 365}[span.group(2).lower()]
                return made + dt.timedelta(days=n * days)
            mentions = [m for m in find_dates(rest[:40]) if m.start <= 5]
            if mentions:
                value = resolve(mentions[0], made, future=True)
                if value is not None and value.last_day() >= made:
                    return value.last_day()
        return None

    def name_in(self, text: str) -> str | None:
        """A named agreement ("the treaty on advanced confidence- and security-building
        measures"), or None when the sentence names none: a name word, then "on", "of", "for"
        or "between" and words that are not a date, up to a comma, "that", "which", "signed",
        "to" or "in"."""
        for word in self.names:
            pattern = rf"\b({re.escape(word)}\s+(?:on|of|for|between)\s+(?!{_NOT_NAME})[^,;.]+)"
            found = re.search(pattern, text, re.I)
            if found:
                name = re.split(_NAME_END, found.group(1), flags=re.I)[0]
                return " ".join(name.split())
        for word in self.names:  # a proper name before the word: "the Indus Waters Treaty"
            pattern = rf"((?:\b[A-Z][\w'-]*\s+){{1,5}})(?i:{re.escape(word)})\b"
            for found in re.finditer(pattern, text):
                words = [w for w in found.group(1).split() if w not in _NOT_PROPER]
                if words:
                    return " ".join([*words, text[found.end(1) : found.end()]])
        return None


_NOT_NAME = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the\s+\d|\d|january|february|"
    r"march|april|may|june|july|august|september|october|november|december)\b"
)
_NOT_PROPER = frozenset({"The", "A", "An", "This", "That", "Its", "Their", "Both", "Under", "In"})
_NAME_END = r"\s+(?:that|which|signed|was|were|to|in|with|by|they|both|it)\b"
_WITHIN = re.compile(
    r"\s+(\d+|one|two|three|four|five|six|seven|ten|thirty)\s+(day|week|month|year)s?\b", re.I
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "ten": 10, "thirty": 30}  # fmt: skip


def _words(items: list[str]) -> re.Pattern[str]:
    """Whole words or phrases; a trailing * takes any ending ("withdr*"), and up to two words may
    come between the words of a phrase."""
    parts = []
    for item in items:
        text = str(item).strip()
        stem = text.endswith("*")
        # the words of a phrase may have two words between them ("pull their troops back")
        escaped = r"\s+(?:[\w'-]+\s+){0,2}".join(re.escape(w.rstrip("*")) for w in text.split())
        parts.append(escaped + (r"\w*" if stem else "") + r"\b")
    return re.compile(r"\b(?:" + "|".join(parts) + ")" if parts else r"(?!)", re.I)


def load_table(extra: Path | None = None) -> Table:
    """The packaged table, with a user's file (same shape) on top when given."""
    origin = "detente/analysis/tables/commitments.yaml"
    raw = load_yaml(packaged_text("detente.analysis", "tables", "commitments.yaml"), origin)
    table = _parse(raw, origin, None)
    if extra is not None:
        table = _parse(read_yaml_file(extra), str(extra), table)
    return table


def _parse(raw: Any, origin: str, base: Table | None) -> Table:
    if not isinstance(raw, dict):
        raise DataFileError(origin, "expected a mapping (version, promises, compliance, ...)")
    version = raw.get("version", TABLE_VERSION)
    if version != TABLE_VERSION:
        raise DataFileError(
            origin, f"version {version!r}: this detente reads version {TABLE_VERSION}"
        )
    unknown = set(raw) - {"version", "promises", "acts", "promise_words", "objects", "names",
                          "conditions", "deadlines", "compliance", "abandons", "signing",
                          "leaving"}  # fmt: skip
    if unknown:
        raise DataFileError(origin, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    promises = dict(base.promises) if base else {}
    for number, item in enumerate(_list(raw, "promises", origin), start=1):
        if not isinstance(item, dict):
            raise DataFileError(origin, f"promises #{number}: expected {{event, status}}")
        event = _act(item.get("event"), origin, f"promises #{number}").event
        statuses = frozenset(str(s) for s in item.get("status") or ["asserted"])
        if not statuses <= _STATUSES:
            raise DataFileError(
                origin, f"promises #{number}: status must be among {sorted(_STATUSES)}"
            )
        promises[event] = statuses
    acts = list(base.acts) if base else []
    for number, item in enumerate(_list(raw, "acts", origin), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("words"), list):
            raise DataFileError(origin, f"acts #{number}: expected {{act, words: [...]}}")
        acts.append((_act(item.get("act"), origin, f"acts #{number}"), _words(item["words"])))
    objects = dict(base.objects) if base else {}
    raw_objects = raw.get("objects") or {}
    if not isinstance(raw_objects, dict):
        raise DataFileError(origin, "objects: expected a mapping of names to word lists")
    for name, words in raw_objects.items():
        objects[str(name)] = _words(_strings(words, origin, f"objects {name}"))
    compliance = dict(base.compliance) if base else {}
    raw_compliance = raw.get("compliance") or {}
    if not isinstance(raw_compliance, dict):
        raise DataFileError(origin, "compliance: expected a mapping of promised acts")
    for key, body in raw_compliance.items():
        where = f"compliance {key}"
        act = _act(key, origin, where)
        if not isinstance(body, dict):
            raise DataFileError(origin, f"{where}: expected {{fulfils: [...], breaches: [...]}}")
        compliance[act] = Compliance(
            tuple(_match(m, origin, where) for m in body.get("fulfils") or []),
            tuple(_match(m, origin, where) for m in body.get("breaches") or []),
        )
    abandons = list(base.abandons) if base else []
    abandons += [_match(m, origin, "abandons") for m in _list(raw, "abandons", origin)]
    for match in [m for c in compliance.values() for m in (*c.fulfils, *c.breaches)] + abandons:
        for name in (*match.objects, *match.not_objects):
            if name not in objects:
                raise DataFileError(origin, f"object class {name!r} is not among objects")

    def added(key: str, before: tuple[str, ...]) -> tuple[str, ...]:
        return before + tuple(_strings(raw.get(key) or [], origin, key))

    lists = {
        key: added(key, base.lists[key] if base else ())
        for key in ("promise_words", "names", "conditions", "deadlines", "signing", "leaving")
    }
    return Table(
        TABLE_VERSION,
        promises,
        tuple(acts),
        _words(list(lists["promise_words"])),
        objects,
        lists["names"],
        _words(list(lists["conditions"])),
        _words(list(lists["deadlines"])),
        compliance,
        tuple(abandons),
        lists,
        (*(base.origins if base else ()), origin),
    )


def _list(raw: dict[str, Any], key: str, origin: str) -> list[Any]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise DataFileError(origin, f"{key}: expected a list")
    return value


def _strings(value: Any, origin: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataFileError(origin, f"{where}: expected a list of words")
    return value


def _act(value: Any, origin: str, where: str) -> Act:
    if not isinstance(value, str) or not value.split():
        raise DataFileError(origin, f"{where}: expected an act like 'RETREAT withdraw'")
    act = Act.parse(value)
    if act.event not in {e.value for e in EventType}:
        raise DataFileError(origin, f"{where}: {act.event!r} is not a PLOVER event type")
    modes = _modes()[act.event]
    if act.mode is not None and act.mode not in modes:
        known = ", ".join(sorted(modes)) or "none"
        raise DataFileError(origin, f"{where}: {act.mode!r} is not a mode of {act.event} ({known})")
    return act


@functools.cache
def _modes() -> dict[str, frozenset[str]]:
    """PLOVER's modes of each type (the ontology file, read once)."""
    return {str(e.value): frozenset(spec.modes) for e, spec in load_ontology().events.items()}


def _match(value: Any, origin: str, where: str) -> Match:
    if not isinstance(value, dict):
        raise DataFileError(
            origin, f"{where}: expected {{act, aimed, object, not_object, leaving}}"
        )
    aimed = str(value.get("aimed", "any"))
    if aimed not in ("any", "partner"):
        raise DataFileError(origin, f"{where}: aimed must be 'any' or 'partner'")
    return Match(
        _act(value.get("act"), origin, where),
        aimed,
        tuple(_strings(value.get("object") or [], origin, where)),
        tuple(_strings(value.get("not_object") or [], origin, where)),
        _flag(value.get("leaving", False), origin, where),
    )


def _flag(value: Any, origin: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise DataFileError(origin, f"{where}: leaving must be true or false")
    return value
