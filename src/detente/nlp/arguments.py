"""Who did it and to whom: the coder's rules for an event's actor (subject, passive agent, a
governing clause's subject, the owner of the object), its recipient (by the rule's slots, the
nearest party in the clause, a domestic counterpart, the other side of a border) and the speaker
of reported speech."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.nlp.actors import Resolver
from detente.nlp.attribution import (
    REQUEST_NOUNS,
    Frame,
    complemented_noun,
)
from detente.nlp.borders import BorderRef, border_countries, find_border
from detente.nlp.candidate import (
    against_own_state,
    codes_of,
    is_country,
    same_side,
)
from detente.nlp.syntax import (
    DOMESTIC,
    LICENSING_VERBS,
    NON_STATE,
    STATE,
    TOPIC_VERBS,
    clause_subjects,
    complement_object,
    crowd,
    direct_object,
    located_by_border,
    passive,
    prep_objects,
    speech_clause,
    sponsor,
    subject_of,
    subject_tokens,
    verb_in,
)
from detente.ontology import Lexicon, Rule
from detente.records import ActorMention, Entity, EventType

# Where an event found by the detector with no lexicon rule looks for its recipient (then the
# nearest party, as for rules).
GENERIC_SLOTS = ("dobj", "dative", "prep:to", "prep:against", "prep:with", "prep:on",
                 "prep:from", "complement", "object_owner")  # fmt: skip


class Arguments:
    """The Coder's argument rules (mixed in): they read its lexicon and resolver."""

    lexicon: Lexicon
    resolver: Resolver

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
            subject = subject_of(parent) or next(
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
            return self.owners(obj, sent), 0.0
        if rule.nominal:
            found = self._nominal_actor(token, sent)
            if found:
                return found, 0.0
            head = token.head
            if head.pos_ not in ("VERB", "AUX") or not verb_in(head, LICENSING_VERBS):
                return [], 0.0
            subject = subject_of(head) or self._inherited_subject(head, fr)
            return (self.resolver.resolve(subject, sent) if subject is not None else []), 0.1
        subject = subject_of(token)
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
            found = self.owners(obj, sent)
        if not found and passive(token):
            found = self._implicit_actor(token, sent)
            penalty = 0.2
        return found, penalty

    def owners(self, obj: Token, sent: Span) -> list[ActorMention]:
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
        for target in (subject, *prep_objects(subject, "for"), *prep_objects(subject, "of")):
            found = self.resolver.resolve(target, sent) or self.owners(target, sent)
            if found:
                return found
        return []

    def _nominal_actor(self, noun: Token, sent: Span) -> list[ActorMention]:
        for child in noun.children:
            if child.dep_ == "poss":
                return self.resolver.resolve(child, sent)
        for obj in prep_objects(noun, "of") + prep_objects(noun, "by"):
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
            subject = subject_of(sibling)
            if subject is not None:
                found = self.resolver.resolve(subject, sent)
                if found:
                    return found
        for origin in prep_objects(token, "from"):
            found = self.owners(origin, sent)
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
        actor_codes = codes_of(actors)
        for slot in rule.recipient:
            found: list[ActorMention] = []
            if slot == "dobj" and obj is not None and not passive(token):
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
                targets = prep_objects(token, slot[5:])
                if not targets and obj is not None and not passive(token):
                    targets = prep_objects(obj, slot[5:])
                for target in targets:
                    found += self.resolver.resolve(target, sent) or self.owners(target, sent)
            elif slot == "complement":
                complement = complement_object(token)
                if complement is not None:
                    found = self.owners(complement, sent) or [
                        m
                        for t in complement.subtree
                        if t.pos_ in ("NOUN", "PROPN")
                        for m in self.owners(t, sent)
                    ]
            elif slot == "object_owner" and obj is not None:
                found = self.owners(obj, sent)
            elif slot == "clause_subject":
                for subject in clause_subjects(token):
                    found += self.resolver.resolve(subject, sent) or self.owners(subject, sent)
            elif slot.startswith("object_") and obj is not None:
                for target in prep_objects(obj, slot[7:]):
                    found += self.resolver.resolve(target, sent) or self.owners(target, sent)
            elif slot == "border" and border is not None:
                found = self._border_recipients(border, actor_codes, sent)
            found = [m for m in found if not same_side(m, actors, actor_codes)]
            if found:
                return found
        if rule.event in (EventType.MOBILIZE, EventType.RETREAT) and "border" in rule.recipient:
            return []  # a move near a border faces its other side (decided by the caller)
        located = located_by_border(token, rule.event)
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
        codes = {m.entity.code for m in actors if is_country(m.entity.code)}
        if rule.event not in DOMESTIC or len(codes) != 1:
            return []
        (code,) = codes
        subjects = subject_tokens(token)
        clause = [
            t
            for t in token.subtree
            if t.i not in subjects
            and t.i not in located
            and not speech_clause(t, token, self.lexicon.speech)
        ]
        if any(self.resolver.country_of(t) not in (None, code) for t in clause):
            return []  # another country is named in the act: not a domestic affair
        if rule.event in (EventType.PROTEST, EventType.REQUEST, EventType.COERCE) and crowd(actors):
            return [
                self.resolver.implied(token, Entity(code, "GOV", f"government of {code}"), sent)
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
        subjects = subject_tokens(token)
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
            and not sponsor(t)
            and t.i not in located
            and not speech_clause(t, token, self.lexicon.speech)
        ]
        for target in sorted(clause, key=lambda t: (abs(t.i - token.i), t.i < token.i)):
            found = [
                m
                for m in (self.resolver.resolve(target, sent) or self.owners(target, sent))
                if m.entity.code not in actor_codes  # one's own side: see _domestic
                or against_own_state(m, actors)
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
            mine = [m.entity.code for m in actors if is_country(m.entity.code)]
            if mine and mine[0] not in codes:
                codes.insert(0, mine[0])
        if len(codes) == 1:
            sides = [
                m.entity.code
                for m in actors
                if m.entity.code != codes[0] and is_country(m.entity.code)
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
        codes = codes_of(actors)
        for word in ("in", "into"):
            for place in prep_objects(token, word) + (prep_objects(obj, word) if obj else []):
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
        codes = codes_of(actors)
        if len(pair) != 2 or not codes & set(pair):
            return []
        others = [code for code in pair if code not in codes]
        return (
            [self.resolver.implied(token, self.resolver.country_entity(others[0]), sent)]
            if others
            else []
        )

    def _speaker(self, fr: Frame, sent: Span) -> ActorMention | None:
        verb = fr.accused_by or fr.speech_verb
        if verb is None:
            return None
        subject = subject_of(verb) or self._inherited_subject(verb, fr)
        if subject is None:
            return None
        found = self.resolver.resolve(subject, sent, conjuncts=False)
        return found[0] if found else None
