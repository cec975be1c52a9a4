"""Places: where an event happened — a border, a city or region, a country's airspace."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span, Token

from detente.actors import KnowledgeBase
from detente.geo import TOWN_POPULATION, Gazetteer, Place
from detente.nlp.borders import BorderRef
from detente.records import Location

PLACE_PREPS = frozenset(
    {
        "in",
        "near",
        "at",
        "into",
        "over",
        "through",
        "to",
        "from",
        "on",
        "across",
        "along",
        "inside",
        "toward",
        "towards",
        "outside",
    }
)
RIVAL_MEANT = 0.1  # a namesake a tenth of a well-known town's size may be meant in its country
AREA_NOUNS = frozenset(
    {"airspace", "territory", "soil", "waters", "region", "district", "oblast", "area", "province"}
)


def border_location(
    ref: BorderRef, kb: KnowledgeBase, gazetteer: Gazetteer, side: str | None
) -> Location | None:
    codes = ref.countries
    if not codes:
        return None
    names = [kb.country(c).name if kb.country(c) else c for c in codes[:2]]  # type: ignore[union-attr]
    if len(codes) == 1:
        return Location(f"{names[0]} border", codes[0], None, None, "border")
    point = gazetteer.border(codes[0], codes[1])
    country = side if side in codes[:2] else codes[0]
    return Location(
        f"{names[0]}–{names[1]} border",
        country,
        point[0] if point else None,
        point[1] if point else None,
        "border",
    )


def _place_tokens(trigger: Token) -> list[Token]:
    """Objects of place prepositions below the trigger (breadth first, not into clauses)."""
    out: list[Token] = []
    frontier = [(trigger, 0)]
    while frontier:
        token, depth = frontier.pop(0)
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in PLACE_PREPS:
                out.extend(c for c in child.children if c.dep_ == "pobj")
            if depth < 2 and child.dep_ in ("prep", "pobj", "dobj", "advcl", "npadvmod"):
                frontier.append((child, depth + 1))
    return out


def sentence_countries(
    sentence: Span, kb: KnowledgeBase, skip: Token | None = None
) -> frozenset[str]:
    """The countries a sentence names: its knowledge-base names (countries, adjectives, seats of
    power, people and bodies of a country), but for the name covering ``skip`` (a place's own
    name is no evidence of where it is)."""
    codes = set()
    for ent in sentence.ents:
        if ent.label_ == "ACTOR" and not (skip is not None and ent.start <= skip.i < ent.end):
            entry = kb.entries.get(ent.id_)
            if entry is not None and entry.country:
                codes.add(entry.country)
    return frozenset(codes)


def resolve_place(
    name: str, kb: KnowledgeBase, gazetteer: Gazetteer, countries: Iterable[str]
) -> Location | None:
    """The city ``name`` means in a sentence about ``countries``, or None.

    A name is looked up as a place's own name (as a known alternate only when no place bears it
    as its own, see ``detente.geo``). The place must lie in a country the sentence speaks of;
    failing that, a seat of power the knowledge base knows is its country's ("Islamabad"), and a
    well-known town (one place of 50,000 people or more bears that name) is that town. Never the
    most populous namesake of a country nobody mentions. A namesake in a country the sentence
    speaks of wins over the capital or town only if it is big enough to be meant (``_rivals``)."""
    found = gazetteer.candidates(name)
    capitals = {e.country for e in kb.by_alias(name) if e.kind == "capital" and e.country}
    if not found and not capitals:
        return None
    code = gazetteer.towns.get(name.lower())
    if capitals:  # a seat of power is its country's, whatever else bears its name
        default = next((p for p in found if p.location.country in capitals), None)
    else:
        default = next((p for p in found if p.location.country == code), None)
    near = set(countries)
    for place in found:
        if (
            place.location.country in near
            and (default is None or _rivals(place, default))
            and (place.own_name or not capitals)  # the White House is never Casablanca
        ):
            return place.location  # Tripoli in a story about Lebanon; not Geneva, Illinois
    if default is not None:
        return default.location
    if capitals:  # a seat of power the gazetteer lacks is still in its country
        return Location(name, min(capitals), None, None, "place")
    return None


def place_of(
    trigger: Token, kb: KnowledgeBase, gazetteer: Gazetteer, countries: Iterable[str] = ()
) -> Location | None:
    """Where the act of ``trigger`` happened, from its place phrases; ``countries`` are those the
    event's parties belong to, which with the sentence's own a city must lie in (unless it is a
    seat of power or a well-known town)."""
    parties = frozenset(countries)
    objects = [
        c
        for c in trigger.children
        if c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in AREA_NOUNS
    ]
    for token in objects + _place_tokens(trigger):
        found = locate(token, kb, gazetteer, parties)
        if found is not None:
            return found
    return None


def locate(
    token: Token, kb: KnowledgeBase, gazetteer: Gazetteer, countries: Iterable[str] = ()
) -> Location | None:
    """The place a noun names ("Kharkiv", "the Kherson region", "Polish airspace"), or None;
    ``countries`` (the event's parties) join those its sentence names."""
    near = frozenset(countries) | sentence_countries(token.sent, kb, skip=token)
    return _locate(token, kb, gazetteer, near)


def _locate(
    token: Token, kb: KnowledgeBase, gazetteer: Gazetteer, countries: frozenset[str]
) -> Location | None:
    lemma = token.lemma_.lower()
    if lemma in AREA_NOUNS:
        for child in token.children:  # "Russia's Kursk region" is Kursk's
            if child.dep_ in ("compound", "amod") and child.pos_ == "PROPN":
                name = _compound_name(child)  # "Cabo Delgado", never "Delgado"
                city = resolve_place(name, kb, gazetteer, countries)
                if city is not None:
                    return Location(
                        f"{name} {token.text}", city.country, city.lat, city.lon, "region"
                    )
        for child in token.children:
            if child.dep_ in ("amod", "poss", "compound"):
                code = kb.country_code(child.text)
                if code:
                    return Location(f"{child.text} {token.text}", code, None, None, lemma)
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    found = _locate(obj, kb, gazetteer, countries)
                    if found is not None:
                        return found
        return None
    if token.ent_type_ in ("GPE", "LOC", "FAC", "ACTOR") or token.pos_ == "PROPN":
        name = _compound_name(token)
        code = None
        entry_kinds = {e.kind for e in kb.by_alias(name)}
        if "country" in entry_kinds:
            code = kb.country_code(name)
            country = kb.country(code) if code else None
            return Location(country.name if country else name, code, None, None, "country")
        return resolve_place(name, kb, gazetteer, countries)
    return None


def _rivals(place: Place, town: Place) -> bool:
    """Whether a namesake of a well-known town is big enough to be meant when its country is
    spoken of: a town of its own, a tenth of the well-known one's size (Tripoli, Lebanon and
    Tripoli, Libya; not Donetsk, Rostov oblast and Donetsk, Ukraine)."""
    return place.population >= max(TOWN_POPULATION, town.population * RIVAL_MEANT)


def _compound_name(token: Token) -> str:
    """A proper noun with the proper nouns compounded before it: "New Delhi", "Cabo Delgado"."""
    words = [t.text for t in token.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"]
    return " ".join([*words, token.text])
