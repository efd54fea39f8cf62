"""Importing a plan's measures from CSV and XLSX: every problem named by file, row and column,
nothing written unless all is valid, a dry run writes nothing; and the command line."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.factories import make_user
from tests.services.test_action_plans import plan_input
from un1540.cli import app
from un1540.db.engine import make_session_factory
from un1540.errors import Forbidden, InvalidData, NotFound
from un1540.io.action_plan_import import import_plan_file
from un1540.models import ActionPlan, ActionPlanMeasure, ActionPlanMilestone
from un1540.services.action_plans.actions import create_plan
from un1540.services.kernel.access import system_viewer
from un1540.settings import get_settings

HEADER = "measure,fields,weapons,owner_agency,status,progress,milestone,due_on\n"
GOOD = (
    HEADER
    + "Border control law,op3cd.border_control,nw;cw,Customs,in_progress,30,Draft,2014-01-31\n"
    + ",,,,,,Adopted,2015-06-30\n"
    + "Export licensing,op3cd.export_control_law,bw,Trade ministry,planned,0,,\n"
)
BAD = (
    HEADER
    + "Border control law,op3cd.border_control,nw,Customs,in_progress,30,Draft,2012-01-31\n"
    + "Treaties,op1.npt,cw,Foreign ministry,planned,0,,\n"
    + "Unknown,op9.nothing,,Nobody,planned,150,,\n"
)


def _counts(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(ActionPlanMeasure)) or 0,
        session.scalar(select(func.count()).select_from(ActionPlanMilestone)) or 0,
    )


def _xlsx(text: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in text.strip().splitlines():
        sheet.append(
            [
                date.fromisoformat(c) if c.count("-") == 2 and c[:2] == "20" else c
                for c in line.split(",")
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_is_all_or_nothing_with_row_and_column(empty_session: Session, kind: str) -> None:
    session = empty_session
    expert = make_user(session, role="expert")
    plan = create_plan(session, viewer=expert, iso3="TCD", data=plan_input(measures=[]))
    name = f"plan.{kind}"
    content = BAD.encode() if kind == "csv" else _xlsx(BAD)
    before = _counts(session)
    with pytest.raises(InvalidData) as refused:
        import_plan_file(session, viewer=expert, iso3="TCD", file_name=name, content=content)
    wheres = {problem.where: problem.message for problem in refused.value.problems}
    assert "before the plan's period starts" in wheres[f"{name}, row 2, column due_on"]
    assert "op1.npt does not apply to cw" in wheres[f"{name}, row 3, column weapons"]
    assert f"{name}, row 4, column progress" in wheres  # 150 > 100 (before the field check)
    assert _counts(session) == before
    good = GOOD.encode() if kind == "csv" else _xlsx(GOOD)
    dry = import_plan_file(
        session, viewer=expert, iso3="TCD", file_name=name, content=good, dry_run=True
    )
    assert (dry.measures, dry.milestones, dry.dry_run) == (2, 2, True)
    assert _counts(session) == before
    done = import_plan_file(session, viewer=expert, iso3="TCD", file_name=name, content=good)
    assert (done.measures, done.milestones) == (2, 2)
    assert _counts(session) == (before[0] + 2, before[1] + 2)
    session.refresh(plan)
    assert [m.title for m in plan.measures] == ["Border control law", "Export licensing"]
    assert plan.measures[0].weapons == ["nw", "cw"]
    # The same file again: its measures are already there; nothing is added twice.
    with pytest.raises(InvalidData) as again:
        import_plan_file(session, viewer=expert, iso3="TCD", file_name=name, content=good)
    assert any("already has a measure" in p.message for p in again.value.problems)
    assert _counts(session) == (before[0] + 2, before[1] + 2)


def test_import_refuses_bad_files_and_readers_who_may_not(empty_session: Session) -> None:
    session = empty_session
    expert = make_user(session, role="expert")
    create_plan(session, viewer=expert, iso3="TCD", data=plan_input(measures=[]))
    for name, content, message in (
        ("plan.csv", b"measure,colour\nx,red\n", "unknown column(s): colour"),
        ("plan.csv", b"\xff\xfe", "UTF-8"),
        ("plan.xlsx", b"not a zip", "XLSX"),
        ("plan.txt", b"measure,fields\n", ".csv or .xlsx"),
    ):
        with pytest.raises(InvalidData) as refused:
            import_plan_file(session, viewer=expert, iso3="TCD", file_name=name, content=content)
        assert any(message in p.message for p in refused.value.problems), refused.value.problems
    # The Committee's members read plans, they do not write them; another State's points of
    # contact do not even see this one (unpublished).
    for viewer, refusal in (
        (make_user(session, role="committee"), Forbidden),
        (make_user(session, role="state_poc", iso3="NER"), NotFound),
    ):
        with pytest.raises(refusal):
            import_plan_file(
                session, viewer=viewer, iso3="TCD", file_name="p.csv", content=GOOD.encode()
            )


def test_the_command_line_imports_and_dry_runs(
    fresh_engine: Engine, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        create_plan(
            session, viewer=system_viewer("tests"), iso3="TCD", data=plan_input(measures=[])
        )
    path = tmp_path / "plan.csv"
    path.write_text(GOOD, encoding="utf-8")
    url = fresh_engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    env = {"UN1540_DATABASE_URL": url}
    get_settings.cache_clear()  # the command reads its settings (this database) afresh
    request.addfinalizer(get_settings.cache_clear)
    dry = runner.invoke(
        app, ["import", "action-plan", str(path), "--state", "TCD", "--dry-run"], env=env
    )
    assert dry.exit_code == 0, dry.output
    assert "would add 2 measure(s) and 2 milestone(s)" in dry.output
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    refused = runner.invoke(app, ["import", "action-plan", str(bad), "--state", "TCD"], env=env)
    assert refused.exit_code != 0  # main() prints each problem: the error holds them
    assert isinstance(refused.exception, InvalidData)
    assert "bad.csv, row 3, column weapons" in [p.where for p in refused.exception.problems]
    done = runner.invoke(app, ["import", "action-plan", str(path), "--state", "TCD"], env=env)
    assert done.exit_code == 0, done.output
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ActionPlanMeasure)) == 2
        assert session.scalar(select(func.count()).select_from(ActionPlan)) == 1
