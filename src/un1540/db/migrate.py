"""Running Alembic migrations from code (the CLI and the tests use this, not alembic.ini).

Alembic is imported where a migration runs, not by a server: the health check's revisions (the
database's and the scripts' head) are read without it (docs/performance.md "mem10").
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares with the models: everything but procrastinate's tables, which
    the job-queue revision creates from procrastinate's own schema (PostgreSQL only), and
    SQLite's full-text index (search_fts and its shadow tables, made by the library's
    revision; docs/library.md), and its PostgreSQL twin, the GIN index over the passages'
    terms (an expression index the models cannot state)."""
    if type_ == "table" and name is not None:
        return not name.startswith(("procrastinate_", "search_fts"))
    return not (type_ == "index" and name == "ix_search_passage_terms")


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py uses this engine instead of building its own.
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (Alembic's version table), None before any migration;
    what Alembic's `MigrationContext.get_current_revision` answers, read with one SELECT."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = list(connection.scalars(text("SELECT version_num FROM alembic_version")))
    if len(versions) > 1:
        raise RuntimeError(f"the database is at several revisions (branches): {versions}")
    return versions[0] if versions else None


def _assigned(tree: ast.Module, name: str) -> object:
    """The literal value assigned to `name` at the top of a migration script."""
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value:
                return ast.literal_eval(node.value)
    raise ValueError(f"no {name} in a migration script")


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision of the scripts shipped with this code: the one revision no script
    revises, read from their `revision` and `down_revision` once per process (it cannot change
    while the process runs). The same answer as Alembic's `ScriptDirectory.get_current_head`
    (tests/db/test_migrations_head.py), without importing Alembic in every server."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        tree = ast.parse(script.read_text(encoding="utf-8"))
        revisions.add(str(_assigned(tree, "revision")))
        down = _assigned(tree, "down_revision")
        if isinstance(down, str):
            revised.add(down)
        elif isinstance(down, tuple | list):  # a merge revises several
            revised.update(str(parent) for parent in down)
    heads = sorted(revisions - revised)
    if len(heads) > 1:
        raise RuntimeError(f"the migration scripts have several heads: {heads}")
    return heads[0] if heads else None
