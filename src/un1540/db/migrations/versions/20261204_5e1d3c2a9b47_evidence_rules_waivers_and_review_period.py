"""evidence waivers, proposals that cite documents, and the State's review period

- `evidence_waiver`: the Committee side waives one evidence rule (reference/evidence-rules.yml)
  for one cell of an edition, with a reason, at the cell's version.
- `cell_proposal.evidence`: the documents a State's proposal cites (JSON list).
- `matrix_edition.response_due_on` and `reminders_sent`: the State's review period. Editions
  shared or reopened before this revision get a deadline 60 days (the default of
  UN1540_REVIEW_PERIOD_DAYS) after they were shared.
- `matrix_edition.approval_basis` and `approval_basis_reason`: on what the approval stood;
  empty for editions approved before this revision (not known).

Revision ID: 5e1d3c2a9b47
Revises: 92ea7fe00997
Create Date: 2026-12-04 03:30:00
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "5e1d3c2a9b47"
down_revision: str | None = "92ea7fe00997"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_REVIEW_DAYS = 60

edition = sa.table(
    "matrix_edition",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("shared_at", sa.DateTime()),
    sa.column("response_due_on", sa.Date()),
)


def upgrade() -> None:
    op.create_table(
        "evidence_waiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("cell_entry_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("cell_revision", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("waived_by", sa.String(length=254), nullable=False),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cell_entry_id"],
            ["cell_entry.id"],
            name=op.f("fk_evidence_waiver_cell_entry_id_cell_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["matrix_edition.id"],
            name=op.f("fk_evidence_waiver_edition_id_matrix_edition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_waiver")),
        sa.UniqueConstraint(
            "cell_entry_id", "rule", name=op.f("uq_evidence_waiver_cell_entry_id_rule")
        ),
    )
    with op.batch_alter_table("evidence_waiver", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_waiver_edition_id"), ["edition_id"], unique=False
        )
    with op.batch_alter_table("cell_proposal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("evidence", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("matrix_edition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("approval_basis", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("approval_basis_reason", sa.Text(), nullable=False, server_default="")
        )
    # The proposal's server default only filled the existing rows (the model gives the value from
    # now on); the edition's stay, so that a row written by plain SQL (a restore, a repair, the
    # integrity tests) still gets them.
    with op.batch_alter_table("cell_proposal", schema=None) as batch_op:
        batch_op.alter_column("evidence", server_default=None)
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(edition.c.id, edition.c.shared_at).where(
            edition.c.status.in_(["shared", "agreed"]), edition.c.shared_at.is_not(None)
        )
    ).all()
    for id_, shared_at in rows:
        connection.execute(
            edition.update()
            .where(edition.c.id == id_)
            .values(response_due_on=shared_at.date() + timedelta(days=DEFAULT_REVIEW_DAYS))
        )


def downgrade() -> None:
    with op.batch_alter_table("matrix_edition", schema=None) as batch_op:
        batch_op.drop_column("approval_basis_reason")
        batch_op.drop_column("approval_basis")
        batch_op.drop_column("reminders_sent")
        batch_op.drop_column("response_due_on")
    with op.batch_alter_table("cell_proposal", schema=None) as batch_op:
        batch_op.drop_column("evidence")
    with op.batch_alter_table("evidence_waiver", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_waiver_edition_id"))
    op.drop_table("evidence_waiver")
