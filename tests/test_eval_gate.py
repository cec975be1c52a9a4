"""The gold gate: the coder is scored on the shared gold sets and on the held-out split of our own
corpus on every run, and the suite fails
when a metric falls below its pinned floor (tests/eval_baseline.json) by more than the tolerance.
A gold file that changed (another hash) fails too, so floors always refer to the same gold."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from detente.errors import DataFileError
from detente.evaluation import read_gold, score
from detente.evaluation.gold import read_jsonl
from detente.nlp.pipeline import Resources
from tests.conftest import ROOT, SHARED

BASELINE = json.loads((ROOT / "tests" / "eval_baseline.json").read_text("utf-8"))
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", sorted(BASELINE["files"]))
def test_eval_gate_floors_hold(name: str, res: Resources, seeds: Path) -> None:
    path = ROOT / name if name.startswith("corpus/") else SHARED / "benchmarks" / name
    pinned = BASELINE["files"][name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == pinned["sha256"], f"{name} changed"
    report = score(read_gold(path), res).report()
    below = {
        metric: (report[metric], floor)
        for metric, floor in pinned["floors"].items()
        if report[metric] is None or report[metric] < floor - BASELINE["tolerance"]
    }
    assert not below, f"{name}: below the pinned floor (measured, floor): {below}"


def test_eval_jsonl_gold_scores_our_own_format(res: Resources, tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        json.dumps({"id": "a", "published": "2024-06-26", "text": "Belarus moved troops to the border with Ukraine on Monday.",
                    "events": [{"event": "MOBILIZE", "mode": "troops", "actor": ["BLR"], "recipient": ["UKR"]}]}) + "\n"
        + json.dumps({"id": "b", "text": "Analysts expect the talks to be difficult.", "events": []}) + "\n"
    )  # fmt: skip
    report = score(read_jsonl(path), res).report()
    assert report["detection_f1"] == 1.0 and report["type_accuracy"] == 1.0
    assert report["actor_country_f1"] == 1.0 and report["no_event_right"] == 1.0


def test_a_gold_file_that_is_not_text_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "readme.pdf"
    path.write_bytes(b"%PDF-1.5\n\xd0\xd4\xc5\xd8\n")
    with pytest.raises(DataFileError, match=r"readme\.pdf: not a gold file: not UTF-8 text$"):
        read_gold(path)
