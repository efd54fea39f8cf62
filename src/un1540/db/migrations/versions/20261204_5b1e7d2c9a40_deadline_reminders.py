"""deadline reminders: the "deadline near" notices sent, once per item, due date and threshold

Revision ID: 5b1e7d2c9a40
Revises: 5b7e3a1c9d40
Create Date: 2026-12-04 15:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e7d2c9a40"
down_revision: str | None = "5b7e3a1c9d40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("threshold_days", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("told", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_reminder")),
        sa.UniqueConstraint(
            "item_type",
            "item_id",
            "due_on",
            "threshold_days",
            name=op.f("uq_deadline_reminder_item_type_item_id_due_on_threshold_days"),
        ),
    )


def downgrade() -> None:
    op.drop_table("deadline_reminder")
