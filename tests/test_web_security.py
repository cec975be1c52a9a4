"""Who may do what through ``detente serve``: tokens, scopes, private reads, body limits, rate
limits, CORS; and the tokens' commands."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from detente.cli import cli
from detente.nlp.pipeline import Resources
from detente.store import Store
from detente.store.schema import api_tokens
from detente.store.tokens import create_token, verify_token
from detente.web.auth import RateLimiter
from tests.web import app_over, bearer, call, copied_store

pytestmark = pytest.mark.slow
DOC = {
    "id": "web-1",
    "text": "Belarus said on Monday that Ukraine had amassed troops near the border.",
    "published": "2024-08-05",
    "title": "Minsk accuses Kyiv",
}
# Every write endpoint, with a body it would accept.
WRITES = [
    ("POST", "/api/v1/documents", DOC),
    ("POST", "/api/v1/events/any/reviews", {"comment": "c", "wrong": True}),
    ("POST", "/api/v1/incidents/any/merge", {"comment": "c", "with": "other"}),
    ("POST", "/api/v1/incidents/any/split", {"comment": "c", "events": ["e"]}),
]


def test_web_writes_list_is_every_write(demo_db: Path, tmp_path: Path) -> None:
    app = app_over(copied_store(demo_db, tmp_path))
    paths = app.openapi()["paths"]
    posted = {(m.upper(), p.replace("{event_id}", "any").replace("{incident_id}", "any"))
              for p, methods in paths.items() for m in methods if m != "get"}  # fmt: skip
    assert posted == {(m, u) for m, u, _ in WRITES}


@pytest.fixture
def store(demo_db: Path, tmp_path: Path) -> Store:
    return copied_store(demo_db, tmp_path)


def test_web_tokens_store_only_a_hash(store: Store) -> None:
    secret = create_token(store, "analyst", "review")
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(api_tokens))]
    assert len(rows) == 1 and secret not in json.dumps(rows)
    token = verify_token(store, secret)
    assert token is not None and token.name == "analyst" and token.allows("review")
    assert not token.allows("ingest")
    assert verify_token(store, secret + "x") is None


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_web_writes_need_a_token_of_their_scope(
    store: Store, res: Resources, method: str, url: str, body: dict[str, str]
) -> None:
    app = app_over(store, res)
    reader = create_token(store, "reader", "read")
    before = store.counts()
    for headers in ({}, bearer("dtt_wrong"), {"Authorization": "Basic abc"}):
        response = call(app, method, url, json=body, headers=headers)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
    assert call(app, method, url, json=body, headers=bearer(reader)).status_code == 403
    assert store.counts() == before  # the refused calls wrote nothing


def test_web_post_document_codes_and_stores_it(store: Store, res: Resources) -> None:
    app = app_over(store, res)
    token = create_token(store, "feeder", "ingest")
    response = call(app, "POST", "/api/v1/documents", json=DOC, headers=bearer(token))
    assert response.status_code == 201, response.text
    done = response.json()
    assert done["stored"] and done["events"] >= 1 and done["by"] == "feeder"
    event = call(app, "GET", f"/api/v1/events/{done['event_ids'][0]}").json()
    assert event["doc_id"] == "web-1" and event["event"]
    stored = call(app, "GET", "/api/v1/documents/web-1").json()
    assert stored["title"] == "Minsk accuses Kyiv" and stored["text"] == DOC["text"]
    again = call(app, "POST", "/api/v1/documents", json=DOC, headers=bearer(token)).json()
    assert again["stored"] is False and again["events"] == 0


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"id": "x", "text": "Die Regierung hat heute Truppen an die Grenze verlegt."}, "English"),
        ({"id": "x", "text": "Belarus moved troops.", "published": "someday"}, "published"),
        ({"id": "x"}, "text"),
        ({"text": "Belarus moved troops."}, "id"),
    ],
)
def test_web_post_document_refuses_bad_records(
    store: Store, res: Resources, body: dict[str, str], says: str
) -> None:
    app = app_over(store, res)
    token = create_token(store, "feeder", "ingest")
    response = call(app, "POST", "/api/v1/documents", json=body, headers=bearer(token))
    assert response.status_code == 422
    assert says in response.json()["error"]["detail"]


def test_web_private_reads_need_a_token(store: Store) -> None:
    app = app_over(store, read_public=False)
    for url in ("/api/v1/", "/api/v1/events", "/api/v1/dyads", "/api/v1/dyads/BLR-UKR/tension"):
        assert call(app, "GET", url).status_code == 401
        assert call(app, "GET", url, headers=bearer("dtt_wrong")).status_code == 401
    token = create_token(store, "reader", "read")
    assert call(app, "GET", "/api/v1/events", headers=bearer(token)).status_code == 200
    public = app_over(store)
    assert call(public, "GET", "/api/v1/events").status_code == 200
    assert call(public, "GET", "/api/v1/events", headers=bearer("dtt_wrong")).status_code == 401


def test_web_bodies_over_the_limit_get_413(store: Store) -> None:
    app = app_over(store, max_body=1000)
    before = store.counts()
    token = create_token(store, "feeder", "ingest")
    big = {"id": "big", "text": "Belarus moved troops. " * 100}
    response = call(app, "POST", "/api/v1/documents", json=big, headers=bearer(token))
    assert response.status_code == 413 and "1000 bytes" in response.json()["error"]["detail"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the body streams
        for _ in range(20):
            yield b"x" * 100

    streamed = call(
        app, "POST", "/api/v1/documents", content=chunks(),
        headers={**bearer(token), "Content-Type": "application/json"},
    )  # fmt: skip
    assert streamed.status_code == 413, streamed.text
    assert store.counts() == before


def test_web_writes_are_rate_limited_per_token(store: Store) -> None:
    app = app_over(store, writes_per_minute=2)
    first, second = create_token(store, "a", "ingest"), create_token(store, "b", "ingest")
    empty = {"id": "e", "text": ""}  # refused (422) after it is counted: no coding needed
    codes = [
        call(app, "POST", "/api/v1/documents", json=empty, headers=bearer(first)).status_code
        for _ in range(3)
    ]
    assert codes == [422, 422, 429]
    other = call(app, "POST", "/api/v1/documents", json=empty, headers=bearer(second))
    assert other.status_code == 422  # another token has its own share


def test_web_rate_limiter_window_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("t")
    limiter.check("t")
    with pytest.raises(Exception, match="2 writes in the last minute"):
        limiter.check("t")
    now[0] = 60.0
    limiter.check("t")


def test_web_cors_is_off_unless_configured(store: Store) -> None:
    origin = {"Origin": "https://example.org"}
    closed = call(app_over(store), "GET", "/api/v1/", headers=origin)
    assert "access-control-allow-origin" not in closed.headers
    opened = call(app_over(store, cors_origins=("https://example.org",)), "GET", "/api/v1/",
                  headers=origin)  # fmt: skip
    assert opened.headers["access-control-allow-origin"] == "https://example.org"


def test_web_tokens_commands(store: Store) -> None:
    url = str(store.engine.url)
    runner = CliRunner()
    made = runner.invoke(
        cli, ["tokens", "create", "--db", url, "--name", "me", "--scope", "review"]
    )
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("dtt_") and "shown this once" in made.stderr
    found = verify_token(store, secret)
    assert found is not None and found.scope == "review"
    listed = runner.invoke(cli, ["tokens", "list", "--db", url, "--format", "jsonl"])
    assert json.loads(listed.stdout)["name"] == "me" and secret not in listed.stdout
    twice = runner.invoke(cli, ["tokens", "create", "--db", url, "--name", "me"])
    assert twice.exit_code != 0
    assert runner.invoke(cli, ["tokens", "revoke", "--db", url, "--name", "me"]).exit_code == 0
    assert verify_token(store, secret) is None
