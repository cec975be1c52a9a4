"""The HTML report: self-contained, and it opens in headless Chromium without console errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from detente import ingest, open_store
from detente.nlp.pipeline import Resources
from detente.report import write_report
from tests.conftest import DEMO

pytestmark = pytest.mark.slow
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    reason = "no Chromium installed (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the report test: {reason}")
    pytest.skip(reason)


def _open(browser: str, page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and every console message the page produced."""
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom",
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def test_report_console_check_catches_errors(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>missingFunction();</script></body></html>")
    _, console = _open(chromium, page, tmp_path / "profile")
    assert any("Uncaught" in line for line in console)


def test_report_opens_without_console_errors(chromium: str, tmp_path: Path, res: Resources) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    ingest([str(DEMO)], store, res)
    page = write_report(store, ("BLR", "UKR"), tmp_path / "report.html")
    store.close()
    html = page.read_text("utf-8")
    assert not re.search(
        r"""(src|href)=["']https?://""", html.split("<h2>Incidents and their sources")[0]
    )
    assert "<svg" in html and "Tension between Belarus and Ukraine" in html
    dom, console = _open(chromium, page, tmp_path / "profile")
    assert console == []
    assert "de-escalation" in dom and 'id="incidents"' in dom


def test_report_links_only_web_and_mail_addresses() -> None:
    from detente.report.html import _sources

    record = {"sources": [
        {"title": "Wire", "url": "https://example.org/a", "published": "2024-06-20"},
        {"title": "Mail", "url": "mailto:desk@example.org", "published": None},
        {"title": "Trap", "url": "javascript:alert(1)", "published": None},
        {"title": "Data", "url": " DATA:text/html;base64,PHNjcmlwdD4=", "published": None},
    ]}  # fmt: skip
    html = _sources(record)
    assert 'href="https://example.org/a"' in html and 'href="mailto:desk@example.org"' in html
    assert "javascript:" not in html and "DATA:" not in html and "Trap (undated)" in html
