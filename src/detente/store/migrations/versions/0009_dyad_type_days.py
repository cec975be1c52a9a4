"""The per-day summary of each country pair's incidents by PLOVER type and quad class
(``dyad_type_days``), filled from the incidents already stored; each write keeps it up to date
from then on, with ``dyad_days`` (``store/summary.py``).

Revision ID: 0005_dyad_type_days
Revises: 0005_delivery_states
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_dyad_type_days"
down_revision = "0005_delivery_states"
branch_labels = None
depends_on = None

# the incident weights of analysis.series when this revision was written
STATUS_WEIGHT = {"asserted": 1.0, "alleged": 0.5, "denied": 0.25, "planned": 0.25}

GROUPED = """
SELECT p.lo, p.hi, p.date_start AS day, i.date_precision, i.event, i.quad_code, i.status,
       i.n_sources, CASE WHEN i.intensity < 0 THEN 1 ELSE 0 END AS hostile,
       COUNT(*) AS n, COALESCE(SUM(i.n_events), 0) AS n_events,
       COALESCE(SUM(ABS(i.intensity)), 0.0) AS strength
FROM (SELECT DISTINCT incident_id,
             CASE WHEN source < target THEN source ELSE target END AS lo,
             CASE WHEN source < target THEN target ELSE source END AS hi,
             date_start
      FROM incident_dyads
      WHERE date_start IS NOT NULL AND source <> target) AS p
JOIN incidents AS i ON i.id = p.incident_id
GROUP BY p.lo, p.hi, p.date_start, i.date_precision, i.event, i.quad_code, i.status,
         i.n_sources, CASE WHEN i.intensity < 0 THEN 1 ELSE 0 END
"""


def upgrade() -> None:
    table = op.create_table(
        "dyad_type_days",
        sa.Column("lo", sa.String(8), primary_key=True),
        sa.Column("hi", sa.String(8), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("date_precision", sa.String(8), primary_key=True),
        sa.Column("event", sa.String(16), primary_key=True),
        sa.Column("quad_code", sa.Integer, primary_key=True),
        sa.Column("incidents", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("hostility", sa.Float, nullable=False),
        sa.Column("cooperation", sa.Float, nullable=False),
    )
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    names = ("lo", "hi", "day", "date_precision", "event", "quad_code", "status", "n_sources",
             "hostile", "n", "n_events", "strength")  # fmt: skip
    columns = [sa.column(n, sa.Date) if n == "day" else sa.column(n) for n in names]
    grouped = op.get_bind().execute(sa.text(GROUPED).columns(*columns))
    for (
        lo,
        hi,
        day,
        precision,
        event,
        quad,
        status,
        sources,
        hostile,
        n,
        n_events,
        strength,
    ) in grouped:
        row = rows.setdefault(
            (lo, hi, day, precision, event, int(quad)),
            {"lo": lo, "hi": hi, "day": day, "date_precision": precision, "event": event,
             "quad_code": int(quad), "incidents": 0, "events": 0, "hostility": 0.0,
             "cooperation": 0.0},
        )  # fmt: skip
        row["incidents"] += int(n)
        row["events"] += int(n_events)
        weight = STATUS_WEIGHT.get(status, 0.0) * (1 + 0.5 * math.log2(max(int(sources), 1)))
        row["hostility" if hostile else "cooperation"] += float(strength) * weight
    values = list(rows.values())
    for chunk in range(0, len(values), 20_000):
        op.bulk_insert(table, values[chunk : chunk + 20_000])


def downgrade() -> None:
    op.drop_table("dyad_type_days")
