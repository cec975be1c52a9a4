"""The REST API of ``detente serve`` in process: every endpoint, filter and error, answered
from the demo corpus's store and compared with what the library gives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from detente.analysis import analyse
from detente.analysis.dyads import dyad_summaries
from detente.analysis.frames import tension_rows
from detente.cli import cli
from detente.exports import EVENT_COLUMNS, INCIDENT_COLUMNS
from detente.store import Store, open_store
from tests.web import app_over, call

pytestmark = pytest.mark.slow
BLR_UKR = ("BLR", "UKR")


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{demo_db}", create=False)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def app(store: Store, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    rules = tmp_path_factory.mktemp("rules") / "rules.yaml"
    rules.write_text("rules:\n  - {name: any tension, dyad: BLR-UKR, index_above: 0.1}\n")
    return app_over(store, rules=rules)


@pytest.fixture(scope="module")
def every_event(store: Store) -> list[dict[str, Any]]:
    return list(store.events())


def get(app: FastAPI, url: str, **params: Any) -> Any:
    response = call(app, "GET", url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def walk(app: FastAPI, url: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, following the cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        page = get(app, url, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursors never end")


def error(app: FastAPI, url: str, status: int, method: str = "GET", **options: Any) -> str:
    response = call(app, method, url, **options)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert isinstance(body["error"]["detail"], str) and body["error"]["detail"]
    return str(body["error"]["detail"])


def test_web_api_root_counts_the_store(app: FastAPI, store: Store) -> None:
    assert get(app, "/api/v1/")["counts"] == store.counts()


def test_web_api_documents_with_text_and_sentences(app: FastAPI, store: Store) -> None:
    listed = walk(app, "/api/v1/documents", 2)
    assert len(listed) == len({d["content_hash"] for d in listed}) >= 5
    assert all("text" not in d and d["latest"] for d in listed)
    one = get(app, f"/api/v1/documents/{listed[0]['doc_id']}")
    assert one["text"] and one["sentences"]
    for s in one["sentences"]:
        assert one["text"][s["start"] : s["end"]] == s["text"]
    assert error(app, "/api/v1/documents/no-such-doc", 404) == "no document 'no-such-doc'"


def test_web_api_events_page_through_every_event_in_order(
    app: FastAPI, every_event: list[dict[str, Any]]
) -> None:
    walked = walk(app, "/api/v1/events", 7)
    assert sorted(e["id"] for e in walked) == sorted(e["id"] for e in every_event)
    days = [e["date"] or "9999" for e in walked]
    firsts = [d if len(d) == 10 else d + "-01" * ((10 - len(d)) // 3) for d in days]
    assert firsts == sorted(firsts)  # oldest first, undated last
    assert len(walk(app, "/api/v1/events", 500)) == len(walked)


def _ids(items: list[dict[str, Any]]) -> set[str]:
    return {e["id"] for e in items}


def test_web_api_event_filters_match_the_library(
    app: FastAPI, store: Store, every_event: list[dict[str, Any]]
) -> None:
    def api(**params: Any) -> set[str]:
        return _ids(walk(app, "/api/v1/events", 500, **params))

    assert api(dyad="BLR-UKR") == _ids(list(store.events(dyad=BLR_UKR))) != set()
    assert api(dyad="ukr-blr") == api(dyad="BLR-UKR")
    assert api(actor="blr") == _ids(list(store.events(actor="BLR"))) != set()
    assert api(type="MOBILIZE") == _ids(list(store.events(event_type="MOBILIZE"))) != set()
    july = store.events(since=dt.date(2024, 7, 1), until=dt.date(2024, 7, 31))
    assert api(since="2024-07-01", until="2024-07-31") == _ids(list(july)) != set()

    def where(test: Any) -> set[str]:
        return {e["id"] for e in every_event if test(e)}

    assert api(recipient="UKR") == where(lambda e: "UKR" in {m["code"] for m in e["recipient"]})
    assert api(quad=4) == where(lambda e: e["quad_code"] == 4) != set()
    assert api(status="alleged") == where(lambda e: e["status"] == "alleged") != set()
    coders = {e["coder"] for e in every_event}
    for coder in coders:
        assert api(coder=coder) == where(lambda e, c=coder: e["coder"] == c) != set()
    assert api(q="troops") == where(lambda e: "troops" in json.dumps(e, ensure_ascii=False).lower())
    assert api(q="100%_") == set()  # LIKE's wildcards are plain characters
    incident = next(e["incident_id"] for e in every_event if e["incident_id"])
    assert api(incident=incident) == where(lambda e: e["incident_id"] == incident) != set()
    both = api(dyad="BLR-UKR", quad=4)
    assert both == api(dyad="BLR-UKR") & api(quad=4)


def test_web_api_events_as_csv(app: FastAPI, every_event: list[dict[str, Any]]) -> None:
    response = call(app, "GET", "/api/v1/events", params={"format": "csv", "limit": 3})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3 and list(rows[0]) == list(EVENT_COLUMNS)
    assert response.headers["x-next-cursor"]
    incidents = call(app, "GET", "/api/v1/incidents", params={"format": "csv"})
    assert list(next(csv.DictReader(io.StringIO(incidents.text)))) == list(INCIDENT_COLUMNS)


def test_web_api_event_and_incident_records(
    app: FastAPI, store: Store, every_event: list[dict[str, Any]]
) -> None:
    first = every_event[0]
    one = get(app, f"/api/v1/events/{first['id']}")
    assert one == {**first, "superseded": False}
    listed = walk(app, "/api/v1/incidents", 4, dyad="BLR-UKR")
    assert [i["incident_id"] for i in listed] == [
        r["incident_id"] for r in store.events(dyad=BLR_UKR, incidents_only=True)
    ]
    assert all(i["sources"] for i in listed)
    detail = get(app, f"/api/v1/incidents/{listed[0]['incident_id']}")
    assert detail["sources"] == listed[0]["sources"]
    assert len(detail["reports"]) == detail["n_events"]
    assert all(r["id"] for r in detail["reports"])
    assert error(app, "/api/v1/events/nope", 404) == "no event 'nope'"
    assert error(app, "/api/v1/incidents/nope", 404) == "no incident 'nope'"


def test_web_api_dyads_and_their_analytics(app: FastAPI, store: Store) -> None:
    dyads = get(app, "/api/v1/dyads", limit=2, sort="incidents")
    library = [s.row() for s in dyad_summaries(store, sort="incidents")]
    assert dyads["items"] == library[:2] and dyads["total"] == len(library)
    analysis = analyse(store, BLR_UKR)
    series = get(app, "/api/v1/dyads/BLR-UKR/tension")
    assert series == {"items": tension_rows(analysis), "truncated": False}
    weekly = get(app, "/api/v1/dyads/BLR-UKR/tension", freq="week")["items"]
    assert weekly == tension_rows(analysis, "week")
    one_side = get(app, "/api/v1/dyads/BLR-UKR/tension", **{"from": "BLR"})["items"]
    assert one_side == tension_rows(analyse(store, BLR_UKR, direction="BLR"))
    turns = get(app, "/api/v1/dyads/BLR-UKR/turns")["items"]
    assert {t["kind"] for t in turns} >= {"de-escalation"}
    reciprocity = get(app, "/api/v1/dyads/BLR-UKR/reciprocity")
    assert len(reciprocity["lagged"]) == 2
    assert "FRA" in error(app, "/api/v1/dyads/FRA-NZL/tension", 404)
    error(app, "/api/v1/dyads/BLR-BLR/turns", 400)
    error(app, "/api/v1/dyads/BLR-UKR/tension", 400, params={"from": "POL"})


def test_web_api_alerts(app: FastAPI, store: Store) -> None:
    fired = get(app, "/api/v1/alerts")["items"]
    assert fired and all(a["rule"] == "any tension" and a["evidence"] for a in fired)
    assert error(app_over(store), "/api/v1/alerts", 404).startswith("no alert rules")


@pytest.mark.parametrize(
    ("url", "params", "status", "says"),
    [
        ("/api/v1/events", {"dyad": "Belarus"}, 422, "dyad"),
        ("/api/v1/events", {"type": "SHOUT"}, 422, "type"),
        ("/api/v1/events", {"quad": 5}, 422, "quad"),
        ("/api/v1/events", {"since": "yesterday"}, 422, "since"),
        ("/api/v1/events", {"limit": 0}, 422, "limit"),
        ("/api/v1/events", {"limit": 501}, 422, "limit"),
        ("/api/v1/events", {"cursor": "not-a-cursor"}, 400, "cursor"),
        ("/api/v1/incidents", {"status": "rumoured"}, 422, "status"),
        ("/api/v1/dyads", {"sort": "size"}, 422, "sort"),
        ("/api/v1/nowhere", {}, 404, "Not Found"),
    ],
)
def test_web_api_errors_are_one_json_body(
    app: FastAPI, url: str, params: dict[str, Any], status: int, says: str
) -> None:
    assert says in error(app, url, status, params=params)


def test_web_api_wrong_method_is_a_json_error(app: FastAPI) -> None:
    error(app, "/api/v1/events", 405, method="POST")


def test_web_api_openapi_and_its_docs_page(app: FastAPI) -> None:
    schema = get(app, "/api/v1/openapi.json")
    paths = set(schema["paths"])
    assert {"/api/v1/events", "/api/v1/incidents/{incident_id}", "/api/v1/documents"} <= paths
    assert "post" in schema["paths"]["/api/v1/documents"]
    page = call(app, "GET", "/api/docs")
    assert page.status_code == 200 and "/api/v1/events" in page.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text)  # nothing from elsewhere
    assert "<script" not in page.text
    assert call(app, "GET", "/docs").status_code == 404  # the framework's page, off


def test_web_serve_command_answers_over_http(demo_db: Path) -> None:
    """``detente serve`` starts uvicorn on a real port and answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "detente.cli", "serve", "--db", f"sqlite:///{demo_db}",
               "--port", str(port)]  # fmt: skip
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        said = server.stderr.readline()
        assert f"http://127.0.0.1:{port}/" in said and "open to anyone" in said
        for _ in range(100):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/events", params={"limit": 1})
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer.status_code == 200 and len(answer.json()["items"]) == 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_web_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code != 0 and "no store at" in str(result.exception or result.output)


def test_web_api_commitments_are_the_library_s(app: FastAPI, store: Store) -> None:
    from detente.analysis.commitments import STATUSES, commitments
    from detente.analysis.frames import commitment_rows
    from detente.web.api import CommitmentStatus

    assert get_args(CommitmentStatus) == STATUSES  # the API offers every status, no other
    library = commitment_rows(commitments(store))
    assert library, "the demo store should hold a commitment"
    every = get(app, "/api/v1/commitments")
    assert every == {"items": library, "total": len(library), "limit": 100, "truncated": False}
    first = library[0]
    pair = get(app, "/api/v1/commitments", dyad=first["dyad"])["items"]
    assert pair == commitment_rows(commitments(store, tuple(first["dyad"].split("-"))))
    assert first in pair
    same = get(app, "/api/v1/commitments", status=first["status"])["items"]
    assert same and all(r["status"] == first["status"] for r in same)
    assert [r for r in library if r["status"] == first["status"]] == same
    one = get(app, "/api/v1/commitments", limit=1)
    assert one["items"] == library[:1] and one["truncated"] == (len(library) > 1)
    on = dt.date.fromisoformat(first["date"])
    that_day = get(app, "/api/v1/commitments", since=first["date"], until=first["date"])["items"]
    assert that_day == commitment_rows(commitments(store, since=on, until=on))
    assert first["id"] in {r["id"] for r in that_day}
    assert all(r["date"] == first["date"] for r in that_day)
    assert get(app, "/api/v1/commitments", until="1990-01-01")["items"] == []
    judged = get(app, "/api/v1/commitments", as_of=first["date"])["items"]
    assert judged == commitment_rows(commitments(store, as_of=on))
    assert "status" in error(app, "/api/v1/commitments", 422, params={"status": "broken"})
    assert "dyad" in error(app, "/api/v1/commitments", 422, params={"dyad": "Belarus"})
    assert error(app, "/api/v1/commitments", 400, params={"dyad": "BLR-BLR"})
    assert "limit" in error(app, "/api/v1/commitments", 422, params={"limit": 501})
    assert "/api/v1/commitments" in get(app, "/api/v1/openapi.json")["paths"]
    page = call(app, "GET", f"/dyads/{first['dyad']}").text  # the dyad page's section
    section = page[page.index("<table id=commitments>") :]
    section = section[: section.index("</table>")]
    assert section.count("<tr>") == len(pair) + 1  # a row each, and the head
    assert f"<td class=day>{first['date']}</td>" in section and first["act"] in section


def test_web_api_analytics_over_a_date_range_are_the_library_s(app: FastAPI, store: Store) -> None:
    from detente.analysis.frames import lagged_rows, match_rows, turn_rows

    whole = analyse(store, BLR_UKR)
    until = whole.matches[-1].first.date - dt.timedelta(days=1)  # before the last match
    span = {"since": "2024-06-15", "until": until.isoformat()}
    bounded = analyse(store, BLR_UKR, since=dt.date(2024, 6, 15), until=until)
    assert get(app, "/api/v1/dyads/BLR-UKR/turns", **span)["items"] == turn_rows(bounded)
    assert get(app, "/api/v1/dyads/BLR-UKR/turns")["items"] == turn_rows(whole)
    answer = get(app, "/api/v1/dyads/BLR-UKR/reciprocity", **span)
    assert answer["items"] == match_rows(bounded) and answer["lagged"] == lagged_rows(bounded)
    assert get(app, "/api/v1/dyads/BLR-UKR/reciprocity")["items"] == match_rows(whole)
    assert match_rows(bounded) != match_rows(whole)  # the range does bound them
    assert "no dated incident" in error(
        app, "/api/v1/dyads/BLR-UKR/turns", 404, params={"until": "1990-01-01"}
    )


def test_web_api_incidents_are_filtered_by_their_own_date(app: FastAPI, store: Store) -> None:
    from sqlalchemy import and_, select

    from detente.store.schema import events, incidents

    since, until = dt.date(2024, 7, 1), dt.date(2024, 7, 31)
    walked = walk(app, "/api/v1/incidents", 3, since="2024-07-01", until="2024-07-31")
    current = select(events.c.incident_id).where(events.c.superseded.is_(False))
    with store.engine.connect() as conn:
        dated = conn.execute(
            select(incidents.c.id, incidents.c.date_start)
            .where(and_(incidents.c.date_start.between(since, until), incidents.c.id.in_(current)))
            .order_by(incidents.c.date_start, incidents.c.id)
        ).all()
    assert dated and [i["incident_id"] for i in walked] == [r.id for r in dated]
    alleged = walk(app, "/api/v1/incidents", 500, dyad="BLR-UKR", status="alleged")
    expected = {e["incident_id"] for e in store.events(dyad=BLR_UKR)
                if e["status"] == "alleged" and e["incident_id"]}  # fmt: skip
    assert alleged and {i["incident_id"] for i in alleged} == expected
