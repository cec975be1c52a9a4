"""The read endpoints of ``/api/v1``: documents, events, incidents, dyads and their analytics,
alerts. Each answers from the library (``store.queries``, ``analysis``); every list is bounded
(pages of at most ``MAX_PAGE`` rows with a cursor, series of at most ``MAX_SERIES`` rows)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from detente.analysis import Bucket, Point, moves, series
from detente.analysis.dyads import dyad_summaries
from detente.analysis.reciprocity import lagged_response, matched_moves
from detente.analysis.series import weekly
from detente.analysis.summarised import summary_days, summary_turns
from detente.analysis.turns import surges, turning_points
from detente.errors import RequestError
from detente.output import write_records
from detente.records import EventType, Status
from detente.store.queries import (
    MAX_PAGE,
    EventFilter,
    Page,
    document,
    document_page,
    event,
    event_page,
    incident,
    incident_page,
)
from detente.store.tokens import Token
from detente.web.app import context, responses
from detente.web.auth import reader

MAX_SERIES = 5000
REVIEW_COLUMNS = ["id", "action", "target", "before", "after", "comment", "reviewer", "created_at"]
DYAD_PATTERN = r"^[A-Za-z]{3}-[A-Za-z]{3}$"
Reader = Annotated[Token | None, Depends(reader)]
router = APIRouter(prefix="/api/v1", responses=responses(400, 401, 404, 422))

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"rows per page (≤ {MAX_PAGE})")]
Cursor = Annotated[str | None, Query(description="the next_cursor of the previous page")]
DyadPath = Annotated[str, Path(pattern=DYAD_PATTERN, description="two country codes, e.g. BLR-UKR")]
Sort = Literal["index", "change", "hostility", "cooperation", "incidents", "events"]
Coder = Literal["model", "rules+model", "rules"]
Format = Literal["json", "csv"]


Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="a day, YYYY-MM-DD")]


def day(value: str | None) -> dt.date | None:
    """A query's day; a string of the right shape that is no day (2024-02-30) is a 422."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RequestError(422, f"{value!r} is not a day (YYYY-MM-DD)") from None


def parse_dyad(text: str) -> tuple[str, str]:
    a, _, b = text.upper().partition("-")
    if len(a) != 3 or len(b) != 3 or not (a + b).isalpha():
        raise RequestError(400, f"{text!r} is not a dyad of two country codes such as BLR-UKR")
    if a == b:
        raise RequestError(400, f"a dyad needs two different sides, not {a} twice")
    return a, b


def _page(page: Page, limit: int) -> dict[str, Any]:
    return {"items": page.items, "next_cursor": page.next_cursor, "limit": limit}


def _filters(
    dyad: Annotated[str | None, Query(pattern=DYAD_PATTERN, description="e.g. BLR-UKR")] = None,
    actor: Annotated[str | None, Query(max_length=8, description="an actor's code")] = None,
    recipient: Annotated[str | None, Query(max_length=8, description="a recipient's code")] = None,
    type: Annotated[EventType | None, Query(description="PLOVER event type")] = None,
    quad: Annotated[int | None, Query(ge=1, le=4, description="PLOVER quad class")] = None,
    status: Annotated[Status | None, Query(description="how the source presents it")] = None,
    coder: Annotated[Coder | None, Query(description="what coded the event")] = None,
    since: Day = None,
    until: Day = None,
    q: Annotated[
        str | None, Query(max_length=200, description="words in the event's record")
    ] = None,
    incident: Annotated[str | None, Query(max_length=32, description="an incident id")] = None,
) -> EventFilter:
    return EventFilter(
        dyad=parse_dyad(dyad) if dyad else None,
        actor=actor.upper() if actor else None,
        recipient=recipient.upper() if recipient else None,
        event_type=type.value if type else None,
        quad=quad,
        status=status.value if status else None,
        coder=coder,
        since=day(since),
        until=day(until),
        text=q or None,
        incident=incident,
    )


Filters = Annotated[EventFilter, Depends(_filters)]


def _csv(page: Page, incidents: bool) -> Response:
    from detente.exports import write_csv

    out = io.StringIO()
    write_csv(page.items, out, incidents)
    headers = {"X-Next-Cursor": page.next_cursor} if page.next_cursor else {}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/", summary="What the store holds")
def root(request: Request, _: Reader) -> dict[str, Any]:
    return {"counts": context(request).store.counts(), "api": "/api/v1", "docs": "/api/docs"}


@router.get("/documents", summary="Documents (current revisions, without text)")
def documents(request: Request, _: Reader, cursor: Cursor = None, limit: Limit = 100) -> Any:
    return _page(document_page(context(request).store, cursor=cursor, limit=limit), limit)


@router.get("/documents/{doc_id}", summary="One document with its text and sentences")
def one_document(
    request: Request,
    _: Reader,
    doc_id: str,
    revision: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="a revision (default latest)")
    ] = None,
) -> dict[str, Any]:
    return document(context(request).store, doc_id, revision)


CSV_TOO: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a page (JSON), or with format=csv its rows (next cursor: X-Next-Cursor)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("/events", summary="Events, oldest first, filtered and paginated", responses=CSV_TOO)
def events(
    request: Request,
    _: Reader,
    where: Filters,
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = "json",
) -> Any:
    page = event_page(context(request).store, where, cursor=cursor, limit=limit)
    return _csv(page, False) if format == "csv" else _page(page, limit)


@router.get("/events/{event_id}", summary="One event's full record")
def one_event(request: Request, _: Reader, event_id: str) -> dict[str, Any]:
    return event(context(request).store, event_id)


@router.get(
    "/incidents",
    summary="Incidents with their sources, filtered and paginated",
    responses=CSV_TOO,
)
def incidents(
    request: Request,
    _: Reader,
    where: Filters,
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = "json",
) -> Any:
    page = incident_page(context(request).store, where, cursor=cursor, limit=limit)
    return _csv(page, True) if format == "csv" else _page(page, limit)


@router.get("/incidents/{incident_id}", summary="One incident: sources and every report")
def one_incident(request: Request, _: Reader, incident_id: str) -> dict[str, Any]:
    return incident(context(request).store, incident_id)


@router.get("/dyads", summary="The most active country pairs and their trend")
def dyads(
    request: Request,
    _: Reader,
    since: Day = None,
    as_of: Day = None,
    sort: Sort = "index",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> dict[str, Any]:
    found = dyad_summaries(context(request).store, since=day(since), as_of=day(as_of), sort=sort)
    return {"items": [s.row() for s in found[:limit]], "total": len(found), "limit": limit}


def _series(
    request: Request, pair: tuple[str, str], **options: Any
) -> tuple[list[Point], list[Bucket]]:
    points, days = series(context(request).store, pair, **options)
    if not points:
        raise RequestError(404, f"no dated incident between {pair[0]} and {pair[1]} here")
    return points, days


def _bounded(rows: list[dict[str, Any]], most: int) -> dict[str, Any]:
    return {"items": rows[-most:], "truncated": len(rows) > most}


@router.get("/dyads/{dyad}/tension", summary="The pair's series and tension index")
def tension(
    request: Request,
    _: Reader,
    dyad: DyadPath,
    freq: Literal["day", "week"] = "day",
    since: Day = None,
    until: Day = None,
    side: Annotated[
        str | None, Query(alias="from", max_length=3, description="one side's moves only")
    ] = None,
) -> dict[str, Any]:
    from detente.analysis.frames import bucket_rows

    pair = parse_dyad(dyad)
    direction = side.upper() if side else None
    if direction is not None and direction not in pair:
        raise RequestError(400, f"{side!r} is not a side of {'-'.join(pair)}")
    bounds = {"since": day(since), "until": day(until)}
    days = None if direction else summary_days(context(request).store, pair, **bounds)
    if days is None:  # one side's moves, or a pair reviews touch: from its incidents
        days = _series(request, pair, direction=direction, **bounds)[1]
    elif not days:
        raise RequestError(404, f"no dated incident between {pair[0]} and {pair[1]} here")
    return _bounded(bucket_rows(weekly(days) if freq == "week" else days), MAX_SERIES)


@router.get("/dyads/{dyad}/turns", summary="Turning points and surges")
def turns(
    request: Request, _: Reader, dyad: DyadPath, since: Day = None, until: Day = None
) -> dict[str, Any]:
    """The pair's turning points and surges, over its whole series or from ``since`` to
    ``until``."""
    from detente.analysis.frames import turn_table

    pair, bounds = parse_dyad(dyad), {"since": day(since), "until": day(until)}
    store = context(request).store
    days = summary_days(store, pair, **bounds)
    if days is None:  # a pair reviews touch: from its reviewed incidents
        points, days = _series(request, pair, **bounds)
        found = turning_points(days, points), surges(weekly(days), points)
    elif not days:
        raise RequestError(404, f"no dated incident between {pair[0]} and {pair[1]} here")
    else:
        found = summary_turns(store, pair, days)
    return _bounded(turn_table(*found), MAX_PAGE)


@router.get("/dyads/{dyad}/reciprocity", summary="Matched moves and the lagged response")
def reciprocity(
    request: Request, _: Reader, dyad: DyadPath, since: Day = None, until: Day = None
) -> dict[str, Any]:
    """Moves matched by the other side and the lagged response, over the pair's whole history
    or its incidents from ``since`` to ``until``."""
    from detente.analysis.frames import lagged_table, match_table

    pair, bounds = parse_dyad(dyad), {"since": day(since), "until": day(until)}
    fast = moves.reciprocity(context(request).store, pair, keep=MAX_PAGE, **bounds)
    if fast is None:  # a pair reviews touch: from its reviewed incidents
        a, b = pair
        points = _series(request, pair, **bounds)[0]
        lagged = [lagged_response(points, b, a), lagged_response(points, a, b)]
        return {
            **_bounded(match_table(matched_moves(points, pair)), MAX_PAGE),
            "lagged": lagged_table(pair, lagged),
        }
    if not fast.incidents:
        raise RequestError(404, f"no dated incident between {pair[0]} and {pair[1]} here")
    return {
        "items": match_table(fast.matches),
        "truncated": fast.total > MAX_PAGE,
        "lagged": lagged_table(pair, fast.lagged),
    }


CommitmentStatus = Literal[
    "abandoned", "reversed", "violated", "alleged-violation", "reciprocated", "fulfilled",
    "expired", "pending",
]  # fmt: skip


@router.get("/commitments", summary="Agreements and promises, and what became of them")
def commitments(
    request: Request,
    _: Reader,
    dyad: Annotated[str | None, Query(pattern=DYAD_PATTERN, description="e.g. BLR-UKR")] = None,
    status: Annotated[CommitmentStatus | None, Query(description="only this state")] = None,
    since: Day = None,
    until: Day = None,
    as_of: Day = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """``detente commitments``: one row a commitment (made from ``since`` to ``until``, judged
    on the incidents up to ``as_of``), oldest first; at most ``limit`` rows, ``total`` says
    how many there are."""
    from detente.analysis.commitments import commitments as find
    from detente.analysis.frames import commitment_rows

    found = find(
        context(request).store, parse_dyad(dyad) if dyad else None, since=day(since),
        until=day(until), as_of=day(as_of), status=status,
    )  # fmt: skip
    rows = commitment_rows(found[:limit])
    return {"items": rows, "total": len(found), "limit": limit, "truncated": len(found) > limit}


@router.get("/alerts", summary="The configured alert rules, evaluated now")
def alerts(request: Request, _: Reader) -> dict[str, Any]:
    from detente.analysis.alerts import evaluate, load_rules

    ctx = context(request)
    if ctx.settings.rules is None:
        raise RequestError(404, "no alert rules configured (detente serve --rules FILE)")
    fired = evaluate(ctx.store, load_rules(ctx.settings.rules), remember=False)
    rows = [
        {
            "rule": a.rule,
            "date": a.date.isoformat(),
            "message": a.message,
            "evidence": [p.incident_id for p in a.evidence],
        }
        for a in fired
    ]
    return _bounded(rows, MAX_PAGE)


@router.get(
    "/reviews",
    summary="Analysts' reviews, oldest first (the reviews table)",
    responses=CSV_TOO,
)
def reviews(
    request: Request,
    _: Reader,
    target: Annotated[str | None, Query(max_length=32, description="an event or incident")] = None,
    format: Format = "json",
) -> Any:
    from detente.store.reviews import list_reviews

    rows = [r.row() for r in list_reviews(context(request).store, target=target)]
    if format == "csv":
        out = io.StringIO()
        write_records(rows, "csv", out, REVIEW_COLUMNS)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    return _bounded(rows, MAX_PAGE)
