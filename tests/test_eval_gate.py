"""The gold gate: the coder is scored end to end on the shared gold sets (every record counted,
records it codes nothing for included) and on the test split of our news corpus (whole documents
never trained on, every gold event counted), on every run; the suite fails when a metric falls
below its pinned floor (tests/eval_baseline.json) by more than the tolerance. A gold file or
corpus that changed (another hash) fails too, so floors always refer to the same gold."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from detente.errors import DataFileError
from detente.evaluation import read_gold, score
from detente.evaluation.documents import score_documents
from detente.evaluation.gold import read_jsonl
from detente.nlp.pipeline import Resources
from detente.training.detector import corpus_hash
from detente.training.documents import read_corpus
from tests.conftest import ROOT, SHARED

BASELINE = json.loads((ROOT / "tests" / "eval_baseline.json").read_text("utf-8"))
pytestmark = pytest.mark.slow


def _report(name: str, res: Resources, seeds: Path) -> dict[str, float | None]:
    pinned = BASELINE["files"][name]
    if name.startswith("corpus/"):
        path = ROOT / name
        assert corpus_hash(path) == pinned["sha256"], f"{name} changed: re-measure the floors"
        docs, problems = read_corpus(path)
        assert not problems
        return score_documents([d for d in docs if d.split == pinned["split"]], res).report()
    path = SHARED / "benchmarks" / name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == pinned["sha256"], f"{name} changed"
    return score(read_gold(path), res).report()


@pytest.mark.parametrize("name", sorted(BASELINE["files"]))
def test_eval_gate_floors_hold(name: str, res: Resources, seeds: Path) -> None:
    report = _report(name, res, seeds)
    pinned = BASELINE["files"][name]
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
    assert report["record_recall"] == 1.0 and report["top_type_accuracy"] == 1.0


def test_eval_a_record_with_no_coded_event_counts_as_wrong(res: Resources, tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "The weather in Minsk was fine.",
                    "events": [{"event": "ASSAULT", "actor": ["RUS"], "recipient": ["UKR"]}]}) + "\n"
    )  # fmt: skip
    report = score(read_jsonl(path), res).report()
    assert report["record_recall"] == 0.0 and report["top_type_accuracy"] == 0.0
    assert report["detection_recall"] == 0.0


def test_a_gold_file_that_is_not_text_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "readme.pdf"
    path.write_bytes(b"%PDF-1.5\n\xd0\xd4\xc5\xd8\n")
    with pytest.raises(DataFileError, match=r"readme\.pdf: not a gold file: not UTF-8 text$"):
        read_gold(path)


def test_eval_corpus_documents_count_every_gold_event(res: Resources, tmp_path: Path) -> None:
    event = {"event": "ASSAULT", "mode": None, "trigger": "shelled",
             "actor": [{"code": "RUS", "sector": "MIL", "text": "Russian forces"}],
             "recipient": [{"code": "UKR", "sector": None, "text": "Kharkiv"}],
             "status": "asserted", "claimed_by": None, "date": "2024-03-12"}  # fmt: skip
    missed = dict(event, event="AID", trigger="weather", actor=[{"code": "UKR", "sector": None, "text": None}],
                  recipient=[])  # fmt: skip
    doc = {"id": "e-1", "register": "wire", "region": "russia-ukraine", "published": "2024-03-14",
           "title": "Kharkiv shelled", "title_events": [],
           "paragraphs": [[{"text": "Russian forces shelled Kharkiv on Tuesday, officials said.", "events": [event]},
                           {"text": "The weather was cold and dry across the region.", "events": [missed]}]]}  # fmt: skip
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    docs, problems = read_corpus(path)
    assert not problems
    report = score_documents(docs, res).report()
    assert report["gold_events"] == 2 and report["texts"] == 3
    assert report["detection_recall"] == 0.5  # the invented AID is gold no coder finds: counted
    assert report["date_accuracy"] == 1.0 and report["actor_country_f1"] == 1.0
