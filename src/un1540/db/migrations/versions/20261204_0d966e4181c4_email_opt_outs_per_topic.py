"""email opt outs per topic

Revision ID: 0d966e4181c4
Revises: c30dde802d97
Create Date: 2026-12-04 11:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0d966e4181c4"
down_revision: str | None = "c30dde802d97"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_opt_out",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_email_opt_out_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "topic", name=op.f("pk_email_opt_out")),
    )


def downgrade() -> None:
    op.drop_table("email_opt_out")
