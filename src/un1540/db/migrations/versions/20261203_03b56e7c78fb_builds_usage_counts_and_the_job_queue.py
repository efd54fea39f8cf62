"""builds, usage counts and the procrastinate job queue

Revision ID: 03b56e7c78fb
Revises: e4bc54e08700
Create Date: 2026-12-03 22:46:03.397833

On PostgreSQL this also creates procrastinate's tables, types and functions, from the schema of
the pinned procrastinate (3.10.0), kept beside the migrations (../sql/) so that this revision
always creates the same thing. Upgrading procrastinate takes a new revision applying its
migration files. SQLite has no procrastinate connector: there the queue lives in the server's
memory (docs/jobs.md), and only the two tables below are created.
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "03b56e7c78fb"
down_revision: str | None = "e4bc54e08700"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROCRASTINATE_SCHEMA = Path(__file__).resolve().parent.parent / "sql" / "procrastinate-3.10.0.sql"
PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)
PROCRASTINATE_TYPES = (
    "procrastinate_job_to_defer_v1",
    "procrastinate_job_event_type",
    "procrastinate_job_status",
)
DROP_PROCRASTINATE_ROUTINES = """
DO $$
DECLARE routine record;
BEGIN
    FOR routine IN
        SELECT p.oid::regprocedure AS signature
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE p.proname LIKE 'procrastinate\\_%' AND n.nspname = current_schema()
    LOOP
        EXECUTE 'DROP ROUTINE ' || routine.signature || ' CASCADE';
    END LOOP;
END
$$;
"""


def _run_script(bind: sa.Connection, script: str) -> None:
    """Run SQL through psycopg itself, without parameters, so that the % signs of the script
    (RAISE messages, LIKE patterns) are left alone; in the migration's transaction."""
    driver = bind.connection.driver_connection
    assert driver is not None
    driver.execute(script)


def upgrade() -> None:
    op.create_table(
        "build",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "ready",
                "failed",
                name="buildstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_build")),
        sa.UniqueConstraint(
            "kind",
            "audience",
            "data_version",
            name=op.f("uq_build_kind_audience_data_version"),
        ),
    )
    with op.batch_alter_table("build", schema=None) as batch_op:
        batch_op.create_index(
            "ix_build_kind_audience_status", ["kind", "audience", "status"], unique=False
        )

    op.create_table(
        "usage_count",
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "action", "window_start", name=op.f("pk_usage_count")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _run_script(bind, PROCRASTINATE_SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in PROCRASTINATE_TABLES:
            bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        _run_script(bind, DROP_PROCRASTINATE_ROUTINES)
        for type_name in PROCRASTINATE_TYPES:
            bind.exec_driver_sql(f"DROP TYPE IF EXISTS {type_name} CASCADE")
    op.drop_table("usage_count")
    with op.batch_alter_table("build", schema=None) as batch_op:
        batch_op.drop_index("ix_build_kind_audience_status")
    op.drop_table("build")
