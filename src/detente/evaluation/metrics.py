"""Scoring the coder against gold records.

Predicted events of a text are matched one to one with its gold events (same type first, then
overlapping actors, then any). Event detection counts matches against all predicted and all gold
events; type accuracy, quad accuracy, mode accuracy and actor/recipient country F1 are computed
over matched pairs; macro-F1 and the confusion matrix also count misses and spurious events
(as NONE). Record-level figures count every gold record, missed ones included: ``record_recall``
is the share of records with a gold event that get any event, ``top_type_accuracy`` the share
whose surest coded event has a gold type (a record with no coded event is wrong). Only events
coded as having happened or being planned count (``negated`` and ``hypothetical`` ones are the
coder saying that nothing happened).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from detente.evaluation.gold import GoldEvent, GoldRecord, comparable
from detente.nlp.pipeline import Resources, code_document
from detente.ontology import Ontology
from detente.records import Document, Event, EventType, Status

NONE = "NONE"
COUNTED = frozenset({Status.ASSERTED, Status.ALLEGED, Status.DENIED, Status.PLANNED})


def count_parties(counter: Counter[str], mine: set[str], theirs: set[str] | frozenset[str]) -> None:
    counter["tp"] += len(mine & theirs)
    counter["fp"] += len(mine - theirs)
    counter["fn"] += len(theirs - mine)


@dataclass
class Score:
    texts: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    same_type: int = 0
    same_quad: int = 0
    mode_total: int = 0
    mode_right: int = 0
    empty_texts: int = 0  # gold texts with no codable event
    empty_right: int = 0  # ... where nothing was coded
    date_total: int = 0
    date_right: int = 0
    status_total: int = 0
    status_right: int = 0
    event_records: int = 0  # records with at least one gold event
    records_detected: int = 0  # ... that got any event
    top_right: int = 0  # ... whose surest event has a gold type
    actor: Counter[str] = field(default_factory=Counter)  # tp, fp, fn
    recipient: Counter[str] = field(default_factory=Counter)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add_text(self, gold: int, predicted: int) -> None:
        """Count one gold text (a record or a sentence) and what was coded in it."""
        self.texts += 1
        self.gold += gold
        self.predicted += predicted
        if not gold:
            self.empty_texts += 1
            self.empty_right += not predicted

    def add_pair(self, event: Event, gold: EventType, mode: str | None, ontology: Ontology) -> None:
        """Count one coded event matched with a gold event: type, quad, mode."""
        self.same_type += event.event == gold
        self.same_quad += ontology.spec(event.event).quad == ontology.spec(gold).quad
        self.confusion[(gold.value, event.event.value)] += 1
        if mode:
            self.mode_total += 1
            self.mode_right += event.mode == mode

    def add(self, other: Score) -> None:
        """Fold another file's counts into this one."""
        for name, value in vars(other).items():
            mine = getattr(self, name)
            if isinstance(value, Counter):
                mine.update(value)
            else:
                setattr(self, name, mine + value)

    def report(self) -> dict[str, Any]:
        def ratio(a: float, b: float) -> float | None:
            return round(a / b, 4) if b else None

        def f1(c: Counter[str]) -> float | None:
            p, r = ratio(c["tp"], c["tp"] + c["fp"]), ratio(c["tp"], c["tp"] + c["fn"])
            return round(2 * p * r / (p + r), 4) if p and r else (0.0 if p == 0 or r == 0 else None)

        precision, recall = ratio(self.matched, self.predicted), ratio(self.matched, self.gold)
        detection = (
            round(2 * precision * recall / (precision + recall), 4) if precision and recall else 0.0
        )
        return {
            "texts": self.texts, "gold_events": self.gold, "predicted_events": self.predicted,
            "detection_precision": precision, "detection_recall": recall, "detection_f1": detection,
            "type_accuracy": ratio(self.same_type, self.matched), "type_macro_f1": self.macro_f1(),
            "quad_accuracy": ratio(self.same_quad, self.matched),
            "actor_country_f1": f1(self.actor), "recipient_country_f1": f1(self.recipient),
            "mode_accuracy": ratio(self.mode_right, self.mode_total),
            "no_event_right": ratio(self.empty_right, self.empty_texts),
            "date_accuracy": ratio(self.date_right, self.date_total),
            "status_accuracy": ratio(self.status_right, self.status_total),
            "record_recall": ratio(self.records_detected, self.event_records),
            "top_type_accuracy": ratio(self.top_right, self.event_records),
        }  # fmt: skip

    def macro_f1(self) -> float | None:
        scores = []
        for label in [e.value for e in EventType]:
            tp = self.confusion[(label, label)]
            fp = sum(n for (g, p), n in self.confusion.items() if p == label and g != label)
            fn = sum(n for (g, p), n in self.confusion.items() if g == label and p != label)
            if tp + fp + fn == 0:
                continue
            scores.append(2 * tp / (2 * tp + fp + fn))
        return round(sum(scores) / len(scores), 4) if scores else None

    def matrix(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (g, p), n in sorted(self.confusion.items()):
            out.setdefault(g, {})[p] = n
        return out


def _overlap(event: Event, gold: GoldEvent) -> int:
    return len({comparable(m.entity.code) for m in event.actor} & gold.actors)


def _pair(predicted: list[Event], gold: list[GoldEvent]) -> list[tuple[Event, GoldEvent]]:
    pairs = []
    left = list(predicted)
    for g in gold:
        if not left:
            break
        best = max(left, key=lambda e: (e.event == g.event, _overlap(e, g), -e.trigger_start))
        pairs.append((best, g))
        left.remove(best)
    return pairs


def score(records: list[GoldRecord], res: Resources, total: Score | None = None) -> Score:
    result = total or Score()
    for record in records:
        doc = Document(id=record.id, text=record.text, published=record.published, language="en")
        predicted = [e for e in code_document(doc, res).events if e.status in COUNTED]
        gold = list(record.events)
        if gold:
            result.event_records += 1
            result.records_detected += bool(predicted)
            top = max(predicted, key=lambda e: (e.confidence, -e.trigger_start), default=None)
            result.top_right += top is not None and top.event in {g.event for g in gold}
        result.add_text(len(gold), len(predicted))
        pairs = _pair(predicted, gold)
        result.matched += len(pairs)
        used = {id(e) for e, _ in pairs}
        for event, g in pairs:
            result.add_pair(event, g.event, g.mode, res.ontology)
            if g.date is not None:
                result.date_total += 1
                result.date_right += (event.date.iso() if event.date else None) == g.date
            count_parties(result.actor, {comparable(m.entity.code) for m in event.actor}, g.actors)
            count_parties(
                result.recipient, {comparable(m.entity.code) for m in event.recipient}, g.recipients
            )
        for g in gold[len(pairs) :]:
            result.confusion[(g.event.value, NONE)] += 1
        for event in predicted:
            if id(event) not in used:
                result.confusion[(NONE, event.event.value)] += 1
    return result
