"""The watch commands as a user runs them: sources check, sources status, errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import detente
from detente.cli import cli
from detente.watch import load_sources, state
from tests.webserver import FEED_TYPE, Entry, Reply, Site, rss, serve


@pytest.fixture
def site() -> Iterator[Site]:
    yield from serve()


def test_cli_sources_check_fetches_each_source_once(site: Site, tmp_path: Path) -> None:
    day = dt.date(2024, 6, 20)
    site.set(
        "/feed",
        Reply(rss("Wire", [Entry("a", "A", day, "Belarus said so.")]), content_type=FEED_TYPE),
    )
    path = tmp_path / "sources.yaml"
    path.write_text(
        "allow_private: true\nmin_interval: 0s\nsources:\n"
        f"  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 15m}}\n"
        f"  - {{name: gone, url: '{site.url('/nothing')}', kind: feed, every: 15m}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["sources", "check", str(path), "--format", "jsonl"])
    assert result.exit_code == 1
    assert '"source": "wire"' in result.stdout and '"status": "ok"' in result.stdout
    assert "HTTP 404" in result.stdout
    assert "2 sources valid, 1 reachable" in result.stderr


def test_cli_sources_check_refuses_private_addresses_by_default(site: Site, tmp_path: Path) -> None:
    site.set("/feed", Reply(b"<rss/>", content_type=FEED_TYPE))
    path = tmp_path / "sources.yaml"
    path.write_text(
        f"sources:\n  - {{name: wire, url: '{site.url('/feed')}', kind: feed, every: 15m}}\n"
    )
    result = CliRunner().invoke(cli, ["sources", "check", str(path), "--format", "jsonl"])
    assert result.exit_code == 1 and "allow_private: true" in result.stdout
    assert site.requests == []


def test_cli_sources_check_bad_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - {name: a, url: 'gopher://x', kind: feed, every: 1m}\n")
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "detente.cli", "sources", "check", str(path)],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"detente: error: {path}:2: source 'a': url 'gopher://x' is not http:// or https://"
    )


def test_cli_sources_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - {name: wire, url: 'https://example.org/f', kind: feed, every: 1h}\n"
    )
    detente.open_store(url).close()  # a store, nothing watched yet
    empty = CliRunner().invoke(cli, ["sources", "status", "--db", url])
    assert empty.exit_code == 1 and "no watched source" in empty.stderr
    store = detente.open_store(url)
    try:
        state.register(store, load_sources(path).sources)
        state.mark_delivery(
            store, "webhook", "border turns", "escalation:2024-06-20", error="HTTP 503"
        )
        now = dt.datetime.now(dt.UTC)  # and one claimed by a watcher killed before it ended
        state.claim_delivery(store, "smtp", "border turns", "escalation:2024-06-20", "w", now, 600)
    finally:
        store.close()
    result = CliRunner().invoke(
        cli, ["sources", "status", "--db", url, "--format", "jsonl", "--quiet-after", "12h"]
    )
    assert result.exit_code == 0, result.stderr
    assert '"source": "wire"' in result.stdout and '"items_week": 0' in result.stdout
    assert "1 alert deliveries failed so far and are pending" in result.stderr
    assert "1 alert deliveries are being sent or were cut short mid-send" in result.stderr
    bad = CliRunner().invoke(cli, ["sources", "status", "--db", url, "--quiet-after", "soon"])
    assert bad.exit_code == 2 and "interval" in bad.stderr
