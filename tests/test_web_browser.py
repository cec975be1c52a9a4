"""A review round trip in a real Chromium (Debian's, driven by Playwright): a reviewer opens an
event of the dashboard, changes its type or marks it wrong with the page's own form and token, and
the pair's page then shows the change (its type table, its incident count, its tension chart),
with no console error, on a desktop and at a phone's width. Screenshots are kept as artefacts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from detente.store import Store
from detente.store.tokens import create_token
from tests.test_report import chromium  # noqa: F401  (the fixture)
from tests.web import copied_store, serving

pytestmark = pytest.mark.slow
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
BLR_UKR = ("BLR", "UKR")
WIDE = """width => Array.from(document.body.querySelectorAll('*')).filter(e => {
  if (e.getBoundingClientRect().right <= width + 1) { return false; }
  for (let up = e.parentElement; up; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') { return false; }  // it scrolls inside
  }
  return true;
}).slice(0, 5).map(e => e.tagName + '.' + e.className.toString())"""  # what sticks out of the page


def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("no Playwright installed (pip install -e '.[dev]')")
    return sync_playwright


@contextmanager
def _sized_page(browser_path: str, width: int, height: int, problems: list[str]) -> Iterator[Any]:
    """A page of real Chromium at the given size; console errors and page errors go to
    ``problems``."""
    with _playwright()() as driver:
        browser = driver.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            yield page
        finally:
            browser.close()


def _picks(store: Store) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two BLR-UKR events the analytics count, in different incidents: one of material conflict
    (its type will change), one alone in its incident (it will be marked wrong)."""
    found = [e for e in store.events(dyad=BLR_UKR) if e["incident_id"] and e["date"]
             and e["status"] == "asserted"]  # fmt: skip
    sizes: dict[str, int] = {}
    for e in found:
        sizes[e["incident_id"]] = sizes.get(e["incident_id"], 0) + 1
    hostile = next(e for e in found if e["quad_code"] == 4)
    alone = next(e for e in found if sizes[e["incident_id"]] == 1
                 and e["incident_id"] != hostile["incident_id"])  # fmt: skip
    return hostile, alone


@pytest.fixture
def served(
    demo_db: Path, tmp_path: Path
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """``detente serve`` over a store of its own; its base URL, a review token, two events."""
    store = copied_store(demo_db, tmp_path)
    token = create_token(store, "ann", "review")
    hostile, alone = _picks(store)
    url = str(store.engine.url)
    store.close()
    with serving(url) as base:
        yield base, token, hostile, alone


def _types(page: Any) -> dict[str, int]:
    """The dyad page's table of dated incidents by PLOVER type: type → total."""
    rows = page.locator("h2:has-text('Incidents by PLOVER type') + table tbody tr")
    out = {}
    for row in rows.all():
        cells = row.locator("td").all_inner_texts()
        out[cells[0]] = int(cells[-1].strip())
    return out


def _dyad_page(page: Any, base: str) -> tuple[int, dict[str, int], str]:
    """What the pair's page shows: its dated incidents, its type table, its tension line."""
    page.goto(base + "/dyads/BLR-UKR")
    dated = re.search(r"(\d+) dated incidents", page.inner_text("body"))
    assert dated is not None
    line = page.locator("h2:has-text('Tension index') + svg .line").first.get_attribute("points")
    return int(dated.group(1)), _types(page), str(line)


def _review(page: Any, base: str, event_id: str, token: str, **change: str) -> None:
    """Review the event with its page's form, as a reviewer would."""
    page.goto(f"{base}/events/{event_id}")
    page.fill("#review input[name=token]", token)
    if change.get("wrong"):
        page.check("#review input[name=wrong]")
    if "event" in change:
        page.select_option("#review select[name=event]", change["event"])
    page.fill("#review textarea[name=comment]", change["comment"])
    page.click("#review button[type=submit]")
    page.wait_for_selector("#review-result.done")
    page.wait_for_selector("#reviews tbody tr")  # the page reloaded with the review listed


@pytest.mark.parametrize("size", list(SIZES))
def test_web_browser_review_round_trip(
    chromium: str,  # noqa: F811
    served: tuple[str, str, dict[str, Any], dict[str, Any]],
    size: str,
    request: pytest.FixtureRequest,
) -> None:
    base, token, hostile, alone = served
    kept = Path(request.config.rootpath) / ".pytest_cache" / "screenshots"
    kept.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    problems: list[str] = []
    with _sized_page(chromium, width, height, problems) as page:
        dated, types, line = _dyad_page(page, base)
        _review(page, base, hostile["id"], token, event="CONSULT",
                comment="talks at the border, not troops")  # fmt: skip
        assert '"event": "CONSULT"' in page.inner_text("pre")
        assert "CONSULT" in page.inner_text("#reviews")
        page.screenshot(path=str(kept / f"review-event-{size}.png"), full_page=True)
        _review(page, base, alone["id"], token, wrong="1", comment="a drill, no such act")
        assert page.locator(".wrong-note").count() == 1
        after_dated, after_types, after_line = _dyad_page(page, base)
        page.screenshot(path=str(kept / f"review-dyad-{size}.png"), full_page=True)
        wide = page.evaluate(WIDE, width)
    assert problems == [], problems
    assert wide == [], f"wider than the {size}'s {width} px: {wide}"
    assert after_types.get("CONSULT", 0) == types.get("CONSULT", 0) + 1
    assert after_dated == dated - 1  # the event marked wrong was its incident's only report
    assert after_line != line  # the tension chart is drawn from the reviewed incidents


def test_web_browser_review_form_says_why_a_review_is_refused(
    chromium: str,  # noqa: F811
    served: tuple[str, str, dict[str, Any], dict[str, Any]],
) -> None:
    base, _, hostile, _ = served
    with _playwright()() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{base}/events/{hostile['id']}")
            page.fill("#review input[name=token]", "not-a-token")
            page.check("#review input[name=wrong]")
            page.fill("#review textarea[name=comment]", "wrong")
            page.click("#review button[type=submit]")
            page.wait_for_selector("#review-result.refused")
            said = page.inner_text("#review-result")
            page.goto(base + "/api/v1/reviews")
            stored = page.inner_text("body")
        finally:
            browser.close()
    assert said == "Not stored (401): unknown token"
    assert '"items":[]' in stored.replace(" ", "")


def _incidents(store: Store) -> tuple[str, str, str, str]:
    """BLR-UKR incidents the analytics count, every report dated: two of one report each (to
    merge), and another of several reports with one of its events (to split off)."""
    members: dict[str, list[dict[str, Any]]] = {}
    for e in store.events(dyad=BLR_UKR):
        if e["incident_id"]:
            members.setdefault(e["incident_id"], []).append(e)
    dated = {i: found for i, found in members.items() if all(e["date"] for e in found)}
    crowded = next(i for i, found in dated.items() if len(found) > 1)
    first, second = [i for i, found in dated.items() if len(found) == 1 and i != crowded][:2]
    return first, second, crowded, dated[crowded][0]["id"]


@pytest.fixture
def merging(demo_db: Path, tmp_path: Path) -> Iterator[tuple[str, str, tuple[str, str, str, str]]]:
    """``detente serve`` over a store of its own; its base URL, a review token, the incidents."""
    store = copied_store(demo_db, tmp_path)
    token = create_token(store, "ann", "review")
    picked = _incidents(store)
    url = str(store.engine.url)
    store.close()
    with serving(url) as base:
        yield base, token, picked


def _merge_or_split(page: Any, form: str, token: str, comment: str) -> None:
    """Send the incident page's merge or split form, as a reviewer would, and wait for the page
    to come back with the review listed."""
    page.fill(f"#{form} input[name=token]", token)
    page.fill(f"#{form} textarea[name=comment]", comment)
    page.click(f"#{form} button[type=submit]")
    page.wait_for_selector(f"#{form} .result.done")
    page.wait_for_selector("#reviews tbody tr")


@pytest.mark.parametrize("size", list(SIZES))
def test_web_browser_merge_and_split_round_trip(
    chromium: str,  # noqa: F811
    merging: tuple[str, str, tuple[str, str, str, str]],
    size: str,
    request: pytest.FixtureRequest,
) -> None:
    base, token, (first, second, crowded, taken) = merging
    kept = Path(request.config.rootpath) / ".pytest_cache" / "screenshots"
    kept.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    problems: list[str] = []
    with _sized_page(chromium, width, height, problems) as page:
        counted = sum(_dyad_page(page, base)[1].values())  # the analytics' incidents
        page.goto(f"{base}/incidents/{first}")
        page.fill("#merge input[name=with]", second)
        _merge_or_split(page, "merge", token, "one act, reported as two")
        listed = page.inner_text("#reviews")
        page.screenshot(path=str(kept / f"merge-incident-{size}.png"), full_page=True)
        merged = sum(_dyad_page(page, base)[1].values())
        page.goto(f"{base}/incidents/{crowded}")
        page.check(f"#split input[value='{taken}']")
        _merge_or_split(page, "split", token, "this report is of another day's act")
        split_listed = page.inner_text("#reviews")
        page.screenshot(path=str(kept / f"split-incident-{size}.png"), full_page=True)
        wide = page.evaluate(WIDE, width)
        split = sum(_dyad_page(page, base)[1].values())
    assert problems == [], problems
    assert wide == [], f"wider than the {size}'s {width} px: {wide}"
    assert "merge" in listed and "ann" in listed and "split" in split_listed
    assert merged == counted - 1  # the two incidents count as one
    assert split == merged + 1  # the report taken out is an incident of its own
