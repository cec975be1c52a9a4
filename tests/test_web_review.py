"""Analysts' reviews: stored apart from the coder's output, applied by the analytics, the
exports, the report and the API, and holding across re-ingests and revisions."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from detente import ingest, open_store
from detente.analysis import analyse
from detente.analysis.data import dyad_points
from detente.analysis.dyads import dyad_summaries, weekly_index
from detente.analysis.frames import tension_rows
from detente.cli import cli
from detente.exports import write_text
from detente.nlp.pipeline import Resources
from detente.report.html import render_report
from detente.store import Store
from detente.store.reviews import (
    list_reviews,
    merge_incidents,
    resolve,
    review_event,
    split_incident,
)
from detente.store.schema import events
from detente.store.tokens import create_token
from tests.conftest import DEMO
from tests.web import app_over, bearer, call, copied_store

pytestmark = pytest.mark.slow
BLR_UKR = ("BLR", "UKR")


@pytest.fixture
def store(demo_db: Path, tmp_path: Path) -> Store:
    return copied_store(demo_db, tmp_path)


def _hostile(store: Store) -> dict[str, Any]:
    """A BLR-UKR event of material conflict the analytics count."""
    return next(
        e for e in store.events(dyad=BLR_UKR)
        if e["quad_code"] == 4 and e["status"] == "asserted" and e["incident_id"] and e["date"]
    )  # fmt: skip


def _exported(store: Store) -> list[dict[str, Any]]:
    out = io.StringIO()
    write_text(store.events(), "jsonl", out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_review_reviewed_path_gives_the_stored_incidents_when_nothing_in_the_pair_changed(
    store: Store,
) -> None:
    stored = dyad_points(store, BLR_UKR, with_text=True)
    other = next(e for e in store.events() if {m["code"] for m in e["actor"]} - {"BLR", "UKR"})
    review_event(store, other["id"], wrong=True, comment="not an act", reviewer="t")
    assert resolve(store)  # the reviewed path is taken now
    assert dyad_points(store, BLR_UKR, with_text=True) == stored


def test_review_marking_wrong_changes_series_export_and_report(store: Store) -> None:
    event = _hostile(store)
    before_series = tension_rows(analyse(store, BLR_UKR))
    before_report = render_report(store, BLR_UKR)
    coded = list(store.events())
    review_event(store, event["id"], wrong=True, comment="a drill, not a build-up", reviewer="ann")
    after_series = tension_rows(analyse(store, BLR_UKR))
    assert after_series != before_series
    assert sum(r["hostility"] for r in after_series) < sum(r["hostility"] for r in before_series)
    exported = _exported(store)
    assert event["id"] not in {e["id"] for e in exported}
    assert len(exported) == len(coded) - 1
    assert render_report(store, BLR_UKR) != before_report
    # the coder's output is untouched: the stored record is the one it wrote
    with store.engine.connect() as conn:
        stored = conn.execute(select(events.c.payload).where(events.c.id == event["id"])).scalar()
    assert json.loads(str(stored)) == {k: v for k, v in event.items() if k != "incident_id"}
    (review,) = list_reviews(store)
    assert review.reviewer == "ann" and review.before["event"] == event["event"]


def test_review_changing_type_is_applied_and_recorded(store: Store) -> None:
    event = _hostile(store)
    points = dyad_points(store, BLR_UKR)
    review_event(store, event["id"], changes={"event": "CONSULT", "status": "alleged"},
                 comment="talks, not troops", reviewer="bo")  # fmt: skip
    changed = next(e for e in _exported(store) if e["id"] == event["id"])
    assert changed["event"] == "CONSULT" and changed["status"] == "alleged"
    assert changed["quad_code"] == 1 and changed["intensity"] > 0 and changed["reviews"]
    after = dyad_points(store, BLR_UKR)
    assert any(p.event == "CONSULT" and p.status == "alleged" for p in after)
    assert len([p for p in after if p.event == "CONSULT"]) > len(
        [p for p in points if p.event == "CONSULT"]
    )
    (review,) = list_reviews(store, target=event["id"])
    assert review.before == {"event": event["event"], "status": "asserted"}
    assert review.after == {"event": "CONSULT", "status": "alleged"}


def test_review_merge_and_split_change_the_incidents(store: Store) -> None:
    points = dyad_points(store, BLR_UKR)
    first, second = points[0].incident_id, points[1].incident_id
    merge_incidents(store, first, second, comment="one act", reviewer="cy")
    merged = dyad_points(store, BLR_UKR)
    assert len(merged) == len(points) - 1
    big = next(p for p in points if p.n_events > 1 and p.incident_id not in (first, second))
    members = [e["id"] for e in store.events() if e["incident_id"] == big.incident_id]
    split_incident(store, big.incident_id, members[:1], comment="two acts", reviewer="cy")
    assert len(dyad_points(store, BLR_UKR)) == len(merged) + 1


def test_review_survives_reingest_and_a_revision(tmp_path: Path, res: Resources) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    page = folder / "buildup.md"
    shutil.copy(DEMO / "2024-06-21-border-buildup.md", page)
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    ingest([str(folder)], store, res)
    # the build-up the page reports (one incident: the troops and the drones), denied by Kyiv
    moves = [e for e in store.events() if e["event"] == "MOBILIZE"]
    assert len({e["incident_id"] for e in moves}) == 1
    for move in moves:
        review_event(store, move["id"], changes={"status": "denied"}, comment="Kyiv denied it",
                     reviewer="di")  # fmt: skip
    event = moves[0]

    def status() -> set[str]:
        return {e["status"] for e in store.events() if e["event"] == "MOBILIZE"}

    assert status() == {"denied"}
    ingest([str(folder)], store, res)  # the same document again: stored once, still reviewed
    assert status() == {"denied"}
    page.write_text(page.read_text() + "\nThe committee gave no figures.\n")
    ingest([str(folder)], store, res)  # a revision: new events, the same sentence
    revised = [e for e in store.events() if e["event"] == "MOBILIZE" and e["text"] == event["text"]]
    assert revised and revised[0]["id"] != event["id"]  # the revision's own event ...
    assert status() == {"denied"}  # ... reviewed all the same
    assert any(p.status == "denied" for p in dyad_points(store, BLR_UKR))
    store.close()


def test_review_through_the_api(store: Store) -> None:
    app = app_over(store)
    event = _hostile(store)
    url = f"/api/v1/events/{event['id']}/reviews"
    body = {"comment": "wrong side", "actor": ["UKR"], "recipient": ["BLR"]}
    reader, reviewer = create_token(store, "r", "read"), create_token(store, "v", "review")
    ingester = create_token(store, "i", "ingest")
    for headers in ({}, bearer("dtt_nope")):
        assert call(app, "POST", url, json=body, headers=headers).status_code == 401
    for token in (reader, ingester):
        assert call(app, "POST", url, json=body, headers=bearer(token)).status_code == 403
    assert list_reviews(store) == []
    made = call(app, "POST", url, json=body, headers=bearer(reviewer))
    assert made.status_code == 201, made.text
    assert made.json()["reviewer"] == "v" and made.json()["after"]["actor"] == ["UKR"]
    shown = call(app, "GET", f"/api/v1/events/{event['id']}").json()
    assert [m["code"] for m in shown["actor"]] == ["UKR"] and shown["wrong"] is False
    assert shown["coded"]["actor"] == event["actor"]
    listed = call(app, "GET", "/api/v1/reviews").json()["items"]
    assert [r["target"] for r in listed] == [event["id"]]
    table = call(app, "GET", "/api/v1/reviews", params={"format": "csv"}).text
    assert table.splitlines()[0] == "id,action,target,before,after,comment,reviewer,created_at"
    for bad, says in [({"comment": "x", "event": "SHOUT"}, "event"),
                      ({"comment": "x", "date": "2024-02-30"}, "date"),
                      ({"comment": "x", "event": "CONSULT", "mode": "troops"}, "not a mode"),
                      ({"comment": "x"}, "nothing to change"),
                      ({"wrong": True}, "comment")]:  # fmt: skip
        answer = call(app, "POST", url, json=bad, headers=bearer(reviewer))
        assert answer.status_code == 422 and says in answer.json()["error"]["detail"], answer.text
    missing = call(app, "POST", "/api/v1/events/nope/reviews", json=body, headers=bearer(reviewer))
    assert missing.status_code == 404
    points = dyad_points(store, BLR_UKR)
    merge = {"comment": "same act", "with": points[1].incident_id}
    for headers in ({}, bearer(reader)):
        answer = call(app, "POST", f"/api/v1/incidents/{points[0].incident_id}/merge",
                      json=merge, headers=headers)  # fmt: skip
        assert answer.status_code in (401, 403)
    split = {"comment": "two acts", "events": ["x"]}
    for headers in ({}, bearer(reader)):
        answer = call(app, "POST", f"/api/v1/incidents/{points[0].incident_id}/split",
                      json=split, headers=headers)  # fmt: skip
        assert answer.status_code in (401, 403)


def test_review_commands(store: Store) -> None:
    url = str(store.engine.url)
    event = _hostile(store)
    runner = CliRunner()
    done = runner.invoke(cli, ["review", "event", event["id"], "--db", url, "--type", "consult",
                               "--comment", "talks", "--reviewer", "eve"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["after"] == json.dumps({"event": "CONSULT"})
    listed = runner.invoke(cli, ["review", "list", "--db", url, "--format", "csv"])
    assert "eve" in listed.stdout and event["id"] in listed.stdout
    bad = runner.invoke(cli, ["review", "event", "nope", "--db", url, "--wrong", "--comment", "x"])
    assert bad.exit_code != 0


def _row(store: Store, pair: str = "BLR-UKR") -> dict[str, Any]:
    return next(s.row() for s in dyad_summaries(store) if s.row()["dyad"] == pair)


def test_review_dyads_count_the_reviewed_incidents(store: Store) -> None:
    event = _hostile(store)
    before = _row(store)
    # a review that changes nothing material: the pair is now counted from its reviewed
    # incidents, which must give the summary table's figures
    review_event(store, event["id"], changes={"status": "asserted"}, comment="checked",
                 reviewer="ann")  # fmt: skip
    assert _row(store) == before
    lone = next(e for e in store.events(dyad=BLR_UKR, incidents_only=True)
                if e["n_events"] == 1 and e["date"] and e["quad_code"] == 4)  # fmt: skip
    review_event(store, lone["id"], wrong=True, comment="a drill", reviewer="ann")
    after = _row(store)
    assert after["incidents"] == before["incidents"] - 1
    assert after["events"] == before["events"] - 1
    assert after["hostility"] < before["hostility"]
    assert after["index"] != before["index"] or after["change_30d"] != before["change_30d"]
    # the API and the overview page show the same reviewed row
    app = app_over(store)
    listed = call(app, "GET", "/api/v1/dyads", params={"limit": 500}).json()["items"]
    assert next(r for r in listed if r["dyad"] == "BLR-UKR") == after


def test_review_moving_an_event_to_another_pair_counts_it_there(store: Store) -> None:
    lone = next(e for e in store.events(dyad=BLR_UKR, incidents_only=True)
                if e["n_events"] == 1 and len(e["date"] or "") == 10)  # fmt: skip
    before = _row(store)
    assert "FRA-UKR" not in {s.row()["dyad"] for s in dyad_summaries(store)}
    review_event(store, lone["id"], changes={"actor": ["FRA"], "recipient": ["UKR"]},
                 comment="France, not Belarus", reviewer="ann")  # fmt: skip
    assert _row(store)["incidents"] == before["incidents"] - 1
    moved = _row(store, "FRA-UKR")
    assert moved["incidents"] == 1 and moved["first"] == lone["date"][:10]


def test_review_overview_sparkline_follows_reviews(store: Store) -> None:
    app = app_over(store)

    def spark() -> str:
        html = call(app, "GET", "/").text
        row = html[html.index('href="/dyads/BLR-UKR"') :]
        return row[row.index('<svg class="spark"') : row.index("</svg>")]

    shown = spark()
    for e in [e for e in store.events(dyad=BLR_UKR) if e["quad_code"] == 4][:5]:
        review_event(store, e["id"], wrong=True, comment="not troops", reviewer="ann")
    assert spark() != shown


def test_review_weekly_index_from_the_summary_is_the_analysis_s(store: Store) -> None:
    analysis = analyse(store, BLR_UKR)
    first, last = analysis.days[0].date, analysis.days[-1].date
    drawn = weekly_index(store, [BLR_UKR], first, last)[BLR_UKR]
    assert drawn == pytest.approx([w.index for w in analysis.weeks], abs=1e-9)
    review_event(store, _hostile(store)["id"], wrong=True, comment="a drill", reviewer="ann")
    reviewed = analyse(store, BLR_UKR, since=first, until=last)
    assert weekly_index(store, [BLR_UKR], first, last)[BLR_UKR] == pytest.approx(
        [w.index for w in reviewed.weeks], abs=1e-9
    )
    assert [w.index for w in reviewed.weeks] != pytest.approx(drawn)
