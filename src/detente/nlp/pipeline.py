"""The coding pipeline: Document → sentences → actor mentions → events → dates → places → Events.

``load()`` builds the resources once (model, knowledge base, ontology, lexicon, gazetteer);
``code_document`` and ``code_documents`` run the stages over documents. Each document is read in
two passes: a light one over every sentence (boundaries, actor names, dates) and the full parse
only for the sentences that could hold an event (``nlp/gate.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from detente.actors import KnowledgeBase, load_knowledge_base
from detente.errors import OverBudgetError
from detente.geo import Gazetteer, load_gazetteer
from detente.nlp import dates as dating
from detente.nlp.actors import Resolver
from detente.nlp.budget import Budget, Deadline
from detente.nlp.candidate import is_country
from detente.nlp.context import Context
from detente.nlp.detector import Detector, load_detector, triggers
from detente.nlp.events import Candidate, Coder
from detente.nlp.gate import Gate, build_gate, build_light
from detente.nlp.learned import RULE_SUPPORT, Detected, Reading, code_detected
from detente.nlp.model import (
    CUT_KEY,
    DEFAULT_MODEL,
    MAX_SENTENCE_TOKENS,
    ActorMatcher,
    EntityIndex,
    load_nlp,
)
from detente.nlp.places import border_location, place_of
from detente.nlp.when import (
    background,
    current,
    date_headline,
    date_owners,
    event_date,
    reference_date,
)
from detente.ontology import Lexicon, Ontology, load_lexicon, load_ontology
from detente.read.text import mask_markdown
from detente.records import (
    ActorMention,
    DateBasis,
    DateValue,
    Document,
    Event,
    EventType,
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
    budget: Budget = field(default_factory=Budget)  # limits on coding a document (nlp/budget.py)
    # surnames several people of one country share (KnowledgeBase.shared_surnames)
    shared_surnames: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
        shared_surnames=kb.shared_surnames(),
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
    """Code one document; raises ``OverBudgetError`` if the budget refuses it."""
    coded = next(code_documents([doc], res, published))
    if isinstance(coded, OverBudgetError):
        raise coded
    return coded


def code_documents(
    docs: Iterable[Document], res: Resources, published: dt.date | None = None, batch_size: int = 32
) -> Iterator[Coded | OverBudgetError]:
    """Code documents in batches: the light pass per document, then one full parse of every
    gated sentence of the batch together. One result per document, in order: a document the
    budget (``res.budget``) refuses is its ``OverBudgetError``, and the others go on."""
    batch: list[Document] = []
    chars = 0  # text in the batch: a batch is cut at the budget's size, so memory stays bounded
    for doc in docs:
        refused = res.budget.refuse(doc)
        if refused is None:
            batch.append(doc)
            chars += len(doc.text)
        if batch and (refused is not None or len(batch) >= batch_size or res.budget.full(chars)):
            yield from _code_batch(batch, res, published)
            batch, chars = [], 0
        if refused is not None:
            yield refused
    if batch:
        yield from _code_batch(batch, res, published)


def _code_batch(
    docs: list[Document], res: Resources, published: dt.date | None
) -> Iterator[Coded | OverBudgetError]:
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
        deadline = res.budget.deadline(doc)
        try:
            coded: Coded | OverBudgetError = _code_parsed(
                doc, text, light, sentences, full, res, published, detected, deadline
            )
        except OverBudgetError as refused:
            coded = refused
        yield coded


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
    roles = res.detector.roles
    if roles is not None:  # each document's triggers read together (see RoleTagger.arguments_of)
        text_of = {(n, s.index): masked[n][s.start : s.end] for n, s, _ in keys}
        for n, readings in enumerate(out):
            asks = [(i, d) for i, reading in readings.items() for d in reading.found]
            read = roles.arguments_of([(text_of[(n, i)], (d.start, d.end)) for i, d in asks])
            for (i, d), arguments in zip(asks, read, strict=True):
                readings[i].arguments[(d.start, d.end)] = arguments
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
    deadline: Deadline,
) -> Coded:
    reference, basis = reference_date(doc, light, res.kb, given)
    if basis == ReferenceBasis.GIVEN:
        doc = replace(doc, published=given)  # the caller's date is the document's date
    ctx = Context(
        res.kb, reference, res.surnames, towns=res.gazetteer.towns, shared=res.shared_surnames
    )
    memory = Resolver(light, ctx, masked)
    # the countries the whole story speaks of: whose "police" its headline means
    ctx.story.update(
        m.entity.code
        for _, span in sentences
        for m in memory.all_mentions(span)
        if is_country(m.entity.code)
    )
    doc_hash = Document.content_id(doc.text)
    events: list[Event] = []
    dropped: Counter[str] = Counter()
    narrative: DateValue | None = None
    paragraph = -1
    for sentence, span in sentences:
        deadline.check(sentence.index, len(sentences))
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
            and current(value, reference)
        ]
        if resolved:
            narrative = resolved[-1]
    events = date_headline(events, [s for s, _ in sentences])
    if cuts := int(light.user_data.get(CUT_KEY, 0)):
        dropped["sentence-cut"] += cuts
        log.info("%s: %d run-on sentences cut at %d tokens", doc.id, cuts, MAX_SENTENCE_TOKENS)
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


TOLD_AS_FACT = frozenset({Status.ASSERTED, Status.ALLEGED, Status.DENIED})


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
    owners = date_owners(parsed, whole, 0)
    out = []
    candidates = (
        code_detected(coder, whole, detected or Reading([], []), res.detector.roles)
        if res.detector is not None
        else coder.code_sentence(whole)
    )
    for candidate in candidates:
        date, date_basis = event_date(candidate, owners, reference, narrative, res.lexicon.speech)
        if date is None and doc.published is not None:
            # Nothing in the sentence or its paragraph dates it: news reports what is new, so
            # the event takes the publication date.
            date, date_basis = DateValue.from_date(doc.published), DateBasis.PUBLISHED
        if (
            date is not None
            and candidate.status in TOLD_AS_FACT
            and candidate.event != EventType.AGREE  # a treaty of long ago still binds: its
            # commitment is tracked ("signed the Treaty on Border Cooperation in April 2001")
            and background(date, date_basis, reference)
        ):
            candidate.status = Status.BACKGROUND  # history retold: kept, never analysed
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
        parties = [m.entity.code for m in (*actors, *recipients)]
        location = place_of(c.trigger, res.kb, res.gazetteer, [p for p in parties if p])
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
