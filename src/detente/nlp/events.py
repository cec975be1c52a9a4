"""The event coder: predicates in a parsed sentence → candidate PLOVER events with their arguments.

Rules come from the lexicon (data). For each trigger the coder finds the actor (subject, agent of a
passive, the subject inherited from a governing clause, or the owner of the object), the recipient
(by the rule's slots), the speaker of reported speech (claimed_by) and the status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from detente.nlp.actors import Resolver
from detente.nlp.attribution import (
    REQUEST_NOUNS,
    Frame,
    complemented_noun,
    decide_status,
    frame,
    marks,
)
from detente.nlp.borders import BorderRef, border_countries, find_border
from detente.ontology import Lexicon, Ontology, Rule
from detente.records import ActorMention, Entity, EventType, Status

# Verbs that make a nominal trigger ("ordered the withdrawal") an event of its own.
# Verbs whose subject carries out the nominal event they govern ("Minsk ordered the withdrawal").
# Reporting verbs (cite, observe, report) are not among them: their subject only tells of it.
LICENSING_VERBS = frozenset(
    {
        "announce",
        "order",
        "conduct",
        "carry",
        "complete",
        "begin",
        "start",
        "launch",
        "hold",
        "stage",
        "make",
        "take",
        "continue",
        "finish",
        "end",
        "coordinate",
        "implement",
        "perform",
        "undertake",
        "reiterate",
        "renew",
        "repeat",
        "issue",
        "deliver",
    }
)
HAPPEN_VERBS = frozenset(
    {
        "take",
        "begin",
        "start",
        "happen",
        "occur",
        "spark",
        "follow",
        "prompt",
        "continue",
        "trigger",
        "provoke",
        "cause",
    }
)
# Cooperation reported in the future tense is coded AGREE (PLOVER manual, AGREE).
PROMISABLE = frozenset({EventType.CONSULT, EventType.SUPPORT, EventType.COOPERATE, EventType.AID})
# Cooperation refused for the future ("will not withdraw") is coded REJECT, with its mode.
REFUSABLE = {EventType.SUPPORT: "assist", EventType.COOPERATE: "assist", EventType.AID: "assist",
             EventType.CONSULT: "meet", EventType.RETREAT: "yield",
             EventType.CONCEDE: "yield"}  # fmt: skip
UNREALISED = frozenset({Status.HYPOTHETICAL, Status.PLANNED, Status.NEGATED})
POSTURE = frozenset({EventType.MOBILIZE, EventType.RETREAT, EventType.COERCE, EventType.ASSAULT})


CHAINED = frozenset({"advcl", "xcomp", "conj"})
CLAUSES = frozenset({"advcl", "ccomp", "acl"})


def _codes(mentions: list[ActorMention]) -> set[str]:
    return {m.entity.code for m in mentions}


def _linked(a: Token, b: Token) -> bool:
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
            codes = _codes(candidate.actors)
            for other in coded:
                if (
                    other.recipients
                    and _codes(other.actors) == codes
                    and _linked(candidate.trigger, other.trigger)
                ):
                    candidate.recipients = list(other.recipients)
                    changed = True
                    break
        if not changed:
            return


def _without_topics(coded: list[Candidate]) -> list[Candidate]:
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
        if _condition(candidate.trigger) and any(
            a.i in threats for a in candidate.trigger.ancestors
        ):
            continue  # "warned of a response if its aircraft entered": the threat's condition
        kept.append(candidate)
    return kept


def _condition(token: Token) -> bool:
    return token.dep_ == "advcl" and bool(marks(token) & {"if", "unless"})


def promised_targets(coded: list[Candidate]) -> None:
    """A promise is made to those the promised act is aimed at ("agreed to lift embargoes on
    Iran, Libya and Sudan": AGREE with all three), besides any partner it names."""
    for promise in coded:
        if promise.event != EventType.AGREE or promise.rule.event != EventType.AGREE:
            continue
        codes = _codes(promise.actors)
        for act in coded:
            if (
                act.trigger.head.i == promise.trigger.i
                and act.trigger.dep_ == "xcomp"
                and _codes(act.actors) == codes
            ):
                named = _codes(act.recipients)
                promise.recipients = list(act.recipients) + [
                    m for m in promise.recipients if m.entity.code not in named
                ]


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


def _is_country(code: str) -> bool:
    return len(code) == 3 and code.isupper() and code not in ("IGO", "UNO", "EUR", "NGO", "UNK")


def _same_side(mention: ActorMention, actors: list[ActorMention], codes: set[str]) -> bool:
    """A recipient that is the actor itself (same country and sector, or a bare country)."""
    entity = mention.entity
    if entity.code not in codes or _against_own_state(mention, actors):
        return False
    if entity.sector is None:
        return True
    return any(
        a.entity.code == entity.code and a.entity.sector in (entity.sector, None) for a in actors
    )


def _against_own_state(mention: ActorMention, actors: list[ActorMention]) -> bool:
    """People and groups acting against their own state ("ethnic Turks in Sweden protested
    against Sweden's decision"): the state is a party of its own, not their side."""
    return all(a.entity.sector in CROWDS for a in actors) and (
        mention.entity.sector is None or mention.entity.sector in STATE
    )


PARTICLES = frozenset({"back", "out", "up", "down", "off", "away", "in"})


def _particle(token: Token) -> str | None:
    for child in token.children:
        if child.dep_ == "prt" or (
            child.dep_ == "advmod" and child.lower_ in PARTICLES and child.i > token.i
        ):
            return child.lower_
    return None


def _verb_in(token: Token, lemmas: frozenset[str]) -> bool:
    """The verb's lemma is one of these, also when the lemmatizer slips ("staged" → "stag")."""
    lower = token.lower_
    forms = {token.lemma_.lower(), lower, lower[:-1], lower[:-2], lower[:-3], lower[:-3] + "e"}
    return not forms.isdisjoint(lemmas)


REFUSING = frozenset({"refuse", "decline"})
TOPIC_VERBS = frozenset({"discuss", "debate", "review", "consider", "examine"})
ARMS = frozenset({"arm", "arms", "weapon", "ammunition", "munition", "weaponry"})
# What a speaker says another "must" do is a demand: the mode of the REQUEST by the demanded act
# (as for refusals, but an agreement or cooperation asked for is a change of policy).
OBLIGED_MODES = {**REFUSABLE, EventType.COOPERATE: "change", EventType.AGREE: "change"}


def _obliged(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in token.children)


CROWDS = frozenset({"CVL", "OPP", "LAB", "EDU", "ETH", "AGR"})
NON_STATE = CROWDS | {"REB", "REF", "CRM", "PRM", "PTY"}
STATE = frozenset({"GOV", "MIL", "COP", "SPY", "JUD", "LEG"})
# Events that can be a domestic affair between a state and its own people or groups.
DOMESTIC = frozenset({EventType.PROTEST, EventType.REQUEST, EventType.COERCE, EventType.ASSAULT,
                      EventType.ACCUSE, EventType.THREATEN, EventType.REJECT})  # fmt: skip


def _refused(token: Token, event: EventType) -> bool:
    """Whether the trigger is what someone refused ("refused to withdraw"), or an agreement or
    meeting that failed ("failed to reach agreement")."""
    if token.dep_ != "xcomp":
        return False
    lemma = token.head.lemma_.lower()
    return lemma in REFUSING or (lemma == "fail" and event in (EventType.AGREE, EventType.CONSULT))


def _crowd(actors: list[ActorMention]) -> bool:
    """Actors that are people in the street: protesters, farmers, "young Algerians"."""
    return bool(actors) and all(
        m.entity.sector in CROWDS
        or (m.entity.sector is None and m.text[-1:] == "s" and m.text[:1].isupper()
            and m.entity.entity_id is None)
        for m in actors
    )  # fmt: skip


def _preparing(token: Token) -> bool:
    """Whether a clause up the tree is a preparation ("prepared to resume shelling")."""
    current = token
    for _ in range(3):
        if current.head.i == current.i:
            return False
        current = current.head
        if current.lemma_.lower() in ("prepare", "ready", "gear", "poise"):
            return True
    return False


def _future(token: Token) -> bool:
    return any(
        c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "shall") for c in token.children
    )


def _passive(token: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)


def direct_object(token: Token) -> Token | None:
    wanted = ("nsubjpass",) if _passive(token) else ("dobj", "attr")
    for child in token.children:
        if child.dep_ in wanted:
            if child.lower_ in ("that", "which") and token.dep_ == "relcl":
                return token.head
            return child
    if token.dep_ == "relcl" and not _passive(token) and token.head.pos_ in ("NOUN", "PROPN"):
        return token.head
    # "withdraw from the border their troops" rarely; "accused of X" has no object
    return None


def object_lemmas(obj: Token) -> set[str]:
    """Lemmas that describe an object: its head, compounds, conjuncts and "of"-phrases."""
    found: set[str] = set()
    stack = [obj]
    seen: set[int] = set()
    while stack:
        token = stack.pop()
        if token.i in seen:
            continue
        seen.add(token.i)
        lemma = token.lemma_.lower()
        found.add(lemma)
        found.add(token.lower_)
        for child in token.children:
            if child.dep_ in ("compound", "amod"):
                found.add(f"{child.lemma_.lower()} {lemma}")
                found.add(child.lemma_.lower())
            if child.dep_ == "conj":
                stack.append(child)
            if child.dep_ == "prep" and child.lower_ == "of":
                stack.extend(c for c in child.children if c.dep_ == "pobj")
            if child.dep_ == "prep" and child.lower_ == "including":
                stack.extend(c for c in child.children if c.dep_ == "pobj")
    return found


QUANTITY_NOUNS = frozenset(
    {
        "number",
        "numbers",
        "group",
        "formation",
        "unit",
        "column",
        "convoy",
        "contingent",
        "wave",
        "batch",
        "presence",
        "deployment",
    }
)


def core_lemmas(obj: Token) -> set[str]:
    """The object's own head nouns (and conjuncts), looking through "numbers of X"."""
    heads = [obj, *obj.conjuncts]
    out: set[str] = set()
    for head in heads:
        lemma = head.lemma_.lower()
        inner = [
            c
            for p in head.children
            if p.dep_ == "prep" and p.lower_ == "of"
            for c in p.children
            if c.dep_ == "pobj"
        ]
        if lemma in QUANTITY_NOUNS and inner:
            out |= {t.lemma_.lower() for t in (inner[0], *inner[0].conjuncts)}
        else:
            out.add(lemma)
    return out


def _prep_objects(token: Token, word: str) -> list[Token]:
    out: list[Token] = []
    for child in token.children:
        if child.dep_ in ("prep", "agent", "dative") and child.lower_ == word:
            out.extend(c for c in child.children if c.dep_ == "pobj")
    return out


def _complement_object(token: Token) -> Token | None:
    """The object of an infinitive complement: "threatened to review [the need for a mission]"."""
    for child in token.children:
        if child.dep_ == "xcomp":
            return direct_object(child)
    return None


SUBJECTS = ("nsubj", "nsubjpass", "csubj", "agent")


# "the Syrian-backed Amal militia": the country behind a group is not the party acted on.
SPONSORING = frozenset({"back", "sponsor", "support", "fund", "finance", "arm", "train", "inspire"})


def _sponsor(token: Token) -> bool:
    return token.dep_ in ("npadvmod", "amod", "compound") and (
        token.head.lemma_.lower() in SPONSORING and token.head.tag_ == "VBN"
    )


BORDER_WORDS = frozenset({"border", "frontier", "boundary"})


def _located_by_border(token: Token, event: EventType) -> frozenset[int]:
    """Words that only say where an act aimed at its object took place ("captured a stronghold
    on the Thai border"): the border and the countries that name it. A move of forces to a
    border faces the other side, so posture events keep them."""
    if event in (EventType.MOBILIZE, EventType.RETREAT) or direct_object(token) is None:
        return frozenset()
    out: set[int] = set()
    for t in token.subtree:
        if t.lemma_.lower() in BORDER_WORDS and t.dep_ == "pobj":
            out.add(t.i)
            out |= {c.i for c in t.children if c.dep_ in ("amod", "compound", "poss", "nmod")}
    return frozenset(out)


def _described(trigger: Token) -> bool:
    """A participle that describes a noun ("inspectors probing suspect sites"): background to
    a statement, not what the statement claims."""
    return trigger.dep_ == "acl" and trigger.tag_ == "VBG"


def _modifier_lemmas(noun: Token) -> set[str]:
    return {c.lemma_.lower() for c in noun.children if c.dep_ in ("compound", "amod", "nmod")}


def _clause_subjects(token: Token) -> list[Token]:
    """Who a request is put to: the subject of its that-clause ("demanded that its partners
    refuse", "its demand that Israel ease", "reiterated its demand today that Israel ease")."""
    heads = [token]
    if token.pos_ == "NOUN" and token.dep_ == "dobj":
        heads.append(token.head)  # the clause often hangs on the verb that governs the noun
    out: list[Token] = []
    for head in heads:
        for clause in head.children:
            if clause.i > token.i and (
                clause.dep_ in ("ccomp", "acl")
                or (clause.dep_ == "advcl" and "for" in marks(clause))
            ):
                out += [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
    return out


def _speech_clause(token: Token, trigger: Token, speech: frozenset[str]) -> bool:
    """Whether a token sits in a reporting clause inside the trigger's subtree ("..., a
    newspaper said", "..., officials told AFP")."""
    current = token
    while current.i != trigger.i and current.head.i != current.i:
        if current.pos_ in ("VERB", "AUX") and current.lemma_.lower() in speech:
            return True
        current = current.head
    return False


def _subject_tokens(token: Token) -> set[int]:
    """Positions of the words of a predicate's subjects (who acts is not its target)."""
    return {t.i for c in token.children if c.dep_ in SUBJECTS for t in c.subtree}


def _subject(token: Token) -> Token | None:
    for child in token.children:
        if child.dep_ in ("nsubj", "csubj"):
            return child
    if _passive(token):
        for obj in _prep_objects(token, "by"):
            return obj
    return None


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
            rules = self.lexicon.verb_rules(lemma, _particle(token))
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
            if nominal and rule.objects and not _modifier_lemmas(token) & rule.objects:
                continue  # a noun rule's objects are its modifiers ("hunger strike")
            if nominal or self._conditions(token, rule):
                return rule
        return None

    def _licensed(self, noun: Token) -> bool:
        if any(c.lower_ in self.lexicon.hedges for c in noun.children):
            return True
        head = noun.head
        if noun.dep_ in ("dobj", "nsubjpass") and _verb_in(head, LICENSING_VERBS):
            return True
        return noun.dep_ == "nsubj" and head.lemma_.lower() in HAPPEN_VERBS

    def _conditions(self, token: Token, rule: Rule) -> bool:
        if rule.particle and _particle(token) != rule.particle:
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
            and not _prep_objects(token, rule.requires_prep)
            and not (obj is not None and _prep_objects(obj, rule.requires_prep))
        )

    def hints(self, token: Token) -> list[str]:
        """What the rules say about a word, as features for the typer: the event of the rule
        that matches it and the events of every rule for its lemma."""
        out = [f"lex={r.event.value}" for r in self._rules(token)]
        rule = self.match(token, set())
        if rule is not None:
            out.append(f"rule={rule.event.value}")
        return out

    def _rules(self, token: Token) -> tuple[Rule, ...]:
        lemma = token.lemma_.lower()
        if token.pos_ in ("VERB", "AUX"):
            return self.lexicon.verb_rules(lemma, _particle(token))
        return self.lexicon.noun_rules.get(lemma, ())


# Where an event found by the detector with no lexicon rule looks for its recipient (then the
# nearest party, as for rules).
GENERIC_SLOTS = ("dobj", "dative", "prep:to", "prep:against", "prep:with", "prep:on",
                 "prep:from", "complement", "object_owner")  # fmt: skip


class Coder:
    def __init__(self, lexicon: Lexicon, ontology: Ontology, resolver: Resolver) -> None:
        self.lexicon = lexicon
        self.ontology = ontology
        self.resolver = resolver
        self.matcher = Matcher(lexicon)

    # -- arguments -----------------------------------------------------------------------
    def _inherited_subject(self, token: Token, fr: Frame) -> Token | None:
        current = token
        for _ in range(6):
            if current.dep_ not in (
                "xcomp",
                "advcl",
                "conj",
                "pcomp",
                "prep",
                "pobj",
                "acl",
                "ccomp",
            ):
                return None
            parent = current.head
            controllers = self.lexicon.ordering | self.lexicon.requesting | self.lexicon.control
            if current.dep_ == "xcomp" and parent.lemma_.lower() in controllers:
                obj = direct_object(parent)
                if obj is not None:
                    return obj
            subject = _subject(parent) or next(
                (c for c in parent.children if c.dep_ == "nsubjpass"), None
            )
            if subject is not None and current.dep_ != "ccomp":
                return subject
            current = parent
        return None

    def _actors(
        self, token: Token, rule: Rule, sent: Span, obj: Token | None, fr: Frame
    ) -> tuple[list[ActorMention], float]:
        penalty = 0.0
        if fr.accused_by is not None:
            accused = direct_object(fr.accused_by)
            if accused is not None:
                return self.resolver.resolve(accused, sent), 0.0
        if rule.actor == "object_owner" and obj is not None:
            return self._owners(obj, sent), 0.0
        if rule.nominal:
            found = self._nominal_actor(token, sent)
            if found:
                return found, 0.0
            head = token.head
            if head.pos_ not in ("VERB", "AUX") or not _verb_in(head, LICENSING_VERBS):
                return [], 0.0
            subject = _subject(head) or self._inherited_subject(head, fr)
            return (self.resolver.resolve(subject, sent) if subject is not None else []), 0.1
        subject = _subject(token)
        if subject is None and token.dep_ == "acl" and token.tag_ == "VBG":
            # "UN inspectors probing suspect sites": the noun does what its participle says
            found = self.resolver.resolve(token.head, sent)
            if found:
                return found, 0.05
        noun = complemented_noun(token)
        if subject is None and noun is not None and noun.lemma_.lower() not in REQUEST_NOUNS:
            # "the Romanian move to free activists": the owner of the move frees them (one
            # asked to act is not the asker, so a demand's owner is not its actor)
            owner = self._nominal_actor(noun, sent)
            if owner:
                return owner, 0.05
        if subject is None:
            subject = self._inherited_subject(token, fr)
            penalty = 0.05
        found = self.resolver.resolve(subject, sent) if subject is not None else []
        if not found and obj is not None and rule.event in (EventType.MOBILIZE, EventType.RETREAT):
            found = self._owners(obj, sent)
        if not found and _passive(token):
            found = self._implicit_actor(token, sent)
            penalty = 0.2
        return found, penalty

    def _owners(self, obj: Token, sent: Span) -> list[ActorMention]:
        found = self.resolver.resolve(obj, sent)
        if found:
            return found
        misspelt = self.resolver.country_of(obj)  # a country name with a typo
        if misspelt is not None:
            return [self.resolver.mention(obj, self.resolver.country_entity(misspelt), sent)]
        # (an organisation's, "the NATO plan", the resolver has already found)
        return [
            self.resolver.mention(tok, self.resolver.country_entity(code), sent)
            for tok, code in self.resolver.country_modifiers(obj)
        ]

    def _patient(self, subject: Token, sent: Span) -> list[ActorMention]:
        """Who a passive act was done to: its subject, or whose it is ("Ukrainian positions
        were shelled", "a camp for Congolese refugees was attacked")."""
        for target in (subject, *_prep_objects(subject, "for"), *_prep_objects(subject, "of")):
            found = self.resolver.resolve(target, sent) or self._owners(target, sent)
            if found:
                return found
        return []

    def _nominal_actor(self, noun: Token, sent: Span) -> list[ActorMention]:
        for child in noun.children:
            if child.dep_ == "poss":
                return self.resolver.resolve(child, sent)
        for obj in _prep_objects(noun, "of") + _prep_objects(noun, "by"):
            found = self.resolver.resolve(obj, sent)
            if found:
                return found
        return [
            self.resolver.mention(tok, self.resolver.country_entity(code), sent)
            for tok, code in self.resolver.country_modifiers(noun)
            if tok.dep_ == "amod"
        ]

    def _implicit_actor(self, token: Token, sent: Span) -> list[ActorMention]:
        """A passive with no agent: the subject of a coordinated clause ("..., and Minsk ..."),
        else where it came from ("a mortar bomb was fired from the Gaza Strip"). The speaker of
        a reporting verb above it is not its agent ("Israel said a bomb was fired at it")."""
        for sibling in (*token.conjuncts, token.head):
            if sibling.i == token.i or sibling.lemma_.lower() in self.lexicon.speech:
                continue
            subject = _subject(sibling)
            if subject is not None:
                found = self.resolver.resolve(subject, sent)
                if found:
                    return found
        for origin in _prep_objects(token, "from"):
            found = self._owners(origin, sent)
            if found:
                return found
        return []

    def _recipients(
        self,
        token: Token,
        rule: Rule,
        sent: Span,
        obj: Token | None,
        actors: list[ActorMention],
        border: BorderRef | None,
    ) -> list[ActorMention]:
        actor_codes = _codes(actors)
        for slot in rule.recipient:
            found: list[ActorMention] = []
            if slot == "dobj" and obj is not None and not _passive(token):
                found = self.resolver.resolve(obj, sent)
            elif slot == "dobj" and obj is not None:
                found = self._patient(obj, sent)
            elif slot == "dative":
                for child in token.children:
                    if child.dep_ == "dative":
                        targets = [c for c in child.children if c.dep_ == "pobj"] or [child]
                        for target in targets:
                            found += self.resolver.resolve(target, sent)
            elif slot.startswith("prep:"):
                targets = _prep_objects(token, slot[5:])
                if not targets and obj is not None and not _passive(token):
                    targets = _prep_objects(obj, slot[5:])
                for target in targets:
                    found += self.resolver.resolve(target, sent) or self._owners(target, sent)
            elif slot == "complement":
                complement = _complement_object(token)
                if complement is not None:
                    found = self._owners(complement, sent) or [
                        m
                        for t in complement.subtree
                        if t.pos_ in ("NOUN", "PROPN")
                        for m in self._owners(t, sent)
                    ]
            elif slot == "object_owner" and obj is not None:
                found = self._owners(obj, sent)
            elif slot == "clause_subject":
                for subject in _clause_subjects(token):
                    found += self.resolver.resolve(subject, sent) or self._owners(subject, sent)
            elif slot.startswith("object_") and obj is not None:
                for target in _prep_objects(obj, slot[7:]):
                    found += self.resolver.resolve(target, sent) or self._owners(target, sent)
            elif slot == "border" and border is not None:
                found = self._border_recipients(border, actor_codes, sent)
            found = [m for m in found if not _same_side(m, actors, actor_codes)]
            if found:
                return found
        if rule.event in (EventType.MOBILIZE, EventType.RETREAT) and "border" in rule.recipient:
            return []  # a move near a border faces its other side (decided by the caller)
        located = _located_by_border(token, rule.event)
        return self._nearest_party(token, sent, actors, actor_codes, located) or self._domestic(
            token, rule, sent, actors, located
        )

    def _domestic(
        self,
        token: Token,
        rule: Rule,
        sent: Span,
        actors: list[ActorMention],
        located: frozenset[int],
    ) -> list[ActorMention]:
        """Nobody abroad is named: an act within one country. People in the street protest and
        demand of their own government; police and troops act against groups of their own
        country ("Egyptian police dispersed demonstrators"), as PLOVER coders read it."""
        codes = {m.entity.code for m in actors if _is_country(m.entity.code)}
        if rule.event not in DOMESTIC or len(codes) != 1:
            return []
        (code,) = codes
        subjects = _subject_tokens(token)
        clause = [
            t
            for t in token.subtree
            if t.i not in subjects
            and t.i not in located
            and not _speech_clause(t, token, self.lexicon.speech)
        ]
        if any(self.resolver.country_of(t) not in (None, code) for t in clause):
            return []  # another country is named in the act: not a domestic affair
        if rule.event in (EventType.PROTEST, EventType.REQUEST, EventType.COERCE) and _crowd(
            actors
        ):
            return [
                self.resolver.mention(token, Entity(code, "GOV", f"government of {code}"), sent)
            ]
        # Non-state actors act against the state; the state acts against non-state groups.
        wanted = STATE if all(m.entity.sector in NON_STATE for m in actors) else NON_STATE
        for target in token.subtree:
            if target.i in subjects or target.pos_ not in ("NOUN", "PROPN"):
                continue
            sector = self.resolver.agent_sector(target)
            if sector in wanted:
                name = f"{target.lemma_.lower()} ({code})"
                return [self.resolver.mention(target, Entity(code, sector, name), sent)]
        return []

    def _nearest_party(
        self,
        token: Token,
        sent: Span,
        actors: list[ActorMention],
        actor_codes: set[str],
        located: frozenset[int],
    ) -> list[ActorMention]:
        """No slot named a recipient: the party named closest to the trigger within its own
        clause ("offered to hand over to Britain two suspects", "demanded that the US cancel"),
        or the owner of what the action is aimed at ("rejected Iraq's proposal")."""
        subjects = _subject_tokens(token)
        if token.lemma_.lower() in TOPIC_VERBS:
            # what is discussed is not who it is discussed with ("discussed efforts against X")
            subjects |= {t.i for c in token.children if c.dep_ == "dobj" for t in c.subtree}
        clause = [
            t
            for t in token.subtree
            if t.i != token.i
            and t.i not in subjects
            and t.pos_ in ("NOUN", "PROPN")
            and t.dep_ not in ("compound",)
            and not _sponsor(t)
            and t.i not in located
            and not _speech_clause(t, token, self.lexicon.speech)
        ]
        for target in sorted(clause, key=lambda t: (abs(t.i - token.i), t.i < token.i)):
            found = [
                m
                for m in (self.resolver.resolve(target, sent) or self._owners(target, sent))
                if m.entity.code not in actor_codes  # one's own side: see _domestic
                or _against_own_state(m, actors)
            ]
            if found:
                return found
        return []

    def _border_recipients(
        self, border: BorderRef, actor_codes: set[str], sent: Span
    ) -> list[ActorMention]:
        # Only a side of the border faces the other side(s); a third party's move there is unclear.
        if not actor_codes & set(border.countries):
            return []
        others = [code for code in border.countries if code not in actor_codes]
        return [
            self.resolver.mention(border.token, self.resolver.country_entity(c), sent)
            for c in others
        ]

    def _border(
        self, token: Token, sent: Span, claimant: ActorMention | None, actors: list[ActorMention]
    ) -> BorderRef | None:
        noun = find_border(token, self.resolver)
        if noun is None:
            return None
        ref = border_countries(noun, self.resolver)
        codes = list(ref.countries)
        if ref.own and claimant is not None and claimant.entity.code not in codes:
            codes.insert(0, claimant.entity.code)
        if ref.possessed:
            mine = [m.entity.code for m in actors if _is_country(m.entity.code)]
            if mine and mine[0] not in codes:
                codes.insert(0, mine[0])
        if len(codes) == 1:
            sides = [
                m.entity.code
                for m in actors
                if m.entity.code != codes[0] and _is_country(m.entity.code)
            ]
            if sides:
                codes.insert(0, sides[0])
        if not codes and self.resolver.ctx.border_pair:
            codes = list(self.resolver.ctx.border_pair)
        if len(codes) >= 2:
            self.resolver.ctx.border_pair = (codes[0], codes[1])
        return BorderRef(noun, tuple(codes), ref.own, ref.possessed)

    def _host(
        self, token: Token, obj: Token | None, actors: list[ActorMention], sent: Span
    ) -> list[ActorMention]:
        """Forces moved into or kept in another country face that country ("strengthened its
        forces in Lebanon", "sent troops into Syria")."""
        codes = _codes(actors)
        for word in ("in", "into"):
            for place in _prep_objects(token, word) + (_prep_objects(obj, word) if obj else []):
                code = self.resolver.country_of(place)
                if code is not None and code not in codes:
                    return [self.resolver.mention(place, self.resolver.country_entity(code), sent)]
        return []

    def _counterpart(
        self, token: Token, actors: list[ActorMention], sent: Span
    ) -> list[ActorMention]:
        """A posture move with no named counterpart faces the other country of the document's
        current pair (the last border named, else the last two countries mentioned)."""
        pair = self.resolver.ctx.border_pair or tuple(self.resolver.ctx.pair())
        codes = _codes(actors)
        if len(pair) != 2 or not codes & set(pair):
            return []
        others = [code for code in pair if code not in codes]
        return (
            [self.resolver.mention(token, self.resolver.country_entity(others[0]), sent)]
            if others
            else []
        )

    def _speaker(self, fr: Frame, sent: Span) -> ActorMention | None:
        verb = fr.accused_by or fr.speech_verb
        if verb is None:
            return None
        subject = _subject(verb) or self._inherited_subject(verb, fr)
        if subject is None:
            return None
        found = self.resolver.resolve(subject, sent, conjuncts=False)
        return found[0] if found else None

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
        out = _without_topics(out)
        share_targets(out)
        promised_targets(out)
        out += self._accusations(out, sent)
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
        refine_from = obj if obj is not None else _complement_object(token)
        if refine_from is not None:
            lemmas = core_lemmas(refine_from)
            if rule.event == EventType.THREATEN:
                lemmas |= {t.lemma_.lower() for t in refine_from.subtree}
            for refining, refined in rule.mode_by_object:
                if lemmas & refining:
                    mode = refined
                    break
        actor_codes = _codes(actors)
        third_party = claimant is not None and claimant.entity.code not in actor_codes
        status = decide_status(fr.statuses, third_party_claim=third_party)
        event = rule.event
        if conventions:
            event, mode, status = self._convention(
                token, rule.event, mode, status, fr, obj, border, actors
            )
        if conventions and claimant is not None and _obliged(token) and event in OBLIGED_MODES:
            # "..., saying he must resign": the speaker demands it of the actor (PLOVER REQUEST)
            event, mode, status = EventType.REQUEST, OBLIGED_MODES[event], Status.ASSERTED
            actors, recipients, claimant = [claimant], actors, None
        confidence = (
            rule.confidence - penalty - (0.1 if claimant is None and fr.speech_verb else 0.0)
        )
        particle = [c for c in token.children if c.lower_ == _particle(token) and c.i > token.i][:1]
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
        if event == EventType.RETREAT and status == Status.PLANNED:
            event, mode = EventType.CONCEDE, None  # PLOVER: a promised retreat is a concession
        elif event in PROMISABLE and status == Status.PLANNED:
            event, mode = EventType.AGREE, None  # PLOVER: future cooperation is a promise (AGREE)
        elif event == EventType.ASSAULT and status == Status.PLANNED and _preparing(token):
            event, mode = EventType.MOBILIZE, None  # getting ready to attack is mobilisation
        elif event == EventType.ASSAULT and status == Status.PLANNED and fr.ordered_by is None:
            # a stated intent to attack is a threat, and the threat has been made (PLOVER)
            event, mode, status = EventType.THREATEN, "violence", Status.ASSERTED
        elif _refused(token, event):
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
            and any(self.resolver.country_of(t) for t in _prep_objects(token, "to"))
        ):
            event, mode = EventType.AID, None  # "sent arms to Pakistan": military aid
        elif event == EventType.COERCE and mode == "restrict" and _crowd(actors):
            event, mode = EventType.PROTEST, "obstruct"  # protesters blocking roads
        elif event == EventType.ASSAULT and mode == "destroy" and _crowd(actors):
            event, mode = EventType.PROTEST, "riot"  # protesters wrecking property (PLOVER riot)
        elif event in REFUSABLE and status == Status.NEGATED and _future(token):
            # "would not provide support": a refusal, which has happened (PLOVER REJECT)
            event, mode, status = EventType.REJECT, REFUSABLE[event], Status.ASSERTED
        return event, mode, status

    def _accusations(self, coded: list[Candidate], sent: Span) -> list[Candidate]:
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
            if _described(candidate.trigger):
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
