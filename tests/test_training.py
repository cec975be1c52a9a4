"""detente's own corpus and the trained typer: the corpus is what the templates make, covers what
the brief asks for, keeps its held-out wordings apart; the shipped model is the one `make train`
builds from it, and it finds events the rules alone miss."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from detente.errors import DataFileError
from detente.nlp.pipeline import Resources, code_document
from detente.nlp.typer import MODEL_FILE, typer_from_json
from detente.records import Document, EventType
from detente.training import corpus as corpus_mod
from detente.training.train import train
from tests.conftest import ROOT

CORPUS = ROOT / "corpus"
MODEL = ROOT / "src" / "detente" / "nlp" / "data" / MODEL_FILE


def _records(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (CORPUS / name).read_text("utf-8").splitlines()]


def test_corpus_files_are_what_the_templates_make(tmp_path: Path) -> None:
    corpus_mod.main([str(CORPUS / "templates.txt"), str(tmp_path)])
    for name in ("train.jsonl", "heldout.jsonl"):
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), (
            f"rerun make train ({name})"
        )


def test_corpus_covers_every_type_status_and_sentences_without_events() -> None:
    records = _records("train.jsonl") + _records("heldout.jsonl")
    assert len(records) >= 3000
    events = [e for r in records for e in r["events"]]  # type: ignore[attr-defined]
    types = Counter(e["event"] for e in events)
    assert set(types) == {t.value for t in EventType} and min(types.values()) >= 50
    statuses = {e["status"] for e in events}
    assert statuses >= {"asserted", "alleged", "denied", "negated", "planned", "hypothetical"}
    assert sum(1 for r in records if not r["events"]) >= 250
    assert any(e.get("claimed_by") for e in events)
    assert sum(1 for e in events if len(e["actor"]) > 1) >= 50  # co-actors
    for record in records:
        for event in record["events"]:  # type: ignore[attr-defined]
            if event.get("trigger"):
                start, end = event["trigger"]
                assert record["text"][start:end].strip() == record["text"][start:end]  # type: ignore[index]


def test_held_out_wordings_never_reach_training() -> None:
    train_templates = {r["template"] for r in _records("train.jsonl")}
    held = _records("heldout.jsonl")
    assert held and not train_templates & {r["template"] for r in held}
    assert sum(1 for r in held if not r["events"]) >= 50


def test_templates_with_a_bad_header_or_no_trigger_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("## MOBILISE\n{A} massed troops.\n")
    with pytest.raises(DataFileError, match=":1"):
        corpus_mod.read_templates(path)
    path.write_text("## MOBILIZE\n{A} massed troops.\n")
    with pytest.raises(DataFileError, match=r":2.*trigger"):
        corpus_mod.read_templates(path)


@pytest.mark.slow
def test_shipped_model_is_the_one_make_train_builds() -> None:
    shipped = json.loads(MODEL.read_text("utf-8"))
    train_file = CORPUS / "train.jsonl"
    assert shipped["corpus_sha256"] == hashlib.sha256(train_file.read_bytes()).hexdigest()
    assert train(train_file) == shipped


def test_a_broken_model_file_is_a_clear_error() -> None:
    with pytest.raises(DataFileError, match="not a typer model"):
        typer_from_json('{"labels": ["NONE"]}', "typer.json")


def test_typer_finds_what_no_rule_covers(res: Resources) -> None:
    # No lexicon rule reads "pardoned" or "sought"; the typer learnt both from our corpus, and
    # knows them in sentences unlike the templates'.
    for text, event, recipient in (
        ("Moldova pardoned a Russian citizen convicted of smuggling.", EventType.RETREAT, "RUS"),
        ("Latvia sought assurances from Russia about the exercises.", EventType.REQUEST, "RUS"),
    ):
        events = code_document(Document(id="x", text=text, language="en"), res).events
        assert [(e.event, e.coder) for e in events] == [(event, "model")], text
        assert [m.entity.code for m in events[0].recipient] == [recipient]
    assert not code_document(
        Document(id="y", text="Analysts said the talks went well.", language="en"), res
    ).events
    assert res.typer is not None and len(res.typer.version) == 12
