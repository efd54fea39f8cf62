"""an index on cell_entry (edition_id, mark, visibility): the cells marked X of some editions
found without reading each cell row (the age of the information on a date)

Revision ID: 3e8a1c5d7b20
Revises: 7c4d2e9b1f63
Create Date: 2026-12-05 02:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3e8a1c5d7b20"
down_revision: str | None = "7c4d2e9b1f63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_cell_entry_edition_mark",
        "cell_entry",
        ["edition_id", "mark", "visibility"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_cell_entry_edition_mark", table_name="cell_entry")
