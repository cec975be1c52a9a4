"""The initial store: documents with revisions, sentences, events, actors, incidents.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("doc_key", sa.String(1024), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("latest", sa.Boolean, nullable=False),
        sa.Column("path", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("language", sa.String(16)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("reference_date", sa.String(10)),
        sa.Column("reference_basis", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_documents_doc_key", "documents", ["doc_key"])
    op.create_index("ix_documents_doc_id", "documents", ["doc_id"])
    op.create_table(
        "sentences",
        sa.Column(
            "content_hash",
            sa.String(64),
            sa.ForeignKey("documents.content_hash", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("paragraph", sa.Integer, nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(32)),
        sa.Column("actor_codes", sa.String(128), nullable=False),
        sa.Column("recipient_codes", sa.String(128), nullable=False),
        sa.Column("date", sa.String(10)),
        sa.Column("date_start", sa.Date),
        sa.Column("date_precision", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("intensity", sa.Float, nullable=False),
        sa.Column("quad_code", sa.Integer, nullable=False),
        sa.Column("n_events", sa.Integer, nullable=False),
        sa.Column("n_documents", sa.Integer, nullable=False),
        sa.Column("n_sources", sa.Integer, nullable=False),
        sa.Column("first_reported", sa.Date),
        sa.Column("last_reported", sa.Date),
        sa.Column("lead_event_id", sa.String(32), nullable=False),
    )
    op.create_index("ix_incidents_key", "incidents", ["event", "actor_codes", "recipient_codes"])
    op.create_index("ix_incidents_date", "incidents", ["date_start"])
    op.create_table(
        "events",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "content_hash",
            sa.String(64),
            sa.ForeignKey("documents.content_hash", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("sentence_idx", sa.Integer, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(32)),
        sa.Column("quad_code", sa.Integer, nullable=False),
        sa.Column("intensity", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("date", sa.String(10)),
        sa.Column("date_start", sa.Date),
        sa.Column("date_precision", sa.String(8), nullable=False),
        sa.Column("actor_codes", sa.String(128), nullable=False),
        sa.Column("recipient_codes", sa.String(128), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("superseded", sa.Boolean, nullable=False),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id", ondelete="SET NULL")),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_events_date", "events", ["date_start"])
    op.create_index("ix_events_type", "events", ["event"])
    op.create_index("ix_events_doc", "events", ["content_hash"])
    op.create_index("ix_events_incident", "events", ["incident_id"])
    op.create_index("ix_events_key", "events", ["event", "actor_codes", "recipient_codes"])
    op.create_table(
        "event_actors",
        sa.Column(
            "event_id",
            sa.String(32),
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("role", sa.String(12), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("sector", sa.String(8)),
        sa.Column("entity_id", sa.String(128)),
    )
    op.create_index("ix_event_actors_code", "event_actors", ["code", "role"])
    op.create_table(
        "incident_sources",
        sa.Column(
            "incident_id",
            sa.String(32),
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "content_hash",
            sa.String(64),
            sa.ForeignKey("documents.content_hash", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source_key", sa.String(512), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "incident_sources",
        "event_actors",
        "events",
        "incidents",
        "sentences",
        "documents",
    ):
        op.drop_table(table)
