"""Delivery states: each (alert, channel) delivery is claimed as ``sending`` before its send and
ends ``delivered`` or ``failed``, so a delivery cut short by a kill is known to be in doubt.

Revision ID: 0005_delivery_states
Revises: 0005_events_sentence
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_delivery_states"
down_revision = "0005_events_sentence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "alert_deliveries",
        sa.Column("status", sa.String(16), nullable=False, server_default="failed"),
    )
    op.add_column("alert_deliveries", sa.Column("lease_owner", sa.String(256)))
    op.add_column("alert_deliveries", sa.Column("lease_until", sa.String(32)))
    op.execute("UPDATE alert_deliveries SET status = 'delivered' WHERE delivered_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
        batch.drop_column("status")
