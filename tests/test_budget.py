"""The coding budget of one document (nlp/budget.py): a text above the size limit, or a coding
that passes its deadline, is refused with one line; the other documents of the batch are coded
as if it were not there, and nothing of the refused one is stored."""

from __future__ import annotations

import itertools
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import detente
from detente.cli import cli
from detente.errors import ConfigError, InputError, OverBudgetError
from detente.nlp.budget import Budget
from detente.nlp.pipeline import Coded, Resources, code_document, code_documents
from detente.records import Document
from tests.conftest import DEMO

SHORT = DEMO / "2024-07-31-zelensky-visit.txt"  # 311 characters, 4 sentences
LONG = DEMO / "2024-06-21-border-buildup.md"  # 626 characters, 7 sentences


def _doc(path: Path) -> Document:
    (doc,) = [d for d in detente.read_inputs([str(path)]) if isinstance(d, Document)]
    return doc


def _events(coded: Coded) -> list[tuple[str, str, int]]:
    return [(e.event.value, str(e.mode), e.trigger_start) for e in coded.events]


def test_budget_refuses_a_text_above_the_size_limit_and_codes_the_rest(res: Resources) -> None:
    short, long = _doc(SHORT), _doc(LONG)
    assert len(short.text) < 400 < len(long.text)
    alone = code_document(short, res)
    tight = replace(res, budget=Budget(max_chars=400))
    first, refused, last = code_documents([short, long, short], tight)
    assert isinstance(refused, OverBudgetError) and refused.reason == "over-budget"
    line = str(refused)
    assert line.isprintable() and line.startswith(f"{LONG}: text of {len(long.text):,} characters")
    assert "limit of 400 (--max-chars)" in line
    for coded in (first, last):  # the batch went on, unchanged by its refused neighbour
        assert isinstance(coded, Coded) and coded.events
        assert _events(coded) == _events(alone)
    with pytest.raises(OverBudgetError):
        code_document(long, tight)


def test_budget_default_refuses_a_5_mb_line_before_any_work(res: Resources) -> None:
    """Issue 12: a 5 MB line of prose passed 13 GB of memory in a minute. The default budget
    refuses it at once (a longer text than 2,000,000 characters), and codes the next one."""
    words = " ".join(_doc(LONG).text.split())
    line = " ".join([words] * (5_000_000 // len(words) + 1))
    assert len(line) > 5_000_000 and "\n" not in line
    huge = Document(id="huge", text=line, path="wire/huge.txt")
    refused, coded = code_documents([huge, _doc(SHORT)], res)
    assert isinstance(refused, OverBudgetError)
    assert str(refused) == (
        f"wire/huge.txt: text of {len(line):,} characters is above the coding limit of 2,000,000"
        " (--max-chars); not coded, nothing stored"
    )
    assert isinstance(coded, Coded) and coded.events


def test_budget_deadline_stops_a_document_between_sentences(res: Resources) -> None:
    """A clock that moves one second each time it is read (in place of the CPU time): the deadline of 5 s passes at the
    fifth check, so the 7-sentence document is stopped there and the 4-sentence one is coded;
    each document's deadline counts from the start of its own coding."""
    short, long = _doc(SHORT), _doc(LONG)
    ticks = itertools.count()
    slow = replace(res, budget=Budget(seconds=5, clock=lambda: float(next(ticks))))
    results = list(code_documents([long, short, long], slow))
    refused = results[0]
    assert isinstance(refused, OverBudgetError)
    total = len(code_document(long, res).sentences)
    assert str(refused) == (
        f"{LONG}: coding took more than 5 CPU seconds (--deadline), stopped after 4 of {total} sentences;"
        " not coded, nothing stored"
    )
    assert isinstance(results[1], Coded)
    assert _events(results[1]) == _events(code_document(short, res))
    assert isinstance(results[2], OverBudgetError)


def test_budget_of_zero_seconds_refuses_before_the_first_sentence(res: Resources) -> None:
    (refused,) = code_documents([_doc(SHORT)], replace(res, budget=Budget(seconds=0)))
    assert isinstance(refused, OverBudgetError) and "stopped after 0 of 4 sentences" in str(refused)


def test_budget_none_lifts_the_limits(res: Resources) -> None:
    free = replace(res, budget=Budget(max_chars=None, seconds=None))
    assert _events(code_document(_doc(LONG), free)) == _events(code_document(_doc(LONG), res))


def test_budget_names_a_corpus_record_and_crosses_processes() -> None:
    doc = Document(id="wire-7", text="x" * 10, path="c.jsonl", kind="jsonl")
    refused = Budget(max_chars=5).refuse(doc)
    assert refused is not None and str(refused).startswith("c.jsonl (record wire-7): text of 10")
    back = pickle.loads(pickle.dumps(refused))  # an ingest worker sends it to the parent
    assert type(back) is OverBudgetError and str(back) == str(refused)
    assert isinstance(back, InputError) and back.source == refused.source


@pytest.mark.parametrize("limits", [{"max_chars": 0}, {"seconds": -1.0}])
def test_budget_rejects_impossible_limits(limits: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        Budget(**limits)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_budget_cli_ingest_skips_with_one_line_and_stores_it_later(
    tmp_path: Path, workers: str
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in (SHORT, LONG):
        shutil.copy(path, inputs / path.name)
    db = f"sqlite:///{tmp_path / 'b.db'}"
    runner = CliRunner()
    args = ["ingest", str(inputs), "--db", db, "--workers", workers]
    tight = runner.invoke(cli, [*args, "--max-chars", "400"], catch_exceptions=False)
    assert tight.exit_code == 1  # an input was skipped, and said so
    skipped = [line for line in tight.stderr.splitlines() if line.startswith("detente: skipped")]
    assert skipped == [
        f"detente: skipped {inputs / LONG.name}: text of 626 characters is above the coding "
        "limit of 400 (--max-chars); not coded, nothing stored"
    ]
    assert "2 documents read, 1 stored, 0 already stored" in tight.stderr
    assert "skipped: 1 over-budget" in tight.stderr
    again = runner.invoke(cli, args, catch_exceptions=False)  # the default budget codes it
    assert again.exit_code == 0, again.stderr
    assert "2 documents read, 1 stored, 1 already stored" in again.stderr


@pytest.mark.slow
def test_budget_web_post_refused_is_422_and_stores_nothing(tmp_path: Path, res: Resources) -> None:
    from detente.store import open_store
    from detente.store.tokens import create_token
    from tests.web import app_over, bearer, call

    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        app = app_over(store, replace(res, budget=Budget(max_chars=400)))
        token = create_token(store, "feeder", "ingest")
        body = {"id": "long-1", "text": LONG.read_text("utf-8")}
        response = call(app, "POST", "/api/v1/documents", json=body, headers=bearer(token))
        assert response.status_code == 422, response.text
        assert "above the coding limit of 400 (--max-chars)" in response.text
        assert store.counts()["documents"] == 0
    finally:
        store.close()


@pytest.mark.slow
def test_budget_watcher_remembers_a_refused_item_with_its_reason(
    tmp_path: Path, res: Resources, sqlite_url: str
) -> None:
    from detente.watch import Watcher, load_sources, state
    from tests.test_watch import entry, quick_fetcher, sources_yaml
    from tests.webserver import FEED_TYPE, Reply, rss, serve

    for site in serve():
        long = " ".join(_doc(LONG).text.split("\n\n")[2:4])  # two paragraphs of the demo story
        items = [entry(0, site), entry(1, site, text=long)]
        site.set("/feed", Reply(rss("Wire", items), content_type=FEED_TYPE))
        path = sources_yaml(
            tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1h}}\n"
        )
        store = detente.open_store(sqlite_url)
        try:
            tight = replace(res, budget=Budget(max_chars=len(long) - 1))
            (report,) = (
                Watcher(store, tight, load_sources(path), quick_fetcher()).run_round().sources
            )
            assert (report.new, report.stored) == (2, 1)
            (problem,) = report.problems
            assert (
                problem.endswith("(--max-chars); not coded, nothing stored")
                and "text of" in problem
            )
            assert state.states(store)["wire"].items_seen == 2  # the refused item is not re-read
            assert store.counts()["documents"] == 1
        finally:
            store.close()
