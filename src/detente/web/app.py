"""The ASGI app of ``detente serve`` and what every request passes through: the body-size limit,
CORS (only when configured) and one error handler that renders every error as the same JSON
body, ``{"error": {"status": 404, "title": "Not Found", "detail": "no event 'x'"}}``."""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente import __version__
from detente.errors import DetenteError, InputError, RequestError
from detente.nlp.pipeline import Resources
from detente.store import Store
from detente.web.auth import RateLimiter

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 2 * 1_048_576
LOOPBACK = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """How the app answers; ``detente serve``'s options."""

    read_public: bool = True  # reads without a token (the CLI: on loopback unless told otherwise)
    max_body: int = DEFAULT_MAX_BODY  # bytes of a request body
    writes_per_minute: int = 30  # per token
    cors_origins: tuple[str, ...] = ()
    rules: Path | None = None  # alert rules shown by /api/v1/alerts and /alerts


@dataclass
class Context:
    """What the routes need, made once per app: the store, the settings, the coder (loaded at the
    first ingest) and the write limiter."""

    store: Store
    settings: Settings
    load_resources: Callable[[], Resources]
    limiter: RateLimiter
    _resources: Resources | None = field(default=None, repr=False)
    _loading: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def resources(self) -> Resources:
        with self._loading:  # two first documents at once load the coder once
            if self._resources is None:
                self._resources = self.load_resources()
            return self._resources


def context(request: Request) -> Context:
    found: Context = request.app.state.detente
    return found


class ErrorDetail(BaseModel):
    status: int
    title: str
    detail: str


class ErrorBody(BaseModel):
    """Every error's body."""

    error: ErrorDetail


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of a route, for its OpenAPI description."""
    return {s: {"model": ErrorBody, "description": HTTPStatus(s).phrase} for s in statuses}


def error_body(status: int, detail: str) -> dict[str, Any]:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return {"error": {"status": status, "title": title, "detail": detail}}


def error_response(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, detail), status_code=status, headers=headers)


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    """The one error handler: every error a request meets becomes one JSON body."""
    if isinstance(exc, RequestError):
        return error_response(exc.status, exc.message, exc.headers)
    if isinstance(exc, RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()[:5]
        )
        return error_response(422, problems or "the request is not valid")
    if isinstance(exc, HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # each method is its own route: name them all
            headers["Allow"] = ", ".join(_allowed(request))
        return error_response(exc.status_code, detail, headers)
    if isinstance(exc, InputError):
        return error_response(422, str(exc))
    if isinstance(exc, DetenteError):
        return error_response(400, str(exc))
    log.exception("unexpected error on %s", request.url.path)
    return error_response(500, "internal error (the server's log has the details)")


def _allowed(request: Request) -> list[str]:
    """The methods of every route at the request's path."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)  # PARTIAL: this path, another method
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether they say their length
    (Content-Length) or stream it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_big = error_response(413, f"the request body is over the limit of {self.limit} bytes")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_big(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await too_big(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while the body is read: the framework passes an HTTPException on as it is, and
    the error handler renders it as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the limit of {limit} bytes")


def create_app(
    store: Store,
    settings: Settings | None = None,
    *,
    load_resources: Callable[[], Resources] | None = None,
) -> FastAPI:
    """The app over ``store``. ``load_resources`` builds the coder for ``POST /documents``
    (default ``detente.load``), called once, at the first document posted."""
    from detente.web import api, docs, pages, writes

    settings = settings or Settings()
    if load_resources is None:
        from detente.nlp.pipeline import load

        load_resources = load
    app = FastAPI(
        title="detente",
        version=__version__,
        description="PLOVER events, incidents and tension between states, from one store.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.detente = Context(
        store, settings, load_resources, RateLimiter(settings.writes_per_minute)
    )
    for kind in (Exception, RequestError, RequestValidationError, HTTPException):
        app.add_exception_handler(kind, _handle)
    app.include_router(api.router)
    app.include_router(writes.router)
    app.include_router(docs.router)
    app.include_router(pages.router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body)
    return app
