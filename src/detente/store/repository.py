"""Repository functions over the event store: open (and migrate), add a coded document, query.

The embedded default is one SQLite file (WAL mode); a ``postgresql://`` URL works with the same
code. Each document is written in one transaction, keyed by the hash of its normalised text, so
ingesting the same input again adds nothing, and a crash leaves no half-written document. A
changed version of a page already stored (same URL, record id or path) becomes a new revision;
the events of the old one are kept but marked superseded.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, and_, create_engine, event, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from detente.errors import StoreError
from detente.nlp.pipeline import Coded
from detente.records import Document, Event, event_json, text_hash
from detente.store import incidents as linking
from detente.store.faults import first_line, watch_faults
from detente.store.schema import (
    documents,
    event_actors,
    events,
    incident_sources,
    incidents,
    sentences,
)

DEFAULT_DB_ENV = "DETENTE_DB"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url() -> str:
    """``$DETENTE_DB``, else ``detente.db`` in the current directory."""
    return os.environ.get(DEFAULT_DB_ENV) or "sqlite:///detente.db"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def content_hash(doc: Document) -> str:
    return text_hash(doc.text)


def doc_key(doc: Document) -> str:
    """What makes two versions the same page: its URL, record id, path, else its text."""
    if doc.url:
        return f"url:{doc.url}"
    if doc.kind in ("jsonl", "csv", "feed-entry"):
        return f"id:{doc.id}"
    if doc.path:
        return f"path:{doc.path}"
    return f"text:{content_hash(doc)}"


@dataclass
class Store:
    engine: Engine

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -------------------------------------------------------------------------
    def stored(self, docs: list[Document]) -> set[str]:
        """Which of ``docs`` are stored already (content hashes), in one query."""
        with self.engine.connect() as conn:
            return _stored(conn, [content_hash(d) for d in docs])

    def add(self, coded: Coded) -> bool:
        """Store one coded document whole, or not at all. False when it was already stored."""
        return bool(self.add_many([coded]))

    def add_many(self, batch: Sequence[Coded | Prepared]) -> set[str]:
        """Store documents in one transaction (each whole, or none of them); returns the content
        hashes newly stored. Documents already stored, or repeated, are skipped."""
        ready = [item if isinstance(item, Prepared) else prepare(item) for item in batch]
        if not ready:
            return set()
        try:
            with self.engine.begin() as conn:
                write_lock(conn)
                known = _stored(conn, [p.content_hash for p in ready])
                fresh: dict[str, Prepared] = {}
                for item in ready:
                    if item.content_hash not in known and item.content_hash not in fresh:
                        fresh[item.content_hash] = item
                if len({p.doc_key for p in fresh.values()}) < len(fresh):
                    conn.rollback()  # two revisions of one page: store them one after the other
                    return set().union(*(self.add_many([p]) for p in fresh.values()))
                batch_ready = list(fresh.values())
                revisions, gone = _supersede(conn, [p.doc_key for p in batch_ready])
                _insert(conn, batch_ready, revisions)
                kinds = {linking.kind(r) for p in batch_ready for r in p.events}
                linking.relink(conn, kinds | gone)
                return set(fresh)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            names = ", ".join(p.doc_id for p in ready[:3]) + ("…" if len(ready) > 3 else "")
            raise StoreError(f"cannot store documents ({names}): {reason}") from exc

    # -- reading -------------------------------------------------------------------------
    def events(
        self,
        *,
        dyad: tuple[str, str] | None = None,
        actor: str | None = None,
        event_type: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        incidents_only: bool = False,
        include_superseded: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Event JSON records with ``incident_id``, oldest first (undated last), streamed, as
        analysts reviewed them (``store.reviews``: an event marked wrong is left out; the
        filters select by the coder's values). With ``incidents_only``, one record per
        incident: its lead event with the incident's date and figures."""
        from detente.store.reviews import resolve  # analysts' reviews apply to every read

        reviewed = resolve(self)
        yield from reviewed.records(
            self._stored_events(dyad, actor, event_type, since, until, incidents_only,
                                include_superseded)
        )  # fmt: skip

    def _stored_events(
        self,
        dyad: tuple[str, str] | None,
        actor: str | None,
        event_type: str | None,
        since: dt.date | None,
        until: dt.date | None,
        incidents_only: bool,
        include_superseded: bool,
    ) -> Iterator[dict[str, Any]]:
        """The events (or incidents) as the coder stored them."""
        conditions = _filters(dyad, actor, event_type, since, until)
        if not include_superseded:
            conditions.append(events.c.superseded.is_(False))
        if incidents_only:
            yield from self._incidents(conditions)
            return
        query = (
            select(events.c.payload, events.c.incident_id)
            .where(and_(*conditions))
            .order_by(
                events.c.date_start.is_(None),
                events.c.date_start,
                events.c.doc_id,
                events.c.sentence_idx,
                events.c.id,
            )
        )
        with self.engine.connect() as conn:
            for payload, incident in conn.execution_options(yield_per=1000).execute(query):
                record = json.loads(payload)
                record["incident_id"] = incident
                yield record

    def _incidents(self, conditions: list[Any]) -> Iterator[dict[str, Any]]:
        # correlate(None): this subquery keeps its own FROM events, apart from the outer join
        members = (
            select(events.c.incident_id)
            .where(and_(*conditions, events.c.incident_id.is_not(None)))
            .correlate(None)
        )
        query = (
            select(incidents, events.c.payload)
            .join(events, events.c.id == incidents.c.lead_event_id)
            .where(incidents.c.id.in_(members))
            .order_by(incidents.c.date_start.is_(None), incidents.c.date_start, incidents.c.id)
        )
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query).mappings():
                yield self.incident_record(conn, row)

    def incident_record(self, conn: Connection, row: Any) -> dict[str, Any]:
        """An incident's record: its lead report's, with the incident's date, counts and
        sources (``row``: an incidents row with its lead event's ``payload``)."""
        record: dict[str, Any] = json.loads(row["payload"])
        record.update(
            incident_id=row["id"],
            date=row["date"],
            date_precision=row["date_precision"],
            n_events=row["n_events"],
            n_documents=row["n_documents"],
            n_sources=row["n_sources"],
            first_reported=_iso(row["first_reported"]),
            last_reported=_iso(row["last_reported"]),
            sources=self.incident_sources(conn, row["id"]),
        )
        return record

    def incident_sources(self, conn: Connection, incident: str) -> list[dict[str, Any]]:
        query = (
            select(
                documents.c.doc_id,
                documents.c.title,
                documents.c.url,
                documents.c.path,
                documents.c.published,
                incident_sources.c.source_key,
            )
            .join(documents, documents.c.content_hash == incident_sources.c.content_hash)
            .where(incident_sources.c.incident_id == incident)
            .order_by(documents.c.published, documents.c.doc_id)
        )
        return [
            {
                "doc_id": r.doc_id,
                "title": r.title,
                "url": r.url,
                "path": r.path,
                "published": _iso(r.published),
                "source": r.source_key,
            }
            for r in conn.execute(query)
        ]

    def counts(self) -> dict[str, int]:
        tables = {
            "documents": documents,
            "sentences": sentences,
            "events": events,
            "incidents": incidents,
        }
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in tables.items()
            }


def _stored(conn: Connection, hashes: list[str]) -> set[str]:
    query = select(documents.c.content_hash).where(documents.c.content_hash.in_(hashes))
    return {row.content_hash for row in conn.execute(query)}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _has(code: str, role: str) -> Any:
    # an uncorrelated IN: the database finds the code's events once (ix_event_actors_code),
    # where a correlated EXISTS made SQLite scan them again for every event
    return events.c.id.in_(
        select(event_actors.c.event_id).where(
            and_(event_actors.c.role == role, event_actors.c.code == code)
        )
    )


def _filters(
    dyad: tuple[str, str] | None,
    actor: str | None,
    event_type: str | None,
    since: dt.date | None,
    until: dt.date | None,
) -> list[Any]:
    conditions: list[Any] = []
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
    return conditions


def _supersede(
    conn: Connection, keys: list[str]
) -> tuple[dict[str, int], set[tuple[str, str, str]]]:
    """Mark the current revisions of the pages ``keys`` superseded; their next revision numbers
    (pages not stored before are absent: they start at 1), and the kinds of event whose
    incidents lose reports, to group again."""
    previous = conn.execute(
        select(documents.c.content_hash, documents.c.doc_key, documents.c.revision).where(
            and_(documents.c.doc_key.in_(keys), documents.c.latest.is_(True))
        )
    ).all()
    gone: set[tuple[str, str, str]] = set()
    for old in previous:
        same = documents.c.content_hash == old.content_hash
        conn.execute(update(documents).where(same).values(latest=False))
        linked = select(events.c.event, events.c.actor_codes, events.c.recipient_codes).where(
            events.c.content_hash == old.content_hash
        )
        gone.update(linking.kind(r._mapping) for r in conn.execute(linked.distinct()))
        conn.execute(
            update(events).where(events.c.content_hash == old.content_hash).values(superseded=True)
        )
    return {old.doc_key: int(old.revision) + 1 for old in previous}, gone


@dataclass(frozen=True)
class Prepared:
    """A coded document as rows, ready to write: built where it was coded (an ingestion
    worker), so the process that writes only writes."""

    content_hash: str
    doc_key: str
    doc_id: str
    document: dict[str, Any]  # the documents row, but revision and ingestion time
    sentences: list[dict[str, Any]]
    events: list[dict[str, Any]]
    actors: list[dict[str, Any]]
    n_events: int
    n_sentences: int


def prepare(coded: Coded) -> Prepared:
    doc = coded.document
    key = content_hash(doc)
    document = {
        "content_hash": key, "doc_id": doc.id, "doc_key": doc_key(doc), "latest": True,
        "path": doc.path, "source": doc.source, "title": doc.title, "url": doc.url,
        "published": doc.published, "language": doc.language, "kind": doc.kind,
        "reference_date": coded.reference.iso() if coded.reference else None,
        "reference_basis": coded.reference_basis.value, "text": doc.text,
    }  # fmt: skip
    sentence_rows = [
        {"content_hash": key, "idx": s.index, "start": s.start, "end": s.end,
         "paragraph": s.paragraph}
        for s in coded.sentences
    ]  # fmt: skip
    rows: dict[str, dict[str, Any]] = {}
    actor_rows: list[dict[str, Any]] = []
    for ev in coded.events:
        ident = ev.id
        if ident not in rows:
            rows[ident] = _event_row(key, ev, ident)
            actor_rows += _actor_rows(ev, ident)
    return Prepared(key, doc_key(doc), doc.id, document, sentence_rows, list(rows.values()),
                    actor_rows, len(coded.events), len(coded.sentences))  # fmt: skip


def _insert(conn: Connection, batch: list[Prepared], revisions: dict[str, int]) -> None:
    """Insert documents with their sentences, events and actors, each table in one statement
    for the whole batch."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    tables = (
        (documents, [{**p.document, "revision": revisions.get(p.doc_key, 1), "ingested_at": now}
                     for p in batch]),
        (sentences, [row for p in batch for row in p.sentences]),
        (events, [row for p in batch for row in p.events]),
        (event_actors, [row for p in batch for row in p.actors]),
    )  # fmt: skip
    for table, table_rows in tables:
        if table_rows:
            conn.execute(table.insert(), table_rows)


def _codes(mentions: tuple[Any, ...]) -> str:
    return ";".join(sorted({m.entity.code for m in mentions}))


def _event_row(key: str, ev: Event, ident: str) -> dict[str, Any]:
    return {
        "id": ident,
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
        "actor_codes": _codes(ev.actor),
        "recipient_codes": _codes(ev.recipient),
        "confidence": ev.confidence,
        "trigger": linking.stem(ev.event_text),
        "superseded": False,
        "incident_id": None,
        "payload": json.dumps(event_json(ev), ensure_ascii=False),
    }


def _actor_rows(ev: Event, ident: str) -> list[dict[str, Any]]:
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
                    "event_id": ident,
                    "role": role,
                    "position": position,
                    "code": mention.entity.code,
                    "sector": mention.entity.sector,
                    "entity_id": mention.entity.entity_id,
                }
            )
    return out


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL from what users type: a path, sqlite:///..., postgres(ql)://..."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# Any number of processes may write one store. Each write transaction starts by taking the
# database's own write lock, so what it reads (stored documents, candidate incidents) holds
# until it commits: SQLite's BEGIN IMMEDIATE (its one writer lock; others wait busy_timeout),
# a transaction-scoped advisory lock on PostgreSQL. Coding runs outside, in parallel.
_WRITE_LOCK = 7_406_170  # any fixed number: the advisory lock of detente's writers


def write_lock(conn: Connection) -> None:
    """Take the store's write lock for the rest of ``conn``'s transaction (its first statement)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_WRITE_LOCK)))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database), under the
    write lock: two processes opening a new store do not both create it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        write_lock(conn)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open the store at ``url`` (default ``$DETENTE_DB`` or ``sqlite:///detente.db``),
    migrating it as needed; a SQLite file that does not exist is created, or with
    ``create=False`` (the read commands) refused with a reason."""
    url = normalise_url(url or default_url())
    try:
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            name = url[len("sqlite:///") :].split("?", 1)[0]
            if not name:
                raise StoreError(
                    "sqlite:/// names no file (it would keep nothing): "
                    "give one, e.g. sqlite:///detente.db"
                )
            path = Path(name)
            if not create and not path.exists():
                raise StoreError(
                    f"no store at {path}: nothing was ingested there "
                    "(detente ingest ... --db with this URL creates it)"
                )
            if not path.parent.exists():
                raise StoreError(
                    f"cannot create the database {path}: folder {path.parent} does not exist"
                )
        options: dict[str, Any] = {}
        if url in ("sqlite://", "sqlite:///:memory:"):
            options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        engine = create_engine(url, **options)
        watch_faults(engine)  # a damaged, read-only or full store: one StoreError line
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        migrate(engine)
    except StoreError:
        raise
    except (SQLAlchemyError, ModuleNotFoundError, OSError, ValueError) as exc:
        # ValueError: a URL that does not parse ("postgresql://[::1")
        reason = first_line(getattr(exc, "orig", None) or exc)
        raise StoreError(f"cannot open the store at {_redact(url)}: {reason}") from None
    return Store(engine)


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
