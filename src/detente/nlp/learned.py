"""Events from the learned detector: its triggers, with their arguments found in the parse.

The detector (``detector.py``) decides which words report an event and of which type, mode and
status. For each trigger this stage finds the word that heads it in the parse, and the coder's
argument rules (``events.Coder.code_token``) find its actor, recipient, claimant and the status
the grammar marks (negation, conditionals). A lexicon rule for the same word and type lends its
recipient slots and modes; otherwise a generic rule is used. PLOVER's retyping conventions are
not applied: the detector learnt types from a corpus coded by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

from detente.nlp.events import (
    GENERIC_SLOTS,
    POSTURE,
    Candidate,
    Coder,
    direct_object,
    promised_targets,
    share_targets,
)
from detente.ontology import Rule
from detente.records import ActorMention, EventType, Status

# Statuses the grammar decides over the detector: the act did not or may not happen, or the
# sentence puts it in another party's mouth (a claim about someone else, a denial).
GRAMMAR_STATUSES = frozenset({Status.NEGATED, Status.HYPOTHETICAL, Status.ALLEGED, Status.DENIED})
# A report's main event is what it reports: an accusation made by saying ("Minsk said Kyiv massed
# troops") ranks below the act it reports.
SPEECH_RANK = 0.9


@dataclass(frozen=True, slots=True)
class Detected:
    """One trigger as the detector gives it; offsets are those of the sentence's text."""

    start: int
    end: int
    event: EventType
    p: float
    mode: str | None
    status: Status


def _head(sent: Span, found: Detected) -> Token | None:
    span = sent.doc.char_span(found.start, found.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    return span.root


def _generic(token: Token, event: EventType, p: float) -> Rule:
    nominal = token.pos_ in ("NOUN", "PROPN")
    slots = (*GENERIC_SLOTS, "border") if event in POSTURE else GENERIC_SLOTS
    return Rule(
        number=-1,
        lemma=token.lemma_.lower(),
        particle=None,
        nominal=nominal,
        objects=frozenset(),
        object_required=False,
        preps=frozenset(),
        requires_prep=None,
        bare=False,
        event=event,
        mode=None,
        context=(),
        mode_by_object=(),
        recipient=slots,
        actor="subject",
        confidence=round(p, 3),
    )


def _from_context(coder: Coder, token: Token, rule: Rule, sent: Span) -> Candidate | None:
    """A trigger whose actor the parse does not name: the party the document spoke of last
    ("The strikes hit ...": whoever the story is about)."""
    ctx = coder.resolver.ctx
    last: ActorMention | None = ctx.things[-1] if ctx.things else None
    if ctx.people and (last is None or ctx.people[-1].start > last.start):
        last = ctx.people[-1]
    if last is None:
        return None
    mention = coder.resolver.mention(token, last.entity, sent)
    return Candidate(
        trigger=token,
        rule=rule,
        event=rule.event,
        mode=rule.mode,
        context=rule.context,
        actors=[mention],
        recipients=[],
        claimed_by=None,
        status=Status.ASSERTED,
        confidence=rule.confidence * 0.6,
        words=[token],
    )


def code_detected(coder: Coder, sent: Span, found: Sequence[Detected]) -> list[Candidate]:
    """Candidates for the detector's triggers in one parsed sentence."""
    out: list[Candidate] = []
    consumed: set[int] = set()
    seen: set[int] = set()
    for item in found:
        token = _head(sent, item)
        if token is None or token.i in seen:
            continue
        seen.add(token.i)
        rule = coder.matcher.match(token, consumed)
        if rule is None or rule.event != item.event:
            rule = _generic(token, item.event, item.p)
        obj = None if rule.nominal else direct_object(token)
        candidate = coder.code_token(token, rule, sent, obj, conventions=False)
        if candidate is None:
            candidate = _from_context(coder, token, rule, sent)
        if candidate is None:
            continue
        if item.mode is not None:
            candidate.mode = item.mode
        if candidate.status not in GRAMMAR_STATUSES:
            candidate.status = item.status
        candidate.coder = "model" if rule.number < 0 else "rules+model"
        penalty = rule.confidence - candidate.confidence  # what the argument rules took off
        confidence = item.p - penalty
        if token.lemma_.lower() in coder.lexicon.speech:
            confidence *= SPEECH_RANK
        candidate.confidence = round(max(0.05, min(1.0, confidence)), 3)
        out.append(candidate)
    share_targets(out)
    promised_targets(out)
    return out
