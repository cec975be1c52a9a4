"""Ingestion into a real store on both backends: incidents, revisions, crash safety, parallel
workers, exports, migrations."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import func, select

from detente import Store, ingest, open_store
from detente.api import LoadOptions
from detente.cli import cli
from detente.nlp.pipeline import Resources
from detente.store.schema import documents, events, metadata, sentences
from tests.conftest import DEMO, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


def _write_corpus(path: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.corpus import write

    return write(path, n)


def test_ingest_migrations_match_the_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_ingest_seed_withdrawal_is_one_incident_with_two_sources(
    store: Store, res: Resources, seeds: Path
) -> None:
    ingest([str(seeds)], store, res)
    incidents = list(store.events(dyad=("BLR", "UKR"), event_type="RETREAT", incidents_only=True))
    july13 = [
        i for i in incidents
        if i["date"] == "2024-07-13" and [a["code"] for a in i["actor"]] == ["BLR"]
    ]  # fmt: skip
    assert len(july13) == 1, incidents
    (withdrawal,) = july13
    assert withdrawal["n_documents"] == 2 and withdrawal["n_sources"] == 2
    assert {s["doc_id"] for s in withdrawal["sources"]} == {
        e["doc_id"] for e in store.events() if e["incident_id"] == withdrawal["incident_id"]
    }
    assert withdrawal["first_reported"] == "2024-08-01"


def test_ingest_a_later_report_refines_the_incident_date(
    store: Store, res: Resources, tmp_path: Path
) -> None:
    early = tmp_path / "a.jsonl"
    early.write_text(json.dumps({"id": "a", "published": "2024-07-31", "source": "Wire A",
                                 "text": "In July, Belarus withdrew troops from the border with Ukraine."}) + "\n")  # fmt: skip
    later = tmp_path / "b.jsonl"
    later.write_text(json.dumps({"id": "b", "published": "2024-08-02", "source": "Wire B",
                                 "text": "Belarus withdrew troops from the border with Ukraine on 13 July."}) + "\n")  # fmt: skip
    ingest([str(early)], store, res)
    (incident,) = list(store.events(event_type="RETREAT", incidents_only=True))
    assert incident["date"] == "2024-07"
    ingest([str(later)], store, res)
    (incident,) = list(store.events(event_type="RETREAT", incidents_only=True))
    assert incident["date"] == "2024-07-13" and incident["n_sources"] == 2


def test_ingest_a_mutual_act_told_from_either_side_is_one_incident(
    store: Store, res: Resources, tmp_path: Path
) -> None:
    reports = tmp_path / "talks.jsonl"
    rows = [
        {"id": "a", "published": "2025-03-12", "source": "Wire A",
         "text": "Armenia and Azerbaijan agreed on Tuesday on the text of a peace treaty."},
        {"id": "b", "published": "2025-03-13", "source": "Wire B",
         "text": "Azerbaijan agreed with Armenia on the text of a peace treaty on Tuesday."},
    ]  # fmt: skip
    reports.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ingest([str(reports)], store, res)
    coded = list(store.events(event_type="AGREE"))
    sides = {(tuple(a["code"] for a in e["actor"]), tuple(r["code"] for r in e["recipient"]))
             for e in coded}  # fmt: skip
    assert sides == {(("ARM", "AZE"), ()), (("AZE",), ("ARM",))}, coded
    # one happening whoever is named as its actor: one incident with both outlets
    (incident,) = list(store.events(event_type="AGREE", incidents_only=True))
    assert incident["n_sources"] == 2 and incident["date"] == "2025-03-11"


def test_ingest_changed_page_is_a_new_revision(
    store: Store, res: Resources, tmp_path: Path
) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Belarus moved troops to the border with Ukraine on Monday.\n")
    ingest([str(page)], store, res, published=_date("2024-06-26"))
    page.write_text("Belarus moved troops and tanks to the border with Ukraine on Monday. "
                    "Ukraine accused Minsk of provocations.\n")  # fmt: skip
    second = ingest([str(page)], store, res, published=_date("2024-06-26"))
    assert second.stored == 1
    with store.engine.connect() as conn:
        revisions = conn.execute(
            select(documents.c.revision, documents.c.latest).order_by(documents.c.revision)
        ).all()
        superseded = conn.execute(
            select(func.count()).select_from(events).where(events.c.superseded.is_(True))
        ).scalar()
    assert [tuple(r) for r in revisions] == [(1, False), (2, True)]
    assert superseded == 1
    current = list(store.events())
    assert {e["event"] for e in current} == {"MOBILIZE", "ACCUSE"}
    assert all(e["incident_id"] for e in current)
    assert len(list(store.events(incidents_only=True))) == 2


def _date(value: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(value)


def test_ingest_parallel_workers_store_the_same(db_url: str, tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "c.jsonl", 24)
    stores = []
    for workers in (1, 2):
        store = open_store(db_url) if workers == 1 else open_store(f"sqlite:///{tmp_path / 'p.db'}")
        summary = ingest([str(corpus)], store, options=LoadOptions(), workers=workers)
        assert summary.stored == 24
        stores.append(store)
    one, two = ([json.dumps(e, sort_keys=True) for e in s.events()] for s in stores)
    assert sorted(one) == sorted(two)
    for store in stores:
        store.close()


def test_ingest_killed_midway_then_rerun_completes(db_url: str, tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "c.jsonl", 60)
    command = [sys.executable, "-m", "detente.cli", "ingest", str(corpus), "--db", db_url]
    child = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path
    )
    store = open_store(db_url)
    deadline = time.monotonic() + 120
    while store.counts()["documents"] < 8:
        assert child.poll() is None, "ingestion ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    partial = store.counts()["documents"]
    assert 8 <= partial < 60
    rerun = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{partial} already stored" in rerun.stderr
    clean = open_store(f"sqlite:///{tmp_path / 'clean.db'}")
    subprocess.run(
        [*command[:-1], f"sqlite:///{tmp_path / 'clean.db'}"], check=True, capture_output=True
    )
    assert store.counts() == clean.counts()
    assert sorted(json.dumps(e, sort_keys=True) for e in store.events()) == sorted(
        json.dumps(e, sort_keys=True) for e in clean.events()
    )
    assert _without_sentences(store) == 0 == _without_sentences(clean)  # no half-written document
    store.close()
    clean.close()


def _without_sentences(store: Store) -> int:
    """Stored documents missing their sentences: what a half-written document would leave."""
    has_sentences = select(sentences.c.content_hash).where(
        sentences.c.content_hash == documents.c.content_hash
    )
    query = select(func.count()).select_from(documents).where(~has_sentences.exists())
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def test_ingest_exports(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(DEMO), "--db", db_url]).exit_code == 0
    result = runner.invoke(cli, ["export", "--db", db_url, "--format", "jsonl", "--plover"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and {"event_scale", "event_loc", "text_info", "actor"} <= set(records[0])
    assert "entity_text" in records[0]["actor"][0]
    result = runner.invoke(cli, ["export", "--db", db_url, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:3] == ["id", "incident_id", "doc_id"] and len(rows) == len(records)
    out = tmp_path / "e.parquet"
    result = runner.invoke(cli, ["export", "--db", db_url, "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 0 and pq.read_table(out).num_rows == len(records)
    assert runner.invoke(cli, ["export", "--db", db_url, "--format", "parquet"]).exit_code == 2


def test_ingest_events_incidents_table(db_url: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["ingest", str(DEMO), "--db", db_url])
    result = runner.invoke(
        cli, ["events", "--db", db_url, "--incidents", "--dyad", "BLR-UKR", "--format", "jsonl"]
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all("n_sources" in r and r["incident_id"] for r in records)
    every = runner.invoke(cli, ["events", "--db", db_url, "--dyad", "BLR-UKR", "--format", "jsonl"])
    assert len(records) < len(every.stdout.splitlines())


def test_ingest_edited_corpus_record_is_a_new_revision_with_new_event_ids(
    store: Store, res: Resources, tmp_path: Path
) -> None:
    corpus = tmp_path / "c.jsonl"
    record = {
        "id": "r1",
        "published": "2024-06-26",
        "text": "Belarus moved troops to the border with Ukraine on Monday.",
    }
    corpus.write_text(json.dumps(record) + "\n")
    ingest([str(corpus)], store, res)
    corpus.write_text(
        json.dumps({**record, "text": record["text"] + " Kyiv condemned the move."}) + "\n"
    )
    assert ingest([str(corpus)], store, res).stored == 1
    current = list(store.events())
    assert {e["event"] for e in current} == {"MOBILIZE", "ACCUSE"}
    assert all(e["doc_id"] == "r1" for e in current)
