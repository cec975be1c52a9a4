"""Actor mentions: resolve the noun phrase at a token to knowledge-base entities.

Handles named actors (countries, seats of power, people, organisations), generic agents that take
their country from a modifier ("Belarusian border guards"), co-actors ("Minsk and Kyiv"),
pronouns and "both sides" from the document's recent mentions (``nlp/context.py``), and misspelt
surnames.
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz, process
from spacy.tokens import Doc, Span, Token

from detente.actors import KBEntry
from detente.actors.kb import COUNTRY_KINDS
from detente.nlp.context import Context
from detente.records import ActorMention, Entity

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
THING_PRONOUNS = frozenset({"it", "its"})
RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom"})
# Nouns that name a place by a proper-noun modifier ("the Kherson region", "Gaza city").
PLACE_NOUNS = frozenset({"region", "province", "oblast", "city", "town", "district", "area",
                         "governorate", "state", "village", "port", "county", "strip"})  # fmt: skip
PAIR_HEADS = frozenset(
    {"side", "country", "state", "neighbour", "neighbor", "nation", "party", "capital"}
)
PAIR_DETS = frozenset({"both", "two"})
LOOK_THROUGH_PREPS = frozenset({"of", "in", "from", "within"})
_MIN_FUZZY = 86.0


def _plain(text: str) -> str:
    return text.replace("’", "'").lower()


def actor_spans(doc: Doc) -> dict[int, Span]:
    """Token index → the knowledge-base entity span covering it."""
    found: dict[int, Span] = {}
    for ent in doc.ents:
        if ent.label_ == "ACTOR":
            for token in ent:
                found[token.i] = ent
    return found


def _listed(token: Token) -> list[Token]:
    """The rest of a list the parser took for an apposition ("the US, Russia, and Switzerland":
    Russia an apposition with Switzerland its conjunct). An apposition without a conjunct names
    the same actor again ("Kofi Annan, the UN secretary-general") and is not listed."""
    out: list[Token] = []
    for child in token.children:
        if child.dep_ == "appos" and child.pos_ == "PROPN" and child.conjuncts:
            out += [child, *child.conjuncts]
    return out


class Resolver:
    """Resolves tokens of one parsed document to actor mentions."""

    def __init__(self, doc: Doc, ctx: Context, text: str | None = None) -> None:
        self.doc = doc
        self.text = doc.text if text is None else text  # Doc.text joins every token on each call
        self.ctx = ctx
        self.kb = ctx.kb
        self.spans = actor_spans(doc)

    # -- helpers ---------------------------------------------------------------------------
    def entry(self, token: Token) -> KBEntry | None:
        span = self.spans.get(token.i)
        if span is None or not span.ent_id_:
            return None
        return self.kb.entries.get(span.ent_id_)

    def mention(self, tokens: Span | Token, entity: Entity, sent: Span) -> ActorMention:
        if isinstance(tokens, Token):
            start, end = tokens.idx, tokens.idx + len(tokens.text)
        else:
            start, end = tokens.start_char, tokens.end_char
        return ActorMention(
            self.text[start:end], start - sent.start_char, end - sent.start_char, entity
        )

    def implied(self, at: Token, entity: Entity, sent: Span) -> ActorMention:
        """A party the sentence does not name (a government protesters face, the other side of
        the story): no words of its own, placed where the act is."""
        start = at.idx - sent.start_char
        return ActorMention("", start, start, entity)

    def country_modifiers(self, head: Token) -> list[tuple[Token, str]]:
        """Countries named in a noun's modifiers: adjectives, compounds, possessives, of-phrases."""
        found: list[tuple[Token, str]] = []
        stationed: list[tuple[Token, str]] = []
        for child in head.children:
            if child.dep_ in ("amod", "compound", "poss", "nmod", "npadvmod"):
                code = self.country_of(child)
                if code is None and child.dep_ == "compound":
                    for grand in child.children:
                        if grand.dep_ in ("amod", "compound") and self.country_of(grand):
                            child, code = grand, self.country_of(grand)
                            break
                if code:
                    found.append((child, code))
                    for conj in child.conjuncts:
                        more = self.country_of(conj)
                        if more and more != code:
                            found.append((conj, more))
            elif child.dep_ == "prep" and child.lower_ in ("of", "from", "in"):
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        code = self.country_of(obj) or (
                            self.member_of(obj) if child.lower_ != "in" else None
                        )
                        if code:
                            (stationed if child.lower_ == "in" else found).append((obj, code))
        # "officials in Minsk" are Belarusian; "the US commander in Iraq" is not Iraqi.
        return found or stationed

    def member_of(self, token: Token) -> str | None:
        """The country of an organisation someone belongs to ("activists from the Fatah Party")."""
        entry = self.entry(token)
        return entry.country if entry is not None and entry.kind == "organization" else None

    def clause_country(self, token: Token) -> list[tuple[Token, str]]:
        """A country the clause is set in: "In Russia, commentators accused ..."."""
        current = token
        for _ in range(4):
            current = current.head
            if current.pos_ in ("VERB", "AUX"):
                for child in current.children:
                    if child.dep_ == "prep" and child.lower_ == "in":
                        for obj in child.children:
                            code = self.country_of(obj) if obj.dep_ == "pobj" else None
                            if code:
                                return [(obj, code)]
            if current.head.i == current.i:
                break
        return []

    def country_of(self, token: Token) -> str | None:
        entry = self.entry(token)
        if entry is not None and entry.kind in COUNTRY_KINDS:
            return entry.country
        if entry is None and token.pos_ == "PROPN" and len(token.text) >= 7:
            return self.kb.misspelt_country(token.text)
        return None

    def phrase_span(self, head: Token, sent: Span) -> Span:
        left = head.i
        for child in head.lefts:
            if (
                child.dep_ in ("amod", "compound", "poss", "nmod", "nummod")
                and child.i >= sent.start
            ):
                left = min(left, child.left_edge.i)
        return self.doc[left : head.i + 1]

    # -- resolution ------------------------------------------------------------------------
    def resolve(self, token: Token, sent: Span, *, conjuncts: bool = True) -> list[ActorMention]:
        found = self._resolve_one(token, sent, depth=0)
        if conjuncts:
            for conj in [*token.conjuncts, *_listed(token)]:
                if conj.i > token.i:
                    found += self._resolve_one(conj, sent, depth=0)
        unique: dict[tuple[str, str | None, str | None], ActorMention] = {}
        for mention in found:
            key = (mention.entity.code, mention.entity.sector, mention.entity.entity_id)
            unique.setdefault(key, mention)
        return list(unique.values())

    def _resolve_one(self, token: Token, sent: Span, depth: int) -> list[ActorMention]:
        if depth > 3:
            return []
        lower = token.lower_
        if lower in RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
            return self._resolve_one(token.head.head, sent, depth + 1)
        if token.pos_ == "PRON" or lower in PERSON_PRONOUNS | THING_PRONOUNS:
            return self._pronoun(token, sent)
        if token.lemma_.lower() in PAIR_HEADS and any(
            c.lower_ in PAIR_DETS for c in token.children
        ):
            return self._pair(token, sent)
        entry = self.entry(token)
        if entry is not None:
            return self._named(token, entry, sent)
        introduced = self._introduced(token, sent)
        if introduced:
            return introduced
        agent = self._agent(token, sent)
        if agent:
            return agent
        if token.pos_ == "PROPN":
            fuzzy = (
                self._fuzzy(token, sent)
                or self._shared_surname(token, sent)
                or self._titled(token, sent)
            )
            if fuzzy:
                return fuzzy
        found = self._organisation_compound(token, sent)
        if found:
            return found
        # Look through "numbers of X", "materials in the X media", appositions.
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in LOOK_THROUGH_PREPS:
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        found = self._resolve_one(obj, sent, depth + 1)
                        if found:
                            return found + [
                                m
                                for c in obj.conjuncts
                                for m in self._resolve_one(c, sent, depth + 1)
                            ]
            if child.dep_ in ("appos", "poss"):
                found = self._resolve_one(child, sent, depth + 1)
                if found:
                    return found
        return self.place(token, sent)

    def place(self, token: Token, sent: Span) -> list[ActorMention]:
        """A town or city stands for its country as a target ("shelled Kharkiv", "civilians in
        the Kherson region"); only well-known places, by their own name."""
        if not self.ctx.towns:
            return []
        names = [token]
        if token.pos_ == "NOUN" and token.lemma_.lower() in PLACE_NOUNS:
            names = [c for c in token.children if c.dep_ in ("compound", "amod", "nmod")]
        for name in names:
            if name.pos_ != "PROPN" or not name.text[:1].isupper():
                continue
            if any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in name.children):
                phrase = self.doc[name.left_edge.i : name.i + 1].text
            else:
                phrase = name.text
            code = self.ctx.towns.get(phrase.lower())
            if code is not None:
                entity = Entity(code, None, f"{phrase} ({code})")
                return [self.mention(self.doc[name.left_edge.i : name.i + 1], entity, sent)]
        return []

    def _organisation_compound(self, token: Token, sent: Span) -> list[ActorMention]:
        """What is named by its organisation is the organisation's: "its European Community
        partners", "a UN Security Council resolution"."""
        for child in token.children:
            if child.dep_ in ("compound", "nmod") and child.i < token.i:
                entry = self.entry(child)
                if entry is not None and entry.kind == "organization" and entry.country:
                    return self._named(child, entry, sent)
        return []

    def _named(self, token: Token, entry: KBEntry, sent: Span) -> list[ActorMention]:
        span = self.spans[token.i]
        entity = entry.entity(self.ctx.day)
        if entry.country is None and entry.kind == "organization":
            root = span.root
            modifiers = self.country_modifiers(root) or self.country_modifiers(token)
            if not modifiers:
                return []
            return [
                self.mention(
                    self.doc[min(mod.i, span.start) : span.end],
                    Entity(code, entry.sector, entry.name, f"{entry.kind}:{entry.id}"),
                    sent,
                )
                for mod, code in modifiers
            ]
        if entry.kind == "adjective":
            # "Ukrainian" heading a phrase: the country; "the Ukrainians" as a people.
            home = self._residence(span.root)
            if home is not None:
                country = self.country_entity(home)
                group = Entity(home, "ETH", f"{span.text} of {country.name}", None)
                return [self.mention(span, group, sent)]
            entity = Entity(
                entry.country or "UNK",
                None,
                self.kb.get(f"country:{entry.country}").name
                if self.kb.country(entry.country or "")
                else entry.name,
            )
        return [self.mention(span, entity, sent)]

    def _titled(self, name: Token, sent: Span) -> list[ActorMention]:
        """A person the knowledge base does not know, named with a title and a nationality
        ("British Foreign Secretary Jack Straw", "Syrian President Bashar Assad")."""
        phrase = self.doc[max(name.left_edge.i, sent.start) : name.i + 1]
        if any(t.pos_ not in ("PROPN", "ADJ", "NOUN", "DET", "PUNCT") for t in phrase):
            return []
        sector = next((s for t in phrase if (s := self.agent_sector(t)) is not None), None)
        code = next((c for t in phrase if (c := self.country_of(t)) is not None), None)
        if code is None:  # "FBI Director Kash Patel", "NATO chief Mark Rutte": the body's
            code = next((c for t in phrase if (c := self.member_of(t)) is not None), None)
        if sector is not None and code is None and len(phrase) > 1:
            code = self.ctx.main_country()  # "Senator Mark Kelly" in a story about one country
        if sector is None or code is None:
            return []
        names = [
            t
            for t in phrase
            if t.pos_ == "PROPN"
            and t.text[:1].isupper()
            and len(t.text) >= 3
            and self.agent_sector(t) is None
            and self.country_of(t) is None
        ]
        entity = Entity(code, sector, " ".join(t.text for t in names) or phrase.text)
        if names:
            self.ctx.introduce((t.text for t in names), entity)
        return [self.mention(phrase, entity, sent)]

    def _introduced(self, token: Token, sent: Span) -> list[ActorMention]:
        """A person named earlier in the document with a title and a country, now by a name
        alone ("Petro", "Abiy")."""
        entity = self.ctx.named.get(token.lower_)
        if entity is None or token.pos_ != "PROPN":
            return []
        left = token.i
        while left - 1 >= sent.start and self.doc[left - 1].pos_ == "PROPN":
            left -= 1
        return [self.mention(self.doc[left : token.i + 1], entity, sent)]

    def _residence(self, group: Token) -> str | None:
        """An ethnic group is coded to the state it lives in when the text names it ("ethnic
        Albanians in southern Serbia", "the Albanians of Serbia"), as PLOVER coders do."""
        if not self.doc.has_annotation("DEP"):
            return None  # the light pass has no parse to read
        people = group.head if group.dep_ in ("amod", "compound") else group
        ethnic = any(c.lower_ == "ethnic" for c in (*people.children, *group.children))
        if not ethnic and people.lower_ == group.lower_ and not group.text.endswith("s"):
            return None
        own = self.country_of(group)
        places = [
            code
            for tok, code in self.country_modifiers(people)
            if tok.dep_ == "pobj" and code != own
        ]
        if not places and ethnic:
            places = [code for _, code in self._clause_places(people) if code != own]
        if not places and ethnic:
            # "ethnic Albanians" are a minority: of the state the sentence is about
            places = [
                code
                for t in group.sent
                if t.i != group.i and (code := self.country_of(t)) not in (None, own)
            ]
        return places[0] if places else None

    def _clause_places(self, token: Token) -> list[tuple[Token, str]]:
        """Countries named as places in the clause of a word ("killed ethnic Albanians in a
        gunbattle in southern Serbia"), without entering other clauses."""
        verb = token
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
        found: list[tuple[Token, str]] = []
        frontier = [verb]
        while frontier:
            current = frontier.pop(0)
            for child in current.children:
                if child.dep_ == "prep":
                    frontier.append(child)
                elif child.dep_ == "pobj" and current.lower_ in ("in", "near", "inside"):
                    code = self.country_of(child)
                    if code is not None:
                        found.append((child, code))
                    else:
                        frontier.append(child)
                elif child.dep_ == "pobj":
                    frontier.append(child)
        return found

    def country_entity(self, code: str) -> Entity:
        country = self.kb.country(code)
        return Entity(code, None, country.name if country else code, f"country:{code}")

    def agent_sector(self, token: Token) -> str | None:
        lemma = _plain(token.lemma_)
        compounds = [c for c in token.lefts if c.dep_ in ("compound", "amod") and c.pos_ != "PROPN"]
        for child in compounds:
            for key in (
                f"{_plain(child.lemma_)} {lemma}",
                f"{_plain(child.text)} {_plain(token.text)}",
            ):
                sector = self.kb.agents.get(key)
                if sector:
                    return sector
        return self.kb.agents.get(lemma) or self.kb.agents.get(_plain(token.text))

    def _agent(self, token: Token, sent: Span) -> list[ActorMention]:
        if token.pos_ not in ("NOUN", "PROPN"):
            return []
        sector = self.agent_sector(token)
        if sector is None:
            return []
        modifiers = self.country_modifiers(token) or self.clause_country(token)
        # (so far only: "ordered the withdrawal of troops from the border with Ukraine" are not
        # Ukraine's troops because the text goes on about Ukraine)
        if not modifiers and token.pos_ == "NOUN" and (home := self.ctx.main_country(whole=False)):
            modifiers = [(token, home)]  # "police" of a story about one country are its police
        phrase = self.phrase_span(token, sent)
        return [
            self.mention(phrase, self.local_entity(token, code, sector), sent)
            for _, code in modifiers
        ]

    def local_entity(self, head: Token, code: str, sector: str | None = None) -> Entity:
        """A generic party of a country ("Sri Lanka police"), named by its country and noun;
        the sector is the noun's ("police": COP) unless given."""
        country = self.kb.country(code)
        name = f"{country.name if country else code} {head.lemma_.lower()}"
        return Entity(code, sector or self.agent_sector(head), name)

    def _pronoun(self, token: Token, sent: Span) -> list[ActorMention]:
        lower = token.lower_
        if lower in PERSON_PRONOUNS:
            earlier = self._sentence_people(sent, before=token.idx) or self.ctx.people[-1:]
            if earlier:
                last = earlier[-1]
                return [self.mention(token, last.entity, sent)]
        if lower in THING_PRONOUNS:
            here = self._sentence_things(sent, token)
            if here:
                return [self.mention(token, here[-1], sent)]
            if self.ctx.things:
                return [self.mention(token, self.ctx.things[-1].entity, sent)]
        return []

    def _sentence_things(self, sent: Span, pronoun: Token) -> list[Entity]:
        out = []
        for ent in sent.ents:
            if (
                ent.label_ != "ACTOR"
                or ent.end_char > pronoun.idx
                or ent.ent_id_.startswith("person:")
            ):
                continue
            entry = self.kb.entries.get(ent.ent_id_)
            if (
                entry is not None
                and entry.country
                and entry.kind in ("country", "capital", "organization")
            ):
                out.append(entry.entity(self.ctx.day))
        return out

    def _sentence_people(self, sent: Span, before: int) -> list[ActorMention]:
        out = []
        for ent in sent.ents:
            if (
                ent.label_ == "ACTOR"
                and ent.end_char <= before
                and ent.ent_id_.startswith("person:")
            ):
                entry = self.kb.entries.get(ent.ent_id_)
                if entry is not None:
                    out.append(self.mention(ent, entry.entity(self.ctx.day), sent))
        return out

    def _pair(self, token: Token, sent: Span) -> list[ActorMention]:
        codes = self._sentence_countries(sent, before=token.idx) or self.ctx.pair()
        codes = codes[-2:]
        if len(codes) < 2:
            return []
        phrase = self.doc[token.left_edge.i : token.i + 1]
        out = []
        for code in codes:
            country = self.kb.country(code)
            out.append(
                self.mention(phrase, Entity(code, None, country.name if country else code), sent)
            )
        return out

    def _sentence_countries(self, sent: Span, before: int) -> list[str]:
        codes: list[str] = []
        for ent in sent.ents:
            if ent.label_ == "ACTOR" and ent.end_char <= before:
                entry = self.kb.entries.get(ent.ent_id_)
                if entry is not None and entry.country and entry.kind != "organization":
                    if entry.country in codes:
                        codes.remove(entry.country)
                    codes.append(entry.country)
        return codes if len(codes) >= 2 else []

    def _fuzzy(self, token: Token, sent: Span) -> list[ActorMention]:
        text = token.text
        if len(text) < 6 or not text[0].isupper():
            return []
        match = process.extractOne(
            text.lower(), list(self.ctx.surnames), scorer=fuzz.ratio, score_cutoff=_MIN_FUZZY
        )
        if match is None or match[0][0] != text[0].lower():
            return []
        entry = self.kb.entries[self.ctx.surnames[match[0]]]
        known = entry.country in self.ctx.story or entry.country in self.ctx.mentioned
        if not known and token.dep_ not in ("nsubj", "nsubjpass"):
            # a near-spelling of a surname from a country the story never names is some other
            # word unless it acts ("Iskander" missiles in a Belarusian story are not Malaysia's
            # Sultan Iskandar; "Lukashneko ordered" is Lukashenko)
            return []
        return [self.mention(token, entry.entity(self.ctx.day), sent)]

    def _shared_surname(self, token: Token, sent: Span) -> list[ActorMention]:
        """A surname several people of one country share ("Sharif calls Modi"): the one in
        office on the day if only one is, else their country's government."""
        keys = self.ctx.shared.get(token.lower_)
        if not keys or not token.text[:1].isupper():
            return []
        entries = [self.kb.entries[k] for k in keys]
        day = self.ctx.day
        serving = [e for e in entries if day is not None and e.role_on(day) is not None]
        if len(serving) == 1:
            return [self.mention(token, serving[0].entity(day), sent)]
        code = entries[0].country
        if code is None:
            return []
        government = replace(self.country_entity(code), sector="GOV")
        return [self.mention(token, government, sent)]

    def all_mentions(self, sent: Span) -> list[ActorMention]:
        """Every named actor in the sentence (for the document's memory)."""
        out = []
        seen: set[int] = set()
        for token in sent:  # the document's entities by token, not Span.ents (a whole-doc scan)
            ent = self.spans.get(token.i)
            if ent is None or ent.start in seen:
                continue
            seen.add(ent.start)
            if ent.label_ == "ACTOR" and ent.ent_id_:
                entry = self.kb.entries.get(ent.ent_id_)
                if entry is not None and entry.country:
                    out.extend(self._named(ent.root, entry, sent))
        return out
