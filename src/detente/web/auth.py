"""Who is asking: the bearer token of a request, its scope, and the rate limit on writes.

Reads are open when the app's ``read_public`` setting says so, else they need a token of any
scope; writes always need a token whose scope allows them (``ingest`` to add documents,
``review`` to review). Each token may write ``writes_per_minute`` times a minute (a sliding
window kept in memory: a restart forgets it, the store holds nothing of it).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import Request

from detente.errors import RequestError
from detente.store.tokens import Token, verify_token

if TYPE_CHECKING:
    from detente.web.app import Context

WINDOW_SECONDS = 60.0


class RateLimiter:
    """At most ``per_minute`` writes a minute per token name."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, name: str) -> None:
        """Count one write by ``name``, or refuse it (429) when the minute's share is used."""
        now = self.clock()
        with self._lock:
            times = self._seen[name]
            while times and now - times[0] >= WINDOW_SECONDS:
                times.popleft()
            if len(times) >= self.per_minute:
                wait = max(1, int(WINDOW_SECONDS - (now - times[0])) + 1)
                raise RequestError(
                    429,
                    f"token {name!r} made {self.per_minute} writes in the last minute; "
                    f"try again in {wait} s",
                    {"Retry-After": str(wait)},
                )
            times.append(now)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    kind, _, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        raise RequestError(
            401, "the Authorization header must be 'Bearer TOKEN'", {"WWW-Authenticate": "Bearer"}
        )
    return secret.strip()


def _context(request: Request) -> Context:
    from detente.web.app import context

    return context(request)


def token_of(request: Request) -> Token | None:
    """The request's token, None when it has none; a wrong token is 401."""
    secret = _bearer(request)
    if secret is None:
        return None
    token = verify_token(_context(request).store, secret)
    if token is None:
        raise RequestError(401, "unknown token", {"WWW-Authenticate": "Bearer"})
    return token


def reader(request: Request) -> Token | None:
    """A dependency of every read: a token unless reads are public."""
    token = token_of(request)
    if token is None and not _context(request).settings.read_public:
        raise RequestError(
            401, "reads need a token here (detente tokens create)", {"WWW-Authenticate": "Bearer"}
        )
    return token


def writer(scope: str) -> Callable[[Request], Token]:
    """A dependency of the writes that need ``scope``: the token, counted by the rate limit."""

    def check(request: Request) -> Token:
        token = token_of(request)
        if token is None:
            raise RequestError(
                401, f"this needs a token of scope {scope}", {"WWW-Authenticate": "Bearer"}
            )
        if not token.allows(scope):
            raise RequestError(403, f"token {token.name!r} has scope {token.scope}, not {scope}")
        _context(request).limiter.check(token.name)
        return token

    return check
