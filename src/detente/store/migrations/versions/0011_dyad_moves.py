"""Each incident's country pairs with the incident's figures, by undirected pair and first day
(``dyad_moves``), and each pair's moves counted by first day and type (``dyad_move_days``),
filled from incident_dyads and incidents; each write keeps them up to date from then on
(``store/moves.py``).

Revision ID: 0007_dyad_moves
Revises: 0006_dyad_totals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_dyad_moves"
down_revision = "0006_dyad_totals"
branch_labels = None
depends_on = None

FILL = """
INSERT INTO dyad_moves (lo, hi, date_start, incident_id, source, target, joint, event, mode,
                        date_precision, quad_code, intensity, status, n_events, n_sources)
SELECT CASE WHEN d.source < d.target THEN d.source ELSE d.target END,
       CASE WHEN d.source < d.target THEN d.target ELSE d.source END,
       d.date_start, d.incident_id, d.source, d.target, d.joint, i.event, i.mode,
       i.date_precision, i.quad_code, i.intensity, i.status, i.n_events, i.n_sources
FROM incident_dyads AS d JOIN incidents AS i ON i.id = d.incident_id
WHERE d.date_start IS NOT NULL AND d.source <> d.target
"""

COUNT = """
INSERT INTO dyad_move_days (lo, hi, day, event, by_lo, by_hi, joint)
SELECT lo, hi, date_start, event,
       SUM(CASE WHEN mover = lo THEN 1 ELSE 0 END),
       SUM(CASE WHEN mover = hi THEN 1 ELSE 0 END),
       SUM(CASE WHEN mover IS NULL THEN 1 ELSE 0 END)
FROM (SELECT lo, hi, date_start, event, MIN(CASE WHEN joint THEN NULL ELSE source END) AS mover
      FROM dyad_moves GROUP BY incident_id, lo, hi, date_start, event) AS each_incident
GROUP BY lo, hi, date_start, event
"""


def upgrade() -> None:
    op.create_table(
        "dyad_moves",
        sa.Column("lo", sa.String(8), primary_key=True),
        sa.Column("hi", sa.String(8), primary_key=True),
        sa.Column("date_start", sa.Date, primary_key=True),
        sa.Column("incident_id", sa.String(32), primary_key=True),
        sa.Column("source", sa.String(8), primary_key=True),
        sa.Column("target", sa.String(8), primary_key=True),
        sa.Column("joint", sa.Boolean, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(32)),
        sa.Column("date_precision", sa.String(8), nullable=False),
        sa.Column("quad_code", sa.Integer, nullable=False),
        sa.Column("intensity", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("n_events", sa.Integer, nullable=False),
        sa.Column("n_sources", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute(FILL)
    op.create_index("ix_dyad_moves_incident", "dyad_moves", ["incident_id"])
    op.create_table(
        "dyad_move_days",
        sa.Column("lo", sa.String(8), primary_key=True),
        sa.Column("hi", sa.String(8), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("event", sa.String(16), primary_key=True),
        sa.Column("by_lo", sa.Integer, nullable=False),
        sa.Column("by_hi", sa.Integer, nullable=False),
        sa.Column("joint", sa.Integer, nullable=False),
    )
    op.execute(COUNT)


def downgrade() -> None:
    op.drop_table("dyad_move_days")
    op.drop_index("ix_dyad_moves_incident", "dyad_moves")
    op.drop_table("dyad_moves")
