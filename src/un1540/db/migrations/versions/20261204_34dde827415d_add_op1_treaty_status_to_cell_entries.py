"""add OP1 treaty status to cell entries

OP1 treaty fields record the State's status towards the treaty (signed, ratified, acceded,
succeeded, not party), its dates and who asserted it, as data instead of free text.

Revision ID: 34dde827415d
Revises: 5e1d3c2a9b47
Create Date: 2026-12-04 03:29:21.560196
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "34dde827415d"
down_revision: str | None = "5e1d3c2a9b47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cell_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("treaty_status", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("signed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("status_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("asserted_by", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cell_entry", schema=None) as batch_op:
        batch_op.drop_column("asserted_by")
        batch_op.drop_column("status_on")
        batch_op.drop_column("signed_on")
        batch_op.drop_column("treaty_status")
