"""The web app's reads, tokens and reviews on both backends (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from detente import ingest, open_store
from detente.analysis import analyse
from detente.analysis.frames import tension_rows
from detente.nlp.pipeline import Resources
from detente.store import Store
from detente.store.reviews import list_reviews, review_event
from detente.store.tokens import create_token
from tests.conftest import DEMO
from tests.web import app_over, bearer, call

pytestmark = pytest.mark.slow


@pytest.fixture
def store(db_url: str, res: Resources) -> Iterator[Store]:
    opened = open_store(db_url)
    ingest([str(DEMO)], opened, res)
    yield opened
    opened.close()


def _walk(store: Store, **params: Any) -> list[str]:
    app = app_over(store)
    ids: list[str] = []
    cursor = None
    while True:
        page = call(app, "GET", "/api/v1/events",
                    params={"limit": 4, **params, **({"cursor": cursor} if cursor else {})}).json()  # fmt: skip
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def test_web_backend_pages_filters_tokens_and_reviews(store: Store) -> None:
    every = list(store.events())
    assert sorted(_walk(store)) == sorted(e["id"] for e in every)
    assert (
        set(_walk(store, q="TROOPS"))
        == {e["id"] for e in every if "troops" in str(e).lower()}
        != set()
    )
    coder = every[0]["coder"]
    assert set(_walk(store, coder=coder, quad=every[0]["quad_code"])) == {
        e["id"] for e in every if e["coder"] == coder and e["quad_code"] == every[0]["quad_code"]
    }
    app = app_over(store)
    incidents = call(app, "GET", "/api/v1/incidents", params={"dyad": "BLR-UKR", "limit": 3})
    assert incidents.status_code == 200 and incidents.json()["next_cursor"]
    token = create_token(store, "rev", "review")
    event = next(e for e in every if e["quad_code"] == 4 and e["status"] == "asserted"
                 and e["date"] and {m["code"] for m in e["actor"]} & {"BLR", "UKR"})  # fmt: skip
    before = tension_rows(analyse(store, ("BLR", "UKR")))
    made = call(app, "POST", f"/api/v1/events/{event['id']}/reviews",
                json={"comment": "no such move", "wrong": True}, headers=bearer(token))  # fmt: skip
    assert made.status_code == 201, made.text
    assert [r.target for r in list_reviews(store)] == [event["id"]]
    assert tension_rows(analyse(store, ("BLR", "UKR"))) != before
    review_event(store, every[1]["id"], changes={"date": "2024-06"}, comment="month only",
                 reviewer="t")  # fmt: skip
    assert next(e for e in store.events() if e["id"] == every[1]["id"])["date"] == "2024-06"
