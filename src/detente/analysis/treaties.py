"""Named agreements read from the reports' own sentences, where the coder codes no act.

A sentence that tells that the two sides **signed** a treaty, accord, memorandum or pact, with the
date of the signing ("the treaty on ... that Kyiv and Minsk signed in April 2001", "India and
Pakistan signed the Indus Waters Treaty in September 1960", "the pact signed by Poland and
Lithuania in 1994") makes a commitment of both, dated by its signing. A sentence of the same
report telling that one of them **left** it ("Ukraine abandoned the treaty unilaterally in
December 2022", "Moldova withdrew from the accord in 2019") is its end: the treaty by name, or
"the treaty" (the same word, definite) after it was named. The signatories are the countries
named in the signing clause (its subject, or after "signed by" or "between"); the pair must be
among them, so a treaty of other states named in passing is none of the pair's. The words are
the table's (``names``, ``signing``, ``leaving``); the countries are the actor knowledge base's
names, capitals and adjectives.

The sentences read are those of the documents that report the pair's coded promises (those
``commitments`` reads anyway), and only of a document holding a name word and a word of signing
or leaving: a treaty told in a report of no promise of the pair is not looked for. Each
signing and exit is a step of its own, whose id names its sentence (``sentence:HASH:N``), coded
as the coder's lexicon codes such words: AGREE for a signing, SANCTION withdraw for leaving a
treaty.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select

from detente.actors.kb import KnowledgeBase, load_knowledge_base
from detente.analysis.compliance import Step, precision_rank
from detente.analysis.data import Report, Said
from detente.analysis.drafts import Draft
from detente.analysis.promises import Table
from detente.nlp.dates import find_dates, resolve
from detente.ontology.plover import load_ontology
from detente.records import DateValue, EventType
from detente.store import Store
from detente.store.schema import documents, sentences

_CHUNK = 500
_CLAUSE = re.compile(r"[;:]|,\s|\s(?:that|which|who|while|whereas|but|and then)\s", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of\s+)?[A-Z][\w'’-]*)*")


@dataclass(frozen=True, slots=True)
class Sentence:
    content_hash: str
    idx: int
    text: str
    reference: dt.date | None  # the day its relative dates count from (publication)

    @property
    def ident(self) -> str:
        return f"sentence:{self.content_hash[:16]}:{self.idx}"

    @property
    def key(self) -> tuple[str, int]:
        return (self.content_hash, self.idx)


@dataclass(frozen=True, slots=True)
class Exit:
    party: str
    date: DateValue
    sentence: Sentence


@dataclass(frozen=True, slots=True)
class Treaty:
    """A named agreement of the pair, as one report tells it."""

    noun: str  # the word that names it ("treaty")
    name: str | None
    parties: tuple[str, ...]  # in the pair's order
    date: DateValue  # of the signing
    sentence: Sentence
    exits: tuple[Exit, ...]  # the sides that left it, told in the same report

    @property
    def sentence_key(self) -> tuple[str, int]:
        return self.sentence.key

    @property
    def key(self) -> str:
        """What makes two reports tell the same treaty: its name, else its word and month."""
        if self.name:
            return " ".join(self.name.lower().split())
        return f"{self.noun.lower()} {self.date.iso()}"


def read_treaties(
    store: Store, dyad: tuple[str, str], hashes: Iterable[str], table: Table
) -> list[Treaty]:
    """The pair's treaties told in the documents ``hashes`` (each report's own), oldest first."""
    found = [t for s in document_sentences(store, sorted(set(hashes)), table)
             for t in treaties_in(s, dyad, table, _countries())]  # fmt: skip
    return sorted(found, key=lambda t: (t.date.first_day(), t.sentence.ident))


def document_sentences(store: Store, hashes: list[str], table: Table) -> list[list[Sentence]]:
    """The sentences of each document that holds a name word and a word of signing or leaving
    (texts without them are not split), in document order."""
    wanted = _words(table.names)
    acts = _words((*table.lists["signing"], *table.lists["leaving"]))
    texts: dict[str, tuple[str, dt.date | None]] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(hashes), _CHUNK):
            query = select(
                documents.c.content_hash, documents.c.text, documents.c.published,
                documents.c.reference_date,
            ).where(documents.c.content_hash.in_(hashes[start : start + _CHUNK]))  # fmt: skip
            for row in conn.execute(query):
                if wanted.search(row.text) and acts.search(row.text):
                    reference = row.published or _day(row.reference_date)
                    texts[row.content_hash] = (row.text, reference)
        spans: dict[str, list[tuple[int, int, int]]] = {h: [] for h in texts}
        keys = sorted(texts)
        for start in range(0, len(keys), _CHUNK):
            query = select(
                sentences.c.content_hash, sentences.c.idx, sentences.c.start, sentences.c.end
            ).where(sentences.c.content_hash.in_(keys[start : start + _CHUNK]))
            for row in conn.execute(query):
                spans[row.content_hash].append((int(row.idx), int(row.start), int(row.end)))
    out = []
    for key in keys:
        text, reference = texts[key]
        out.append([Sentence(key, idx, text[a:b], reference) for idx, a, b in sorted(spans[key])])
    return out


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def treaties_in(
    document: list[Sentence], dyad: tuple[str, str], table: Table, kb: KnowledgeBase
) -> list[Treaty]:
    """The treaties of the pair one document tells, each with the exits told after it."""
    nouns = _words(table.names)
    signing = _words(table.lists["signing"])
    leaving = _words(table.lists["leaving"])
    told: list[tuple[int, Treaty]] = []
    for n, sentence in enumerate(document):
        text = sentence.text
        noun = nouns.search(text)
        sign = signing.search(text)
        if noun is None or sign is None:
            continue
        parties = _signatories(text, noun, sign, kb)
        if not set(dyad) <= parties:
            continue
        date = _date_after(text, sign.end(), sentence.reference)
        if date is None:
            continue  # a treaty without its signing date is left to the coded agreements
        name = table.name_in(text)
        told.append((n, Treaty(noun.group(0), name, dyad, date, sentence, ())))
    out = []
    for k, (n, treaty) in enumerate(told):
        until = told[k + 1][0] if k + 1 < len(told) else len(document)
        exits = tuple(
            e for s in document[n : until]
            for e in _exits(s, treaty, dyad, leaving, kb)
        )  # fmt: skip
        out.append(Treaty(treaty.noun, treaty.name, dyad, treaty.date, treaty.sentence, exits))
    return out


def _signatories(
    text: str, noun: re.Match[str], sign: re.Match[str], kb: KnowledgeBase
) -> set[str]:
    """The countries of the signing clause: after "signed by" when the sentence says so, else its
    subject (the words before the verb, back to the clause's start) with those after "signed
    with"; or those after "between" when it follows the name word ("the accord between ...")."""
    after = text[sign.end() :]
    by = re.match(r"\W*by\s+(.+)", after)
    if by is not None:
        return _countries_in(_CLAUSE.split(by.group(1), maxsplit=1)[0], kb)
    found = _countries_in(_CLAUSE.split(text[: sign.start()])[-1], kb)
    partner = re.match(r"\W*with\s+(.+)", after)
    if partner is not None:
        found |= _countries_in(_CLAUSE.split(partner.group(1), maxsplit=1)[0], kb)
    between = re.match(r"[^,;.]{0,60}?\bbetween\s+(.+)", text[noun.end() :])
    if len(found) < 2 and between is not None:
        found |= _countries_in(_CLAUSE.split(between.group(1), maxsplit=1)[0], kb)
    return found


def _exits(
    sentence: Sentence,
    treaty: Treaty,
    dyad: tuple[str, str],
    leaving: re.Pattern[str],
    kb: KnowledgeBase,
) -> list[Exit]:
    """The sides that the sentence says left the treaty: a word of leaving, then the treaty's
    name in its clause or "the" and its word within seven words (or, in the treaty's own
    sentence, a relative clause: "which Ukraine left in 2022"); the sides named before the word,
    the date after it, not before the signing."""
    out = []
    text = sentence.text
    own = sentence.ident == treaty.sentence.ident
    word = re.escape(treaty.noun.lower())
    for verb in leaving.finditer(text):
        clause = _CLAUSE.split(text[verb.end() :], maxsplit=1)[0]
        head = " ".join(clause.split()[:7]).lower()
        named = treaty.name is not None and treaty.name.lower() in clause.lower()
        same = re.search(rf"\bthe\s+(?:[\w-]+\s+){{0,3}}{word}s?\b", head) is not None
        # "the treaty they signed in 2001, which Ukraine left in 2022"
        relative = own and re.search(r"\b(?:which|that)\s", text[: verb.start()]) is not None
        if not (named or same or relative):
            continue
        before = _CLAUSE.split(text[: verb.start()])[-1]
        sides = [c for c in dyad if c in _countries_in(before, kb)]
        date = _date_after(text, verb.end(), sentence.reference)
        if date is None or date.first_day() < treaty.date.first_day():
            continue
        out += [Exit(side, date, sentence) for side in sides]
    return out


def _date_after(text: str, at: int, reference: dt.date | None) -> DateValue | None:
    """The date of the clause that begins at ``at`` (the first one mentioned), or None."""
    clause = _CLAUSE.split(text[at:], maxsplit=1)[0]
    for mention in find_dates(clause):
        value = resolve(mention, reference)
        if value is not None:
            return value
    return None


def _countries_in(text: str, kb: KnowledgeBase) -> set[str]:
    """The countries named in ``text``: its capitalised words and phrases (longest first) that
    are a country's name, capital or adjective."""
    found: set[str] = set()
    for match in _CAPITALISED.finditer(text):
        words = match.group(0).split()
        n = 0
        while n < len(words):
            for size in range(len(words) - n, 0, -1):
                code = kb.country_code(" ".join(words[n : n + size]))
                if code is not None:
                    found.add(code)
                    n += size
                    break
            else:
                n += 1
    return found


def _words(items: Iterable[str]) -> re.Pattern[str]:
    parts = [r"\s+".join(re.escape(w) for w in str(i).split()) for i in items]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b" if parts else r"(?!)", re.I)


@functools.cache
def _countries() -> KnowledgeBase:
    """The packaged actor knowledge base (read once, on the first treaty sentence)."""
    return load_knowledge_base()


def signing_report(treaty: Treaty) -> Report:
    """The signing as an incident of both sides (AGREE), for the steps and the analytics."""
    spec = load_ontology().events[EventType.AGREE]
    return Report(
        treaty.sentence.ident, treaty.date.first_day(), treaty.date.precision.value, "AGREE",
        None, "asserted", frozenset(treaty.parties), frozenset(), spec.quad, spec.score, 1, 1,
    )  # fmt: skip


def exit_report(treaty: Treaty, left: Exit) -> Report:
    """Leaving the treaty as an act of one side towards the other (SANCTION withdraw)."""
    spec = load_ontology().events[EventType.SANCTION]
    other = frozenset(p for p in treaty.parties if p != left.party)
    return Report(
        left.sentence.ident, left.date.first_day(), left.date.precision.value, "SANCTION",
        "withdraw", "asserted", frozenset({left.party}), other, spec.quad,
        spec.modes["withdraw"].score, 1, 1,
    )  # fmt: skip


def with_treaties(
    drafts: list[Draft],
    said: list[Said],
    found: list[Treaty],
    table: Table,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Draft]:
    """The drafts with the treaties read from their reports' sentences: reports of one treaty
    (its name, else its word and month) are one commitment, dated by the earliest; a treaty told
    in the sentence of a coded promise is that promise, which takes the exits told after it."""
    draft_of = {i: d.id for d in drafts for i in d.incidents}
    own = {s.sentence: draft_of[s.incident_id] for s in said if s.incident_id in draft_of}
    by_key: dict[str, list[Treaty]] = defaultdict(list)
    for t in found:
        by_key[t.key].append(t)
    exits: dict[str, list[Step]] = defaultdict(list)
    out = []
    for group in by_key.values():
        first = min(group, key=lambda t: (t.date.first_day(), precision_rank(t.date.precision)))
        left = [_exit(t, e) for t in group for e in t.exits]
        coded = next((own[k] for t in group if (k := t.sentence_key) in own), None)
        if coded is not None:
            exits[coded] += left
        elif (since is None or first.date.first_day() >= since) and (
            until is None or first.date.first_day() <= until
        ):
            out.append(_treaty_draft(first, left, table))
    merged = [replace(d, exits=d.exits + tuple(exits[d.id])) if d.id in exits else d
              for d in drafts]  # fmt: skip
    return merged + out


def _treaty_draft(treaty: Treaty, left: list[Step], table: Table) -> Draft:
    day, precision = treaty.date.first_day(), treaty.date.precision.value
    text = treaty.sentence.text
    words = treaty.name or ""
    act = table.act_in(words) if words else None
    objects = tuple(o for o in table.objects_in(words) if o != "agreement")
    promise = Step("promise", None, day, precision, treaty.sentence.ident, "AGREE", "asserted",
                   None, text, signing_report(treaty))  # fmt: skip
    ident = "com-" + hashlib.sha256(f"{treaty.key}|{treaty.sentence.ident}".encode()).hexdigest()
    return Draft(ident[:20], treaty.parties, act, objects, None, None, treaty.name, day,
                  precision, "made", (), (), text, promise, (), tuple(left))  # fmt: skip


def _exit(treaty: Treaty, left: Exit) -> Step:
    return Step("abandonment", left.party, left.date.first_day(), left.date.precision.value,
                left.sentence.ident, "SANCTION withdraw", "asserted", None, left.sentence.text,
                exit_report(treaty, left))  # fmt: skip
