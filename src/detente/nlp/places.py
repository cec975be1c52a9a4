"""Places: where an event happened — a border, a city or region, a country's airspace."""

from __future__ import annotations

from spacy.tokens import Token

from detente.actors import KnowledgeBase
from detente.geo import Gazetteer
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


def place_of(trigger: Token, kb: KnowledgeBase, gazetteer: Gazetteer) -> Location | None:
    objects = [
        c
        for c in trigger.children
        if c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in AREA_NOUNS
    ]
    for token in objects + _place_tokens(trigger):
        found = _locate(token, kb, gazetteer)
        if found is not None:
            return found
    return None


def _locate(token: Token, kb: KnowledgeBase, gazetteer: Gazetteer) -> Location | None:
    lemma = token.lemma_.lower()
    if lemma in AREA_NOUNS:
        for child in token.children:
            if child.dep_ in ("compound", "amod") and child.pos_ == "PROPN":
                city = gazetteer.city(child.text)
                if city is not None:
                    return Location(
                        f"{child.text} {token.text}", city.country, city.lat, city.lon, "region"
                    )
            if child.dep_ in ("amod", "poss", "compound"):
                code = kb.country_code(child.text)
                if code:
                    return Location(f"{child.text} {token.text}", code, None, None, lemma)
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    found = _locate(obj, kb, gazetteer)
                    if found is not None:
                        return found
        return None
    if token.ent_type_ in ("GPE", "LOC", "FAC", "ACTOR") or token.pos_ == "PROPN":
        name = " ".join(t.text for t in token.lefts if t.dep_ == "compound" and t.pos_ == "PROPN")
        name = f"{name} {token.text}".strip()
        code = None
        entry_kinds = {e.kind for e in kb.by_alias(name)}
        if "country" in entry_kinds:
            code = kb.country_code(name)
            country = kb.country(code) if code else None
            return Location(country.name if country else name, code, None, None, "country")
        city = gazetteer.city(name) or gazetteer.city(token.text)
        if city is not None:
            return city
    return None
