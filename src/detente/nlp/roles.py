"""The learned argument tagger: given a sentence and one of its triggers, which words name the
event's actor and which its recipient.

The trigger is marked in the input by two reserved word pieces around it, so one sentence with
three events is read three times, once per event. Same encoder, export and quantisation as the
detector (``detector.py``); its file is ``data/detector/roles.onnx``, named in the same manifest.
The words it picks are resolved to countries and sectors by the knowledge base (``actors.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from detente.errors import DataFileError
from detente.nlp.detector import MAX_PIECES, padded, sha256, softmax, word_spans

ROLES = ("O", "ACTOR", "RECIPIENT")
OPEN, CLOSE = "[unused0]", "[unused1]"  # the trigger's markers
ROLE_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Marked:
    """A sentence with its trigger marked: the pieces, and each word's first piece and span."""

    ids: list[int]
    words: list[tuple[int, int, int]]  # (piece index in ids, start, end) of each word


def mark(tokenizer: Any, text: str, trigger: tuple[int, int]) -> Marked:
    """The word pieces of ``text`` with [unused0] before the trigger's pieces and [unused1] after,
    in a window of at most MAX_PIECES around the trigger."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    spans = word_spans(enc.offsets, enc.word_ids)
    inside = [p for p, s, e in spans if s < trigger[1] and trigger[0] < e]
    first_word = inside[0] if inside else 0
    last_word_piece = inside[-1] if inside else 0
    # the trigger's last piece: the piece before the next word's first piece
    following = [p for p, _, _ in spans if p > last_word_piece]
    after = following[0] if following else len(enc.ids)
    room = MAX_PIECES - 4
    lo = max(0, min(first_word - room // 2, len(enc.ids) - room))
    hi = min(len(enc.ids), lo + room)
    ids: list[int] = [tokenizer.token_to_id("[CLS]")]
    index: dict[int, int] = {}
    for p in range(lo, hi):
        if p == first_word:
            ids.append(tokenizer.token_to_id(OPEN))
        if p == after:
            ids.append(tokenizer.token_to_id(CLOSE))
        index[p] = len(ids)
        ids.append(enc.ids[p])
    if after >= hi:
        ids.append(tokenizer.token_to_id(CLOSE))
    ids.append(tokenizer.token_to_id("[SEP]"))
    words = [(index[p], s, e) for p, s, e in spans if p in index]
    return Marked(ids, words)


def runs(words: Sequence[tuple[int, int]], labels: Sequence[int], role: int) -> list[
        tuple[int, int]]:  # fmt: skip
    """Neighbouring words with the same role, as (start, end) spans."""
    out: list[tuple[int, int]] = []
    last = -2
    for n, ((start, end), label) in enumerate(zip(words, labels, strict=True)):
        if label != role:
            continue
        if out and last == n - 1:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
        last = n
    return out


Arguments = tuple[list[tuple[int, int]], list[tuple[int, int]]]  # actor and recipient spans
BATCH = 8  # triggers read together


class RoleTagger:
    def __init__(
        self, folder: Path, model: str, expected: str, tokenizer: Any, threads: int
    ) -> None:
        import onnxruntime as ort

        path = folder / model
        if not path.is_file():
            raise DataFileError(str(path), "the argument tagger file is missing")
        if sha256(path) != expected:
            raise DataFileError(str(path), "does not match the SHA-256 in its manifest")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer

    def arguments(self, text: str, trigger: tuple[int, int]) -> Arguments:
        """Character spans (of ``text``) of the actor's and the recipient's words."""
        return self.arguments_of([(text, trigger)], batch_size=1)[0]

    def arguments_of(
        self, requests: Sequence[tuple[str, tuple[int, int]]], batch_size: int = BATCH
    ) -> list[Arguments]:
        """The arguments of several triggers (of one document: the int8 model quantises its
        activations per batch, so a document's result depends only on the document), read
        ``batch_size`` at a time, the shortest together (measured: 3.0 -> 2.0 ms a trigger)."""
        marked = [mark(self.tokenizer, text, trigger) for text, trigger in requests]
        out: list[Arguments] = [([], []) for _ in requests]
        order = sorted(range(len(marked)), key=lambda n: len(marked[n].ids))
        for begin in range(0, len(order), batch_size):
            chunk = order[begin : begin + batch_size]
            ids, mask = padded([marked[n].ids for n in chunk])
            (logits,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            for row, n in enumerate(chunk):
                out[n] = _decode(marked[n], softmax(logits[row]))
        return out


def _decode(marked: Marked, probs: Any) -> Arguments:
    labels = []
    for piece, _, _ in marked.words:
        p = probs[piece]
        best = int(np.argmax(p[1:])) + 1
        labels.append(best if p[best] >= ROLE_THRESHOLD else 0)
    words = [(s, e) for _, s, e in marked.words]
    return runs(words, labels, 1), runs(words, labels, 2)
