"""When an event happened: the document's reference date (published, given, or inferred from the
text and the dated roles of the people it names), the date mention each word of a sentence owns,
and an event's own date (its clause, the sentence, its paragraph's narrative)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from detente.actors import KnowledgeBase, Role
from detente.nlp import dates as dating
from detente.nlp.candidate import Candidate
from detente.nlp.model import EntityIndex
from detente.records import (
    DateBasis,
    DateValue,
    Document,
    Event,
    ReferenceBasis,
    Sentence,
    Status,
)


def reference_date(
    doc: Document, parsed: Doc, kb: KnowledgeBase, given: dt.date | None
) -> tuple[dt.date | None, ReferenceBasis]:
    if doc.published is not None:
        return doc.published, ReferenceBasis.PUBLISHED
    if given is not None:
        return given, ReferenceBasis.GIVEN
    return infer_reference(parsed, kb)


def infer_reference(parsed: Doc, kb: KnowledgeBase) -> tuple[dt.date | None, ReferenceBasis]:
    """The newest date the text itself supports, with partial dates ("13 July") given the
    earliest year consistent with the absolute years in the text and the dated roles of the people
    named beside them ("Foreign Minister Ryzhenkov" only holds from June 2024)."""
    mentions = dating.find_dates(parsed.text)
    newest = dating.newest_absolute(mentions)
    partial = [m for m in mentions if m.year is None and m.month is not None and not m.since]
    if not partial:
        if newest is None:
            return None, ReferenceBasis.NONE
        return last_day(newest), ReferenceBasis.INFERRED
    today = dt.date.today()
    constraints = _role_constraints(parsed, partial, kb)
    if newest is None and not constraints:
        return None, ReferenceBasis.NONE
    low = (
        newest.year
        if newest is not None
        else min((r.start.year for _, r in constraints if r.start), default=today.year)
    )
    years = list(range(low, today.year + 1))
    best: tuple[int, int] | None = None  # (constraints broken, year)
    for year in years:
        broken = sum(
            1
            for m, role in constraints
            if m.month is not None
            and not list(dating.consistent_years(m.month, m.day, role.start, role.end, [year]))
        )
        if best is None or broken < best[0]:
            best = (broken, year)
    year = best[1] if best else low
    candidates = [
        dt.date(year, m.month, m.day or 1)
        for m in partial
        if m.month is not None and dating.valid_day(year, m.month, m.day)
    ]
    if newest is not None and newest.year == year:
        candidates.append(newest.first_day())
    return (max(candidates) if candidates else dt.date(year, 12, 31)), ReferenceBasis.INFERRED


def last_day(value: DateValue) -> dt.date:
    if value.day is not None:
        return value.first_day()
    if value.month is not None:
        return dt.date(value.year, value.month, 28)
    return dt.date(value.year, 12, 31)


def _role_constraints(
    parsed: Doc, partial: list[dating.DateMention], kb: KnowledgeBase
) -> list[tuple[dating.DateMention, Role]]:
    out: list[tuple[dating.DateMention, Role]] = []
    index = EntityIndex(parsed)
    for sent in parsed.sents:
        here = [m for m in partial if sent.start_char <= m.start < sent.end_char]
        if not here:
            continue
        for ent in index.within(sent.start, sent.end):
            if ent.label_ != "ACTOR" or not ent.ent_id_.startswith("person:"):
                continue
            entry = kb.entries.get(ent.ent_id_)
            if entry is None:
                continue
            before = parsed[max(sent.start, ent.start - 6) : ent.start].text.lower()
            after = " ".join(t.text for t in parsed[ent.end : min(sent.end, ent.end + 8)]).lower()
            if "former" in before:
                continue
            for role in entry.roles:
                if any(title in before or title in after for title in role.titles):
                    out.extend((m, role) for m in here)
    return out


# -- events -------------------------------------------------------------------------------------
# "KYIV, June 20 (wire) —": the dateline dates the filing, not what the story reports.
_DATELINE_BEFORE = re.compile(r"^[A-Z][A-Z .'/-]*,\s*$")
_DATELINE_AFTER = re.compile(r"^\s*(\([^)]{1,30}\)\s*)?[—–-]")


def _dateline(text: str, mention: dating.DateMention) -> bool:
    return bool(
        _DATELINE_BEFORE.match(text[: mention.start]) and _DATELINE_AFTER.match(text[mention.end :])
    )


def date_owners(parsed: Doc, sent: Span, offset: int) -> dict[int, dating.DateMention]:
    owners: dict[int, dating.DateMention] = {}
    text = sent.text
    for mention in dating.find_dates(text):
        if _dateline(text, mention):
            continue
        span = parsed.char_span(
            offset + mention.start, offset + mention.end, alignment_mode="expand"
        )
        if span is None:
            continue
        token = span.root
        for _ in range(10):
            if token.pos_ in ("VERB", "AUX") or token.head.i == token.i:
                break
            token = token.head
        owners.setdefault(token.i, mention)
    return owners


def event_date(
    candidate: Candidate,
    owners: dict[int, dating.DateMention],
    reference: dt.date | None,
    narrative: DateValue | None,
    speech: frozenset[str],
) -> tuple[DateValue | None, DateBasis]:
    token = candidate.trigger
    for _ in range(10):
        mention = owners.get(token.i)
        if mention is not None:
            # A planned event's own date lies ahead (its clause's: "is due in Addis on
            # Thursday"); a date it inherits from the report ("said on Monday") is the report's.
            # A date owned by a verb in the past tense above the plan is that act's ("after
            # they met on 3 May the ministers announced that talks would resume": the meeting's).
            own = token.i == candidate.trigger.i or (
                token.lemma_.lower() not in speech and token.tag_ != "VBD"
            )
            future = own and candidate.status == Status.PLANNED
            value = dating.resolve(mention, reference, future=future)
            if value is not None:
                return value, DateBasis.TEXT
        if token.head.i == token.i:
            break
        token = token.head
    sentence_dates = {
        id(m): m
        for i, m in owners.items()
        if not m.since and not _in_relative_clause(candidate.trigger.doc[i])
    }
    if len(sentence_dates) == 1:
        # One date in the sentence dates all of it ("When visiting on 30 July, he said ..."),
        # unless it lies ahead and the event is no plan: a threat or a demand is dated when it
        # is made, not when what it speaks of would happen.
        value = dating.resolve(next(iter(sentence_dates.values())), reference)
        ahead = value is not None and reference is not None and value.first_day() > reference
        if value is not None and (not ahead or candidate.status == Status.PLANNED):
            return value, DateBasis.TEXT
    if narrative is not None:
        return narrative, DateBasis.NARRATIVE
    return None, DateBasis.NONE


def _in_relative_clause(token: Token) -> bool:
    return any(t.dep_ == "relcl" for t in (token, *token.ancestors))


CURRENT_DAYS = 45  # a date further from the reference is background, not the story's time


def current(value: DateValue, reference: dt.date | None) -> bool:
    """Whether a date named in the text is the story's own time (it may then date the sentences
    after it), not background ("since 2014", "in November 2020")."""
    if reference is None:
        return True
    first = value.first_day()
    last = last_day(value) if value.day is None else first
    return (reference - last).days <= CURRENT_DAYS and (first - reference).days <= CURRENT_DAYS


BACKGROUND_DAYS = 365  # PLOVER codes the news: an act ended over a year before it is history


def background(value: DateValue, basis: DateBasis, reference: dt.date | None) -> bool:
    """Whether an act the text itself dates over a year before the story ("Renamo fought a
    civil war that ended in 1992", "relations were broken off in 2016" in a 2024 report) is
    historical background, not news: coded with status ``background``, which no incident or
    figure counts (corpus guide; on dev 25 of 26 such events were not in the annotation)."""
    if reference is None or basis not in (DateBasis.TEXT, DateBasis.NARRATIVE):
        return False
    last = last_day(value) if value.day is None else value.first_day()
    return (reference - last).days > BACKGROUND_DAYS


_CLOSING = tuple('.!?"\u201d')


def is_headline(sentences: Sequence[Sentence]) -> bool:
    """Whether the document opens with a headline: a first paragraph of one sentence with no
    closing stop, followed by the body."""
    first = [s for s in sentences if s.paragraph == sentences[0].paragraph] if sentences else []
    return len(first) == 1 and len(sentences) > 1 and not first[0].text.rstrip().endswith(_CLOSING)


def date_headline(events: list[Event], sentences: Sequence[Sentence]) -> list[Event]:
    """A headline reports its story's lede: an act in it that the headline itself does not date
    takes the date of the lede's act of the same type, else of the lede's first dated act
    ("Saudi Arabia, Iran agree to restore ties" over "... agreed on Friday to ...")."""
    if not is_headline(sentences):
        return events
    title = sentences[0].paragraph
    body = [s.paragraph for s in sentences if s.paragraph != title]
    lede_paragraph = body[0]
    lede_sentences = {s.index for s in sentences if s.paragraph == lede_paragraph}
    title_sentences = {s.index for s in sentences if s.paragraph == title}
    dated = [
        e
        for e in events
        if e.sentence_index in lede_sentences
        and e.date is not None
        and e.date_basis in (DateBasis.TEXT, DateBasis.NARRATIVE)
    ]
    if not dated:
        return events
    out = []
    for event in events:
        if event.sentence_index in title_sentences and event.date_basis == DateBasis.PUBLISHED:
            same = [e for e in dated if e.event == event.event]
            source = (same or dated)[0]
            event = replace(event, date=source.date, date_basis=DateBasis.NARRATIVE)
        out.append(event)
    return out
