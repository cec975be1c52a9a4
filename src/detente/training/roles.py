"""Training of the argument tagger (``nlp/roles.py``) on the corpus's actor and recipient spans.

One example per gold event: its sentence with the trigger marked, the words of its actor labelled
ACTOR and those of its recipient RECIPIENT (a party the sentence does not name, text null, labels
nothing). Run by ``python -m detente.training.detector`` after the detector.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from detente.nlp.detector import sha256
from detente.nlp.roles import ROLES, RoleTagger, mark
from detente.training.documents import CorpusDocument, CorpusEvent
from detente.training.tagger import IGNORE, Encoded, train_tagger

log = logging.getLogger(__name__)
RoleExample = tuple[str, tuple[int, int], CorpusEvent, int]  # text, trigger, event, start


def role_examples(docs: Sequence[CorpusDocument]) -> list[RoleExample]:
    """(sentence text, trigger span in it, event, sentence start) for every gold event."""
    out = []
    for doc in docs:
        for sentence in doc.sentences:
            text = doc.sentence_text(sentence)
            for event in sentence.events:
                trigger = (event.trigger[0] - sentence.start, event.trigger[1] - sentence.start)
                out.append((text, trigger, event, sentence.start))
    return out


def _label(start: int, end: int, event: CorpusEvent, base: int) -> int:
    for role, parties in ((1, event.actors), (2, event.recipients)):
        for party in parties:
            if party.span and party.span[0] - base < end and start < party.span[1] - base:
                return role
    return 0


def encode_roles(tokenizer: Any, text: str, trigger: tuple[int, int], event: CorpusEvent,
                 base: int) -> Encoded:  # fmt: skip
    marked = mark(tokenizer, text, trigger)
    row = [IGNORE] * len(marked.ids)
    for piece, start, end in marked.words:
        row[piece] = _label(start, end, event, base)
    return Encoded(marked.ids, (row,))


def span_f1(tagger: RoleTagger, dev: Sequence[RoleExample]) -> dict[str, float]:
    """Word-level F1 of actor and recipient words on dev."""
    counts = {1: [0, 0, 0], 2: [0, 0, 0]}  # tp, fp, fn
    for text, trigger, event, base in dev:
        actors, recipients = tagger.arguments(text, trigger)
        marked = mark(tagger.tokenizer, text, trigger)
        for _, start, end in marked.words:
            gold = _label(start, end, event, base)
            pred = (
                1
                if any(s < end and start < e for s, e in actors)
                else (2 if any(s < end and start < e for s, e in recipients) else 0)
            )
            for role in (1, 2):
                counts[role][0] += pred == role and gold == role
                counts[role][1] += pred == role and gold != role
                counts[role][2] += pred != role and gold == role
    out = {}
    for role, (tp, fp, fn) in counts.items():
        out[f"{ROLES[role].lower()}_word_f1"] = round(2 * tp / max(1, 2 * tp + fp + fn), 4)
    return out


def train_roles(train_docs: Sequence[CorpusDocument], dev_docs: Sequence[CorpusDocument],
                tokenizer: Any, config: dict[str, Any], out: Path) -> dict[str, Any]:  # fmt: skip
    train_set = [encode_roles(tokenizer, *ex) for ex in role_examples(train_docs)]
    log.info("argument tagger: %d events to learn from", len(train_set))
    final = out / "roles.onnx"
    epochs = int(config.get("roles_epochs", config["epochs"]))
    history = train_tagger(
        train_set, [("roles", len(ROLES), 1.0)], {**config, "epochs": epochs}, final
    )
    digest = sha256(final)
    tagger = RoleTagger(out, final.name, digest, tokenizer, int(config["threads"]))
    scores = span_f1(tagger, role_examples(dev_docs))
    log.info("argument tagger dev %s", scores)
    return {"model": final.name, "model_sha256": digest, "scores": {**history, "dev": scores}}
