"""The cheap first pass: sentences and actor names for every sentence, and a gate that lets only
sentences which could hold an event through to the full parse.

A sentence can hold an event only if it contains a word form of a lexicon trigger ("withdrew",
"withdrawal", "deployed") and, for triggers whose rules all need a particular object ("held" needs
"talks", "gave" needs "aid"), one of those objects too. The forms come from the lexicon, regular
English inflection and the parser model's own table of irregular forms. Everything else
(background, analysis, opinion) is split, scanned for actor names and dates, and never parsed.
"""

from __future__ import annotations

from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Span

from detente.ontology import Lexicon


def build_light(nlp: Language) -> Language:
    """Tokenizer (sharing the parser's vocab), paragraph and punctuation sentence boundaries."""
    light = spacy.blank("en", vocab=nlp.vocab)
    light.add_pipe("detente_paragraphs")
    light.add_pipe("sentencizer")
    light.add_pipe("detente_long_sentences")
    light.max_length = 12_000_000
    return light


def _inflections(lemma: str) -> set[str]:
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing", lemma[:-1] + "ed"}
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if (
        len(lemma) > 2
        and lemma[-1] not in "aeiouwxy"
        and lemma[-2] in "aeiou"
        and lemma[-3] not in "aeiou"
    ):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # "spot" → "spotted"
    return forms


@dataclass(frozen=True)
class Gate:
    """Word forms that open the gate alone, and forms that need one of their objects nearby."""

    free: frozenset[str]  # a trigger with a rule that needs no particular object
    bound: dict[str, frozenset[str]]  # trigger form → forms of the objects its rules need

    def opens(self, sentence: Span) -> bool:
        words = {token.lower_ for token in sentence}
        if not words.isdisjoint(self.free):
            return True
        return any(not words.isdisjoint(self.bound[form]) for form in words & self.bound.keys())


def _forms_of(lemma: str, exceptions: dict[str, set[str]]) -> set[str]:
    return _inflections(lemma) | set(lemma.split("-")) | exceptions.get(lemma, set())


def _exceptions(nlp: Language) -> dict[str, set[str]]:
    """lemma → irregular forms, from the parser model's own lemmatizer table."""
    out: dict[str, set[str]] = {}
    if "lemmatizer" not in nlp.pipe_names:
        return out
    tables = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    if not tables.has_table("lemma_exc"):
        return out
    exceptions = tables.get_table("lemma_exc")
    for pos in ("verb", "noun"):
        for form, bases in (exceptions.get(pos) or {}).items():
            for base in bases:
                out.setdefault(base, set()).add(form.lower())
    return out


def build_gate(lexicon: Lexicon, nlp: Language) -> Gate:
    """The gate for a lexicon: which word forms can trigger which rules. Only the rule-based
    coder (``--rules-only``) uses it; the learned detector is its own gate."""
    exceptions = _exceptions(nlp)
    free: set[str] = set()
    bound: dict[str, set[str]] = {}
    groups = [*lexicon.rules.values(), *lexicon.noun_rules.values()]
    for rules in groups:
        for rule in rules:
            forms = _forms_of(rule.lemma, exceptions)
            if rule.nominal or not rule.object_required:
                free |= forms
                continue
            objects: set[str] = set()
            for obj in rule.objects:
                objects |= _forms_of(obj.split()[-1], exceptions)
            for form in forms:
                bound.setdefault(form, set()).update(objects)
    bound = {form: objects for form, objects in bound.items() if form not in free}
    return Gate(frozenset(free), {form: frozenset(objs) for form, objs in bound.items()})
