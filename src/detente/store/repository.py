"""Repository functions over the event store: open, ingest a coded document, query events.

The embedded default is one SQLite file (WAL mode); any SQLAlchemy URL works, PostgreSQL
included. Each document is written in one transaction, keyed by the hash of its normalised
content, so ingesting the same input again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, create_engine, event, exists, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from detente.errors import StoreError
from detente.nlp.pipeline import Coded
from detente.records import Document, Event, event_json, text_hash
from detente.store.schema import documents, event_actors, events, metadata, sentences

DEFAULT_DB_ENV = "DETENTE_DB"


def default_url() -> str:
    """``$DETENTE_DB``, else ``detente.db`` in the current directory."""
    return os.environ.get(DEFAULT_DB_ENV) or "sqlite:///detente.db"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass
class Store:
    engine: Engine

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -------------------------------------------------------------------------
    def has_document(self, doc: Document) -> bool:
        with self.engine.connect() as conn:
            return bool(
                conn.execute(
                    select(exists().where(documents.c.content_hash == content_hash(doc)))
                ).scalar()
            )

    def add(self, coded: Coded) -> bool:
        """Store one coded document whole, or not at all. False when it was already stored."""
        try:
            with self.engine.begin() as conn:
                key = content_hash(coded.document)
                if conn.execute(
                    select(documents.c.content_hash).where(documents.c.content_hash == key)
                ).first():
                    return False
                _insert(conn, key, coded)
                return True
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"cannot store document {coded.document.id}: {reason}") from exc

    # -- reading -------------------------------------------------------------------------
    def events(
        self,
        *,
        dyad: tuple[str, str] | None = None,
        actor: str | None = None,
        event_type: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Event JSON records, oldest first (undated last), streamed."""
        query = select(events.c.payload)
        conditions = []
        if dyad is not None:
            a, b = dyad
            conditions.append(
                or_(
                    and_(_has(a, "actor"), _has(b, "recipient")),
                    and_(_has(b, "actor"), _has(a, "recipient")),
                    and_(_has(a, "actor"), _has(b, "actor")),
                )
            )
        if actor is not None:
            conditions.append(_has(actor, "actor"))
        if event_type is not None:
            conditions.append(events.c.event == event_type.upper())
        if since is not None:
            conditions.append(events.c.date_start >= since)
        if until is not None:
            conditions.append(events.c.date_start <= until)
        if conditions:
            query = query.where(and_(*conditions))
        query = query.order_by(
            events.c.date_start.is_(None),
            events.c.date_start,
            events.c.doc_id,
            events.c.sentence_idx,
            events.c.id,
        )
        with self.engine.connect() as conn:
            for (payload,) in conn.execution_options(yield_per=1000).execute(query):
                yield json.loads(payload)

    def counts(self) -> dict[str, int]:
        tables = {"documents": documents, "sentences": sentences, "events": events}
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in tables.items()
            }


def _has(code: str, role: str) -> Any:
    return exists().where(
        and_(
            event_actors.c.event_id == events.c.id,
            event_actors.c.role == role,
            event_actors.c.code == code,
        )
    )


def content_hash(doc: Document) -> str:
    return text_hash(doc.text)


def _insert(conn: Connection, key: str, coded: Coded) -> None:
    doc = coded.document
    conn.execute(
        documents.insert().values(
            content_hash=key,
            doc_id=doc.id,
            path=doc.path,
            source=doc.source,
            title=doc.title,
            url=doc.url,
            published=doc.published,
            language=doc.language,
            kind=doc.kind,
            reference_date=coded.reference.iso() if coded.reference else None,
            reference_basis=coded.reference_basis.value,
            text=doc.text,
            ingested_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
    )
    if coded.sentences:
        conn.execute(
            sentences.insert(),
            [
                {
                    "content_hash": key,
                    "idx": s.index,
                    "start": s.start,
                    "end": s.end,
                    "paragraph": s.paragraph,
                }
                for s in coded.sentences
            ],
        )
    seen: set[str] = set()
    rows, actor_rows = [], []
    for ev in coded.events:
        if ev.id in seen:
            continue
        seen.add(ev.id)
        rows.append(_event_row(key, ev))
        actor_rows += _actor_rows(ev)
    if rows:
        conn.execute(events.insert(), rows)
    if actor_rows:
        conn.execute(event_actors.insert(), actor_rows)


def _event_row(key: str, ev: Event) -> dict[str, Any]:
    payload = event_json(ev)
    return {
        "id": ev.id,
        "content_hash": key,
        "doc_id": ev.doc_id,
        "sentence_idx": ev.sentence_index,
        "event": ev.event.value,
        "mode": ev.mode,
        "quad_code": ev.quad_code,
        "intensity": ev.intensity,
        "status": ev.status.value,
        "date": ev.date.iso() if ev.date else None,
        "date_start": ev.date.first_day() if ev.date else None,
        "date_precision": ev.date_precision.value,
        "actor_codes": ";".join(m.entity.code for m in ev.actor),
        "recipient_codes": ";".join(m.entity.code for m in ev.recipient),
        "confidence": ev.confidence,
        "payload": json.dumps(payload, ensure_ascii=False),
    }


def _actor_rows(ev: Event) -> list[dict[str, Any]]:
    out = []
    groups = [
        ("actor", ev.actor),
        ("recipient", ev.recipient),
        ("claimed_by", (ev.claimed_by,) if ev.claimed_by else ()),
    ]
    for role, mentions in groups:
        for position, mention in enumerate(mentions):
            out.append(
                {
                    "event_id": ev.id,
                    "role": role,
                    "position": position,
                    "code": mention.entity.code,
                    "sector": mention.entity.sector,
                    "entity_id": mention.entity.entity_id,
                }
            )
    return out


def open_store(url: str | None = None) -> Store:
    """Open (and create if needed) the store at ``url``; a bare path means a SQLite file."""
    url = url or default_url()
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        if url.startswith("sqlite:///"):
            path = Path(url[len("sqlite:///") :])
            if path.parent and not path.parent.exists():
                raise StoreError(
                    f"cannot create the database {path}: folder {path.parent} does not exist"
                )
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        metadata.create_all(engine)
    except StoreError:
        raise
    except (SQLAlchemyError, ModuleNotFoundError) as exc:
        raise StoreError(f"cannot open the store at {_redact(url)}: {exc}") from None
    return Store(engine)


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
