"""Who says so, and how sure: reported speech (claimed_by) and status (asserted, alleged, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from detente.ontology import Lexicon
from detente.records import Status

# Relations through which a clause inherits its governing clause's speaker and status.
_UPWARD = frozenset(
    {
        "ccomp",
        "conj",
        "xcomp",
        "advcl",
        "pcomp",
        "prep",
        "pobj",
        "dobj",
        "acl",
        "relcl",
        "parataxis",
        "csubj",
        "nsubjpass",
        "nsubj",
        "attr",
        "oprd",
        "advmod",
        "npadvmod",
        "appos",
    }
)
_MODAL_HYPOTHETICAL = frozenset({"could", "might", "may", "would", "should", "must"})
_MODAL_FUTURE = frozenset({"will", "shall", "'ll"})
_CONDITIONAL_MARKS = frozenset({"if", "unless", "whether"})
INTENT_NOUNS = frozenset(
    {
        "threat",
        "plan",
        "intention",
        "proposal",
        "offer",
        "promise",
        "decision",
        "readiness",
        "willingness",
        "pledge",
        "ultimatum",
        "call",
        "demand",
        "bid",
    }
)
# Nouns of asking: what their clause says is asked for, not done ("its demand that Israel ease").
REQUEST_NOUNS = frozenset({"demand", "call", "appeal", "request", "plea"})
# Nouns an infinitive can complement: whose act it is ("the Romanian move to free activists").
COMPLEMENTED_NOUNS = INTENT_NOUNS | REQUEST_NOUNS | {"move", "step", "attempt", "effort", "order"}


def marks(clause: Token) -> set[str]:
    """The words that open a clause ("if", "unless", "that", "for" in "pushing for X to")."""
    return {c.lower_ for c in clause.children if c.dep_ == "mark"}


def infinitive(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def complemented_noun(token: Token) -> Token | None:
    """The noun an infinitive complements ("the Pakistani demand to withdraw"), also where the
    parser hung the infinitive on the verb that governs the noun."""
    if not infinitive(token):
        return None
    if token.dep_ == "acl" and token.head.lemma_.lower() in COMPLEMENTED_NOUNS:
        return token.head
    if token.dep_ == "advcl":
        for noun in token.head.children:
            if (
                noun.dep_ == "dobj"
                and noun.right_edge.i == token.left_edge.i - 1
                and noun.lemma_.lower() in COMPLEMENTED_NOUNS
            ):
                return noun
    return None


SPEECH_NOUNS = frozenset(
    {
        "statement",
        "claim",
        "announcement",
        "allegation",
        "report",
        "assertion",
        "accusation",
        "warning",
        "message",
        "note",
        "reminder",
    }
)
_PRIORITY = [Status.NEGATED, Status.DENIED, Status.HYPOTHETICAL, Status.PLANNED, Status.ALLEGED]


@dataclass(frozen=True, slots=True)
class Frame:
    """What governs a trigger: the speech verb above it (if any) and the statuses found."""

    speech_verb: Token | None
    statuses: frozenset[Status]
    ordered_by: Token | None  # an ordering verb above ("instructed ... to pull back")
    accused_by: Token | None  # "accused X of doing": the accuse verb


def _negated(token: Token) -> bool:
    for child in token.children:
        if child.dep_ == "neg":
            following = token.doc[child.i + 1] if child.i + 1 < len(token.doc) else None
            if following is not None and following.lower_ == "only":
                continue
            return True
    return False


def _own_statuses(token: Token, lexicon: Lexicon) -> set[Status]:
    found: set[Status] = set()
    if _negated(token):
        found.add(Status.NEGATED)
    for child in token.children:
        lower = child.lower_
        if child.dep_ in ("aux", "auxpass"):
            if lower in _MODAL_HYPOTHETICAL:
                found.add(Status.HYPOTHETICAL)
            elif lower in _MODAL_FUTURE:
                found.add(Status.PLANNED)
        if child.dep_ == "mark" and lower in _CONDITIONAL_MARKS:
            found.add(Status.HYPOTHETICAL)
        if child.dep_ in ("amod", "advmod") and lower in lexicon.hedges:
            found.add(Status.ALLEGED)
    # "is going to withdraw"
    if token.dep_ == "xcomp" and token.head.lemma_ == "go" and token.head.tag_ == "VBG":
        found.add(Status.PLANNED)
    return found


def frame(trigger: Token, lexicon: Lexicon) -> Frame:
    statuses = _own_statuses(trigger, lexicon)
    noun = complemented_noun(trigger)
    if noun is not None and trigger.dep_ == "advcl":  # read as the noun's complement
        if noun.lemma_.lower() in REQUEST_NOUNS:
            statuses.add(Status.HYPOTHETICAL)
        elif noun.lemma_.lower() in INTENT_NOUNS:
            statuses.add(Status.PLANNED)
    chain = [
        trigger,
        *[t for t in trigger.ancestors if t.dep_ == "xcomp" or t.i == trigger.head.i],
    ][:3]
    would = any(c.dep_ == "aux" and c.lower_ in ("would", "'d") for t in chain for c in t.children)
    speech: Token | None = None
    ordered: Token | None = None
    accused: Token | None = None
    current = trigger
    for _ in range(8):
        parent = current.head
        if parent.i == current.i or current.dep_ not in _UPWARD:
            break
        lemma = parent.lemma_.lower()
        relation = current.dep_
        if relation in ("ccomp", "parataxis") and lemma in lexicon.speech and speech is None:
            speech = parent
            if lemma in lexicon.deny_verbs:
                statuses.add(Status.DENIED)
        elif relation == "xcomp" and lemma in lexicon.planning:
            statuses.add(Status.PLANNED)
        elif relation in ("xcomp", "ccomp") and lemma in lexicon.ordering and ordered is None:
            ordered = parent
        elif (
            relation in ("xcomp", "ccomp") or (relation == "advcl" and "for" in marks(current))
        ) and lemma in lexicon.requesting:
            statuses.add(Status.HYPOTHETICAL)  # asked for ("demanded that the US cancel")
        elif relation in ("xcomp", "pcomp", "pobj") and lemma in lexicon.negating:
            statuses.add(Status.NEGATED)
        elif relation == "pcomp" and current.head.dep_ == "prep" and lemma in ("of", "for"):
            grand = parent.head
            if grand.lemma_.lower() in ("accuse", "blame", "charge", "suspect") and accused is None:
                accused = grand
        if relation == "advcl" and marks(current) & _CONDITIONAL_MARKS:
            statuses.add(Status.HYPOTHETICAL)
        if relation == "acl" and lemma in REQUEST_NOUNS:
            statuses.add(Status.HYPOTHETICAL)
        elif relation == "acl" and lemma in INTENT_NOUNS:
            statuses.add(Status.PLANNED)
        elif relation == "ccomp" and any(
            c.dep_ == "dobj" and c.lemma_.lower() in REQUEST_NOUNS for c in parent.children
        ):
            statuses.add(Status.HYPOTHETICAL)  # "reiterated its demand today that Israel ease"
        if (
            relation in ("acl", "ccomp", "relcl")
            and lemma in SPEECH_NOUNS
            and speech is None
            and parent.head.pos_ in ("VERB", "AUX")
        ):
            # "issued a statement that ...": the verb of the statement carries the speaker.
            speech = parent.head
        if parent.pos_ in ("VERB", "AUX") and relation in (
            "xcomp",
            "ccomp",
            "conj",
            "advcl",
            "csubj",
        ):
            statuses |= {s for s in _own_statuses(parent, lexicon) if s != Status.ALLEGED} - (
                {Status.NEGATED} if relation == "conj" else set()
            )
        current = parent
    if (
        would
        and speech is not None
        and Status.HYPOTHETICAL in statuses
        and not marks(trigger) & _CONDITIONAL_MARKS
    ):
        # "said Ukraine would keep ...": the future seen from the past, not a condition.
        statuses.discard(Status.HYPOTHETICAL)
        statuses.add(Status.PLANNED)
    return Frame(speech, frozenset(statuses), ordered, accused)


def decide_status(statuses: frozenset[Status] | set[Status], *, third_party_claim: bool) -> Status:
    found = set(statuses)
    if third_party_claim:
        found.add(Status.ALLEGED)
    for status in _PRIORITY:
        if status in found:
            return status
    return Status.ASSERTED
