"""The coder's working record of one event in a parsed sentence, and who is on which side."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from detente.nlp.borders import BorderRef
from detente.nlp.syntax import (
    CROWDS,
    STATE,
)
from detente.ontology import Rule
from detente.records import ActorMention, EventType, Status


def codes_of(mentions: list[ActorMention]) -> set[str]:
    return {m.entity.code for m in mentions}


@dataclass
class Candidate:
    trigger: Token
    rule: Rule
    event: EventType
    mode: str | None
    context: tuple[str, ...]
    actors: list[ActorMention]
    recipients: list[ActorMention]
    claimed_by: ActorMention | None
    status: Status
    confidence: float
    words: list[Token] = field(default_factory=list)
    border: BorderRef | None = None
    derived: bool = False
    coder: str = "rules"  # "rules", "model" (the learned detector) or "rules+model" (both agree)


def is_country(code: str) -> bool:
    return len(code) == 3 and code.isupper() and code not in ("IGO", "UNO", "EUR", "NGO", "UNK")


def same_side(mention: ActorMention, actors: list[ActorMention], codes: set[str]) -> bool:
    """A recipient that is the actor itself (same country and sector, or a bare country)."""
    entity = mention.entity
    if entity.code not in codes or against_own_state(mention, actors):
        return False
    if entity.sector is None:
        return True
    return any(
        a.entity.code == entity.code and a.entity.sector in (entity.sector, None) for a in actors
    )


def against_own_state(mention: ActorMention, actors: list[ActorMention]) -> bool:
    """People and groups acting against their own state ("ethnic Turks in Sweden protested
    against Sweden's decision"): the state is a party of its own, not their side."""
    return all(a.entity.sector in CROWDS for a in actors) and (
        mention.entity.sector is None or mention.entity.sector in STATE
    )
