"""The coding pipeline: Document → sentences → actor mentions → events → dates → places → Events.

``load()`` builds the resources once (model, knowledge base, ontology, lexicon, gazetteer);
``code_document`` and ``code_documents`` run the stages over documents. Each document is read in
two passes: a light one over every sentence (boundaries, actor names, dates) and the full parse
only for the sentences that could hold an event (``nlp/gate.py``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from detente.actors import KnowledgeBase, Role, load_knowledge_base
from detente.geo import Gazetteer, load_gazetteer
from detente.nlp import dates as dating
from detente.nlp.actors import Context, Resolver
from detente.nlp.detector import Detector, load_detector, triggers
from detente.nlp.events import Candidate, Coder
from detente.nlp.gate import Gate, build_gate, build_light
from detente.nlp.learned import RULE_SUPPORT, Detected, Reading, code_detected
from detente.nlp.model import DEFAULT_MODEL, ActorMatcher, load_nlp
from detente.nlp.places import border_location, place_of
from detente.ontology import Lexicon, Ontology, load_lexicon, load_ontology
from detente.read.text import mask_markdown
from detente.records import (
    ActorMention,
    DateBasis,
    DateValue,
    Document,
    Event,
    ReferenceBasis,
    Sentence,
    Status,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resources:
    """Everything the stages need, loaded once per process and passed in."""

    nlp: Language
    light: Language
    actors: ActorMatcher
    gate: Gate
    kb: KnowledgeBase
    ontology: Ontology
    lexicon: Lexicon
    gazetteer: Gazetteer
    surnames: dict[str, str]
    model: str
    detector: Detector | None = None


def load(
    model: str = DEFAULT_MODEL,
    actor_files: Sequence[Path] = (),
    lexicon_file: Path | None = None,
    use_detector: bool = True,
) -> Resources:
    kb = load_knowledge_base(actor_files)
    ontology = load_ontology()
    nlp = load_nlp(model)
    lexicon = load_lexicon(ontology, lexicon_file)
    detector = load_detector() if use_detector else None
    return Resources(
        nlp=nlp,
        light=build_light(nlp),
        actors=ActorMatcher(nlp, kb),
        gate=build_gate(lexicon, nlp),
        kb=kb,
        ontology=ontology,
        lexicon=lexicon,
        gazetteer=load_gazetteer(),
        surnames=kb.surnames(),
        model=model,
        detector=detector,
    )


@dataclass(frozen=True)
class Coded:
    """The result of coding one document."""

    document: Document
    sentences: tuple[Sentence, ...]
    events: tuple[Event, ...]
    reference: DateValue | None
    reference_basis: ReferenceBasis
    dropped: Counter[str] = field(default_factory=Counter)


def code_document(doc: Document, res: Resources, published: dt.date | None = None) -> Coded:
    return next(code_documents([doc], res, published))


def code_documents(
    docs: Iterable[Document], res: Resources, published: dt.date | None = None, batch_size: int = 32
) -> Iterator[Coded]:
    """Code documents in batches: the light pass per document, then one full parse of every
    gated sentence of the batch together."""
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= batch_size:
            yield from _code_batch(batch, res, published)
            batch = []
    if batch:
        yield from _code_batch(batch, res, published)


def _code_batch(docs: list[Document], res: Resources, published: dt.date | None) -> Iterator[Coded]:
    masked = [mask_markdown(d.text) for d in docs]
    lights = [res.actors(light) for light in res.light.pipe(masked)]
    splits = [
        split_sentences(doc, light, text)
        for doc, light, text in zip(docs, lights, masked, strict=True)
    ]
    found = _detect(masked, splits, res)
    # Gated sentences go on as Docs of their own, tokens and actor names already in place.
    wanted: list[tuple[int, int, Doc]] = []  # (document, sentence index, sentence as a Doc)
    for n, (light, sentences) in enumerate(zip(lights, splits, strict=True)):
        entities = EntityIndex(light)
        for sentence, span in sentences:
            if (sentence.index in found[n]) if res.detector else res.gate.opens(span):
                trimmed = light.char_span(sentence.start, sentence.end) or span
                wanted.append((n, sentence.index, _sentence_doc(trimmed, entities, res)))
    parsed: list[dict[int, Doc]] = [{} for _ in docs]
    for (n, index, _), parsed_doc in zip(
        wanted, res.nlp.pipe((d for _, _, d in wanted), batch_size=256), strict=True
    ):
        parsed[n][index] = parsed_doc
    for doc, text, light, sentences, full, detected in zip(
        docs, masked, lights, splits, parsed, found, strict=True
    ):
        yield _code_parsed(doc, text, light, sentences, full, res, published, detected)


class EntityIndex:
    """A document's entities in order, to take those of one sentence without scanning them all
    (``Span.ents`` reads every entity of the document: quadratic over long texts)."""

    def __init__(self, doc: Doc) -> None:
        self.ents = list(doc.ents)
        self.starts = [e.start for e in self.ents]

    def within(self, start: int, end: int) -> list[Span]:
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return [e for e in self.ents[first:last] if e.end <= end]


def _sentence_doc(span: Span, index: EntityIndex, res: Resources) -> Doc:
    """One sentence as a Doc of its own for the parser, with its actor names: built from its
    tokens (``Span.as_doc`` copies arrays of the whole document, quadratic over long texts)."""
    words = [t.text for t in span]
    spaces = [bool(t.whitespace_) for t in span]
    if spaces:
        spaces[-1] = False
    starts: list[bool | int | None] = [True, *([False] * (len(words) - 1))]
    doc = Doc(res.nlp.vocab, words=words, spaces=spaces, sent_starts=starts)
    offset = span.start
    ents = [
        Span(doc, e.start - offset, e.end - offset, label=e.label_, span_id=e.id_)
        for e in index.within(span.start, span.end)
    ]
    if ents:
        doc.ents = ents
    return doc


def _detect(
    masked: list[str], splits: list[list[tuple[Sentence, Span]]], res: Resources
) -> list[dict[int, Reading]]:
    """The detector's reading of every sentence of the batch (document → sentence index →
    triggers and word probabilities), for the sentences worth parsing: those with a trigger, and
    those where a lexicon rule could fire on a word the detector gives some support."""
    out: list[dict[int, Reading]] = [{} for _ in masked]
    if res.detector is None:
        return out
    keys = [(n, s, span) for n, sentences in enumerate(splits) for s, span in sentences]
    texts = [masked[n][s.start : s.end] for n, s, _ in keys]
    for (n, sentence, span), tags in zip(keys, res.detector.tag(texts), strict=True):
        here = [
            Detected(start, end, event, p, mode, Status(status))
            for start, end, event, p, mode, status in triggers(tags, res.detector.threshold)
        ]
        supported = max((t.p_event for t in tags), default=0.0) >= RULE_SUPPORT
        if here or (supported and res.gate.opens(span)):
            out[n][sentence.index] = Reading(here, tags)
    return out


# -- sentences ----------------------------------------------------------------------------------
def split_sentences(
    doc: Document, parsed: Doc, masked: str | None = None
) -> list[tuple[Sentence, Span]]:
    out: list[tuple[Sentence, Span]] = []
    paragraph = 0
    last_end = 0
    masked_text = parsed.text if masked is None else masked  # Doc.text joins tokens each call
    for span in parsed.sents:
        # Trim on the masked text (markup is blank there), slice the document text.
        masked = span.text
        stripped = masked.strip()
        if not stripped:
            continue
        start = span.start_char + (len(masked) - len(masked.lstrip()))
        end = start + len(stripped)
        if "\n\n" in masked_text[last_end:start]:
            paragraph += 1
        last_end = end
        out.append((Sentence(doc.id, len(out), start, end, doc.text[start:end], paragraph), span))
    return out


# -- reference date -----------------------------------------------------------------------------
def reference_date(
    doc: Document, parsed: Doc, res: Resources, given: dt.date | None
) -> tuple[dt.date | None, ReferenceBasis]:
    if doc.published is not None:
        return doc.published, ReferenceBasis.PUBLISHED
    if given is not None:
        return given, ReferenceBasis.GIVEN
    return infer_reference(parsed, res)


def infer_reference(parsed: Doc, res: Resources) -> tuple[dt.date | None, ReferenceBasis]:
    """The newest date the text itself supports, with partial dates ("13 July") given the
    earliest year consistent with the absolute years in the text and the dated roles of the people
    named beside them ("Foreign Minister Ryzhenkov" only holds from June 2024)."""
    mentions = dating.find_dates(parsed.text)
    newest = dating.newest_absolute(mentions)
    partial = [m for m in mentions if m.year is None and m.month is not None and not m.since]
    if not partial:
        if newest is None:
            return None, ReferenceBasis.NONE
        return _last_day(newest), ReferenceBasis.INFERRED
    today = dt.date.today()
    constraints = _role_constraints(parsed, partial, res)
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


def _last_day(value: DateValue) -> dt.date:
    if value.day is not None:
        return value.first_day()
    if value.month is not None:
        return dt.date(value.year, value.month, 28)
    return dt.date(value.year, 12, 31)


def _role_constraints(
    parsed: Doc, partial: list[dating.DateMention], res: Resources
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
            entry = res.kb.entries.get(ent.ent_id_)
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


def _date_owners(parsed: Doc, sent: Span, offset: int) -> dict[int, dating.DateMention]:
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


def _event_date(
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
            own = token.i == candidate.trigger.i or token.lemma_.lower() not in speech
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


def _with_roles(
    mentions: Iterable[ActorMention], res: Resources, day: dt.date | None
) -> tuple[ActorMention, ...]:
    out = []
    for mention in mentions:
        key = mention.entity.entity_id
        if key and key.startswith("person:") and key in res.kb.entries:
            entity = res.kb.entries[key].entity(day)
            mention = ActorMention(mention.text, mention.start, mention.end, entity)
        out.append(mention)
    return tuple(out)


def _code_parsed(
    doc: Document,
    masked: str,
    light: Doc,
    sentences: list[tuple[Sentence, Span]],
    parsed: dict[int, Doc],
    res: Resources,
    given: dt.date | None,
    detected: dict[int, Reading],
) -> Coded:
    reference, basis = reference_date(doc, light, res, given)
    if basis == ReferenceBasis.GIVEN:
        doc = replace(doc, published=given)  # the caller's date is the document's date
    ctx = Context(res.kb, reference, res.surnames, towns=res.gazetteer.towns)
    memory = Resolver(light, ctx, masked)
    doc_hash = Document.content_id(doc.text)
    events: list[Event] = []
    dropped: Counter[str] = Counter()
    narrative: DateValue | None = None
    paragraph = -1
    for sentence, span in sentences:
        if sentence.paragraph != paragraph:
            paragraph, narrative = sentence.paragraph, None
        sentence_doc = parsed.get(sentence.index)
        if sentence_doc is None:
            dropped["sentence-without-trigger"] += 1
        else:
            events += _code_sentence(
                doc,
                doc_hash,
                sentence,
                sentence_doc,
                ctx,
                res,
                reference,
                narrative,
                detected.get(sentence.index),
            )
        ctx.remember(memory.all_mentions(span))
        # A date named outright, or a day ("on Tuesday"), carries on through its paragraph; a
        # period counted from the reference ("next month", "last year") holds for its own
        # clause only, and so does a date of the background ("in November 2020").
        resolved = [
            value
            for m in dating.find_dates(sentence.text)
            if not m.since
            and (value := dating.resolve(m, reference)) is not None
            and (m.relative is None or value.day is not None)
            and _current(value, reference)
        ]
        if resolved:
            narrative = resolved[-1]
    if not events:
        dropped["document-without-event"] += 1
    return Coded(
        doc,
        tuple(s for s, _ in sentences),
        tuple(events),
        DateValue.from_date(reference) if reference else None,
        basis,
        dropped,
    )


CURRENT_DAYS = 45  # a date further from the reference is background, not the story's time


def _current(value: DateValue, reference: dt.date | None) -> bool:
    """Whether a date named in the text is the story's own time (it may then date the sentences
    after it), not background ("since 2014", "in November 2020")."""
    if reference is None:
        return True
    first = value.first_day()
    last = _last_day(value) if value.day is None else first
    return (reference - last).days <= CURRENT_DAYS and (first - reference).days <= CURRENT_DAYS


def _code_sentence(
    doc: Document,
    doc_hash: str,
    sentence: Sentence,
    parsed: Doc,
    ctx: Context,
    res: Resources,
    reference: dt.date | None,
    narrative: DateValue | None,
    detected: Reading | None,
) -> list[Event]:
    resolver = Resolver(parsed, ctx)
    coder = Coder(res.lexicon, res.ontology, resolver)
    whole = parsed[:]
    owners = _date_owners(parsed, whole, 0)
    out = []
    candidates = (
        code_detected(coder, whole, detected or Reading([], []), res.detector.roles)
        if res.detector is not None
        else coder.code_sentence(whole)
    )
    for candidate in candidates:
        date, date_basis = _event_date(candidate, owners, reference, narrative, res.lexicon.speech)
        if date is None and doc.published is not None:
            # Nothing in the sentence or its paragraph dates it: news reports what is new, so
            # the event takes the publication date.
            date, date_basis = DateValue.from_date(doc.published), DateBasis.PUBLISHED
        out.append(_event(doc, doc_hash, sentence, candidate, date, date_basis, res, reference))
    return out


def _event(
    doc: Document,
    doc_hash: str,
    sentence: Sentence,
    c: Candidate,
    date: DateValue | None,
    basis: DateBasis,
    res: Resources,
    reference: dt.date | None,
) -> Event:
    day = date.first_day() if date is not None else reference
    actors = _with_roles(c.actors, res, day)
    recipients = _with_roles(c.recipients, res, day)
    claimed = _with_roles([c.claimed_by], res, day)[0] if c.claimed_by else None
    side = actors[0].entity.code if actors else None
    location = None
    if c.border is not None:
        location = border_location(c.border, res.kb, res.gazetteer, side)
    if location is None:
        location = place_of(c.trigger, res.kb, res.gazetteer)
    words = " ".join(t.text for t in c.words)
    confidence = c.confidence - (0.05 if basis == DateBasis.NARRATIVE else 0.0)
    return Event(
        doc_id=doc.id,
        sentence_index=sentence.index,
        actor=actors,
        recipient=recipients,
        event=c.event,
        mode=c.mode,
        context=c.context,
        quad_code=res.ontology.spec(c.event).quad,
        intensity=res.ontology.intensity(c.event, c.mode),
        status=c.status,
        claimed_by=claimed,
        event_text=words,
        trigger_start=sentence.start + c.trigger.idx,
        text=sentence.text,
        start=sentence.start,
        end=sentence.end,
        date=date,
        date_basis=basis,
        location=location,
        cameo=res.ontology.cameo(c.event, c.mode),
        confidence=max(0.05, confidence),
        doc_path=doc.path,
        published=doc.published,
        doc_hash=doc_hash,
        coder=c.coder,
    )
