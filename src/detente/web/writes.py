"""The write endpoints of ``/api/v1``: each needs a token whose scope allows it, and counts
towards that token's rate limit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from detente.api import ingest_record
from detente.records import EventType, Status
from detente.store.reviews import Review, merge_incidents, review_event, split_incident
from detente.store.tokens import Token
from detente.web.app import context, responses
from detente.web.auth import writer

router = APIRouter(prefix="/api/v1", responses=responses(400, 401, 403, 404, 413, 422, 429))


class DocumentIn(BaseModel):
    """A document to code and store, as a line of a JSONL corpus."""

    id: str = Field(min_length=1, max_length=512, description="the document's id (its page key)")
    text: str = Field(min_length=1, description="the text, in English")
    published: str | None = Field(None, description="publication date, YYYY-MM-DD")
    title: str | None = Field(None, max_length=2000)
    url: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=500, description="the outlet")
    language: str | None = Field(None, max_length=16)


@router.post("/documents", status_code=201, summary="Code and store one document (ingest)")
def post_document(
    request: Request, body: DocumentIn, token: Annotated[Token, Depends(writer("ingest"))]
) -> dict[str, Any]:
    ctx = context(request)
    done = ingest_record(
        body.model_dump(exclude_none=True),
        ctx.store,
        ctx.resources(),
        max_bytes=ctx.settings.max_body,
    )
    return {
        "doc_id": done.doc_id,
        "content_hash": done.content_hash,
        "stored": done.stored,
        "events": done.events,
        "event_ids": list(done.event_ids),
        "by": token.name,
    }


class EventReviewIn(BaseModel):
    """A review of one event: mark it wrong, or give the fields to change; always say why."""

    comment: str = Field(min_length=1, max_length=4000)
    wrong: bool = False
    event: EventType | None = Field(None, description="PLOVER event type")
    mode: str | None = Field(None, max_length=32)
    actor: list[str] | None = Field(None, max_length=5, description="country or PLOVER codes")
    recipient: list[str] | None = Field(None, max_length=5)
    status: Status | None = None
    date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")


class MergeIn(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)
    with_incident: str = Field(alias="with", max_length=32, description="the other incident")


class SplitIn(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)
    events: list[str] = Field(min_length=1, max_length=500, description="events to take out")


def _answer(review: Review) -> dict[str, Any]:
    return {**review.row(), "before": review.before, "after": review.after}


Reviewer = Annotated[Token, Depends(writer("review"))]


@router.post("/events/{event_id}/reviews", status_code=201, summary="Review an event")
def post_event_review(
    request: Request, event_id: str, body: EventReviewIn, token: Reviewer
) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True, exclude={"comment", "wrong"}, mode="json")
    if "mode" in body.model_fields_set and body.mode is None:
        changes["mode"] = None
    return _answer(
        review_event(
            context(request).store, event_id, wrong=body.wrong, changes=changes,
            comment=body.comment, reviewer=token.name,
        )
    )  # fmt: skip


@router.post("/incidents/{incident_id}/merge", status_code=201, summary="Merge two incidents")
def post_merge(
    request: Request, incident_id: str, body: MergeIn, token: Reviewer
) -> dict[str, Any]:
    store = context(request).store
    return _answer(
        merge_incidents(store, incident_id, body.with_incident, comment=body.comment,
                        reviewer=token.name)
    )  # fmt: skip


@router.post("/incidents/{incident_id}/split", status_code=201, summary="Split events off")
def post_split(
    request: Request, incident_id: str, body: SplitIn, token: Reviewer
) -> dict[str, Any]:
    store = context(request).store
    return _answer(
        split_incident(store, incident_id, body.events, comment=body.comment, reviewer=token.name)
    )
