"""`un1540 report briefing --visit ID -o PATH`: a visit's briefing as DOCX or PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli.test_commands import run
from un1540.db.engine import make_session_factory
from un1540.schemas.visits import VisitCreate, VisitTransition
from un1540.services.kernel.access import system_viewer
from un1540.services.visits.actions import invite, transition_visit


def test_the_briefing_command_writes_the_file_its_name_asks_for(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("the command calls the same services on both backends; one is enough")
    fresh_engine: Engine = request.getfixturevalue("fresh_engine")
    viewer = system_viewer("tests")
    day = datetime.now(UTC).date()
    with make_session_factory(fresh_engine)() as session:
        visit = invite(
            session,
            viewer=viewer,
            data=VisitCreate(state="TCD", invitation="Note 3/2026", invited_on=day - timedelta(5)),
        )
        transition_visit(
            session, viewer=viewer, visit_id=visit.id, data=VisitTransition(to="accepted")
        )
        number = visit.id
    database = fresh_engine.url.render_as_string(hide_password=False)
    for suffix, magic in (("docx", b"PK"), ("pdf", b"%PDF-")):
        path = tmp_path / f"briefing.{suffix}"
        result = run(
            "report", "briefing", "--visit", str(number), "-o", str(path), database=database
        )
        assert result.returncode == 0, result.stderr
        assert path.read_bytes().startswith(magic)
        assert f"briefing for visit {number}" in result.stdout
    wrong = run(
        "report",
        "briefing",
        "--visit",
        str(number),
        "-o",
        str(tmp_path / "b.txt"),
        database=database,
    )
    assert wrong.returncode != 0
    assert "--output" in wrong.stderr + wrong.stdout
    assert not (tmp_path / "b.txt").exists()
    missing = run(
        "report", "briefing", "--visit", "999", "-o", str(tmp_path / "c.docx"), database=database
    )
    assert missing.returncode != 0
    assert "no visit 999" in missing.stderr + missing.stdout
