"""Visit follow-ups linked to action-plan measures: a follow-up of kind action_plan_measure
names the measure it added to one of the State's plans.

Revision ID: 23a4925486a8
Revises: d05e050ccad7
Create Date: 2026-12-04 09:29:31.381553
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "23a4925486a8"
down_revision: str | None = "d05e050ccad7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visit_follow_up", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_plan_measure_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_visit_follow_up_action_plan_measure_id"),
            ["action_plan_measure_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_visit_follow_up_action_plan_measure_id_action_plan_measure"),
            "action_plan_measure",
            ["action_plan_measure_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("visit_follow_up", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_visit_follow_up_action_plan_measure_id_action_plan_measure"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_visit_follow_up_action_plan_measure_id"))
        batch_op.drop_column("action_plan_measure_id")
