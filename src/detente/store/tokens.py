"""API tokens of ``detente serve``: created once, shown once, stored only as a hash.

A token is 32 random bytes (URL-safe text with a ``dtt_`` prefix, so a leaked one is easy to
grep for); the store keeps its SHA-256, its name and its scope. A token of scope ``read`` may
read; ``review`` may also review events and incidents; ``ingest`` may also add documents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from detente.errors import ConfigError, StoreError
from detente.store.repository import Store
from detente.store.schema import api_tokens

SCOPES = ("read", "review", "ingest")
PREFIX = "dtt_"
_GRANTS = {"read": {"read"}, "review": {"read", "review"}, "ingest": {"read", "ingest"}}


@dataclass(frozen=True, slots=True)
class Token:
    """A stored token as the app knows it: never the secret itself."""

    name: str
    scope: str
    created_at: str

    def allows(self, needed: str) -> bool:
        """Whether this token may do what ``needed`` (a scope) asks."""
        return needed in _GRANTS.get(self.scope, set())


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str, scope: str = "read") -> str:
    """Store a new token named ``name`` and return its secret (the only time it is seen)."""
    if scope not in SCOPES:
        raise ConfigError(f"unknown scope {scope!r}: one of {', '.join(SCOPES)}")
    if not name.strip() or len(name) > 128:
        raise ConfigError("a token needs a name of 1 to 128 characters")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = {
        "name": name,
        "scope": scope,
        "token_hash": token_hash(secret),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    try:
        with store.engine.begin() as conn:
            conn.execute(api_tokens.insert(), [row])
    except IntegrityError:
        raise ConfigError(
            f"a token named {name!r} exists already (revoke it first, or pick another name)"
        ) from None
    return secret


def verify_token(store: Store, secret: str) -> Token | None:
    """The token whose secret this is, or None."""
    digest = token_hash(secret)
    with store.engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Token(row.name, row.scope, row.created_at)


def list_tokens(store: Store) -> list[Token]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(api_tokens).order_by(api_tokens.c.name)).all()
    return [Token(r.name, r.scope, r.created_at) for r in rows]


def revoke_token(store: Store, name: str) -> None:
    """Delete the token named ``name``; unknown names are an error."""
    with store.engine.begin() as conn:
        gone = conn.execute(delete(api_tokens).where(api_tokens.c.name == name)).rowcount
    if not gone:
        raise StoreError(f"no token named {name!r} (detente tokens list shows them)")
