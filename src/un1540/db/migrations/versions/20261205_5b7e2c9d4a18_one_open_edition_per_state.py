"""a partial unique index on matrix_edition (state_id) over the open editions: at most one
open edition per State, kept by the database (two requests that both found none cannot both
open one, even under different numbers)

Revision ID: 5b7e2c9d4a18
Revises: 3e8a1c5d7b20
Create Date: 2026-12-05 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b7e2c9d4a18"
down_revision: str | None = "3e8a1c5d7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('draft', 'shared', 'agreed')"


def upgrade() -> None:
    op.create_index(
        "uq_matrix_edition_one_open",
        "matrix_edition",
        ["state_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("uq_matrix_edition_one_open", table_name="matrix_edition")
