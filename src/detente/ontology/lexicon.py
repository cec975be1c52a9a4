"""The event lexicon (``data/lexicon.yaml``): predicates → PLOVER event, mode and context."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.datafiles import load_yaml, packaged_text
from detente.errors import DataFileError
from detente.ontology.plover import Ontology
from detente.records import EventType

RECIPIENT_SLOTS = frozenset(
    {
        "complement",
        "clause_subject",
        "dobj",
        "dative",
        "object_owner",
        "border",
        "object_with",
        "object_to",
        "object_for",
        "object_of",
        "object_on",
        "object_against",
        "object_in",
        "object_into",
        "object_outside",
    }
)


@dataclass(frozen=True, slots=True)
class Rule:
    number: int
    lemma: str  # head lemma (a verb or a noun)
    particle: str | None  # "back" in "pull back"
    nominal: bool
    objects: frozenset[str]  # lemmas; empty means "any or none"
    object_required: bool
    preps: frozenset[str]
    requires_prep: str | None
    bare: (
        bool  # only without an object or clausal complement ("protested", not "demonstrated that")
    )
    event: EventType
    mode: str | None
    context: tuple[str, ...]
    mode_by_object: tuple[tuple[frozenset[str], str], ...]
    recipient: tuple[str, ...]
    actor: str
    confidence: float


@dataclass(frozen=True)
class Lexicon:
    version: str
    rules: dict[str, tuple[Rule, ...]]  # by head lemma (verbs: "lemma" or "lemma particle")
    noun_rules: dict[str, tuple[Rule, ...]]
    classes: dict[str, frozenset[str]]
    claim_verbs: frozenset[str]
    deny_verbs: frozenset[str]
    planning: frozenset[str]
    ordering: frozenset[str]
    requesting: frozenset[str]
    control: frozenset[str]
    negating: frozenset[str]
    hedges: frozenset[str]
    speech: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "speech", self.claim_verbs | self.deny_verbs)

    def verb_rules(self, lemma: str, particle: str | None) -> tuple[Rule, ...]:
        found: tuple[Rule, ...] = ()
        if particle:
            found = self.rules.get(f"{lemma} {particle}", ())
        return found + self.rules.get(lemma, ())


def _expand(items: list[Any], classes: dict[str, frozenset[str]], origin: str) -> frozenset[str]:
    out: set[str] = set()
    for item in items:
        text = str(item).lower()
        if text.startswith("@"):
            if text[1:] not in classes:
                raise DataFileError(origin, f"unknown class {text}")
            out |= classes[text[1:]]
        else:
            out.add(text)
    return frozenset(out)


def parse_lexicon(raw: Any, origin: str, ontology: Ontology) -> Lexicon:
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise DataFileError(origin, "expected a mapping with 'rules'")
    classes = {
        name: frozenset(str(w).lower() for w in words)
        for name, words in (raw.get("classes") or {}).items()
    }
    verbs: dict[str, list[Rule]] = defaultdict(list)
    nouns: dict[str, list[Rule]] = defaultdict(list)
    for number, item in enumerate(raw["rules"], start=1):
        where = f"rule #{number}"
        try:
            event = EventType(item["event"])
        except (KeyError, ValueError):
            raise DataFileError(origin, f"{where}: missing or unknown 'event'") from None
        mode = item.get("mode")
        try:
            ontology.check_mode(event, mode)
        except ValueError as exc:
            raise DataFileError(origin, f"{where}: {exc}") from None
        for context in item.get("context") or ():
            if context not in ontology.contexts:
                raise DataFileError(origin, f"{where}: unknown context {context!r}")
        slots = tuple(item.get("recipient") or ())
        for slot in slots:
            if not (slot in RECIPIENT_SLOTS or slot.startswith("prep:")):
                raise DataFileError(origin, f"{where}: unknown recipient slot {slot!r}")
        mode_by_object = []
        for key, value in (item.get("mode_by_object") or {}).items():
            ontology.check_mode(event, value)
            mode_by_object.append((_expand([key], classes, origin), str(value)))
        objects = item.get("object")
        heads = item.get("verb") or item.get("noun")
        if not heads:
            raise DataFileError(origin, f"{where}: needs 'verb' or 'noun'")
        for head in heads:
            words = str(head).lower().split()
            rule = Rule(
                number=number,
                lemma=words[0],
                particle=words[1] if len(words) > 1 else None,
                nominal="noun" in item,
                objects=_expand(objects or [], classes, origin),
                object_required=bool(objects),
                preps=frozenset(str(p) for p in item.get("prep") or ()),
                requires_prep=item.get("requires_prep"),
                bare=bool(item.get("bare", False)),
                event=event,
                mode=mode,
                context=tuple(item.get("context") or ()),
                mode_by_object=tuple(mode_by_object),
                recipient=slots,
                actor=str(item.get("actor", "subject")),
                confidence=float(item.get("confidence", 0.7)),
            )
            (nouns if rule.nominal else verbs)[" ".join(words)].append(rule)
    speech = raw.get("speech") or {}

    def word_set(key: str, source: dict[str, Any] = raw) -> frozenset[str]:
        return frozenset(str(w).lower() for w in source.get(key) or ())

    return Lexicon(
        version=str(raw.get("version", "")),
        rules={k: tuple(v) for k, v in verbs.items()},
        noun_rules={k: tuple(v) for k, v in nouns.items()},
        classes=classes,
        claim_verbs=word_set("claim", speech),
        deny_verbs=word_set("deny", speech),
        planning=word_set("planning"),
        ordering=word_set("ordering"),
        requesting=word_set("requesting"),
        control=word_set("control"),
        negating=word_set("negating"),
        hedges=word_set("hedges"),
    )


def load_lexicon(ontology: Ontology, path: Path | None = None) -> Lexicon:
    """The packaged lexicon, or the user's file at ``path``."""
    if path is None:
        origin = "detente/ontology/data/lexicon.yaml"
        text = packaged_text("detente.ontology", "data", "lexicon.yaml")
    else:
        origin = str(path)
        text = path.read_text("utf-8")
    raw = load_yaml(text, origin)
    return parse_lexicon(raw, origin, ontology)
