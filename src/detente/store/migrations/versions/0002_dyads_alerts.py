"""Country pairs of incidents (fast dyad analytics) and the alerts already fired.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_dyads",
        sa.Column(
            "incident_id",
            sa.String(32),
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source", sa.String(8), primary_key=True),
        sa.Column("target", sa.String(8), primary_key=True),
        sa.Column("joint", sa.Boolean, nullable=False),
        sa.Column("date_start", sa.Date),
    )
    op.create_index("ix_incident_dyads_pair", "incident_dyads", ["source", "target", "date_start"])
    op.create_table(
        "alerts_fired",
        sa.Column("rule", sa.String(256), primary_key=True),
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("fired_at", sa.String(32), nullable=False),
    )
    incidents = sa.table(
        "incidents",
        sa.column("id", sa.String),
        sa.column("actor_codes", sa.String),
        sa.column("recipient_codes", sa.String),
        sa.column("date_start", sa.Date),
    )
    connection = op.get_bind()
    rows = []
    for incident in connection.execute(sa.select(incidents)):
        for source, target, joint in dyads(incident.actor_codes, incident.recipient_codes):
            rows.append(
                {
                    "incident_id": incident.id,
                    "source": source,
                    "target": target,
                    "joint": joint,
                    "date_start": incident.date_start,
                }
            )
    if rows:
        dyad_table = sa.table(
            "incident_dyads",
            *(sa.column(c) for c in ("incident_id", "source", "target", "joint", "date_start")),
        )
        op.bulk_insert(dyad_table, rows)


def dyads(actor_codes: str, recipient_codes: str) -> list[tuple[str, str, bool]]:
    actors = [c for c in actor_codes.split(";") if c]
    recipients = [c for c in recipient_codes.split(";") if c]
    pairs = {(a, b): False for a in actors for b in recipients if a != b}
    for a in actors:
        for b in actors:
            if a != b:
                pairs.setdefault((a, b), True)  # co-actors, unless also actor and recipient
    return [(a, b, joint) for (a, b), joint in pairs.items()]


def downgrade() -> None:
    op.drop_table("alerts_fired")
    op.drop_table("incident_dyads")
