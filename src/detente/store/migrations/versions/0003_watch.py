"""The watcher's state: sources, the items they published, the alert outbox and deliveries.

Revision ID: 0003_watch
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_watch"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_state",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("last_fetch", sa.String(32)),
        sa.Column("last_success", sa.String(32)),
        sa.Column("last_error", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_due", sa.String(32)),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.String(64)),
        sa.Column("items_seen", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(256)),
        sa.Column("lease_until", sa.String(32)),
    )
    op.create_table(
        "source_items",
        sa.Column("source", sa.String(256), primary_key=True),
        sa.Column("item_key", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("note", sa.Text),
        sa.Column("seen_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_source_items_seen", "source_items", ["source", "seen_at"])
    op.create_table(
        "alert_outbox",
        sa.Column("rule", sa.String(256), primary_key=True),
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("rule", sa.String(256), primary_key=True),
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("delivered_at", sa.String(32)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("alert_deliveries")
    op.drop_table("alert_outbox")
    op.drop_table("source_items")
    op.drop_table("source_state")
