""" "Deadline near" (services/inbox/deadlines.py): the daily job tells who must act once per
item, due date and threshold; running it again, or the next day, tells nothing new; a moved due
date is a new deadline; another State's accounts are told nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import InvalidData
from un1540.models import (
    ActionPlan,
    ActionPlanMeasure,
    ActionPlanMilestone,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    Commitment,
    DeadlineReminder,
    Notification,
    Organisation,
    ProjectMilestone,
    State,
)
from un1540.reference.languages import UN_LANGUAGES
from un1540.schemas.assistance import FundingCreate
from un1540.services.action_plans.notices import DUE as PLAN_DUE
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.assistance.notices import MILESTONE_DUE, PLEDGE_DUE
from un1540.services.commitments.notices import DUE as COMMITMENT_DUE
from un1540.services.inbox.deadlines import check_deadlines_near, notify_deadlines_near
from un1540.services.inbox.reads import pledges_due
from un1540.services.kernel.access import Viewer, system_viewer
from un1540.services.notifications.reads import list_notifications
from un1540.settings import Settings
from un1540.web.i18n import catalogue

DAY = date(2090, 1, 1)  # far beyond the demo's own dates: only the items set up here are due


def _told(session: Session, viewer: Viewer) -> list[tuple[str, str, str]]:
    """(kind, subject, page) of the viewer's notifications, newest first."""
    return [
        (told.notification.kind, told.subject, told.page)
        for told in list_notifications(session, viewer=viewer)[0]
    ]


def _state_iso3(session: Session, state_id: int | None) -> str:
    iso3 = session.scalar(select(State.iso3).where(State.id == state_id))
    assert iso3 is not None
    return iso3


def test_deadlines_near_are_told_once_per_item_and_threshold(session: Session) -> None:
    # An action plan's pending milestone, due in 10 days: its State's contact must act.
    milestone, plan = session.execute(
        select(ActionPlanMilestone, ActionPlan)
        .join(ActionPlanMeasure, ActionPlanMeasure.id == ActionPlanMilestone.measure_id)
        .join(ActionPlan, ActionPlan.id == ActionPlanMeasure.plan_id)
        .where(
            ActionPlanMilestone.status == "pending",
            ActionPlanMeasure.status.in_(["planned", "in_progress"]),
        )
        .order_by(ActionPlanMilestone.id)
        .limit(1)
    ).one()
    milestone.due_on = DAY + timedelta(days=10)
    plan_iso3 = _state_iso3(session, plan.state_id)
    poc = make_user(session, role="state_poc", iso3=plan_iso3)
    stranger = make_user(session, role="state_poc", iso3="NER" if plan_iso3 != "NER" else "TCD")

    # An open project's milestone, due in 2 days: both sides must act (the provider here).
    project, offer = session.execute(
        select(AssistanceProject, AssistanceOffer)
        .join(AssistanceOffer, AssistanceOffer.id == AssistanceProject.offer_id)
        .join(AssistanceRequest, AssistanceRequest.id == AssistanceProject.request_id)
        .where(
            AssistanceOffer.organisation_id.is_not(None),
            AssistanceProject.status.in_(["planned", "in_delivery"]),
            AssistanceRequest.consent.in_(["providers", "public"]),
        )
        .order_by(AssistanceProject.id)
        .limit(1)
    ).one()
    step = ProjectMilestone(
        project_id=project.id,
        position=99,
        title="Equipment handed over",
        due_on=DAY + timedelta(days=2),
    )
    session.add(step)
    code = session.scalar(select(Organisation.code).where(Organisation.id == offer.organisation_id))
    provider = make_user(session, role="provider", email="provider@example.org", org=code)

    # A State's commitment, its target date in 20 days: beyond every threshold for now.
    commitment = session.scalars(
        select(Commitment).where(Commitment.state_id.is_not(None)).order_by(Commitment.id)
    ).first()
    assert commitment is not None
    commitment.status, commitment.target_date = "in_progress", DAY + timedelta(days=20)
    owner_iso3 = _state_iso3(session, commitment.state_id)
    owner = (
        poc
        if owner_iso3 == plan_iso3
        else make_user(session, role="state_poc", iso3=owner_iso3, email="owner@example.org")
    )
    session.flush()

    assert notify_deadlines_near(session, on=DAY, thresholds=(14, 3)) == 2
    plan_page, project_page = f"/action-plans/{plan.id}", f"/assistance/projects/{project.id}"
    assert (
        "milestone_due",
        f"A milestone of action plan {plan.id} is due on {DAY + timedelta(days=10)}",
        plan_page,
    ) in _told(session, poc)
    assert (
        "milestone_due",
        f"A milestone of project {project.id} is due on {DAY + timedelta(days=2)}",
        project_page,
    ) in _told(session, provider)
    assert _told(session, stranger) == []
    written = session.scalar(select(func.count()).select_from(Notification))

    # Idempotent: again the same day, and the next day (each already told at its threshold).
    assert notify_deadlines_near(session, on=DAY, thresholds=(14, 3)) == 0
    assert notify_deadlines_near(session, on=DAY + timedelta(days=1), thresholds=(14, 3)) == 0
    assert session.scalar(select(func.count()).select_from(Notification)) == written

    # Seven days on: the plan's milestone reaches 3 days (told again, closer), the commitment
    # 13 days (told for the first time); the project's milestone was told at 3 days already.
    later = DAY + timedelta(days=7)
    assert notify_deadlines_near(session, on=later, thresholds=(14, 3)) == 2
    assert [kind for kind, _, page in _told(session, poc) if page == plan_page] == [
        "milestone_due",
        "milestone_due",
    ]
    assert ("commitment_due", f"/commitments/{commitment.id}") in {
        (kind, page) for kind, _, page in _told(session, owner)
    }
    assert notify_deadlines_near(session, on=later, thresholds=(14, 3)) == 0
    reminders = session.scalars(
        select(DeadlineReminder).where(DeadlineReminder.due_on >= DAY)
    ).all()
    assert sorted((r.item_type, r.threshold_days) for r in reminders) == [
        ("action_plan_milestone", 3),
        ("action_plan_milestone", 14),
        ("commitment", 14),
        ("project_milestone", 3),
    ]

    # A due date moved later is a new deadline; a milestone done is told nothing.
    milestone.due_on = DAY + timedelta(days=30)
    step.done_on = later
    session.flush()
    assert notify_deadlines_near(session, on=DAY + timedelta(days=20), thresholds=(14, 3)) == 2
    # (the plan's moved milestone at 10 days, and the commitment now at its due date)
    assert notify_deadlines_near(session, on=DAY + timedelta(days=20), thresholds=()) == 0

    # The command line's and the job's way in: no queue here, so it runs now (nothing new).
    assert check_deadlines_near(session, on=DAY + timedelta(days=20), thresholds=(14, 3)) == 0


def test_a_pledge_due_soon_is_told_to_its_donor_once(session: Session) -> None:
    """Issue 13, item 3: a pledge's due date; the donor's accounts are told once, while the
    donor has not paid what it pledged; the donor's inbox shows the next due date."""
    system = system_viewer("tests")
    niger = make_user(session, role="state_poc", iso3="NER", email="niger-donor@example.org")
    chad = make_user(session, role="state_poc", iso3="TCD", email="chad-donor@example.org")
    due = DAY + timedelta(days=5)
    pledge = record_funding(
        session,
        viewer=system,
        data=FundingCreate(kind="pledge", state="NER", amount=1000, currency="USD", due_on=due),
    )
    assert pledge.due_on == due
    for kind in ("pledge", "contribution"):  # Chad pledged and paid in full: nothing is due
        record_funding(
            session,
            viewer=system,
            data=FundingCreate(
                kind=kind,
                state="TCD",
                amount=500,
                currency="EUR",
                due_on=due if kind == "pledge" else None,
            ),
        )
    for wrong in (
        {"kind": "contribution", "due_on": due},  # only a pledge has a due date
        {"kind": "pledge", "made_on": date(2020, 1, 2), "due_on": date(2020, 1, 1)},
    ):
        with pytest.raises(InvalidData) as refused:
            record_funding(
                session,
                viewer=system,
                data=FundingCreate(state="NER", amount=1, currency="USD", **wrong),  # type: ignore[arg-type]
            )
        assert [p.where for p in refused.value.problems] == ["due_on"]

    # Niger's pledge only: Chad paid its pledge in full.
    assert notify_deadlines_near(session, on=DAY, thresholds=(14, 3)) == 1
    assert _told(session, niger) == [
        ("pledge_due", f"Pledge {pledge.id} is due on {due}", "/funding")
    ]
    assert _told(session, chad) == []
    assert notify_deadlines_near(session, on=DAY + timedelta(days=1), thresholds=(14, 3)) == 0
    assert [kind for kind, _, _ in _told(session, niger)] == ["pledge_due"]
    [item] = pledges_due(session, niger).items
    assert (item.detail, item.due_on) == ("1,000.00 USD", due)
    assert pledges_due(session, chad).items == []


def test_the_thresholds_setting_is_read_and_checked() -> None:
    assert Settings(deadline_reminder_days="3,14,3").deadline_thresholds == (14, 3)
    assert Settings(deadline_reminder_days="").deadline_thresholds == ()
    with pytest.raises(ValidationError, match="deadline_reminder_days"):
        Settings(deadline_reminder_days="two weeks")


def test_every_deadline_notice_is_worded_in_every_language() -> None:
    facts = {"id": "7", "state": "Chad", "title": "Plan", "owner": "Chad", "due_on": "2090-01-11"}
    facts |= {"donor": "Chad", "amount": "1,000.00", "currency": "USD", "made_on": "2089-01-01"}
    for wording in (PLAN_DUE, MILESTONE_DUE, COMMITMENT_DUE, PLEDGE_DUE):
        for language in UN_LANGUAGES:
            translations = catalogue(language)
            for message in (wording.subject, wording.body):
                if language != "en":
                    assert message in translations, (language, message)
                text = translations.get(message, message) % facts
                assert "2090-01-11" in text, (language, message)
