"""The dashboard's pages: they answer, show what the store holds, escape what documents say,
load nothing from elsewhere; and in a real Chromium they run without a console error, on a
desktop and at a phone's width."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from detente.geo.outlines import load_outlines
from detente.nlp.pipeline import Resources
from detente.store import Store
from detente.store.tokens import create_token
from tests.test_report import _open, chromium  # noqa: F401  (the fixture)
from tests.web import app_over, bearer, call, copied_store, serving

pytestmark = pytest.mark.slow
EVIL = {
    "id": "evil-1",
    "title": "<script>alert('title')</script>",
    "url": "javascript:alert('url')",
    "source": "<img src=x onerror=alert(1)>",
    "published": "2024-07-02",
    "text": (
        "Belarus accused Ukraine on Tuesday of massing troops near the border "
        "<script>alert('text')</script> and javascript:alert(2) forces."
    ),
}


@pytest.fixture(scope="module")
def evil_store(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, res: Resources) -> Store:
    """The demo store with a document whose every field tries to run a script."""
    store = copied_store(demo_db, tmp_path_factory.mktemp("evil"))
    token = create_token(store, "feeder", "ingest")
    answer = call(app_over(store, res), "POST", "/api/v1/documents", json=EVIL,
                  headers=bearer(token))  # fmt: skip
    assert answer.status_code == 201 and answer.json()["events"] >= 1, answer.text
    return store


def _pages(store: Store) -> list[str]:
    """One URL of every page, those about the hostile document where there is a choice."""
    app = app_over(store)
    events = call(app, "GET", "/api/v1/events", params={"q": "<script>"}).json()["items"]
    assert events, "the hostile document gave no event"
    ev = events[0]
    return ["/", "/dyads/BLR-UKR", "/incidents", "/incidents?q=script&dyad=BLR-UKR",
            f"/incidents/{ev['incident_id']}", f"/events/{ev['id']}", "/alerts", "/map", "/api/docs"]  # fmt: skip


def test_web_pages_answer_and_show_the_store(evil_store: Store) -> None:
    app = app_over(evil_store)
    overview = call(app, "GET", "/").text
    assert 'href="/dyads/BLR-UKR"' in overview and '<svg class="spark"' in overview
    dyad = call(app, "GET", "/dyads/BLR-UKR").text
    assert "Tension between Belarus and Ukraine" in dyad and "<svg" in dyad
    listed = call(app, "GET", "/incidents", params={"dyad": "BLR-UKR", "type": "", "status": ""})
    assert listed.status_code == 200 and "/incidents/inc-" in listed.text
    first = re.search(r'href="/incidents/(inc-[0-9a-f]+)"', listed.text)
    assert first is not None
    page = call(app, "GET", f"/incidents/{first.group(1)}").text
    assert "<mark>" in page and 'href="/events/' in page
    assert (
        call(app, "GET", "/static/dashboard.js")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert call(app, "GET", "/static/../app.py").status_code == 404
    assert call(app, "GET", "/incidents", params={"type": "SHOUT"}).status_code == 422
    assert call(app, "GET", "/dyads/FRA-NZL").status_code == 404


def test_web_pages_keep_document_text_inert(evil_store: Store) -> None:
    app = app_over(evil_store)
    shown = 0
    for url in _pages(evil_store):
        response = call(app, "GET", url)
        assert response.status_code == 200, (url, response.text[:300])
        html = response.text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert not re.search(r"""href=["']?\s*javascript:""", html, re.I), url
        scripts = re.findall(r"<script[^>]*>", html)
        assert all(s in ("<script>", '<script src="/static/dashboard.js">') for s in scripts), url
        # assets only from the app (links to the sources may go anywhere on the web)
        assert not re.search(r"""src=["']?(https?:)?//""", html), url
        assert not re.search(r"""<link[^>]+href=["']?(https?:)?//""", html), url
        shown += "&lt;script&gt;alert" in html
    assert shown >= 4  # the hostile text is on the pages, as text


def test_web_pages_private_reads_need_a_token(evil_store: Store) -> None:
    app = app_over(evil_store, read_public=False)
    assert call(app, "GET", "/").status_code == 401
    assert call(app, "GET", "/static/dashboard.css").status_code == 200  # assets are no data


@pytest.fixture(scope="module")
def server(demo_db: Path) -> Iterator[str]:
    with serving(f"sqlite:///{demo_db}") as base:
        yield base


@pytest.mark.parametrize("size", ["1280,900", "390,844"], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "path", ["/", "/dyads/BLR-UKR", "/incidents?dyad=BLR-UKR", "/map?dyad=BLR-UKR"]
)
def test_web_pages_in_chromium(
    chromium: str,  # noqa: F811
    server: str,
    tmp_path: Path,
    path: str,
    size: str,
    request: pytest.FixtureRequest,
) -> None:
    url = server + path
    dom, console = _open_url(chromium, url, tmp_path / "profile", f"--window-size={size}")
    assert console == [], console
    assert "<nav>" in dom or 'class="meta"' in dom
    shot = tmp_path / "shot.png"
    _open_url(chromium, url, tmp_path / "profile2", f"--window-size={size}",
              f"--screenshot={shot}", dump=False)  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 1000
    kept = Path(request.config.rootpath) / ".pytest_cache" / "screenshots"
    kept.mkdir(parents=True, exist_ok=True)  # kept as the test's artefact
    shutil.copy(shot, kept / f"{path.strip('/').replace('/', '_') or 'overview'}-{size}.png")


def _open_url(
    browser: str, url: str, profile: Path, *options: str, dump: bool = True
) -> tuple[str, list[str]]:
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--force-device-scale-factor=1", f"--user-data-dir={profile}", "--enable-logging=stderr",
         "--v=0", *options, *(["--dump-dom"] if dump else []), url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return result.stdout, [line for line in result.stderr.splitlines() if ":CONSOLE" in line]


def test_web_map_draws_outlines_and_a_dot_per_located_incident(evil_store: Store) -> None:
    outlines = load_outlines()
    assert len(outlines) > 170 and {"BLR", "UKR", "FRA", "NOR", "USA"} <= set(outlines)
    ring = max(outlines["BLR"], key=len)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert 23 < min(lons) < max(lons) < 33 and 51 < min(lats) < max(lats) < 57
    app = app_over(evil_store)
    located = {e["incident_id"] for e in evil_store.events(dyad=("BLR", "UKR"))
               if (e.get("location") or {}).get("lat") is not None}  # fmt: skip
    assert located
    html = call(app, "GET", "/map", params={"dyad": "BLR-UKR"}).text
    assert html.count("<circle") == len(located)
    assert all(f'href="/incidents/{i}"' in html for i in located)
    box = re.search(r'class="map" viewBox="(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+)"', html)
    assert box is not None
    x, y, w, h = (float(v) for v in box.groups())
    for cx, cy in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', html):
        assert x <= float(cx) <= x + w and y <= float(cy) <= y + h
    everywhere = call(app, "GET", "/map").text
    assert everywhere.count('class="land"') == len(outlines)
