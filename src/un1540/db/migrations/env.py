"""Alembic environment: uses the engine handed over by un1540.db.migrate, or UN1540_DATABASE_URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine

import un1540.models  # noqa: F401  (registers every table on the metadata)
from un1540.db.engine import make_engine
from un1540.db.migrate import include_name
from un1540.models.base import Base, UTCDateTime
from un1540.settings import get_settings


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    return engine if engine is not None else make_engine(get_settings().database_url)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our own column types as plain SQLAlchemy ones so revisions import nothing of ours."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copy, drop and rename; with foreign keys enforced the
            # drop would cascade and delete every dependent row. Off while migrating (this pragma
            # only works outside a transaction), then checked and back on.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # Batch mode lets ALTER TABLE work on SQLite by copying the table.
            render_as_batch=True,
            compare_type=True,
            render_item=_render_item,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(
                    f"the migration left rows with broken foreign keys: {broken[:5]}"
                )


run_migrations()
