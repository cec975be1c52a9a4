"""Scoring the coder on whole documents of detente's news corpus (``corpus/docs``).

Each document is coded as a user's document would be (its text, its publication date), and the
coded events are laid on the gold sentences by their trigger's offset. Within a sentence a coded
event matches a gold event whose trigger it overlaps and whose type it has, else one of the same
type, else one whose trigger it overlaps. Every gold event counts, missed ones included; only
events coded as having happened or being planned count as coded (``negated`` and
``hypothetical`` events are the coder saying that nothing happened).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from detente.errors import OverBudgetError
from detente.evaluation.gold import comparable
from detente.evaluation.metrics import NONE, Score, count_parties
from detente.nlp.conventions import promised
from detente.nlp.pipeline import Resources, code_documents
from detente.records import Document, Event, Status
from detente.training.documents import CorpusDocument, CorpusEvent, CorpusSentence

COUNTED = frozenset({Status.ASSERTED, Status.ALLEGED, Status.DENIED, Status.PLANNED})


def as_plover(gold: CorpusEvent) -> CorpusEvent:
    """The corpus marks a promised act by its own type ("will visit": CONSULT, planned); PLOVER,
    and so the coder, codes the promise (AGREE). The gold is compared under that convention."""
    event, mode = promised(gold.event, gold.mode, Status(gold.status))
    return replace(gold, event=event, mode=mode) if event != gold.event else gold


def _trigger_span(event: Event) -> tuple[int, int]:
    first = event.event_text.split()[0] if event.event_text.split() else ""
    return event.trigger_start, event.trigger_start + max(1, len(first))


def _overlaps(event: Event, gold: CorpusEvent) -> bool:
    start, end = _trigger_span(event)
    return start < gold.trigger[1] and gold.trigger[0] < end


def pair_in_sentence(
    predicted: list[Event], gold: Sequence[CorpusEvent]
) -> list[tuple[Event, CorpusEvent]]:
    pairs: list[tuple[Event, CorpusEvent]] = []
    left = list(predicted)
    open_gold = list(gold)
    for test in (
        lambda e, g: _overlaps(e, g) and e.event == g.event,
        lambda e, g: e.event == g.event,
        _overlaps,
    ):
        for g in list(open_gold):
            match = next((e for e in left if test(e, g)), None)
            if match is not None:
                pairs.append((match, g))
                left.remove(match)
                open_gold.remove(g)
    return pairs


def _sentence_of(event: Event, sentences: Sequence[CorpusSentence]) -> CorpusSentence | None:
    for sentence in sentences:
        if sentence.start <= event.trigger_start < sentence.end:
            return sentence
    return None


def score_documents(
    docs: Sequence[CorpusDocument], res: Resources, total: Score | None = None
) -> Score:
    result = total or Score()
    inputs = [Document(id=d.id, text=d.text, published=d.published, language="en") for d in docs]
    for doc, coded in zip(docs, code_documents(inputs, res), strict=True):
        if isinstance(coded, OverBudgetError):
            raise coded  # a gold document is scored whole or not at all
        by_sentence: dict[int, list[Event]] = {}
        for event in coded.events:
            if event.status not in COUNTED:
                continue
            sentence = _sentence_of(event, doc.sentences)
            by_sentence.setdefault(sentence.start if sentence else -1, []).append(event)
        stray = by_sentence.pop(-1, [])
        result.predicted += len(stray)
        for event in stray:
            result.confusion[(NONE, event.event.value)] += 1
        for sentence in doc.sentences:
            predicted = by_sentence.get(sentence.start, [])
            _score_sentence(result, predicted, sentence, res)
    return result


def _score_sentence(
    result: Score, predicted: list[Event], sentence: CorpusSentence, res: Resources
) -> None:
    gold = [as_plover(g) for g in sentence.events]
    result.add_text(len(gold), len(predicted))
    pairs = pair_in_sentence(predicted, gold)
    result.matched += len(pairs)
    used = {id(e) for e, _ in pairs}
    matched_gold = {id(g) for _, g in pairs}
    for event, g in pairs:
        result.add_pair(event, g.event, g.mode, res.ontology)
        result.date_total += 1
        result.date_right += (event.date.iso() if event.date else None) == g.date
        result.status_total += 1
        result.status_right += event.status.value == g.status
        count_parties(
            result.actor,
            {comparable(m.entity.code) for m in event.actor},
            {comparable(p.code) for p in g.actors},
        )
        count_parties(
            result.recipient,
            {comparable(m.entity.code) for m in event.recipient},
            {comparable(p.code) for p in g.recipients},
        )
    for g in gold:
        if id(g) not in matched_gold:
            result.confusion[(g.event.value, NONE)] += 1
    for event in predicted:
        if id(event) not in used:
            result.confusion[(NONE, event.event.value)] += 1
