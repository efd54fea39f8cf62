"""data versions by scope for caches

One row per scope of the data (`global`, `all`, `matrix`, `state:FRA`, ...) whose version every
write raises in its own transaction; the caches of each process key what they computed by the
versions of the scopes it depends on (services/kernel/data_version.py).

Revision ID: e4bc54e08700
Revises: 43ceb34b98ab
Create Date: 2026-12-03 22:45:36.025898
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4bc54e08700"
down_revision: str | None = "43ceb34b98ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_data_version")),
    )
    # The scope every cached value depends on, stamped with the time of creation (microseconds):
    # a database created anew at the same URL never matches what a process cached before.
    op.bulk_insert(table, [{"scope": "all", "version": time.time_ns() // 1000}])


def downgrade() -> None:
    op.drop_table("data_version")
