"""hold_row (services/kernel/guards.py): two writers that read the same status and both passed
the lifecycle's check do not both write (forced race, both backends: the late writer's session
read the record; another session moves it on and commits; then the late writer acts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.errors import Conflict
from un1540.models import ActionPlan, AuditEvent, Visit
from un1540.schemas.action_plans import (
    ActionPlanCreate,
    ActionPlanUpdate,
    MeasureCreate,
    MilestoneCreate,
)
from un1540.schemas.visits import VisitCreate, VisitTransition
from un1540.services.action_plans.actions import add_milestone, create_plan, update_plan
from un1540.services.kernel.access import system_viewer
from un1540.services.kernel.guards import hold_row
from un1540.services.visits.actions import invite, transition_visit
from un1540.services.visits.reads import get_visit


def _invited_visit(sessions: sessionmaker[Session]) -> int:
    """A visit Niger invited the Committee to, five days ago."""
    with sessions() as session:
        poc = make_user(session, role="state_poc", email="poc-held@example.org", iso3="NER")
        session.commit()
        day = datetime.now(UTC).date() - timedelta(5)
        return invite(session, viewer=poc, data=VisitCreate(state="NER", invited_on=day)).id


def test_a_step_taken_meanwhile_is_not_taken_twice(fresh_engine: Engine) -> None:
    sessions = make_session_factory(fresh_engine)
    expert = system_viewer("tests")
    visit_id = _invited_visit(sessions)
    with sessions() as late:
        read = get_visit(late, viewer=expert, visit_id=visit_id)  # kept: invited, as read
        assert read.status == "invited"
        with sessions() as other:
            transition_visit(
                other, viewer=expert, visit_id=visit_id, data=VisitTransition(to="accepted")
            )
        with pytest.raises(Conflict, match="changed by another request meanwhile"):
            transition_visit(
                late, viewer=expert, visit_id=visit_id, data=VisitTransition(to="accepted")
            )
    with sessions() as session:
        steps = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "visit.transition", AuditEvent.entity_id == str(visit_id))
        )
        assert steps == 1


def test_the_value_held_is_the_one_read_not_the_one_set_in_memory(fresh_engine: Engine) -> None:
    sessions = make_session_factory(fresh_engine)
    visit_id = _invited_visit(sessions)
    with sessions() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        visit.status = "accepted"  # changed in memory, not flushed
        hold_row(session, visit, Visit.status)  # holds while the stored status is "invited"
        session.rollback()
    with sessions() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        with sessions() as other:
            stored = other.get(Visit, visit_id)
            assert stored is not None
            stored.status = "declined"
            other.commit()
        with pytest.raises(Conflict):
            hold_row(session, visit, Visit.status)  # read "invited"; stored "declined" now


def test_a_milestone_is_not_added_to_a_period_narrowed_meanwhile(fresh_engine: Engine) -> None:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        poc = make_user(session, role="state_poc", email="poc-plan@example.org", iso3="GHA")
        session.commit()
        plan = create_plan(
            session,
            viewer=poc,
            iso3="GHA",
            data=ActionPlanCreate(
                title="Plan 2020-2024",
                submitted_on=date(2020, 2, 1),
                period_from=date(2020, 1, 1),
                period_to=date(2024, 12, 31),
                measures=[MeasureCreate(title="Border detection equipment")],
            ),
        )
        plan_id, measure_id, revision = plan.id, plan.measures[0].id, plan.revision
    with sessions() as late:
        read = late.get(ActionPlan, plan_id)  # kept, as read: the period ends in 2024
        assert read is not None
        assert read.period_to == date(2024, 12, 31)
        with sessions() as other:
            narrowed = ActionPlanUpdate(period_to=date(2022, 12, 31), revision=revision)
            update_plan(other, viewer=poc, iso3="GHA", plan_id=plan_id, data=narrowed)
        with pytest.raises(Conflict, match="changed by another request meanwhile"):
            add_milestone(
                late,
                viewer=poc,
                iso3="GHA",
                plan_id=plan_id,
                measure_id=measure_id,
                data=MilestoneCreate(title="Procurement", due_on=date(2024, 6, 30)),
            )
    with sessions() as session:
        stored = session.get(ActionPlan, plan_id)
        assert stored is not None
        assert [m.due_on for m in stored.measures[0].milestones] == []
