"""The HTML report: self-contained, and it opens in headless Chromium without console errors."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from detente import ingest, open_store
from detente.analysis import analyse
from detente.nlp.pipeline import Resources
from detente.report import write_report
from detente.report.layout import text_width
from detente.report.svg import FONT
from tests.conftest import DEMO

pytestmark = pytest.mark.slow
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WIDTHS = (1400, 800)  # a desktop window and a narrow one


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


def _open(
    browser: str, page: Path, profile: Path, *options: str, dump: bool = True
) -> tuple[str, list[str]]:
    """The DOM after scripts ran (with ``dump``), and every console message the page produced."""
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--force-device-scale-factor=1", f"--user-data-dir={profile}", "--enable-logging=stderr",
         "--v=0", *options, *(["--dump-dom"] if dump else []), page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def test_report_console_check_catches_errors(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>missingFunction();</script></body></html>")
    _, console = _open(chromium, page, tmp_path / "profile")
    assert any("Uncaught" in line for line in console)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory, res: Resources) -> Path:
    """The BLR-UKR report of a store holding the demo corpus."""
    folder = tmp_path_factory.mktemp("demo")
    store = open_store(f"sqlite:///{folder / 'demo.db'}")
    ingest([str(DEMO)], store, res)
    page = write_report(store, ("BLR", "UKR"), folder / "report.html")
    store.close()
    return page


def test_report_opens_without_console_errors(
    chromium: str, demo_report: Path, tmp_path: Path
) -> None:
    html = demo_report.read_text("utf-8")
    assert not re.search(
        r"""(src|href)=["']https?://""", html.split("<h2>Incidents and their sources")[0]
    )
    assert "<svg" in html and "Tension between Belarus and Ukraine" in html
    dom, console = _open(chromium, demo_report, tmp_path / "profile")
    assert console == []
    assert "de-escalation" in dom and 'id="incidents"' in dom


def test_report_says_what_its_charts_and_tables_count(demo_report: Path) -> None:
    html = demo_report.read_text("utf-8")
    assert (
        "Incidents by quad class over time (verbal and material cooperation and conflict)" in html
    )
    # counts by PLOVER type, both ways: the demo's day-dated MOBILIZE incidents are 2 by BLR (the
    # air defence units of 29 June with the Iskanders of 2 July, one report's moves of one window;
    # 10 August) and 4 by UKR (20 June, 29 June as Minsk claims it, the promise of 30 July, the
    # reinforcement of 31 July); each report's moves of one kind and window are one incident
    assert (
        "<td>MOBILIZE</td><td>material conflict</td><td class=num>2</td><td class=num>4</td>"
        in html
    )
    # the one accusation dated only to July is a span over July, named, not 1/31 of a bar
    assert ">July 2024 (day unknown): UKR ACCUSE BLR</text>" in html
    assert "0.0 verbal conflict" not in html
    assert html.count("Lagged response:") == 1 and "BLR and UKR AGREE" in html


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


# The layout check: a copy of the report with this script at the end of its body measures, in the
# browser, the box of every <text> of every chart and of the chart itself, and leaves them in the
# DOM as JSON for --dump-dom to hand back.
MEASURE = """<script>
(function () {
  function box(r) { return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }
  var charts = [];
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var texts = [];
    svg.querySelectorAll('text').forEach(function (t) {
      var b = box(t.getBoundingClientRect());
      b.text = t.textContent;
      b.cls = t.getAttribute('class');
      texts.push(b);
    });
    var c = box(svg.getBoundingClientRect());
    c.title = svg.getAttribute('aria-label');
    c.units = svg.viewBox.baseVal.width;
    c.texts = texts;
    charts.push(c);
  });
  var out = document.createElement('pre');
  out.id = 'detente-layout';
  var root = document.documentElement;
  out.textContent = JSON.stringify({page: root.clientWidth, scroll: root.scrollWidth, charts: charts});
  document.body.appendChild(out);
})();
</script>"""
LAYOUT = re.compile(r'<pre id="detente-layout">(.*?)</pre>', re.S)
TOLERANCE = 0.5  # CSS px: boxes touching by rounding are not overlapping


def _measure(
    browser: str, page: Path, width: int, profile: Path
) -> tuple[dict[str, Any], list[str]]:
    probe = page.with_name(f"{page.stem}-measured-{width}.html")
    probe.write_text(page.read_text("utf-8").replace("</body>", MEASURE + "</body>"), "utf-8")
    dom, console = _open(browser, probe, profile, f"--window-size={width},3000")
    found = LAYOUT.search(dom)
    assert found, "the measuring script left no result in the DOM"
    return json.loads(unescape(found.group(1))), console


def _layout_problems(layout: dict[str, Any]) -> list[str]:
    """Every label outside its chart, every chart wider than the page, every pair of labels of
    one chart whose boxes overlap, and a page that scrolls sideways."""
    problems = []
    if layout["scroll"] > layout["page"]:
        problems.append(f"the page is {layout['scroll']} px wide in a {layout['page']} px window")
    for chart in layout["charts"]:
        name = chart["title"]
        if chart["right"] > layout["page"] + TOLERANCE or chart["left"] < -TOLERANCE:
            problems.append(f"{name}: the chart is wider than the page")
        texts = chart["texts"]
        scale = (chart["right"] - chart["left"]) / chart["units"]
        for t in texts:
            estimate = text_width(t["text"], FONT) * scale
            if t["cls"] in ("axis", "label") and t["right"] - t["left"] > estimate + TOLERANCE:
                problems.append(f"{name}: {t['text']!r} is wider than its estimate")
            if (t["left"] < chart["left"] - TOLERANCE or t["right"] > chart["right"] + TOLERANCE
                    or t["top"] < chart["top"] - TOLERANCE
                    or t["bottom"] > chart["bottom"] + TOLERANCE):  # fmt: skip
                problems.append(f"{name}: {t['text']!r} is outside the chart")
        for i, s in enumerate(texts):
            for t in texts[i + 1 :]:
                wide = min(s["right"], t["right"]) - max(s["left"], t["left"])
                high = min(s["bottom"], t["bottom"]) - max(s["top"], t["top"])
                if wide > TOLERANCE and high > TOLERANCE:
                    problems.append(f"{name}: {s['text']!r} overlaps {t['text']!r}")
    return problems


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _check_in_browser(browser: str, page: Path, tmp: Path) -> None:
    for width in WIDTHS:
        layout, console = _measure(browser, page, width, tmp / f"profile-{width}")
        assert console == [], f"console at {width} px: {console}"
        assert len(layout["charts"]) >= 2
        assert all(chart["texts"] for chart in layout["charts"])
        problems = _layout_problems(layout)
        assert problems == [], f"at {width} px:\n" + "\n".join(problems)
        shot = tmp / f"report-{width}.png"
        _open(browser, page, tmp / f"profile-{width}", f"--window-size={width},2000",
              "--hide-scrollbars", f"--screenshot={shot}", dump=False)  # fmt: skip
        assert shot.stat().st_size > 10_000 and _png_size(shot) == (width, 2000)


def test_report_layout_check_catches_clipped_and_overlapping_labels(
    chromium: str, tmp_path: Path
) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body style="width:600px"><svg class="chart" viewBox="0 0 300 100" aria-label="bad">'
        '<text x="10" y="20">first label</text><text x="30" y="22">second label</text>'
        '<text x="280" y="60">clipped at the edge</text></svg></body></html>'
    )
    layout, _ = _measure(chromium, page, 800, tmp_path / "profile")
    problems = _layout_problems(layout)
    assert "bad: 'first label' overlaps 'second label'" in problems
    assert "bad: 'clipped at the edge' is outside the chart" in problems


def test_report_layout_in_browser(chromium: str, demo_report: Path, tmp_path: Path) -> None:
    _check_in_browser(chromium, demo_report, tmp_path)


# A dyad whose tension turns every few days: two days of shelling, then a ceasefire and a pull-back,
# over and over, plus a clash dated only to its month.
HOSTILE = (
    "Azerbaijani forces shelled Armenian villages near the border on {day}.",
    "Azerbaijan massed troops and artillery on the Armenian border on {day}.",
    "Azerbaijan threatened on {day} to strike Armenian towns.",
)
CALM = (
    "Armenia and Azerbaijan agreed on {day} to a ceasefire along their border.",
    "Azerbaijan withdrew its troops from the Armenian border on {day}.",
    "Armenia released ten Azerbaijani prisoners on {day}.",
)
DAYS = (0, 1, 2, 3, 4, 4)  # of each six-day cycle: the three hostile reports, then the calm ones


def _dense_corpus(path: Path, cycles: int = 12) -> Path:
    start = dt.date(2024, 3, 4)
    with path.open("w", encoding="utf-8") as out:
        for cycle in range(cycles):
            for offset, template in zip(DAYS, (*HOSTILE, *CALM), strict=True):
                day = start + dt.timedelta(days=6 * cycle + offset)
                text = template.format(day=f"{day.day} {day:%B}")
                record = {"id": f"c{cycle}-{len(text)}", "published": str(day), "text": text}
                out.write(json.dumps(record) + "\n")
        month = {"id": "month", "published": "2024-05-31",
                 "text": "In April, Armenia accused Azerbaijan of mining the border villages."}  # fmt: skip
        out.write(json.dumps(month) + "\n")
    return path


def test_report_layout_with_many_close_turns(chromium: str, tmp_path: Path, res: Resources) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'dense.db'}")
    ingest([str(_dense_corpus(tmp_path / "dense.jsonl"))], store, res)
    analysis = analyse(store, ("ARM", "AZE"))
    onsets = [t.onset for t in analysis.turns]
    assert len(onsets) >= 12 and min(b - a for a, b in itertools.pairwise(onsets)).days <= 4
    assert any(p.precision == "month" for p in analysis.points)
    page = write_report(store, ("ARM", "AZE"), tmp_path / "dense.html", analysis)
    store.close()
    _check_in_browser(chromium, page, tmp_path)


def test_report_shows_each_commitment_with_its_timeline(demo_report: Path) -> None:
    html = demo_report.read_text("utf-8")
    section = html.split("<h2>Commitments</h2>")[1].split("<h2>")[0]
    # the demo's 13 July withdrawal: kept by both that day, reversed by Belarus on 10 August
    assert '<span class="st-broken">reversed</span>' in section
    assert "kept by both the same day" in section
    assert section.count('class="dot"') == 4  # the promise, two withdrawals, the redeployment
    assert "2024-08-10 breach: BLR MOBILIZE troops (asserted)" in section
    assert 'title="2024-07-13 kept UKR: RETREAT withdraw (alleged)"' in section
