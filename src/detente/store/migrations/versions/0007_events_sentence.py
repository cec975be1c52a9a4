"""Events by sentence: the index on events' document becomes one on (document, sentence), so the
events coded in one sentence are found by the index alone (the commitments read the acts coded
beside a promise, in its sentence). Queries by document alone use its first column.

Revision ID: 0005_events_sentence
Revises: 0004_reviews
"""

from __future__ import annotations

from alembic import op

revision = "0005_events_sentence"
down_revision = "0004_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_sentence", "events", ["content_hash", "sentence_idx"])
    op.drop_index("ix_events_doc", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_doc", "events", ["content_hash"])
    op.drop_index("ix_events_sentence", table_name="events")
