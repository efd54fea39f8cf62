"""The health check: can we reach the database, and is its schema current?"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from un1540.db.engine import check_connection
from un1540.db.migrate import current_revision, head_revision
from un1540.errors import DatabaseUnavailable
from un1540.models import Role
from un1540.services.kernel.access import Viewer
from un1540.settings import masked_url


def database_health(engine: Engine, viewer: Viewer) -> dict[str, Any]:
    """Status of the database: ok, unreachable, or reachable with the schema behind the code.

    Where the database is (its URL, password masked, or its file) is for administrators only:
    to anyone else it is a map of the installation. The schema's head revision is read from the
    migration scripts once per process (db/migrate.py)."""
    located = viewer.role is Role.admin
    where = {"url": masked_url(engine.url.render_as_string(hide_password=False))} if located else {}
    try:
        check_connection(engine)
    except DatabaseUnavailable as error:
        message = error.message if located else "cannot connect to the database"
        dialect = engine.dialect.name
        return {"status": "unreachable", **where, "dialect": dialect, "message": message}
    current, head = current_revision(engine), head_revision()
    return {
        "status": "ok" if current == head else "migrations_pending",
        **where,
        "dialect": engine.dialect.name,
        "revision": current,
        "head": head,
    }
