"""PLOVER's coding conventions over the coder's candidates: what an event becomes given its
status and company (a promised retreat is a concession, a refused one a rejection, a claim of a
hostile act an accusation), and the targets acts in one course of action share."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.nlp.actors import Resolver
from detente.nlp.attribution import (
    Frame,
    complemented_noun,
    decide_status,
    frame,
    marks,
)
from detente.nlp.borders import BorderRef
from detente.nlp.candidate import (
    Candidate,
    codes_of,
)
from detente.nlp.syntax import (
    ARMS,
    CHAINED,
    PROMISABLE,
    REFUSABLE,
    UNREALISED,
    crowd,
    described,
    future,
    prep_objects,
    preparing,
    refused,
)
from detente.ontology import Lexicon, Ontology
from detente.records import ActorMention, EventType, Status


def promised(event: EventType, mode: str | None, status: Status) -> tuple[EventType, str | None]:
    """PLOVER's future convention: cooperation told as to come ("will visit Albania in June",
    "will provide 25,000 tons of food aid") is a promise, coded AGREE; an announced retreat
    ("would withdraw troops", "will release the hostages") is a concession, CONCEDE (manual,
    CONCEDE and RETREAT sections); a promised concession stays one. The status stays
    ``planned``."""
    if status == Status.PLANNED and event in PROMISED_AS:
        return PROMISED_AS[event], None
    return event, mode


# what a planned act is coded as (see promised)
PROMISED_AS = {**dict.fromkeys(PROMISABLE, EventType.AGREE), EventType.RETREAT: EventType.CONCEDE}


# Words that offer or commit to what their complement says ("is willing to withdraw", "offered
# to host talks", "agreed to resign"): PLOVER's AGREE ("agree to, offer, promise, or otherwise
# indicate willingness or commitment to cooperate").
OFFERING = frozenset(
    {"willing", "ready", "prepared", "offer", "agree", "promise", "pledge", "commit"}
)
OFFERED = frozenset({*PROMISABLE, EventType.RETREAT, EventType.CONCEDE})


def offered(token: Token, event: EventType) -> bool:
    """Whether a cooperative act is only offered or committed to by the word governing it."""
    if event not in OFFERED or token.dep_ != "xcomp":
        return False
    head = token.head
    return head.lemma_.lower() in OFFERING or (
        head.lemma_.lower() == "be" and any(c.lemma_.lower() in OFFERING for c in head.children)
    )


def linked(a: Token, b: Token) -> bool:
    """Whether b is a step of the same course of action as a: its purpose or a coordinated or
    accompanying act ("opened fire to disperse demonstrators, killing one and arresting 12")."""
    return (a.head.i == b.i and a.dep_ in CHAINED) or (b.head.i == a.i and b.dep_ in CHAINED)


def share_targets(coded: list[Candidate]) -> None:
    """An act with no named target, done by the same actor in the course of another act of the
    sentence, is aimed at that act's target ("sent experts to Bosnia to investigate")."""
    for _ in range(3):
        changed = False
        for candidate in coded:
            if candidate.recipients:
                continue
            codes = codes_of(candidate.actors)
            for other in coded:
                if (
                    other.recipients
                    and codes_of(other.actors) == codes
                    and linked(candidate.trigger, other.trigger)
                ):
                    candidate.recipients = list(other.recipients)
                    changed = True
                    break
        if not changed:
            return


def without_topics(coded: list[Candidate]) -> list[Candidate]:
    """What a reaction is about is not an event of its own ("condemned the Polish decision to
    expel its diplomats", "rejected the demand to withdraw"): as with the topic of a protest,
    PLOVER codes the reaction."""
    triggers = {c.trigger.i for c in coded}
    threats = {c.trigger.i for c in coded if c.event == EventType.THREATEN}
    kept = []
    for candidate in coded:
        noun = complemented_noun(candidate.trigger)
        if noun is not None and noun.dep_ == "dobj" and noun.head.i in triggers:
            continue
        if condition(candidate.trigger) and any(
            a.i in threats for a in candidate.trigger.ancestors
        ):
            continue  # "warned of a response if its aircraft entered": the threat's condition
        kept.append(candidate)
    return kept


def condition(token: Token) -> bool:
    return token.dep_ == "advcl" and bool(marks(token) & {"if", "unless"})


def promised_targets(coded: list[Candidate]) -> None:
    """A promise is made to those the promised act is aimed at ("agreed to lift embargoes on
    Iran, Libya and Sudan": AGREE with all three), besides any partner it names."""
    for promise in coded:
        if promise.event != EventType.AGREE or promise.rule.event != EventType.AGREE:
            continue
        codes = codes_of(promise.actors)
        for act in coded:
            if (
                act.trigger.head.i == promise.trigger.i
                and act.trigger.dep_ == "xcomp"
                and codes_of(act.actors) == codes
            ):
                named = codes_of(act.recipients)
                promise.recipients = list(act.recipients) + [
                    m for m in promise.recipients if m.entity.code not in named
                ]


class Conventions:
    """The Coder's convention rules (mixed in): they read its lexicon, ontology and resolver."""

    lexicon: Lexicon
    ontology: Ontology
    resolver: Resolver

    def _convention(
        self,
        token: Token,
        event: EventType,
        mode: str | None,
        status: Status,
        fr: Frame,
        obj: Token | None,
        border: BorderRef | None,
        actors: list[ActorMention],
    ) -> tuple[EventType, str | None, Status]:
        """PLOVER's coding conventions: what a rule's event becomes given its status and
        company (a promised retreat is a concession, a refused one a rejection ...)."""
        if event in PROMISED_AS and status == Status.PLANNED:
            event, mode = promised(event, mode, status)  # PLOVER's future convention
        elif event == EventType.ASSAULT and status == Status.PLANNED and preparing(token):
            event, mode = EventType.MOBILIZE, None  # getting ready to attack is mobilisation
        elif event == EventType.ASSAULT and status == Status.PLANNED and fr.ordered_by is None:
            # a stated intent to attack is a threat, and the threat has been made (PLOVER)
            event, mode, status = EventType.THREATEN, "violence", Status.ASSERTED
        elif refused(token, event):
            # "refused to lift the curfew", "failed to reach agreement": a rejection (PLOVER),
            # with the refusal's own status ("demanded that its partners refuse to ...")
            refusal = decide_status(
                frame(token.head, self.lexicon).statuses, third_party_claim=False
            )
            event, mode = EventType.REJECT, REFUSABLE.get(event)
            status = refusal if refusal in UNREALISED else Status.ASSERTED
        elif (
            event == EventType.MOBILIZE
            and mode in ("weapons", None)
            and border is None
            and obj is not None
            and obj.lemma_.lower() in ARMS
            and any(self.resolver.country_of(t) for t in prep_objects(token, "to"))
        ):
            event, mode = EventType.AID, None  # "sent arms to Pakistan": military aid
        elif event == EventType.COERCE and mode == "restrict" and crowd(actors):
            event, mode = EventType.PROTEST, "obstruct"  # protesters blocking roads
        elif event == EventType.ASSAULT and mode == "destroy" and crowd(actors):
            event, mode = EventType.PROTEST, "riot"  # protesters wrecking property (PLOVER riot)
        elif event in REFUSABLE and status == Status.NEGATED and future(token):
            # "would not provide support": a refusal, which has happened (PLOVER REJECT)
            event, mode, status = EventType.REJECT, REFUSABLE[event], Status.ASSERTED
        return event, mode, status

    def accusations(self, coded: list[Candidate], sent: Span) -> list[Candidate]:
        """ "Belarus said Ukraine massed troops": the claim of a hostile act is an accusation."""
        out: list[Candidate] = []
        seen: set[tuple[int, str]] = {
            (c.trigger.i, m.entity.code)
            for c in coded
            if c.event == EventType.ACCUSE
            for m in c.recipients
        }
        for candidate in coded:
            claimant = candidate.claimed_by
            if claimant is None or candidate.status not in (Status.ALLEGED,):
                continue
            if self.ontology.intensity(candidate.event, candidate.mode) >= 0:
                continue
            fr = frame(candidate.trigger, self.lexicon)
            verb = fr.accused_by or fr.speech_verb
            if verb is None or verb.lemma_.lower() in self.lexicon.deny_verbs:
                continue
            if described(candidate.trigger):
                continue  # "must cooperate with inspectors probing sites": a description
            targets = [m for m in candidate.actors if m.entity.code != claimant.entity.code]
            key_targets = [m for m in targets if (verb.i, m.entity.code) not in seen]
            if not key_targets or any(
                c.trigger.i == verb.i and c.event == EventType.ACCUSE for c in coded
            ):
                continue
            for m in key_targets:
                seen.add((verb.i, m.entity.code))
            accuse_rule = candidate.rule
            out.append(
                Candidate(
                    trigger=verb,
                    rule=accuse_rule,
                    event=EventType.ACCUSE,
                    mode="allege",
                    context=candidate.context,
                    actors=[claimant],
                    recipients=key_targets,
                    claimed_by=None,
                    status=decide_status(
                        frame(verb, self.lexicon).statuses, third_party_claim=False
                    ),
                    confidence=max(0.05, candidate.confidence - 0.1),
                    words=[verb],
                    border=None,
                    derived=True,
                )
            )
        return out
