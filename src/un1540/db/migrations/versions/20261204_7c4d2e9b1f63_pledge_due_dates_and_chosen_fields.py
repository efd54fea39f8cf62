"""pledges' due date (funding_entry.due_on) and the field an expert's edit chose
(suggestion_decision.chosen_field)

Revision ID: 7c4d2e9b1f63
Revises: 5b1e7d2c9a40
Create Date: 2026-12-04 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c4d2e9b1f63"
down_revision: str | None = "5b1e7d2c9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("funding_entry") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("suggestion_decision") as batch:
        batch.add_column(sa.Column("chosen_field", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suggestion_decision") as batch:
        batch.drop_column("chosen_field")
    with op.batch_alter_table("funding_entry") as batch:
        batch.drop_column("due_on")
