"""Is a database sound? The check `un1540 db check` runs, and the crash and restore tests use.

What it checks:

- SQLite: `PRAGMA integrity_check` (every page, every index agrees with its table) and
  `PRAGMA foreign_key_check`;
- PostgreSQL: no constraint left NOT VALID, no index left invalid (an interrupted
  `CREATE INDEX CONCURRENTLY` leaves one);
- both: every foreign key, by query (no row refers to a row that is not there), whatever the
  catalogue says, and the schema revision against the code's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, and_, column, exists, func, inspect, select, table, text
from sqlalchemy.engine.interfaces import ReflectedForeignKeyConstraint

from un1540.db.migrate import current_revision, head_revision


@dataclass
class IntegrityReport:
    """What was checked and every problem found (none: the database is sound)."""

    dialect: str
    tables: int = 0
    foreign_keys: int = 0
    revision: str | None = None
    head: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sqlite_problems(connection: Connection) -> list[str]:
    problems = [
        f"integrity_check: {row}"
        for row in connection.exec_driver_sql("PRAGMA integrity_check").scalars()
        if row != "ok"
    ]
    for child, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        problems.append(f"{child} row {rowid} refers to a missing row of {parent}")
    return problems


def _postgresql_problems(connection: Connection) -> list[str]:
    problems = [
        f"constraint {name} on {relation} is not validated"
        for name, relation in connection.execute(
            text(
                "SELECT conname, conrelid::regclass::text FROM pg_constraint "
                "WHERE NOT convalidated AND connamespace NOT IN (SELECT oid FROM pg_namespace "
                "WHERE nspname IN ('pg_catalog', 'information_schema'))"
            )
        )
    ]
    problems += [
        f"index {name} is invalid (an interrupted CREATE INDEX); drop and create it again"
        for (name,) in connection.execute(
            text(
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE NOT indisvalid OR NOT indisready"
            )
        )
    ]
    return problems


def _orphans(connection: Connection, child: str, foreign_key: ReflectedForeignKeyConstraint) -> int:
    """Rows of `child` whose (non-null) foreign key matches no row of the referred table."""
    local, remote = foreign_key["constrained_columns"], foreign_key["referred_columns"]
    # Aliased: a table that refers to itself (M49 areas to their parent) is both sides.
    child_table = table(child, *(column(name) for name in local)).alias("child")
    parent_table = table(
        foreign_key["referred_table"],
        *(column(name) for name in remote),
        schema=foreign_key.get("referred_schema"),
    ).alias("parent")
    matching = exists().where(
        and_(*(parent_table.c[r] == child_table.c[c] for c, r in zip(local, remote, strict=True)))
    )
    query = (
        select(func.count())
        .select_from(child_table)
        .where(*(child_table.c[name].is_not(None) for name in local), ~matching)
    )
    return int(connection.scalar(query) or 0)


def check_integrity(engine: Engine) -> IntegrityReport:
    """Check the database; read-only, safe while the server runs."""
    report = IntegrityReport(dialect=engine.dialect.name)
    with engine.connect() as connection:
        if report.dialect == "sqlite":
            report.problems += _sqlite_problems(connection)
        elif report.dialect == "postgresql":
            report.problems += _postgresql_problems(connection)
        inspector = inspect(connection)
        names = inspector.get_table_names()
        report.tables = len(names)
        for name in names:
            for foreign_key in inspector.get_foreign_keys(name):
                report.foreign_keys += 1
                orphans = _orphans(connection, name, foreign_key)
                if orphans:
                    report.problems.append(
                        f"{name}: {orphans} row(s) refer through "
                        f"{', '.join(foreign_key['constrained_columns'])} to a missing row of "
                        f"{foreign_key['referred_table']}"
                    )
        connection.rollback()
    report.revision, report.head = current_revision(engine), head_revision()
    if report.revision != report.head:
        report.problems.append(
            f"the schema is at revision {report.revision}, the code's is {report.head}; "
            "run `un1540 db upgrade`"
        )
    return report
