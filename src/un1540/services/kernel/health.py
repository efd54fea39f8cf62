"""The health check: can we reach the database, and is its schema current?"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from un1540.db.engine import check_connection
from un1540.db.migrate import current_revision, head_revision
from un1540.errors import DatabaseUnavailable
from un1540.settings import masked_url


def database_health(engine: Engine) -> dict[str, Any]:
    """Status of the database: ok, unreachable, or reachable with the schema behind the code."""
    url = masked_url(engine.url.render_as_string(hide_password=False))
    try:
        check_connection(engine)
    except DatabaseUnavailable as error:
        return {
            "status": "unreachable",
            "url": url,
            "dialect": engine.dialect.name,
            "message": error.message,
        }
    current, head = current_revision(engine), head_revision()
    return {
        "status": "ok" if current == head else "migrations_pending",
        "url": url,
        "dialect": engine.dialect.name,
        "revision": current,
        "head": head,
    }
