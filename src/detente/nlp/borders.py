"""Borders as places: "the Belarusian-Ukrainian border", "the border with Ukraine", "our border"."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from detente.nlp.actors import Resolver

BORDER_LEMMAS = frozenset({"border", "frontier", "borderland", "boundary"})


@dataclass(frozen=True, slots=True)
class BorderRef:
    token: Token  # the "border" noun
    countries: tuple[str, ...]  # zero, one or two ISO3 codes, in text order
    own: bool = False  # "our border": the speaker's border
    possessed: bool = False  # "its/their border": the actor's border


def find_border(root: Token, resolver: Resolver, *, max_depth: int = 5) -> Token | None:
    """A border noun in the prepositional phrases below ``root`` (not inside clauses)."""
    frontier = [(root, 0)]
    while frontier:
        token, depth = frontier.pop(0)
        if token.i != root.i and token.lemma_.lower() in BORDER_LEMMAS:
            return token
        if depth >= max_depth:
            continue
        for child in token.children:
            if child.dep_ in (
                "prep",
                "pobj",
                "advmod",
                "dobj",
                "npadvmod",
                "amod",
                "compound",
                "acl",
            ) or (depth == 0 and child.dep_ in ("advcl", "xcomp")):
                frontier.append((child, depth + 1))
    return None


def border_countries(border: Token, resolver: Resolver) -> BorderRef:
    codes: list[str] = []
    own = possessed = False
    for child in border.lefts:
        if child.lower_ == "our":
            own = True
        if child.lower_ in ("its", "their"):
            possessed = True
        code = resolver.country_of(child)
        if code and code not in codes:
            codes.append(code)
        # "Belarusian-Ukrainian": the parser may hang the first adjective off the second.
        for grand in child.lefts:
            code = resolver.country_of(grand)
            if code and code not in codes:
                codes.insert(0, code)
    # "its border with Belarus", or "strengthen its borders with Belarus" (attached to the verb)
    rights = list(border.rights)
    if border.dep_ == "dobj":
        rights += [c for c in border.head.rights if c.dep_ == "prep" and c.lower_ == "with"]
    for child in rights:
        if child.dep_ == "prep" and child.lower_ in ("with", "between", "of"):
            for obj in child.children:
                for token in (obj, *obj.conjuncts):
                    code = resolver.country_of(token)
                    if code and code not in codes:
                        codes.append(code)
    return BorderRef(border, tuple(codes), own, possessed)
