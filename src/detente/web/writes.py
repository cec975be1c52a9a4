"""The write endpoints of ``/api/v1``: each needs a token whose scope allows it, and counts
towards that token's rate limit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from detente.api import ingest_record
from detente.store.tokens import Token
from detente.web.app import context, responses
from detente.web.auth import writer

router = APIRouter(prefix="/api/v1", responses=responses(400, 401, 403, 413, 422, 429))


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
