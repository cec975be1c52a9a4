"""The event coder: predicates in a parsed sentence → candidate PLOVER events with their arguments.

Rules come from the lexicon (data). For each trigger the coder finds the actor, the recipient and
the speaker (``arguments.py``), the status (``attribution.py``), and applies PLOVER's conventions
(``conventions.py``). The learned detector (``detector.py``, ``learned.py``) decides which words
are events; this module's ``Matcher`` does so for the rule-based coder (``--rules-only``).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.nlp.actors import Resolver
from detente.nlp.arguments import GENERIC_SLOTS, Arguments
from detente.nlp.attribution import (
    decide_status,
    frame,
    marks,
)
from detente.nlp.candidate import (
    Candidate,
    codes_of,
)
from detente.nlp.conventions import Conventions, promised_targets, share_targets, without_topics
from detente.nlp.syntax import (
    CLAUSES,
    HAPPEN_VERBS,
    LICENSING_VERBS,
    OBLIGED_MODES,
    POSTURE,
    complement_object,
    core_lemmas,
    direct_object,
    modifier_lemmas,
    object_lemmas,
    obliged,
    particle_of,
    prep_objects,
    verb_in,
)
from detente.ontology import Lexicon, Ontology, Rule
from detente.records import EventType, Status

__all__ = ["GENERIC_SLOTS", "POSTURE", "Candidate", "Coder", "Matcher", "direct_object",
           "promised_targets", "share_targets"]  # fmt: skip


class Matcher:
    """Which lexicon rule, if any, a word triggers in its parse."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def match(self, token: Token, consumed: set[int]) -> Rule | None:
        if token.i in consumed:
            return None
        lemma = token.lemma_.lower()
        if token.pos_ in ("VERB", "AUX") or (
            token.pos_ == "NOUN" and token.dep_ == "ROOT" and token.tag_.startswith("VB")
        ):
            rules = self.lexicon.verb_rules(lemma, particle_of(token))
            nominal = False
        elif token.pos_ in ("NOUN", "PROPN"):
            rules = self.lexicon.noun_rules.get(lemma, ()) or self.lexicon.noun_rules.get(
                token.lower_, ()
            )
            nominal = True
            if rules and not self._licensed(token):
                return None
        else:
            return None
        for rule in rules:
            if nominal and rule.objects and not modifier_lemmas(token) & rule.objects:
                continue  # a noun rule's objects are its modifiers ("hunger strike")
            if nominal or self._conditions(token, rule):
                return rule
        return None

    def _licensed(self, noun: Token) -> bool:
        if any(c.lower_ in self.lexicon.hedges for c in noun.children):
            return True
        head = noun.head
        if noun.dep_ in ("dobj", "nsubjpass") and verb_in(head, LICENSING_VERBS):
            return True
        return noun.dep_ == "nsubj" and head.lemma_.lower() in HAPPEN_VERBS

    def _conditions(self, token: Token, rule: Rule) -> bool:
        if rule.particle and particle_of(token) != rule.particle:
            return False
        obj = direct_object(token)
        if rule.object_required and (obj is None or not object_lemmas(obj) & rule.objects):
            return False
        if rule.preps and not any(
            (c.dep_ == "prep" and c.lower_ in rule.preps)
            or (c.dep_ in CLAUSES and marks(c) & rule.preps)
            for c in token.children
        ):
            return False
        if rule.bare and any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in token.children):
            return False
        return not (
            rule.requires_prep
            and not prep_objects(token, rule.requires_prep)
            and not (obj is not None and prep_objects(obj, rule.requires_prep))
        )


class Coder(Arguments, Conventions):
    def __init__(self, lexicon: Lexicon, ontology: Ontology, resolver: Resolver) -> None:
        self.lexicon = lexicon
        self.ontology = ontology
        self.resolver = resolver
        self.matcher = Matcher(lexicon)

    # -- coding --------------------------------------------------------------------------
    def code_sentence(self, sent: Span) -> list[Candidate]:
        out: list[Candidate] = []
        consumed: set[int] = set()
        tried: set[int] = set()
        for token in sent:
            rule = self.matcher.match(token, consumed)
            if rule is None:
                continue
            tried.add(token.i)
            obj = None if rule.nominal else direct_object(token)
            if obj is not None:
                consumed.add(obj.i)
            candidate = self.code_token(token, rule, sent, obj)
            if candidate is not None:
                out.append(candidate)
        out = without_topics(out)
        share_targets(out)
        promised_targets(out)
        out += self.accusations(out, sent)
        return out

    def code_token(
        self,
        token: Token,
        rule: Rule,
        sent: Span,
        obj: Token | None,
        conventions: bool = True,
    ) -> Candidate | None:
        fr = frame(token, self.lexicon)
        actors, penalty = self._actors(token, rule, sent, obj, fr)
        if not actors:
            return None
        claimant = self._speaker(fr, sent)
        border = (
            self._border(token, sent, claimant, actors)
            if ("border" in rule.recipient or rule.event in POSTURE)
            else None
        )
        recipients = self._recipients(token, rule, sent, obj, actors, border)
        if (
            not recipients
            and rule.event in (EventType.MOBILIZE, EventType.RETREAT)
            and "border" in rule.recipient
        ):
            recipients = self._host(token, obj, actors, sent) or self._counterpart(
                token, actors, sent
            )
            penalty += 0.1 if recipients else 0.0
        if rule.event == EventType.PROTEST and not recipients:
            # foreigners protesting in a country's capital face its government
            recipients = self._host(token, obj, actors, sent) or (
                self._host(token.head, None, actors, sent) if rule.nominal else []
            )
        if rule.event == EventType.CONSULT and not recipients and len(actors) < 2 and conventions:
            return None  # a meeting needs a counterpart
        mode = rule.mode
        refine_from = obj if obj is not None else complement_object(token)
        if refine_from is not None:
            lemmas = core_lemmas(refine_from)
            if rule.event == EventType.THREATEN:
                lemmas |= {t.lemma_.lower() for t in refine_from.subtree}
            for refining, refined in rule.mode_by_object:
                if lemmas & refining:
                    mode = refined
                    break
        actor_codes = codes_of(actors)
        third_party = claimant is not None and claimant.entity.code not in actor_codes
        status = decide_status(fr.statuses, third_party_claim=third_party)
        event = rule.event
        if conventions:
            event, mode, status = self._convention(
                token, rule.event, mode, status, fr, obj, border, actors
            )
        if conventions and claimant is not None and obliged(token) and event in OBLIGED_MODES:
            # "..., saying he must resign": the speaker demands it of the actor (PLOVER REQUEST)
            event, mode, status = EventType.REQUEST, OBLIGED_MODES[event], Status.ASSERTED
            actors, recipients, claimant = [claimant], actors, None
        confidence = (
            rule.confidence - penalty - (0.1 if claimant is None and fr.speech_verb else 0.0)
        )
        particle = [c for c in token.children if c.lower_ == particle_of(token) and c.i > token.i][
            :1
        ]
        words = [token, *particle] + ([obj] if obj is not None else [])
        return Candidate(
            trigger=token,
            rule=rule,
            event=event,
            mode=mode,
            context=rule.context,
            actors=actors,
            recipients=recipients,
            claimed_by=claimant if claimant is not None and claimant.entity.code else None,
            status=status,
            confidence=max(0.05, min(1.0, confidence)),
            words=sorted(words, key=lambda t: t.i),
            border=border,
        )
