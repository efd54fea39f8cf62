"""Action plans: matrix-derived progress, bad input refused whole, lifecycles, duplicates, and
the overdue-milestone notification run as a job on a day the test chooses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Inbox, settings_for
from tests.factories import make_edition, make_user
from un1540.errors import Conflict, Forbidden, InvalidData
from un1540.models import ActionPlan, ActionPlanMeasure, ActionPlanMilestone, Notification
from un1540.schemas.action_plans import (
    ActionPlanCreate,
    ActionPlanUpdate,
    MeasureTransition,
    MilestoneTransition,
)
from un1540.services.action_plans.actions import (
    create_plan,
    transition_measure,
    transition_milestone,
    update_plan,
)
from un1540.services.action_plans.notices import OVERDUE_TASK
from un1540.services.action_plans.reads import action_plans_for_profile, list_plans
from un1540.services.action_plans.shapes import plan_detail
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.jobs import JobRun, run_task
from un1540.services.matrix.inputs import CellInput
from un1540.services.notifications.email import SmtpSettings, send_pending_emails

MEASURE_CELL = "op2.manufacture:cw:legal_framework"


def plan_input(**overrides: object) -> ActionPlanCreate:
    values: dict[str, object] = {
        "title": "National action plan 2013-2016",
        "submitted_on": date(2013, 3, 1),
        "period_from": date(2013, 1, 1),
        "period_to": date(2016, 12, 31),
        "partners": ["UNRCPD"],
        "measures": [
            {
                "title": "Criminalise chemical weapons manufacture",
                "fields": ["op2.manufacture"],
                "weapons": ["cw"],
                "owner_agency": "Ministry of Justice",
                "milestones": [{"title": "Draft law", "due_on": date(2014, 6, 30)}],
            }
        ],
    }
    values.update(overrides)
    return ActionPlanCreate.model_validate(values)


def test_progress_from_a_later_approved_edition(empty_session: Session) -> None:
    session = empty_session
    expert = make_user(session, role="expert")
    make_edition(session, iso3="TCD", approved_on=date(2012, 5, 1))  # the baseline: no X there
    plan = create_plan(session, viewer=expert, iso3="TCD", data=plan_input())
    before = plan_detail(session, viewer=expert, plan_id=plan.id)
    assert before.measures[0].matrix.baseline_edition == 1
    assert before.measures[0].matrix.latest_edition is None
    assert not before.measures[0].matrix.shows_progress
    # A later approved edition where the measure's field gains an X for another weapon only:
    # no progress for this measure (its weapon is cw).
    make_edition(
        session,
        iso3="TCD",
        approved_on=date(2014, 1, 1),
        cells=[CellInput(key="op2.manufacture:bw:legal_framework", mark="X")],
    )
    assert not plan_detail(session, viewer=expert, plan_id=plan.id).measures[0].matrix.gained_fields
    make_edition(
        session,
        iso3="TCD",
        approved_on=date(2015, 1, 1),
        cells=[CellInput(key=MEASURE_CELL, mark="X")],
    )
    after = plan_detail(session, viewer=expert, plan_id=plan.id)
    assert after.measures[0].matrix.latest_edition == 3
    assert after.measures[0].matrix.gained_fields == ["op2.manufacture"]
    assert after.matrix.measures_showing_progress == 1
    # The State's own report stands beside it, unchanged.
    assert after.measures[0].status == "planned"
    profile = action_plans_for_profile(session, expert, plan.state_id)
    assert [
        (p.id, p.measures_showing_progress, p.measure_counts["planned"]) for p in profile.plans
    ] == [(plan.id, 1, 1)]


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(ActionPlan)) or 0,
        session.scalar(select(func.count()).select_from(ActionPlanMeasure)) or 0,
        session.scalar(select(func.count()).select_from(ActionPlanMilestone)) or 0,
    )


@pytest.mark.parametrize(
    ("overrides", "where", "words"),
    [
        ({"period_to": date(2012, 1, 1)}, "period_to", "before it starts"),
        (
            {
                "measures": [
                    {
                        "title": "m",
                        "fields": ["op2.manufacture"],
                        "milestones": [{"title": "early", "due_on": date(2012, 12, 1)}],
                    }
                ]
            },
            "measures[0].milestones[0].due_on",
            "before the plan's period starts",
        ),
        ({"measures": [{"title": "m", "fields": ["op9.nothing"]}]}, "measures[0].fields", "op9"),
        (
            {"measures": [{"title": "m", "fields": ["op1.npt"], "weapons": ["cw"]}]},
            "measures[0].weapons",
            "op1.npt does not apply to cw",
        ),
        ({"submitted_on": date(2999, 1, 1)}, "submitted_on", "future"),
        ({"published_url": "javascript:alert(1)"}, "published_url", "web address"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    empty_session: Session, overrides: dict[str, object], where: str, words: str
) -> None:
    expert = make_user(empty_session, role="expert")
    before = _counts(empty_session)
    with pytest.raises(InvalidData) as refused:
        create_plan(empty_session, viewer=expert, iso3="TCD", data=plan_input(**overrides))
    assert any(p.where == where and words in p.message for p in refused.value.problems), (
        refused.value.problems
    )
    assert _counts(empty_session) == before


def test_duplicate_submission_and_steps_out_of_order(empty_session: Session) -> None:
    session = empty_session
    poc = make_user(session, role="state_poc", iso3="TCD")
    plan = create_plan(session, viewer=poc, iso3="TCD", data=plan_input())
    with pytest.raises(Conflict, match="duplicate submission"):
        create_plan(session, viewer=poc, iso3="TCD", data=plan_input(title="Again"))
    other = make_user(session, role="state_poc", iso3="NER")
    with pytest.raises(Forbidden):
        create_plan(
            session, viewer=other, iso3="TCD", data=plan_input(submitted_on=date(2013, 4, 1))
        )
    measure = plan.measures[0]
    with pytest.raises(Conflict, match="cannot become done"):
        transition_measure(
            session,
            viewer=poc,
            iso3="TCD",
            plan_id=plan.id,
            measure_id=measure.id,
            data=MeasureTransition(to="done"),
        )
    for to in ("in_progress", "done"):
        transition_measure(
            session,
            viewer=poc,
            iso3="TCD",
            plan_id=plan.id,
            measure_id=measure.id,
            data=MeasureTransition(to=to, progress=40),
        )
    assert (measure.status, measure.progress) == ("done", 100)
    with pytest.raises(Conflict):
        transition_measure(
            session,
            viewer=poc,
            iso3="TCD",
            plan_id=plan.id,
            measure_id=measure.id,
            data=MeasureTransition(to="dropped"),
        )
    milestone = measure.milestones[0]
    transition_milestone(
        session,
        viewer=poc,
        iso3="TCD",
        plan_id=plan.id,
        milestone_id=milestone.id,
        data=MilestoneTransition(to="cancelled"),
    )
    with pytest.raises(Conflict):
        transition_milestone(
            session,
            viewer=poc,
            iso3="TCD",
            plan_id=plan.id,
            milestone_id=milestone.id,
            data=MilestoneTransition(to="done"),
        )
    # Unpublished: not listed to the public; published, it is.
    assert list_plans(session, viewer=PUBLIC, iso3="TCD").total == 0
    update_plan(
        session,
        viewer=poc,
        iso3="TCD",
        plan_id=plan.id,
        data=ActionPlanUpdate(published=True, revision=plan.revision),
    )
    assert list_plans(session, viewer=PUBLIC, iso3="TCD").total == 1
    with pytest.raises(Conflict, match="changed since you read it"):
        update_plan(
            session,
            viewer=poc,
            iso3="TCD",
            plan_id=plan.id,
            data=ActionPlanUpdate(title="stale", revision=1),
        )


def test_overdue_milestones_are_told_once_by_a_job(
    empty_engine: Engine,
    empty_sessions: sessionmaker[Session],
    empty_session: Session,
    inbox: tuple[Inbox, int],
) -> None:
    session = empty_session
    poc = make_user(session, role="state_poc", iso3="TCD", email="poc-tcd@example.org")
    make_user(session, role="state_poc", iso3="NER", email="poc-ner@example.org")
    expert = make_user(session, role="expert", email="expert@example.org")
    plan = create_plan(session, viewer=expert, iso3="TCD", data=plan_input())
    due = plan.measures[0].milestones[0].due_on
    run = JobRun(sessions=empty_sessions, settings=settings_for(empty_engine))

    def told() -> list[tuple[int | None, str]]:
        session.expire_all()
        rows = session.execute(
            select(Notification.user_id, Notification.kind).where(
                Notification.entity_type == "action_plan"
            )
        )
        return [(user_id, kind) for user_id, kind in rows]

    run_task(OVERDUE_TASK, run, {"on": due.isoformat()})  # due today: not overdue yet
    assert told() == []
    run_task(OVERDUE_TASK, run, {"on": (due + timedelta(days=1)).isoformat()})
    assert sorted(told()) == sorted(
        [(poc.user_id, "milestone_overdue"), (expert.user_id, "milestone_overdue")]
    )
    run_task(OVERDUE_TASK, run, {"on": (due + timedelta(days=2)).isoformat()})
    assert len(told()) == 2  # once only
    messages, port = inbox
    send_pending_emails(
        session, SmtpSettings(host="127.0.0.1", port=port, sender="un1540@example.org")
    )
    assert sorted(m["To"] for m in messages.messages) == [
        "expert@example.org",
        "poc-tcd@example.org",
    ]
    assert "is overdue" in messages.messages[0]["Subject"]
