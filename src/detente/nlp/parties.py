"""The parties of a detected event: what the argument tagger names, resolved by the knowledge
base, and the target of an act whose sentence names none.

The argument tagger (``roles.py``) reads a sentence with one trigger marked and labels the words
of its actor and recipient; this module turns those words into parties (a body, a place, a person
the knowledge base knows, else a generic party of the story's country), leaves out what is no
party (the way an act took, a weapon, the claimant), and decides whom an act with no named
target faces.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.nlp.actors import Resolver
from detente.nlp.borders import BORDER_LEMMAS
from detente.nlp.candidate import is_country
from detente.nlp.events import Candidate, Coder
from detente.nlp.roles import Arguments, RoleTagger
from detente.records import ActorMention, EventType


def _tagged(coder: Coder, sent: Span, spans: list[tuple[int, int]]) -> list[ActorMention]:
    """The parties the argument tagger's words name, resolved by the knowledge base; a party it
    does not know is of the story's country (see _generic_party)."""
    out: list[ActorMention] = []
    for start, end in spans:
        span = sent.doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        found = coder.resolver.resolve(span.root, sent) or coder.owners(span.root, sent)
        if not found:  # "Israeli army bulldozers": a country named inside the words
            found = [
                coder.resolver.mention(t, coder.resolver.country_entity(code), sent)
                for t in span
                if (code := coder.resolver.country_of(t)) is not None
            ][:1]
        if not found:
            found = _generic_party(coder, span, sent)
        codes = {m.entity.code for m in out}
        out += [m for m in found if m.entity.code not in codes]
    return out


# Words the tagger may take for a party that name no one ("it", "which", "both").
_NO_PARTY_POS = frozenset({"PRON", "DET", "NUM", "ADP", "VERB", "AUX", "ADJ", "ADV"})


def _generic_party(coder: Coder, span: Span, sent: Span) -> list[ActorMention]:
    """A party the knowledge base does not know ("some migrants", "the council", "Walz"):
    people and bodies of the story are of the country it is about (a place named in their words
    first: "residents of Kherson")."""
    root = span.root
    if root.pos_ in _NO_PARTY_POS or root.lemma_.lower() in coder.lexicon.classes["strike_weapons"]:
        return []  # nobody, or a thing: "kamikaze drones" of no named country are no party
    resolver = coder.resolver
    # a body named in the words gives its country ("FBI Director Kash Patel"); else a place,
    # but not a name's first part ("Kash" of Kash Patel is no town of China)
    code = next(
        (c for t in span if (c := resolver.member_of(t)) is not None and is_country(c)), None
    ) or next((p for t in span if (p := _place_code(resolver, t, sent)) is not None), None)
    code = code or resolver.ctx.main_country()
    if code is None:
        return []
    return [resolver.mention(span, resolver.local_entity(root, code), sent)]


def _place_code(resolver: Resolver, token: Token, sent: Span) -> str | None:
    """The country of a well-known place a word names, unless the word is a name's first part."""
    if token.pos_ != "PROPN" or (token.dep_ == "compound" and token.head.pos_ == "PROPN"):
        return None
    placed = resolver.place(token, sent)
    return placed[0].entity.code if placed else None


def with_tagged_arguments(
    coder: Coder,
    sent: Span,
    candidate: Candidate,
    roles: RoleTagger,
    trigger: tuple[int, int],
    arguments: dict[tuple[int, int], Arguments],
) -> None:
    """Where the argument tagger names an actor or recipient (see _tagged), it replaces what the
    parse rules found."""
    actor_spans, recipient_spans = arguments.get(trigger) or roles.arguments(sent.text, trigger)
    actors = _tagged(coder, sent, actor_spans)
    if actors:
        candidate.actors = actors
    # the same party on both sides is the tagger's slip; two parties of one country are not
    # ("police fired at demonstrators": both Sri Lankan), except in a move of forces, where the
    # actor's own forces are what is moved, not whom the move faces
    own = {a.entity.code for a in candidate.actors} if candidate.event in FORCE_MOVES else set()
    recipient_spans = [s for s in recipient_spans if not _a_way(sent, s)]
    recipients = [
        m
        for m in _tagged(coder, sent, recipient_spans)
        if not any(same_party(m, a) for a in candidate.actors) and m.entity.code not in own
    ]
    if recipients:
        candidate.recipients = recipients
    else:  # nor a way the parse rules took
        base = sent.start_char
        candidate.recipients = [
            m
            for m in candidate.recipients
            if not (m.text and _a_way(sent, (base + m.start, base + m.end)))
        ]


def _a_way(sent: Span, span: tuple[int, int]) -> bool:
    """Words naming the way an act took ("through Belarusian airspace"), not whom it was aimed
    at. (Where it took place is left to the tagger: "agreed in Moscow" names no target, but a
    visit's or a meeting's place is often its host, and the shared gold sets code it so.)"""
    words = sent.doc.char_span(span[0], span[1], alignment_mode="expand")
    if words is None or not len(words):
        return False
    root = words.root
    while root.dep_ in ("amod", "compound", "poss") and root.head.i != root.i:
        root = root.head  # "Belarusian" of "Belarusian airspace"
    return root.dep_ == "pobj" and root.head.lower_ in _WAYS


_WAYS = frozenset({"through", "via"})


FORCE_MOVES = frozenset({EventType.MOBILIZE, EventType.RETREAT})
# Acts that, with no target named, are a domestic affair (protesters and their government,
# police and the people they arrest, a concession at home); others face the story's other party.
DOMESTIC_BY_DEFAULT = frozenset({EventType.PROTEST, EventType.COERCE, EventType.CONCEDE})
# ... and so are the acts of police and courts ("Justice Chitapi ordered both men to report")
HOME_SECTORS = frozenset({"COP", "JUD"})
# Acts that, with no target named, face nobody in particular as often as the story's other
# party: meetings, agreements, joint work, deployments, refusals, ceasefires and withdrawals.
# On the training split the story's other party was their annotated target for 11-28% of them
# (for the other kinds 34-56%; an implied target helps F1 when it is right more often than
# about half the F1), so they get none (dev: recipient F1 0.620 -> 0.642).
UNAIMED_BY_DEFAULT = frozenset(
    {
        EventType.AGREE,
        EventType.CONSULT,
        EventType.COOPERATE,
        EventType.MOBILIZE,
        EventType.REJECT,
        EventType.RETREAT,
    }
)


def _at_a_border(candidate: Candidate, sent: Span) -> bool:
    """Forces moved to or from a border: they face its other side, named or not."""
    return candidate.event in FORCE_MOVES and any(t.lemma_.lower() in BORDER_LEMMAS for t in sent)


def unnamed_target(coder: Coder, token: Token, candidate: Candidate, sent: Span) -> None:
    """An act whose sentence names no target: aimed at the actor's own country for domestic
    kinds of act, at nobody for acts that are often aimed at nobody in particular, else at the
    country the document is about besides the actors'. A joint act of co-actors that are often
    aimed at nobody ("Armenia and Azerbaijan agreed") has none; a coalition's condemnation or
    demand faces the story's other party ("the US, Britain and the EU condemned the executions")."""
    codes = {m.entity.code for m in candidate.actors}
    if len(codes) >= 2 and (candidate.event in UNAIMED_BY_DEFAULT | FORCE_MOVES):
        return
    own = [c for c in codes if is_country(c)]
    home = candidate.event in DOMESTIC_BY_DEFAULT or all(
        m.entity.sector in HOME_SECTORS for m in candidate.actors
    )
    if home and len(own) == 1:
        target: str | None = own[0]
    elif candidate.event in UNAIMED_BY_DEFAULT and not _at_a_border(candidate, sent):
        target = None
    else:
        target = coder.resolver.ctx.main_country(besides=codes)
    if target is not None:
        entity = coder.resolver.country_entity(target)
        candidate.recipients = [coder.resolver.implied(token, entity, sent)]


def not_the_claimant(candidate: Candidate, parsed: list[ActorMention]) -> None:
    """An alleged act is another party's than its claimant's ("Belarusian border guards said
    Ukrainian formations were spotted": UKR, claimed by BLR): words of the claimant taken for the
    actor give way to the other actors, else to those the parse found."""
    claimant = candidate.claimed_by
    if claimant is None:
        return
    kept = [a for a in candidate.actors if not _overlap(a, claimant)]
    if not kept:
        kept = [a for a in parsed if not _overlap(a, claimant)]
    if kept and kept != candidate.actors:
        candidate.actors = kept
        candidate.recipients = [
            m for m in candidate.recipients if not any(same_party(m, a) for a in kept)
        ]


def _overlap(a: ActorMention, b: ActorMention) -> bool:
    return a.start < b.end and b.start < a.end


def same_party(a: ActorMention, b: ActorMention) -> bool:
    overlap = _overlap(a, b)
    same = a.entity.entity_id is not None and a.entity.entity_id == b.entity.entity_id
    alike = a.entity.code == b.entity.code and a.entity.sector == b.entity.sector
    return overlap or same or alike
