"""The migrations create exactly what the models describe, on both backends (`alembic check`)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from tests.conftest import DatabaseFactory
from un1540.db.migrate import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    include_name,
    upgrade,
)
from un1540.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, Base.metadata) == []
    assert current_revision(engine) == head_revision()


TABLES_THAT_MUST_KEEP_THEIR_ROWS = (
    "state",
    "framework",
    "cell",
    "matrix_edition",
    "cell_entry",
    "document",
    "evidence",
    "audit_event",
)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in TABLES_THAT_MUST_KEEP_THEIR_ROWS
        }


def test_migrating_down_and_up_keeps_every_row(database_factory: DatabaseFactory) -> None:
    """SQLite rebuilds tables to alter them; that must never cascade into dependent rows."""
    engine = database_factory.create(demo=True)
    try:
        before = _counts(engine)
        assert before["cell_entry"] > 0
        assert before["evidence"] > 0
        previous = (
            ScriptDirectory.from_config(alembic_config(engine))
            .get_revision(head_revision())
            .down_revision
        )
        assert isinstance(previous, str)
        downgrade(engine, previous)
        assert _counts(engine) == before
        upgrade(engine)
        assert _counts(engine) == before
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
