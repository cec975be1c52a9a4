"""Our news corpus (corpus/docs): every record valid, the make-up the coder is trained on, and the
validator's reasons for bad records; the shipped detector was trained on exactly this corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.nlp.detector import packaged_folder, read_manifest, sha256
from detente.records import EventType
from detente.training.detector import corpus_hash
from detente.training.documents import (
    CorpusDocument,
    main,
    read_corpus,
    split_of,
    stats,
    whole_word_occurrences,
)
from tests.conftest import ROOT

CORPUS = ROOT / "corpus" / "docs"
# What the corpus holds now; the floors only ever rise (issue 11 asks for 15,000 / 1,500).
MIN_SENTENCES = 15_000
MIN_DOCUMENTS = 1_500
MIN_EMPTY_SHARE = 0.35
Corpus = tuple[list[CorpusDocument], list[str]]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return read_corpus(CORPUS)


def test_corpus_every_record_is_valid(corpus: Corpus) -> None:
    _, problems = corpus
    assert problems == []


def test_corpus_size_and_make_up(corpus: Corpus) -> None:
    docs, _ = corpus
    sentences = [s for d in docs for s in d.sentences]
    assert len(docs) >= MIN_DOCUMENTS
    assert len(sentences) >= MIN_SENTENCES
    empty = sum(1 for s in sentences if not s.events) / len(sentences)
    assert empty >= MIN_EMPTY_SHARE
    types = {e.event for s in sentences for e in s.events}
    assert types == set(EventType)
    assert {d.split for d in docs} == {"train", "dev", "test"}
    assert len({d.register for d in docs}) >= 7 and len({d.region for d in docs}) >= 10


def test_corpus_next_documents_are_valid_too() -> None:
    """Documents written after the shipped model was trained wait in corpus/next, validated."""
    nxt = ROOT / "corpus" / "next"
    if not nxt.is_dir() or not any(nxt.glob("*.jsonl")):
        pytest.skip("no documents wait in corpus/next")
    docs, problems = read_corpus(nxt)
    assert problems == [] and docs
    known = {d.id for d in read_corpus(CORPUS)[0]}
    assert not known & {d.id for d in docs}


def test_corpus_offsets_slice_the_document_text(corpus: Corpus) -> None:
    docs, _ = corpus
    for doc in docs[:200]:
        for sentence in doc.sentences:
            text = doc.sentence_text(sentence)
            assert text == text.strip() and "\n" not in text
            for event in sentence.events:
                assert sentence.start <= event.trigger[0] < event.trigger[1] <= sentence.end
                for party in (*event.actors, *event.recipients):
                    if party.span is not None:
                        assert doc.text[party.span[0] : party.span[1]] == party.text


def test_corpus_split_is_by_document_and_stable() -> None:
    assert split_of("wire-europe-wru-0001") == split_of("wire-europe-wru-0001")
    counts = dict.fromkeys(("train", "dev", "test"), 0)
    for n in range(2000):
        counts[split_of(f"doc-{n}")] += 1
    assert 0.07 < counts["test"] / 2000 < 0.13 and 0.07 < counts["dev"] / 2000 < 0.13


def test_corpus_stats_names_every_part(corpus: Corpus) -> None:
    docs, _ = corpus
    text = stats(docs)
    for heading in ("documents by split", "events by type", "events by status", "by register"):
        assert heading in text


def _doc(**changes: object) -> dict[str, object]:
    event: dict[str, object] = {"event": "ACCUSE", "mode": "allege", "trigger": "accused",
             "actor": [{"code": "BLR", "sector": "GOV", "text": "Belarus"}],
             "recipient": [{"code": "UKR", "sector": "GOV", "text": "Ukraine"}],
             "status": "asserted", "claimed_by": None, "date": "2024-06-20"}  # fmt: skip
    event.update(changes)
    return {"id": "t-1", "register": "wire", "region": "europe", "published": "2024-06-21",
            "title": "Minsk accuses Kyiv", "title_events": [],
            "paragraphs": [[{"text": "Belarus accused Ukraine on Thursday of moving troops.",
                             "events": [event]}]]}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"event": "BLAME"}, "is not a PLOVER type"),
        ({"mode": "troops"}, "is not a mode of ACCUSE"),
        ({"trigger": "charged"}, "is not in the sentence"),
        ({"actor": [{"code": "XXX", "sector": "GOV", "text": "Belarus"}]}, "is not ISO 3166"),
        ({"actor": [{"code": "BLR", "sector": "ARMY", "text": "Belarus"}]}, "not a PLOVER sector"),
        ({"status": "rumoured"}, "status 'rumoured'"),
        ({"date": "2024-06-19"}, "is a wednesday, the sentence says thursday"),
        ({"date": "2024-07-01"}, "after publication"),
        ({"date": "20 June"}, "is not YYYY-MM-DD"),
        ({"actor": []}, "needs at least one actor"),
    ],
)
def test_corpus_validator_names_the_problem(
    tmp_path: Path, changes: dict[str, object], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_doc(**changes)) + "\n", encoding="utf-8")
    docs, problems = read_corpus(path)
    assert docs == [] and len(problems) >= 1
    assert any(reason in p and p.startswith(f"{path}:1: ") for p in problems), problems
    assert main(["validate", str(path)]) == 1
    assert reason in capsys.readouterr().err


def test_corpus_validator_accepts_a_good_record_and_refuses_duplicates(tmp_path: Path) -> None:
    good = _doc()
    path = tmp_path / "good.jsonl"
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    docs, problems = read_corpus(path)
    assert problems == [] and len(docs) == 1
    (event,) = docs[0].sentences[1].events
    assert docs[0].text[event.trigger[0] : event.trigger[1]] == "accused"
    twice = dict(good, id="t-2")
    path.write_text(json.dumps(good) + "\n" + json.dumps(twice) + "\n", encoding="utf-8")
    _, problems = read_corpus(path)
    assert any("repeats one of t-1" in p for p in problems)


def test_corpus_party_text_is_found_as_whole_words() -> None:
    """A party's text is a word of the sentence, never part of one ("he" is not in "the")."""
    sentence = "The minister said he would go, and then he went to Israeli Israel."
    assert whole_word_occurrences(sentence, "he") == [18, 40]
    assert whole_word_occurrences(sentence, "Israel") == [59]
    assert whole_word_occurrences(sentence, "went to") == [43]
    assert whole_word_occurrences(sentence, "Israel.") == [59]


def test_corpus_the_shipped_detector_was_trained_on_this_corpus() -> None:
    folder = packaged_folder()
    manifest = read_manifest(folder)
    assert sha256(folder / manifest.model) == manifest.model_sha256
    assert sha256(folder / manifest.tokenizer) == manifest.tokenizer_sha256
    assert manifest.corpus_sha256 == corpus_hash(CORPUS), "retrain: make train"
    assert (folder / manifest.model).stat().st_size < 50 * 2**20
    # the threshold was chosen on dev (through the whole coder where the training asked for it),
    # and the argument tagger ships beside the detector
    chosen = manifest.scores.get("dev_coder") or manifest.scores["dev"]
    assert manifest.threshold == chosen["threshold"]
    assert manifest.roles is not None and (folder / manifest.roles["model"]).is_file()
