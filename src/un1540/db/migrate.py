"""Running Alembic migrations from code (the CLI and the tests use this, not alembic.ini)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares with the models: everything but procrastinate's tables, which
    the job-queue revision creates from procrastinate's own schema (PostgreSQL only), and
    SQLite's full-text index (search_fts and its shadow tables, made by the library's
    revision; docs/library.md), and its PostgreSQL twin, the GIN index over the passages'
    terms (an expression index the models cannot state)."""
    if type_ == "table" and name is not None:
        return not name.startswith(("procrastinate_", "search_fts"))
    if type_ == "index" and name == "ix_search_passage_terms":
        return False
    return True


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py uses this engine instead of building its own.
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision of the scripts shipped with this code: read once per process (it
    parses every migration script, ~20 ms, and cannot change while the process runs)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()
