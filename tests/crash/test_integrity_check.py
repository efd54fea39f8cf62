"""The integrity check the crash tests rely on (and `un1540 db check`) finds what it must.

(That a sound database passes it, every crash test shows: tests/crash/harness.assert_sound.)"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from tests.crash.harness import run
from un1540.db.integrity import check_integrity


def _orphan_edition(engine: Engine) -> None:
    """An edition of a State that does not exist, written past the foreign key."""
    values = (
        "(999999, 999999, (SELECT min(id) FROM framework), 1, 'draft', 'entry', "
        "'owning_state_and_committee', 1, '', '', '', {now})"
    )
    insert = (
        "INSERT INTO matrix_edition (id, state_id, framework_id, number, status, origin, "
        "visibility, revision, note, created_by, approved_by, created_at) VALUES " + values
    )
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(text(insert.format(now="'2026-01-01 00:00:00.000000'")))
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    else:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE matrix_edition DISABLE TRIGGER ALL"))
            connection.execute(text(insert.format(now="now()")))
            connection.execute(text("ALTER TABLE matrix_edition ENABLE TRIGGER ALL"))


def test_a_row_referring_to_nothing_is_found(fresh_engine: Engine) -> None:
    _orphan_edition(fresh_engine)
    report = check_integrity(fresh_engine)
    assert not report.ok
    assert any(
        "matrix_edition: 1 row(s) refer through state_id to a missing row of state" in problem
        for problem in report.problems
    ), report.problems
    if fresh_engine.dialect.name == "sqlite":
        assert "matrix_edition row 999999 refers to a missing row of state" in report.problems
        # The command says so, with each problem, and exits 6.
        checked = run(fresh_engine, "db", "check")
        assert checked.returncode == 6
        assert "fails its check" in checked.stderr
        assert "database: matrix_edition row 999999 refers to a missing row of state" in (
            checked.stderr
        )


def test_a_constraint_left_not_valid_is_found(request: pytest.FixtureRequest, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no NOT VALID constraints")
    fresh_engine: Engine = request.getfixturevalue("fresh_engine")
    with fresh_engine.begin() as connection:
        connection.execute(
            text(
                "ALTER TABLE matrix_edition ADD CONSTRAINT edition_positive "
                "CHECK (number > 0) NOT VALID"
            )
        )
    report = check_integrity(fresh_engine)
    assert report.problems == ["constraint edition_positive on matrix_edition is not validated"]
