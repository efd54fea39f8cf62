"""per-edition summaries for coverage

One row per approved edition: its marks tallied per section, field, column and weapon category,
by cell visibility (JSON), written when an edition is approved (services/matrix/summaries.py),
so coverage on a date reads one row per State instead of every cell ever approved. This
revision fills it for the editions approved before it, with the same arithmetic as
analytics/summaries.py (tests/services/test_summaries.py checks that both give the same rows).

Revision ID: 92ea7fe00997
Revises: 03b56e7c78fb
Create Date: 2026-12-04 03:20:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "92ea7fe00997"
down_revision: str | None = "03b56e7c78fb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARK_CODES = ("X", "?", "NA", "")  # analytics/timeline.py MARK_CODES
CELL_DIMENSIONS = ("section", "field", "column", "weapon")
ADHERENCE = "adherence"  # an OP1 cell counts under every weapon category its field applies to


def _cells(bind: sa.Connection) -> dict[int, dict[str, tuple[str, ...]]]:
    """Each cell's keys per dimension (services/matrix/layout.py: CellInfo.weapons)."""
    cells = {}
    for cell_id, weapon, column, field, applies_to, section in bind.execute(
        sa.text(
            'SELECT cell.id, cell.weapon, cell."column", field.code, field.applies_to, '
            "section.code FROM cell JOIN field ON field.id = cell.field_id "
            "JOIN section ON section.id = field.section_id"
        )
    ):
        applies = json.loads(applies_to) if isinstance(applies_to, str) else applies_to
        cells[cell_id] = {
            "section": (section,),
            "field": (field,),
            "column": (column,),
            "weapon": tuple(applies) if column == ADHERENCE else (weapon,),
        }
    return cells


def summarise(
    cells: dict[int, dict[str, tuple[str, ...]]], entries: Sequence[tuple[int, str, str]]
) -> dict[str, Any]:
    """The summary of one edition's entries (cell id, mark, visibility)."""
    summary: dict[str, Any] = {}
    for cell_id, mark, visibility in entries:
        code = MARK_CODES.index(mark)
        level: dict[str, Any] | None = summary.get(visibility)
        if level is None:
            level = summary[visibility] = {"all": [0, 0, 0, 0], **{d: {} for d in CELL_DIMENSIONS}}
        level["all"][code] += 1
        for dimension, keys in cells[cell_id].items():
            for key in keys:
                level[dimension].setdefault(key, [0, 0, 0, 0])[code] += 1
    return summary


def backfill(bind: sa.Connection) -> int:
    """Summarise every approved edition that has no summary; returns how many."""
    cells = _cells(bind)
    editions = [
        edition_id
        for (edition_id,) in bind.execute(
            sa.text(
                "SELECT id FROM matrix_edition WHERE status = 'approved' AND id NOT IN "
                "(SELECT edition_id FROM edition_summary) ORDER BY id"
            )
        )
    ]
    table = sa.table("edition_summary", sa.column("edition_id"), sa.column("tallies"))
    for start in range(0, len(editions), 500):
        chunk = editions[start : start + 500]
        entries: dict[int, list[tuple[int, str, str]]] = {edition_id: [] for edition_id in chunk}
        for edition_id, cell_id, mark, visibility in bind.execute(
            sa.text(
                "SELECT edition_id, cell_id, mark, visibility FROM cell_entry "
                "WHERE edition_id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": chunk},
        ):
            entries[edition_id].append((cell_id, mark, visibility))
        bind.execute(
            table.insert(),
            [
                {
                    "edition_id": edition_id,
                    "tallies": json.dumps(
                        summarise(cells, rows), sort_keys=True, separators=(",", ":")
                    ),
                }
                for edition_id, rows in entries.items()
            ],
        )
    return len(editions)


def upgrade() -> None:
    op.create_table(
        "edition_summary",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("tallies", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["matrix_edition.id"],
            name=op.f("fk_edition_summary_edition_id_matrix_edition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_edition_summary")),
    )
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("edition_summary")
