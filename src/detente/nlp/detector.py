"""The learned event detector: a small transformer that reads a sentence and tags, word by word,
which words report a PLOVER event, of which type, mode and status.

It is a MiniLM encoder (6 layers, 384 wide) fine-tuned on detente's own news corpus
(``corpus/docs``, ``make train``), exported to ONNX and quantised to int8. Inference needs only
onnxruntime, the ``tokenizers`` library and numpy. The files live in ``data/detector/``; the
manifest there names each by its SHA-256, the corpus it was trained on and the decision threshold
chosen on the dev split. Nothing is fetched at run time.

The same word alignment (``word_labels``) serves training and inference: a word is what the
tokenizer's pre-tokenizer splits (whitespace and punctuation), and it is read off its first
word piece.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from detente.errors import DataFileError
from detente.records import EventType

if TYPE_CHECKING:
    from detente.nlp.roles import RoleTagger

O = "O"  # noqa: E741 - the conventional name of the outside label
TYPES: tuple[str, ...] = (O, *(t.value for t in EventType))
STATUSES: tuple[str, ...] = ("asserted", "alleged", "denied", "planned")
MAX_PIECES = 128  # word pieces per window, [CLS] and [SEP] included
DATA = "data/detector"


@dataclass(frozen=True, slots=True)
class WordTag:
    """What the detector says of one word of a sentence (offsets are the sentence's)."""

    start: int
    end: int
    best: EventType  # the likeliest type, were the word an event
    p_event: float  # probability that the word is part of an event's trigger (1 - P(O))
    p_type: float  # probability of that type, were it an event
    mode: str | None  # the likeliest mode of that type (None: no mode)
    status: str


@dataclass(frozen=True, slots=True)
class Manifest:
    model: str
    model_sha256: str
    tokenizer: str
    tokenizer_sha256: str
    corpus_sha256: str
    modes: tuple[str, ...]
    threshold: float
    valid_modes: dict[str, tuple[str, ...]]
    scores: dict[str, Any]
    roles: dict[str, Any] | None = None  # the argument tagger: model, model_sha256, scores


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: Path) -> Manifest:
    path = folder / "manifest.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            model=raw["model"],
            model_sha256=raw["model_sha256"],
            tokenizer=raw["tokenizer"],
            tokenizer_sha256=raw["tokenizer_sha256"],
            corpus_sha256=raw["corpus_sha256"],
            modes=tuple(raw["modes"]),
            threshold=float(raw["threshold"]),
            valid_modes={k: tuple(v) for k, v in raw["valid_modes"].items()},
            scores=dict(raw.get("scores", {})),
            roles=raw.get("roles"),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(str(path), f"unreadable detector manifest ({exc})") from exc


def packaged_folder() -> Path:
    return Path(str(resources.files("detente.nlp").joinpath(DATA)))


def word_spans(
    offsets: Sequence[tuple[int, int]], words: Sequence[int | None]
) -> list[tuple[int, int, int]]:
    """(first piece index, word start, word end) of every word of an encoding."""
    out: list[tuple[int, int, int]] = []
    last: int | None = None
    for i, (word, (start, end)) in enumerate(zip(words, offsets, strict=True)):
        if word is None:
            continue
        if word != last:
            out.append((i, start, end))
            last = word
        else:
            first, s, _ = out[-1]
            out[-1] = (first, s, end)
    return out


def padded(
    windows: Sequence[Sequence[int]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Word-piece windows as one batch: the ids, padded with zeros to the longest, and the mask."""
    width = max(len(w) for w in windows)
    ids = np.zeros((len(windows), width), dtype=np.int64)
    mask = np.zeros((len(windows), width), dtype=np.int64)
    for row, window in enumerate(windows):
        ids[row, : len(window)] = window
        mask[row, : len(window)] = 1
    return ids, mask


def softmax(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    out: npt.NDArray[np.float32] = e / e.sum(axis=-1, keepdims=True)
    return out


class Detector:
    """Loads the ONNX model and its tokenizer once; ``tag`` reads a batch of sentences."""

    def __init__(self, folder: Path, threads: int = 1, verify: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = folder
        self.manifest = read_manifest(folder)
        model_path = folder / self.manifest.model
        tokenizer_path = folder / self.manifest.tokenizer
        for path, expected in (
            (model_path, self.manifest.model_sha256),
            (tokenizer_path, self.manifest.tokenizer_sha256),
        ):
            if not path.is_file():
                raise DataFileError(str(path), "the detector file is missing")
            if verify and sha256(path) != expected:
                raise DataFileError(str(path), "does not match the SHA-256 in its manifest")
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self.roles: RoleTagger | None = None
        if self.manifest.roles is not None:
            from detente.nlp.roles import RoleTagger

            self.roles = RoleTagger(
                folder,
                str(self.manifest.roles["model"]),
                str(self.manifest.roles["model_sha256"]),
                self.tokenizer,
                threads,
            )
        self.threshold = self.manifest.threshold
        self.modes = self.manifest.modes
        self._mode_mask = {
            kind: np.array([m == O or m in valid for m in self.modes], dtype=bool)
            for kind, valid in self.manifest.valid_modes.items()
        }

    @property
    def version(self) -> str:
        return self.manifest.model_sha256[:12]

    def _special(self, token: str) -> int:
        found = self.tokenizer.token_to_id(token)
        if found is None:
            raise DataFileError(str(self.folder), f"the tokenizer has no {token} token")
        return int(found)

    def _windows(self, text: str) -> list[tuple[list[int], list[tuple[int, int, int]]]]:
        """The sentence as windows of at most MAX_PIECES pieces, cut between words."""
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        spans = word_spans(enc.offsets, enc.word_ids)
        ids = enc.ids
        cls, sep = self._special("[CLS]"), self._special("[SEP]")
        out: list[tuple[list[int], list[tuple[int, int, int]]]] = []
        room = MAX_PIECES - 2
        begin = 0
        while begin < len(spans):
            first = spans[begin][0]
            stop = begin
            while stop < len(spans) and spans[stop][0] - first < room:
                stop += 1
            if stop == begin:  # one word longer than a window: keep its first pieces
                stop = begin + 1
            last_piece = spans[stop][0] if stop < len(spans) else len(ids)
            last_piece = min(last_piece, first + room)
            window = [cls, *ids[first:last_piece], sep]
            local = [(p - first + 1, s, e) for p, s, e in spans[begin:stop]]
            out.append((window, local))
            begin = stop
        return out

    def tag(self, texts: Sequence[str], batch_size: int = 1) -> list[list[WordTag]]:
        """Every word of every sentence with its event probability, type, mode and status.

        Sentences are read one at a time by default: the int8 model quantises its activations
        per batch, so a sentence read beside others would get slightly different numbers (and
        on one core batching gains nothing)."""
        jobs: list[tuple[int, list[int], list[tuple[int, int, int]]]] = []
        for n, text in enumerate(texts):
            for window, local in self._windows(text):
                jobs.append((n, window, local))
        out: list[list[WordTag]] = [[] for _ in texts]
        order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][1]))
        for begin in range(0, len(order), batch_size):
            chunk = [jobs[j] for j in order[begin : begin + batch_size]]
            ids, mask = padded([window for _, window, _ in chunk])
            types, modes, statuses = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask}
            )
            p_types, p_modes, p_status = softmax(types), softmax(modes), softmax(statuses)
            for row, (n, _, local) in enumerate(chunk):
                out[n].extend(self._words(local, p_types[row], p_modes[row], p_status[row]))
        for tags in out:
            tags.sort(key=lambda t: t.start)
        return out

    def _words(
        self,
        local: list[tuple[int, int, int]],
        p_types: npt.NDArray[np.float32],
        p_modes: npt.NDArray[np.float32],
        p_status: npt.NDArray[np.float32],
    ) -> list[WordTag]:
        out = []
        for piece, start, end in local:
            probs = p_types[piece]
            p_event = float(1.0 - probs[0])
            best = int(np.argmax(probs[1:])) + 1
            kind = EventType(TYPES[best])
            mask = self._mode_mask.get(kind.value)
            mp = np.where(mask, p_modes[piece], 0.0) if mask is not None else p_modes[piece]
            name = self.modes[int(np.argmax(mp))]
            status = STATUSES[int(np.argmax(p_status[piece]))]
            p_type = float(probs[best] / max(p_event, 1e-9))
            mode = None if name == O else name
            out.append(WordTag(start, end, kind, p_event, p_type, mode, status))
        return out


def load_detector(folder: Path | None = None, threads: int = 1) -> Detector:
    return Detector(folder or packaged_folder(), threads=threads)


def triggers(
    tags: Sequence[WordTag], threshold: float
) -> list[tuple[int, int, EventType, float, str | None, str]]:
    """Runs of neighbouring words at least ``threshold`` likely to be an event and of the same
    type, as one trigger each: (start, end, type, probability, mode, status), with the mode and
    status of its surest word."""
    out: list[tuple[int, int, EventType, float, str | None, str]] = []
    run: list[WordTag] = []

    def close() -> None:
        if run:
            top = max(run, key=lambda t: t.p_event)
            out.append((run[0].start, run[-1].end, top.best, top.p_event, top.mode, top.status))

    for tag in tags:
        hit = tag.p_event >= threshold
        if hit and run and run[-1].best == tag.best:
            run.append(tag)
            continue
        close()
        run = [tag] if hit else []
    close()
    return out
