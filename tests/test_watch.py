"""The watcher against a real HTTP server on 127.0.0.1, with the real coder and a real SQLite
store: new items only, revisions, 304s, failures that back off, status, kill and restart."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import detente
from detente.nlp.pipeline import Resources
from detente.store import Store, schema
from detente.watch import Fetcher, FetchSettings, Watcher, load_sources, state
from detente.watch.deliver import SIGNATURE_HEADER, FileChannel, alert_id, sign
from detente.watch.status import check_sources, source_status
from tests.conftest import ROOT
from tests.webserver import FEED_TYPE, Entry, Reply, Site, article, rss, serve

DAY = dt.date(2024, 6, 20)
TEXTS = [
    "Belarus accused Ukraine on Thursday of massing troops and special forces near the border.",
    "Ukraine's border guard service said on Friday that its reinforcements were defensive.",
    "The Belarusian defence ministry ordered a snap inspection of units in the south on Saturday.",
    "Ukraine's foreign ministry urged Minsk on Sunday to pull its forces back from the frontier.",
    "Belarus deployed additional air defence units to the border with Ukraine on Monday.",
    "Lukashenko said on Tuesday that Belarus had moved missile systems toward the southern border.",
    "Ukrainian officials accused Minsk on Wednesday of preparing provocations on the border.",
    "Belarus and Ukraine agreed on Thursday to withdraw troops from their shared border.",
]


@pytest.fixture
def site() -> Iterator[Site]:
    yield from serve()


def story(i: int) -> str:
    """A distinct text for each item number."""
    return TEXTS[i % len(TEXTS)] + ("" if i < len(TEXTS) else f" It was report number {i}.")


def entry(i: int, site: Site, *, full: bool = True, text: str | None = None) -> Entry:
    body = text or story(i)
    return Entry(
        f"item-{i}",
        f"Border report {i}",
        DAY + dt.timedelta(days=i),
        body[:40],
        link=site.url(f"/story/{i}"),
        content=f"<p>{body}</p>" if full else None,
    )


def sources_yaml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(f"allow_private: true\nmin_interval: 0s\nsources:\n{body}", encoding="utf-8")
    return path


def quick_fetcher() -> Fetcher:
    return Fetcher(
        FetchSettings(
            allow_private=True,
            min_interval=0,
            read_timeout=1,
            total_timeout=2,
            retries=1,
            backoff=0.05,
            max_retry_wait=1,
        )
    )


def documents(store: Store) -> list[tuple[str, int, bool]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                schema.documents.c.url, schema.documents.c.revision, schema.documents.c.latest
            ).order_by(schema.documents.c.url, schema.documents.c.revision)
        )
        return [(r[0], int(r[1]), bool(r[2])) for r in rows]


def test_watch_ingests_exactly_the_new_items(
    site: Site, tmp_path: Path, res: Resources, db_url: str
) -> None:
    site.set(
        "/feed",
        Reply(rss("Wire", [entry(0, site), entry(1, site)]), content_type=FEED_TYPE, etag='"1"'),
    )
    site.set(
        "/summaries", Reply(rss("Digest", [entry(2, site, full=False)]), content_type=FEED_TYPE)
    )
    site.set(
        "/story/2", Reply(article("Inspection", DAY, [TEXTS[2], "The drills would last a week."]))
    )
    site.set(
        "/news/", Reply(b"<html><body><a href='/news/2024/air-defence'>story</a></body></html>")
    )
    site.set("/news/2024/air-defence", Reply(article("Air defence", DAY, [TEXTS[4]])))
    path = sources_yaml(
        tmp_path,
        f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1h}}\n"
        f"  - {{name: digest, url: '{site.url('/summaries')}', kind: feed, every: 1h}}\n"
        f"  - {{name: ministry, url: '{site.url('/news/')}', kind: page, every: 1h}}\n",
    )
    store = detente.open_store(db_url)
    try:
        watcher = Watcher(store, res, load_sources(path), quick_fetcher())
        first = watcher.run_round()
        assert {s.name: (s.status, s.new, s.stored) for s in first.sources} == {
            "wire": ("ok", 2, 2), "digest": ("ok", 1, 1), "ministry": ("ok", 1, 1),
        }  # fmt: skip
        assert first.sources[0].events > 0
        stored = documents(store)
        assert len(stored) == 4 and all(rev == 1 for _, rev, _ in stored)
        # the summary-only entry was read from its article page, whole
        with store.engine.connect() as conn:
            text = conn.execute(
                select(schema.documents.c.text).where(
                    schema.documents.c.url == site.url("/story/2")
                )
            ).scalar_one()
        assert "drills would last a week" in text

        # nothing is due yet: nothing is fetched
        hits = site.hits("/feed")
        assert watcher.run_round().sources == [] and site.hits("/feed") == hits

        # the feed grows by one entry and one entry is rewritten; the index page gains a link;
        # the digest has not changed
        changed = entry(1, site, text=TEXTS[1] + " It said the troops would stay in place.")
        site.set("/feed", Reply(rss("Wire", [entry(0, site), changed, entry(3, site)]),
                                content_type=FEED_TYPE, etag='"2"'))  # fmt: skip
        site.set("/news/", Reply(b"<html><body><a href='/news/2024/drills'>new</a>"
                                 b"<a href='/news/2024/air-defence'>story</a></body></html>"))  # fmt: skip
        site.set("/news/2024/drills", Reply(article("Drills", DAY, [TEXTS[5]])))
        second = watcher.run_round(force=True)
        by_name = {s.name: s for s in second.sources}
        assert (by_name["wire"].new, by_name["wire"].stored) == (2, 2)
        assert (by_name["ministry"].items, by_name["ministry"].new) == (2, 1)
        assert by_name["ministry"].stored == 1 and by_name["digest"].new == 0
        assert site.hits("/story/2") == 1 and site.hits("/news/2024/air-defence") == 1
        assert site.hits("/news/2024/drills") == 1
        stored = documents(store)
        assert len(stored) == 7
        assert (site.url("/story/1"), 2, True) in stored and (
            site.url("/story/1"),
            1,
            False,
        ) in stored

        # the same feed again, with its ETag: a 304, nothing read
        third = watcher.run_round(force=True)
        assert {s.name: s.status for s in third.sources}["wire"] == "not-modified"
        assert [r.headers.get("If-None-Match") for r in site.requests if r.path == "/feed"][
            -1
        ] == '"2"'
        assert len(documents(store)) == 7

        known = state.states(store)
        assert known["wire"].items_seen == 4 and known["wire"].failures == 0
        assert known["wire"].etag == '"2"'
    finally:
        store.close()


def test_watch_failures_back_off_and_each_is_one_line(
    site: Site, tmp_path: Path, res: Resources, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    site.set("/busy", Reply(b"busy", status=429, headers={"Retry-After": "3600"}))
    site.set("/broken", Reply(b"oops", status=500))
    site.set("/slow", Reply(rss("Slow", [entry(0, site)]), content_type=FEED_TYPE, delay=3))
    site.set("/loop", Reply(status=302, headers={"Location": "/loop2"}))
    site.set("/loop2", Reply(status=302, headers={"Location": "/loop"}))
    site.set(
        "/huge", Reply(b"<?xml version='1.0'?><rss>" + b" " * 20_000_000, content_type=FEED_TYPE)
    )
    site.set("/pdf", Reply(b"%PDF-1.7", content_type="application/pdf"))
    site.set(
        "/bad", Reply(b"<?xml version='1.0'?><rss><channel><title>x</ti", content_type=FEED_TYPE)
    )
    names = ["busy", "broken", "slow", "loop", "huge", "pdf", "bad"]
    path = sources_yaml(
        tmp_path,
        "".join(
            f"  - {{name: {n}, url: '{site.url('/' + n)}', kind: feed, every: 10m}}\n"
            for n in names
        ),
    )
    store = detente.open_store(sqlite_url)
    caplog.set_level(logging.INFO, logger="detente.watch")
    try:
        watcher = Watcher(store, res, load_sources(path), quick_fetcher())
        began = dt.datetime.now(dt.UTC)
        report = watcher.run_round()
        errors = {s.name: s.error or "" for s in report.sources}
        assert all(s.status == "failed" for s in report.sources) and len(report.sources) == 7
        assert "429" in errors["busy"] and "3600" in errors["busy"]
        assert "HTTP 500 after 2 attempts" in errors["broken"]
        assert "timed out" in errors["slow"]
        assert "redirect loop" in errors["loop"]
        assert "size cap" in errors["huge"]
        assert "application/pdf" in errors["pdf"]
        assert "not a readable feed" in errors["bad"]
        lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        for name in names:
            mine = [line for line in lines if line.startswith(f"source='{name}' status=failed")]
            assert len(mine) == 1 and "\n" not in mine[0], (name, lines)
        known = state.states(store)
        assert all(known[n].failures == 1 for n in names)
        due = {n: state.parse_stamp(known[n].next_due or "") - began for n in names}
        assert all(d >= dt.timedelta(minutes=20) for d in due.values())  # twice the interval
        assert due["busy"] >= dt.timedelta(seconds=3600)  # the server's own wait
        assert documents(store) == []

        # the next round (forced) fails again and waits longer; a mended source recovers
        site.set("/broken", Reply(rss("Mended", [entry(0, site)]), content_type=FEED_TYPE))
        watcher.run_round(force=True)
        known = state.states(store)
        assert known["broken"].failures == 0 and known["broken"].last_success
        assert known["pdf"].failures == 2
        again = state.parse_stamp(known["pdf"].next_due or "") - dt.datetime.now(dt.UTC)
        assert again > dt.timedelta(minutes=35)
        assert len(documents(store)) == 1
    finally:
        store.close()


def test_sources_status_counts_and_quiet(
    site: Site, tmp_path: Path, res: Resources, sqlite_url: str
) -> None:
    site.set("/feed", Reply(rss("Wire", [entry(0, site), entry(1, site)]), content_type=FEED_TYPE))
    site.set("/gone", Reply(b"gone", status=404, content_type="text/plain"))
    path = sources_yaml(
        tmp_path,
        f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1h}}\n"
        f"  - {{name: gone, url: '{site.url('/gone')}', kind: feed, every: 1h}}\n",
    )
    loaded = load_sources(path)
    with quick_fetcher() as client:
        checked = {r["source"]: r for r in check_sources(loaded, client)}
    assert checked["wire"]["status"] == "ok" and checked["wire"]["items"] == 2
    assert checked["gone"]["status"] == "failed" and "HTTP 404" in checked["gone"]["problem"]
    store = detente.open_store(sqlite_url)
    try:
        assert documents(store) == []  # check stores nothing
        Watcher(store, res, loaded, quick_fetcher()).run_round()
        now = dt.datetime.now(dt.UTC)
        rows = {s.name: s for s in source_status(store, quiet_after=86400, now=now)}
        assert (rows["wire"].items_day, rows["wire"].items_week) == (2, 2)
        assert rows["wire"].events_day > 0 and not rows["wire"].quiet
        assert rows["gone"].failures == 1 and "404" in (rows["gone"].last_error or "")
        later = {s.name: s for s in source_status(store, 86400, now + dt.timedelta(days=3))}
        assert (
            later["wire"].quiet and later["wire"].items_day == 0 and later["wire"].items_week == 2
        )
    finally:
        store.close()


# -- the command, killed and stopped ---------------------------------------------------------
def _run(
    args: list[str], stdout: Any, stderr: Any, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``detente ARGS`` in its own process; delivery settings only those of ``env``."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    environ = {k: v for k, v in environ.items() if not k.startswith(("DETENTE_WEBHOOK",
                                                                      "DETENTE_SMTP"))}  # fmt: skip
    environ.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "detente.cli", *args],
        cwd=ROOT,
        env=environ,
        text=True,
        stdout=stdout,
        stderr=stderr,
    )


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _wait(condition: object, seconds: float = 240.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


RULES = "rules:\n  - {name: accusations, actor: BLR, first_event: {event: ACCUSE}}\n" \
        "  - {name: build-up, dyad: BLR-UKR, first_event: {event: MOBILIZE}}\n"  # fmt: skip


def test_watch_killed_mid_round_resumes_without_loss_or_duplicates(
    site: Site, tmp_path: Path
) -> None:
    db = tmp_path / "watch.db"
    alerts = tmp_path / "alerts.jsonl"
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    entries = [entry(i, site, full=False) for i in range(3)]
    for i in range(3):
        site.set(
            f"/story/{i}", Reply(article(f"Story {i}", DAY + dt.timedelta(days=i), [story(i)]))
        )
    site.set("/feed", Reply(rss("Wire", entries), content_type=FEED_TYPE))
    path = sources_yaml(
        tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1s}}\n"
    )
    args = ["watch", "--sources", str(path), "--rules", str(tmp_path / "rules.yaml"), "--once",
            "--db", f"sqlite:///{db}", "--alert-file", str(alerts)]  # fmt: skip
    first = _run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_a, err_a = first.communicate(timeout=600)
    assert first.returncode == 0, err_a
    assert _count(db, "SELECT count(*) FROM documents") == 3
    delivered_a = [json.loads(line) for line in out_a.splitlines()]
    assert delivered_a, err_a  # the first round raised alerts and printed them

    # twelve more entries, each article slow to come: the watcher is killed after storing some
    total = 15
    for i in range(3, total):
        site.set(f"/story/{i}", Reply(article(f"Story {i}", DAY + dt.timedelta(days=i), [story(i)]),
                                      delay=0.3))  # fmt: skip
    site.set(
        "/feed",
        Reply(
            rss("Wire", [entry(i, site, full=False) for i in range(total)]), content_type=FEED_TYPE
        ),
    )
    second = _run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _wait(lambda: _count(db, "SELECT count(*) FROM documents") >= 4 or second.poll() is not None)
    second.send_signal(signal.SIGKILL)
    out_b, _ = second.communicate(timeout=60)
    assert second.returncode == -signal.SIGKILL
    assert 4 <= _count(db, "SELECT count(*) FROM documents") < total  # killed mid-round

    third = _run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_c, err_c = third.communicate(timeout=600)
    assert third.returncode == 0, err_c
    assert _count(db, "SELECT count(*) FROM documents") == total
    assert _count(db, "SELECT count(DISTINCT url) FROM documents") == total
    assert _count(db, "SELECT count(*) FROM source_items") == total
    assert _count(db, "SELECT count(*) FROM events WHERE superseded = 0") > 0
    printed = [json.loads(line)["id"] for out in (out_a, out_b, out_c) for line in out.splitlines()]
    filed = [json.loads(line)["id"] for line in alerts.read_text("utf-8").splitlines()]
    assert len(printed) == len(set(printed)) and len(filed) == len(set(filed))
    assert set(printed) == set(filed)
    assert _count(db, "SELECT count(*) FROM alert_outbox") == len(set(filed))


def _header(request: Any, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


def test_watch_killed_mid_send_resends_only_that_alert_with_its_key(
    site: Site, tmp_path: Path
) -> None:
    """SIGKILL while a webhook holds the first alert unanswered (the receiver has it; the
    watcher cannot know): the restarted watcher sends that one again, the same signed bytes
    under the same Idempotency-Key, marked a redelivery, and nothing else twice; a receiver that
    keeps the keys it took has every alert once. Stdout and the file have each alert once."""
    db = tmp_path / "watch.db"
    alerts = tmp_path / "alerts.jsonl"
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    site.set("/feed", Reply(rss("Wire", [entry(i, site) for i in (0, 4, 5)]),
                            content_type=FEED_TYPE))  # fmt: skip
    site.set("/hook", Reply(b"ok", content_type="text/plain", delay=600))  # holds every POST
    path = sources_yaml(
        tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1s}}\n"
    )
    env = {"DETENTE_WEBHOOK_URL": site.url("/hook"), "DETENTE_WEBHOOK_SECRET": "s3cret"}
    args = ["watch", "--sources", str(path), "--rules", str(tmp_path / "rules.yaml"), "--once",
            "--db", f"sqlite:///{db}", "--alert-file", str(alerts)]  # fmt: skip
    first = _run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _wait(lambda: len(site.posts) >= 1 or first.poll() is not None)
    first.send_signal(signal.SIGKILL)
    out_a, err_a = first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL, err_a
    sent = json.loads(site.posts[0].body)
    n = _count(db, "SELECT count(*) FROM alert_outbox")
    assert n >= 2  # so that "nothing else twice" says something
    in_doubt = (
        "SELECT count(*) FROM alert_deliveries WHERE channel = 'webhook' "
        f"AND status = 'sending' AND key = '{sent['key']}'"
    )
    assert _count(db, in_doubt) == 1

    site.set("/hook", Reply(b"ok", content_type="text/plain"))
    second = _run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out_b, err_b = second.communicate(timeout=600)
    assert second.returncode == 0, err_b
    assert "was cut short mid-send: sent again, same id" in err_b

    posts = site.posts
    keys = [_header(p, "Idempotency-Key") for p in posts]
    ids = {json.loads(p.body)["id"] for p in posts}
    assert len(posts) == n + 1 and len(ids) == n  # one re-send: the one in doubt
    assert set(keys) == {f'"{i}"' for i in ids}
    again = [p for p in posts if json.loads(p.body)["id"] == sent["id"]]
    assert len(again) == 2 and again[0].body == again[1].body
    assert [_header(p, "X-Detente-Redelivery") for p in again] == [None, "1"]
    assert sum(_header(p, "X-Detente-Redelivery") is not None for p in posts) == 1
    for post in posts:
        assert _header(post, "X-Detente-Alert-Id") == json.loads(post.body)["id"]
        assert _header(post, SIGNATURE_HEADER) == sign("s3cret", post.body)
    taken: dict[str, bytes] = {}  # the receiver the README describes: one alert per key
    for key, post in zip(keys, posts, strict=True):
        taken.setdefault(key or "", post.body)
    assert len(taken) == n
    printed = [json.loads(line)["id"] for out in (out_a, out_b) for line in out.splitlines()]
    filed = [json.loads(line)["id"] for line in alerts.read_text("utf-8").splitlines()]
    assert sorted(printed) == sorted(filed) == sorted(ids)
    assert _count(db, "SELECT count(*) FROM alert_deliveries WHERE status != 'delivered'") == 0
    assert _count(db, "SELECT max(attempts) FROM alert_deliveries") == 2


def test_watch_file_channel_in_doubt_is_not_appended_twice(
    site: Site, tmp_path: Path, res: Resources, sqlite_url: str
) -> None:
    """A file delivery cut short after its line was written is found in the file and not
    written again; one cut short mid-line gets a whole line of its own."""
    site.set("/feed", Reply(rss("Wire", []), content_type=FEED_TYPE))
    path = sources_yaml(
        tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1s}}\n"
    )
    out = tmp_path / "alerts.jsonl"
    files = FileChannel(out)
    store = detente.open_store(sqlite_url)
    try:
        payloads = [{"id": alert_id("r", k), "rule": "r", "key": k} for k in ("k1", "k2")]
        assert state.record_alerts(store, [("r", p["key"], p) for p in payloads]) == 2
        watcher = Watcher(store, res, load_sources(path), quick_fetcher(), channels=[files])
        now = dt.datetime.now(dt.UTC)
        # what a watcher killed mid-send leaves: k1 claimed and written whole, k2 claimed and
        # its line cut short
        for key in ("k1", "k2"):
            assert state.claim_delivery(store, "file", "r", key, watcher.owner, now, 600)
        files.send(payloads[0])
        with out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(payloads[1])[:10])
        report = watcher.run_round(force=True)
        assert report.delivered == 2 and report.delivery_failures == []
        lines = out.read_text("utf-8").splitlines()
        whole = [json.loads(line)["id"] for line in lines if line.endswith("}")]
        assert whole == [payloads[0]["id"], payloads[1]["id"]] and len(lines) == 3
        assert state.deliveries(store) == {
            ("r", "k1", "file"): ("delivered", 2), ("r", "k2", "file"): ("delivered", 2),
        }  # fmt: skip
    finally:
        store.close()


STOP_BOUND = 5.0  # seconds from SIGTERM to exit: the acceptance bound (a bound, not a speed)


@pytest.mark.parametrize("moment", ["slow article", "retry-after wait", "idle", "hanging webhook"])
def test_watch_stops_within_5_s_of_sigterm(site: Site, tmp_path: Path, moment: str) -> None:
    """SIGTERM while the watcher waits on a slow article page (which would take a minute), in a
    Retry-After wait the fetcher honours (9 s), idle between rounds (an hour), or on a webhook
    that never answers: it exits within 5 s, cleanly, its lease given back, the store whole."""
    db = tmp_path / "watch.db"
    env: dict[str, str] = {}
    rules: list[str] = []
    feed = Reply(
        rss("Wire", [entry(0, site, full=moment != "slow article")]), content_type=FEED_TYPE
    )
    site.set("/feed", feed)
    if moment == "slow article":
        site.set("/story/0", Reply(article("Slow", DAY, [TEXTS[0]] * 40), trickle=0.5))
    elif moment == "retry-after wait":
        site.set("/feed", Reply(b"busy", status=503, headers={"Retry-After": "9"}, times=1), feed)
    elif moment == "hanging webhook":
        site.set("/hook", Reply(b"ok", content_type="text/plain", delay=120))
        env = {"DETENTE_WEBHOOK_URL": site.url("/hook"), "DETENTE_WEBHOOK_SECRET": "s3cret"}
        (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
        rules = ["--rules", str(tmp_path / "rules.yaml")]
    path = sources_yaml(
        tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1h}}\n"
    )
    waiting_on: Callable[[], bool] = {
        "slow article": lambda: site.hits("/story/0") >= 1,
        "retry-after wait": lambda: site.hits("/feed") >= 1,
        "idle": lambda: (
            _count(db, "SELECT count(*) FROM source_state WHERE last_success IS NOT NULL") == 1
        ),
        "hanging webhook": lambda: len(site.posts) >= 1,
    }[moment]
    log = tmp_path / "stderr.txt"
    with log.open("w") as handle:
        proc = _run(["watch", "--sources", str(path), "--db", f"sqlite:///{db}", *rules],
                    stdout=subprocess.DEVNULL, stderr=handle, env=env)  # fmt: skip
        _wait(lambda: waiting_on() or proc.poll() is not None)
        time.sleep(1.0)  # well into the wait
        assert proc.poll() is None, log.read_text()
        proc.send_signal(signal.SIGTERM)
        began = time.monotonic()
        try:
            proc.wait(timeout=STOP_BOUND)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"still running {STOP_BOUND:g} s after SIGTERM") from None
    took = time.monotonic() - began
    print(f"STOPTIME {moment} {took:.2f}")
    assert proc.returncode == 0, log.read_text()
    assert "watch stopped" in log.read_text() and "Traceback" not in log.read_text(), took
    assert _count(db, "SELECT count(*) FROM source_state WHERE lease_owner IS NOT NULL") == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # every document stored is whole: its item marked seen, its sentences there
    assert _count(db, "SELECT count(*) FROM documents") == _count(
        db, "SELECT count(*) FROM source_items WHERE content_hash IS NOT NULL"
    )
    if moment == "hanging webhook":  # the send could not end: left in doubt, for the next start
        assert _count(db, "SELECT count(*) FROM alert_deliveries WHERE channel = 'webhook' "
                          "AND status = 'sending'") == 1  # fmt: skip
        assert "stopped mid-send: in doubt" in log.read_text()


def test_watch_once_on_a_file_channel_delivers_each_alert_once(
    site: Site, tmp_path: Path, res: Resources, sqlite_url: str
) -> None:
    from detente.analysis.alerts import load_rules

    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    site.set("/feed", Reply(rss("Wire", [entry(0, site), entry(4, site)]), content_type=FEED_TYPE))
    path = sources_yaml(
        tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1s}}\n"
    )
    out = tmp_path / "alerts.jsonl"
    store = detente.open_store(sqlite_url)
    try:
        rules = load_rules(tmp_path / "rules.yaml")
        for _ in range(2):  # a restart: a new watcher on the same store
            watcher = Watcher(store, res, load_sources(path), quick_fetcher(), rules=rules,
                              channels=[FileChannel(out)])  # fmt: skip
            watcher.run_round(force=True)
        lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        assert lines and len({a["id"] for a in lines}) == len(lines)
        for alert in lines:
            assert alert["evidence"] and alert["evidence"][0]["sentences"]
            assert alert["evidence"][0]["sources"][0]["url"].startswith("http://127.0.0.1")
    finally:
        store.close()


def test_watch_failed_delivery_is_retried_and_reported_never_dropped(
    site: Site, tmp_path: Path, res: Resources, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from detente.analysis.alerts import load_rules
    from detente.watch.deliver import WebhookChannel

    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    site.set("/feed", Reply(rss("Wire", [entry(0, site), entry(4, site)]), content_type=FEED_TYPE))
    site.set("/hook", Reply(b"down", status=503, content_type="text/plain"))
    path = sources_yaml(
        tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1s}}\n"
    )
    caplog.set_level(logging.WARNING, logger="detente.watch")
    store = detente.open_store(sqlite_url)
    try:
        hook = WebhookChannel(site.url("/hook"), "s3cret", retries=1, backoff=0.01)
        files = FileChannel(tmp_path / "alerts.jsonl")
        watcher = Watcher(store, res, load_sources(path), quick_fetcher(),
                          rules=load_rules(tmp_path / "rules.yaml"), channels=[hook, files])  # fmt: skip
        first = watcher.run_round()
        n = len((tmp_path / "alerts.jsonl").read_text("utf-8").splitlines())
        assert n > 0 and first.delivered == n  # the file took them all
        assert len(first.delivery_failures) == n  # each failed webhook delivery: one line
        assert all("channel=webhook status=failed" in line and "HTTP 503 after 2 attempts" in line
                   for line in first.delivery_failures)  # fmt: skip
        assert sum("status=failed" in r.getMessage() for r in caplog.records) == n
        assert state.undelivered(store) == n
        assert len(site.posts) == 2 * n  # tried, and tried again
        # a retry may repeat what arrived (a 503 can follow the work): marked, under one key
        marked = [_header(p, "X-Detente-Redelivery") for p in site.posts]
        assert marked.count(None) == n and marked.count("1") == n
        for post in site.posts:
            assert _header(post, "Idempotency-Key") == f'"{json.loads(post.body)["id"]}"'

        site.set("/hook", Reply(b"ok", content_type="text/plain"))
        second = watcher.run_round()
        assert second.delivered == n and second.delivery_failures == []
        assert all(_header(p, "X-Detente-Redelivery") == "1" for p in site.posts[2 * n :])
        assert state.undelivered(store) == 0
        third = watcher.run_round(force=True)
        assert third.delivered == 0 and len(site.posts) == 3 * n
        assert len((tmp_path / "alerts.jsonl").read_text("utf-8").splitlines()) == n
    finally:
        store.close()


def test_watch_two_watchers_never_poll_one_source_at_once(db_url: str, tmp_path: Path) -> None:
    path = sources_yaml(
        tmp_path, "  - {name: wire, url: 'http://127.0.0.1:9/feed', kind: feed, every: 1m}\n"
    )
    store = detente.open_store(db_url)
    try:
        state.register(store, load_sources(path).sources)
        now = dt.datetime.now(dt.UTC)
        assert state.claim(store, "wire", "watcher-a", now, 600) is not None
        assert state.claim(store, "wire", "watcher-b", now, 600) is None  # held by a
        assert state.claim(store, "wire", "watcher-a", now, 600) is not None  # a restarted
        later = now + dt.timedelta(seconds=601)
        assert state.claim(store, "wire", "watcher-b", later, 600) is not None  # a's lease ran out
        state.finish(store, "wire", later, later + dt.timedelta(minutes=1))
        assert state.claim(store, "wire", "watcher-a", later, 600) is None  # not due
        assert state.claim(store, "wire", "watcher-a", later, 600, force=True) is not None
    finally:
        store.close()


def test_delivery_settings_from_the_environment(tmp_path: Path) -> None:
    from detente.errors import ConfigError
    from detente.watch.deliver import channels, settings_from_env

    env = {"DETENTE_WEBHOOK_URL": "http://127.0.0.1:9/hook", "DETENTE_WEBHOOK_SECRET": "k",
           "DETENTE_SMTP_HOST": "127.0.0.1", "DETENTE_SMTP_PORT": "2525",
           "DETENTE_SMTP_TO": "a@x.test, b@x.test", "DETENTE_ALERT_FILE": str(tmp_path / "a.jsonl"),
           "DETENTE_REPORT_URL": "https://reports.example/{dyad}.html"}  # fmt: skip
    settings = settings_from_env(env)
    assert [c.name for c in channels(settings, sys.stdout)] == ["stdout", "file", "webhook", "smtp"]
    assert settings.smtp is not None and settings.smtp.recipients == ("a@x.test", "b@x.test")
    assert settings.smtp.port == 2525 and settings.report_url
    for broken, words in [
        ({"DETENTE_WEBHOOK_URL": "http://x/"}, "DETENTE_WEBHOOK_SECRET"),
        ({"DETENTE_SMTP_HOST": "x"}, "DETENTE_SMTP_TO"),
        ({"DETENTE_SMTP_HOST": "x", "DETENTE_SMTP_TO": "a@x", "DETENTE_SMTP_PORT": "smtp"}, "port"),
    ]:
        with pytest.raises(ConfigError, match=words):
            settings_from_env(broken)


def test_watch_state_and_outbox_on_both_backends(db_url: str, tmp_path: Path) -> None:
    """Items seen, activity and the outbox with its deliveries, on SQLite and PostgreSQL."""
    path = sources_yaml(
        tmp_path, "  - {name: wire, url: 'http://127.0.0.1:9/feed', kind: feed, every: 1m}\n"
    )
    store = detente.open_store(db_url)
    try:
        state.register(store, load_sources(path).sources)
        now = dt.datetime.now(dt.UTC)
        state.remember_item(
            store, "wire", "k1", now, url="http://x/1", content_hash=None, note="empty"
        )
        state.remember_item(store, "wire", "k1", now, url="http://x/1", content_hash=None)  # again
        assert state.seen(store, "wire", ["k1", "k2"]) == {"k1"}
        assert state.states(store)["wire"].items_seen == 1
        assert state.activity(store, "wire", now).items_day == 1
        payload = {"id": "a1", "rule": "r", "key": "k"}
        assert state.record_alerts(store, [("r", "k", payload)]) == 1
        assert state.record_alerts(store, [("r", "k", payload)]) == 0  # fired before
        assert state.pending(store, ["stdout", "webhook"]) == [
            ("stdout", "r", "k", payload), ("webhook", "r", "k", payload),
        ]  # fmt: skip
        assert state.mark_delivery(store, "webhook", "r", "k", error="HTTP 503") == 1
        state.mark_delivery(store, "stdout", "r", "k")
        assert state.pending(store, ["stdout", "webhook"]) == [("webhook", "r", "k", payload)]
        assert state.mark_delivery(store, "webhook", "r", "k") == 2
        assert state.pending(store, ["stdout", "webhook"]) == [] and state.undelivered(store) == 0
        assert state.claim_delivery(store, "webhook", "r", "k", "a", now, 600) is None  # done

        # a delivery is claimed by one watcher at a time; one left sending is in doubt
        assert state.record_alerts(store, [("r", "k2", payload)]) == 1
        assert state.claim_delivery(store, "webhook", "r", "k2", "a", now, 600) == state.Claim(
            1, in_doubt=False
        )
        assert state.claim_delivery(store, "webhook", "r", "k2", "b", now, 600) is None
        assert state.deliveries(store)[("r", "k2", "webhook")] == ("sending", 1)
        assert state.claim_delivery(store, "webhook", "r", "k2", "a", now, 600) == state.Claim(
            2, in_doubt=True
        )  # a, restarted after a kill mid-send
        later = now + dt.timedelta(seconds=601)
        assert state.claim_delivery(store, "webhook", "r", "k2", "b", later, 600) == state.Claim(
            3, in_doubt=True
        )  # a's lease ran out
        assert state.mark_delivery(store, "webhook", "r", "k2", error="HTTP 502") == 3
        assert state.deliveries(store)[("r", "k2", "webhook")] == ("failed", 3)
        assert state.claim_delivery(store, "webhook", "r", "k2", "a", now, 600) == state.Claim(
            4, in_doubt=False
        )
    finally:
        store.close()


def test_ingest_urls_stores_pages_and_feeds(site: Site, res: Resources, sqlite_url: str) -> None:
    site.set("/feed", Reply(rss("Wire", [entry(0, site), entry(1, site)]), content_type=FEED_TYPE))
    site.set("/page", Reply(article("Air defence", DAY, [TEXTS[4]])))
    store = detente.open_store(sqlite_url)
    try:
        refused = detente.ingest([site.url("/page")], store, res)
        assert refused.stored == 0 and "private" in refused.errors[0]
        done = detente.ingest(
            [site.url("/feed"), site.url("/page")], store, res, allow_private=True
        )
        assert done.stored == 3 and done.events > 0 and not done.errors
        assert {u for u, _, _ in documents(store)} == {
            site.url("/story/0"),
            site.url("/story/1"),
            site.url("/page"),
        }
    finally:
        store.close()


def test_watch_an_article_that_failed_for_now_is_read_at_the_next_poll(
    site: Site, tmp_path: Path, res: Resources, sqlite_url: str
) -> None:
    site.set("/feed", Reply(rss("Wire", [entry(0, site, full=False), entry(1, site, full=False)]),
                            content_type=FEED_TYPE, etag='"same"'))  # fmt: skip
    site.set("/story/0", Reply(article("One", DAY, [TEXTS[0]])))
    site.set("/story/1", Reply(b"busy", status=503, content_type="text/plain"))
    path = sources_yaml(
        tmp_path, f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 1h}}\n"
    )
    store = detente.open_store(sqlite_url)
    try:
        watcher = Watcher(store, res, load_sources(path), quick_fetcher())
        first = watcher.run_round()
        assert (first.sources[0].stored, first.sources[0].deferred) == (1, 1)
        assert (
            "HTTP 503" in first.sources[0].notes[0]
            and "tried again next round" in first.sources[0].notes[0]
        )
        assert state.states(store)["wire"].etag is None  # so the next poll is not a 304
        site.set("/story/1", Reply(article("Two", DAY, [TEXTS[1]])))
        second = watcher.run_round(force=True)
        assert second.sources[0].status == "ok" and (
            second.sources[0].new,
            second.sources[0].stored,
        ) == (1, 1)
        assert state.states(store)["wire"].etag == '"same"'
        assert len(documents(store)) == 2
    finally:
        store.close()
