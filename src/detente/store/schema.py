"""The event store schema (SQLAlchemy Core): documents, sentences, events and their actors."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("content_hash", String(64), primary_key=True),  # hash of the normalised text
    Column("doc_id", String(512), nullable=False),  # the id events carry (record id or hash)
    Column("path", Text),
    Column("source", Text),
    Column("title", Text),
    Column("url", Text),
    Column("published", Date),
    Column("language", String(16)),
    Column("kind", String(32), nullable=False),
    Column("reference_date", String(10)),
    Column("reference_basis", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("ingested_at", String(32), nullable=False),
    Index("ix_documents_doc_id", "doc_id"),
    Index("ix_documents_url", "url"),
)

sentences = Table(
    "sentences",
    metadata,
    Column(
        "content_hash",
        String(64),
        ForeignKey("documents.content_hash", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("paragraph", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "content_hash",
        String(64),
        ForeignKey("documents.content_hash", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("doc_id", String(512), nullable=False),
    Column("sentence_idx", Integer, nullable=False),
    Column("event", String(16), nullable=False),
    Column("mode", String(32)),
    Column("quad_code", Integer, nullable=False),
    Column("intensity", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("date", String(10)),
    Column("date_start", Date),  # first day of the date, for ranges and sorting
    Column("date_precision", String(8), nullable=False),
    Column("actor_codes", String(128), nullable=False),  # "BLR;UKR" for quick filtering
    Column("recipient_codes", String(128), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("payload", Text, nullable=False),  # the full event JSON
    Index("ix_events_date", "date_start"),
    Index("ix_events_type", "event"),
    Index("ix_events_doc", "content_hash"),
)

event_actors = Table(
    "event_actors",
    metadata,
    Column("event_id", String(32), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(12), primary_key=True),  # actor | recipient | claimed_by
    Column("position", Integer, primary_key=True),
    Column("code", String(8), nullable=False),
    Column("sector", String(8)),
    Column("entity_id", String(128)),
    Index("ix_event_actors_code", "code", "role"),
)
