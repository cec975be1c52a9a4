"""Each country pair's per-day summary summed over all its days (``dyad_totals``), filled from
``dyad_days``; each write keeps it up to date from then on (``store/summary.py``).

Revision ID: 0006_dyad_totals
Revises: 0005_dyad_type_days
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_dyad_totals"
down_revision = "0005_dyad_type_days"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dyad_totals",
        sa.Column("lo", sa.String(8), primary_key=True),
        sa.Column("hi", sa.String(8), primary_key=True),
        sa.Column("incidents", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("hostility", sa.Float, nullable=False),
        sa.Column("cooperation", sa.Float, nullable=False),
        sa.Column("first", sa.Date, nullable=False),
        sa.Column("last", sa.Date, nullable=False),
    )
    op.execute(
        "INSERT INTO dyad_totals (lo, hi, incidents, events, hostility, cooperation, first, last) "
        "SELECT lo, hi, SUM(incidents), SUM(events), SUM(hostility), SUM(cooperation), "
        "MIN(day), MAX(day) FROM dyad_days GROUP BY lo, hi"
    )


def downgrade() -> None:
    op.drop_table("dyad_totals")
