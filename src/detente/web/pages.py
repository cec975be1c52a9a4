"""The dashboard: pages rendered on the server (Jinja2, every value escaped) with one small
script of our own, every asset served by the app itself, so it works offline.

    /                    the pairs of the store (``detente dyads``) with their weekly index
    /dyads/{dyad}        the pair's report (the same page ``detente report`` writes)
    /incidents           incidents, filtered (pair, actor, type, status, dates, words), paginated
    /incidents/{id}      its reports (the trigger marked in each sentence) and its sources
    /events/{id}         an event's full record
    /alerts              the configured alert rules, evaluated now
    /map                 located incidents on country outlines (Natural Earth 1:110m)
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from detente.analysis import analyse
from detente.analysis.dyads import dyad_summaries, weekly_index
from detente.errors import RequestError
from detente.records import EventType, Status
from detente.report.html import LINK_SCHEMES, render_report
from detente.report.map import Dot, world_map
from detente.report.svg import sparkline
from detente.store.queries import EventFilter, event, incident, incident_page, located
from detente.store.tokens import Token
from detente.web.api import day, parse_dyad
from detente.web.app import context
from detente.web.auth import reader

router = APIRouter(include_in_schema=False)
Reader = Annotated[Token | None, Depends(reader)]
OVERVIEW_PAIRS = 30  # pairs listed on the overview
SPARK_PAIRS = 20  # of which this many get their trend drawn (from the summary table)
SPARK_DAYS = 182  # the trend drawn: the weekly index over the half-year to the index day
PAGE = 50
REVIEWS_SHOWN = 50  # the latest reviews of an event (or incident) listed on its page
ASSETS = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
FILTERS = ("dyad", "actor", "type", "status", "since", "until", "q")

_outlines: dict[str, Any] = {}  # loaded at the first map, once per process


def _world() -> dict[str, Any]:
    from detente.geo.outlines import load_outlines

    if not _outlines:
        _outlines.update(load_outlines())
    return _outlines


_templates = Environment(
    loader=PackageLoader("detente.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
)


def _page(name: str, **values: Any) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(name).render(**values))


def _who(record: dict[str, Any]) -> str:
    actors = ";".join(m["code"] for m in record.get("actor") or []) or "?"
    recipients = ";".join(m["code"] for m in record.get("recipient") or [])
    return f"{actors} → {recipients}" if recipients else actors


@router.get("/static/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise RequestError(404, f"no asset {name!r}")
    body = files("detente.web").joinpath("static", name).read_text("utf-8")
    return Response(body, media_type=ASSETS[name], headers={"Cache-Control": "max-age=3600"})


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon: an empty answer, so a browser's own request for one is no error in its console."""
    return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, _: Reader) -> HTMLResponse:
    store = context(request).store
    found = dyad_summaries(store)[:OVERVIEW_PAIRS]
    lines: dict[tuple[str, str], list[float]] = {}
    if found:  # every pair is summarised as of the same day
        as_of = found[0].as_of
        drawn = [s.dyad for s in found[:SPARK_PAIRS]]
        lines = weekly_index(store, drawn, as_of - dt.timedelta(days=SPARK_DAYS), as_of)
    rows = []
    for summary in found:
        row = summary.row()
        row["spark"] = sparkline(lines.get(summary.dyad, []), label=f"weekly index {row['dyad']}")
        rows.append(row)
    return _page("overview.html", title="Tension between states", rows=rows, counts=store.counts())


@router.get("/dyads/{dyad}", response_class=HTMLResponse)
def dyad_page(request: Request, _: Reader, dyad: str) -> HTMLResponse:
    pair = parse_dyad(dyad)
    store = context(request).store
    analysis = analyse(store, pair)
    if not analysis.points:
        raise RequestError(404, f"no dated incident between {pair[0]} and {pair[1]} here")
    html = render_report(store, pair, analysis)
    links = (
        '<p class="meta"><a href="/">All pairs</a> · '
        f'<a href="/incidents?dyad={"-".join(pair)}">Incidents, filtered</a> · '
        '<a href="/alerts">Alerts</a></p>'
    )
    return HTMLResponse(html.replace("<body>", "<body>" + links, 1))


def _filter(request: Request) -> tuple[EventFilter, dict[str, str]]:
    """The incident filters of the page's form; empty fields are no filter."""
    given = {k: v.strip() for k, v in request.query_params.items() if k in FILTERS and v.strip()}
    try:
        kind = EventType(given["type"]).value if "type" in given else None
        status = Status(given["status"]).value if "status" in given else None
    except ValueError as exc:
        raise RequestError(422, str(exc)) from None
    where = EventFilter(
        dyad=parse_dyad(given["dyad"]) if "dyad" in given else None,
        actor=given["actor"].upper()[:8] if "actor" in given else None,
        event_type=kind,
        status=status,
        since=day(given.get("since")),
        until=day(given.get("until")),
        text=given.get("q", "")[:200] or None,
    )
    return where, given


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, _: Reader) -> HTMLResponse:
    where, given = _filter(request)
    cursor = request.query_params.get("cursor") or None
    page = incident_page(context(request).store, where, cursor=cursor, limit=PAGE)
    items = [{**i, "who": _who(i)} for i in page.items]
    following = None
    if page.next_cursor:
        following = "/incidents?" + urlencode({**given, "cursor": page.next_cursor})
    return _page(
        "incidents.html", title="Incidents", items=items, f=given, next=following,
        types=[t.value for t in EventType], statuses=[s.value for s in Status],
    )  # fmt: skip


def _marked(record: dict[str, Any]) -> dict[str, Any]:
    """The sentence cut around its trigger, for the page to mark it."""
    text, trigger = str(record.get("text") or ""), str(record.get("event_text") or "")
    at = text.lower().find(trigger.lower()) if trigger else -1
    if at < 0:
        return {**record, "before": text, "trigger": "", "after": ""}
    end = at + len(trigger)
    return {**record, "before": text[:at], "trigger": text[at:end], "after": text[end:]}


def _source(item: dict[str, Any]) -> dict[str, Any]:
    where = str(item.get("url") or "")
    safe = bool(where) and urlsplit(where).scheme.lower() in LINK_SCHEMES
    label = item.get("title") or item.get("path") or item.get("doc_id")
    return {**item, "label": label, "link": where if safe else None}


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_view(request: Request, _: Reader, incident_id: str) -> HTMLResponse:
    from detente.store.reviews import list_reviews

    store = context(request).store
    found = incident(store, incident_id)
    return _page(
        "incident.html", title=f"Incident {incident_id}", i={**found, "who": _who(found)},
        ident=incident_id, reports=[_marked(r) for r in found["reports"]],
        sources=[_source(s) for s in found["sources"]],
        reviews=[r.row() for r in list_reviews(store, target=incident_id)][-REVIEWS_SHOWN:],
    )  # fmt: skip


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_view(request: Request, _: Reader, event_id: str) -> HTMLResponse:
    from detente.store.reviews import list_reviews

    store = context(request).store
    found = event(store, event_id)
    body = json.dumps(found, indent=2, ensure_ascii=False)
    return _page(
        "event.html", title=f"Event {event_id}", ident=event_id, body=body,
        incident=found.get("incident_id"), current=found, wrong=bool(found.get("wrong")),
        dyads=_pairs(found.get("coded") or found, found), types=[t.value for t in EventType],
        statuses=[s.value for s in Status],
        reviews=[r.row() for r in list_reviews(store, target=event_id)][-REVIEWS_SHOWN:],
    )  # fmt: skip


def _country(code: str) -> bool:
    import pycountry

    return len(code) == 3 and pycountry.countries.get(alpha_3=code) is not None


def _pairs(*records: dict[str, Any]) -> list[str]:
    """The country pairs of the records (as coded and as reviewed), for links to their pages."""
    out: list[str] = []
    for record in records:
        sides = [{m["code"] for m in record.get(k) or [] if _country(str(m["code"]))}
                 for k in ("actor", "recipient")]  # fmt: skip
        for a in sorted(sides[0]):
            for b in sorted(sides[1]):
                pair = "-".join(sorted((a, b)))
                if a != b and pair not in out:
                    out.append(pair)
    return out


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, _: Reader) -> HTMLResponse:
    from detente.analysis.alerts import evaluate, load_rules

    ctx = context(request)
    rows = None
    if ctx.settings.rules is not None:
        fired = evaluate(ctx.store, load_rules(ctx.settings.rules), remember=False)
        rows = [
            {"rule": a.rule, "date": a.date.isoformat(), "message": a.message,
             "evidence": [p.incident_id for p in a.evidence]}
            for a in fired[:500]
        ]  # fmt: skip
    return _page("alerts.html", title="Alerts", rows=rows)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, _: Reader) -> HTMLResponse:
    where, given = _filter(request)
    found = located(context(request).store, where)
    dots: dict[str, Dot] = {}
    for e in found:  # one dot per incident, at its first located report
        key = e.get("incident_id") or e["id"]
        if key in dots:
            continue
        place = e["location"]
        label = f"{e.get('date') or '?'} {_who(e)} {e['event']} ({e['status']}), {place['name']}"
        href = f"/incidents/{e['incident_id']}" if e.get("incident_id") else f"/events/{e['id']}"
        dots[key] = Dot(float(place["lon"]), float(place["lat"]), label, href,
                        int(e["quad_code"]) >= 3)  # fmt: skip
    svg = world_map(_world(), list(dots.values()), title="located incidents")
    return _page("map.html", title="Located incidents", svg=svg, dots=list(dots.values()),
                 f=given, total=len(found))  # fmt: skip
