"""The inbox (services/inbox): each role sees what awaits it, through the domains' visibility
rules, and never another account's or another State's items; the events that ask someone to act
notify them (services/matrix/notices.py), and the e-mail preferences are honoured by the sender."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Inbox as SmtpInbox
from tests.factories import make_user
from un1540.models import (
    ActionPlan,
    ActionPlanMeasure,
    ActionPlanMilestone,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    Notification,
    Organisation,
    State,
    UserAccount,
)
from un1540.models.base import utc_now
from un1540.reference.languages import UN_LANGUAGES
from un1540.schemas.assistance import FundingCreate
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.inbox.reads import Inbox, InboxSection, inbox
from un1540.services.kernel.access import Viewer
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    open_draft,
    share_edition,
)
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.notices import WORDS
from un1540.services.notifications.actions import mark_all_read, notify
from un1540.services.notifications.email import SmtpSettings, send_pending_emails
from un1540.services.notifications.preferences import email_choices, set_email_topics
from un1540.services.notifications.reads import list_notifications, unread_count
from un1540.web.i18n import catalogue

CELL = "op2.manufacture:cw:legal_framework"


def _section(box: Inbox, key: str) -> InboxSection:
    return next(section for section in box.sections if section.key == key)


def _links(session: Session, viewer: Viewer, key: str) -> list[str]:
    return [item.link for item in _section(inbox(session, viewer=viewer), key).items]


def _kinds(session: Session, viewer: Viewer) -> list[str]:
    return [told.notification.kind for told in list_notifications(session, viewer=viewer)[0]]


def test_every_matrix_event_is_worded_in_every_language() -> None:
    facts = {"state": "France", "number": "4", "due": "2030-01-31", "cell": CELL}
    for subject, body in WORDS.values():
        for language in UN_LANGUAGES:
            translations = catalogue(language)
            for message in (subject, body):
                if language != "en":
                    assert message in translations, (language, message)
                text = translations.get(message, message) % facts
                for name, value in facts.items():
                    assert (value in text) == (f"%({name})s" in message), (language, message)


def test_every_topic_is_named_on_the_preferences_page_in_every_language() -> None:
    import un1540.web.app  # noqa: F401  (every domain registers its topics when imported)
    from un1540.services.notifications.topics import TOPICS

    unnamed = sorted(code for code, topic in TOPICS.items() if not topic.label)
    assert unnamed == [], "give each Topic a label=N_(...) for the e-mail preferences page"
    for language in (code for code in UN_LANGUAGES if code != "en"):
        assert all(topic.label in catalogue(language) for topic in TOPICS.values()), language


def test_the_review_of_a_draft_reaches_each_side_in_its_inbox(empty_session: Session) -> None:
    session = empty_session  # a blank draft: no evidence rule to waive before approval
    expert = make_user(session, role="expert")
    committee = make_user(session, role="committee")
    poc = make_user(session, role="state_poc", iso3="TCD")
    other_poc = make_user(session, role="state_poc", iso3="NER")
    page = "/states/TCD/editions/{}"

    draft = open_draft(session, viewer=expert, iso3="TCD", reason="annual review")
    edition_page = page.format(draft.number)
    assert edition_page in _links(session, expert, "drafts")
    assert _links(session, poc, "shared") == []  # not shared yet: the State sees nothing
    assert inbox(session, viewer=poc).unread == 0

    share_edition(session, viewer=expert, iso3="TCD", number=draft.number, review_days=10)
    assert edition_page not in _links(session, expert, "drafts")
    assert _kinds(session, poc) == ["shared"]
    assert _links(session, poc, "shared") == [edition_page]
    assert _links(session, poc, "deadlines")[0] == edition_page  # due in 10 days: coming
    # Another State's contact is told nothing and sees nothing of it.
    assert _kinds(session, other_poc) == []
    other = inbox(session, viewer=other_poc)
    assert all(
        not item.link.startswith("/states/TCD")
        for section in other.sections
        for item in section.items
    )

    add_comment(session, viewer=poc, iso3="TCD", number=draft.number, cell_key=CELL, body="Why?")
    assert _kinds(session, expert) == ["commented"]  # the other side, not the commenter
    assert _kinds(session, poc) == ["shared"]
    add_comment(session, viewer=expert, iso3="TCD", number=draft.number, cell_key=CELL, body="See")
    assert _kinds(session, poc) == ["commented", "shared"]
    assert _kinds(session, committee) == []

    proposal = propose_change(
        session,
        viewer=poc,
        iso3="TCD",
        number=draft.number,
        cell_key=CELL,
        mark="X",
        remark="Law 2019-1",
        reason="in force since 2019",
    )
    proposals = _section(inbox(session, viewer=expert), "proposals")
    assert (proposals.total, proposals.items[0].detail) == (1, CELL)
    assert _section(inbox(session, viewer=other_poc), "shared").total == 0
    decide_proposal(
        session,
        viewer=expert,
        iso3="TCD",
        number=draft.number,
        proposal_id=proposal.id,
        accept=False,
        note="no copy of the law",
    )
    assert _kinds(session, poc)[0] == "proposal_rejected"
    assert _section(inbox(session, viewer=expert), "proposals").total == 0

    assert _links(session, committee, "approval") == []  # shared, deadline not passed
    agree_edition(session, viewer=poc, iso3="TCD", number=draft.number, reason="agreed")
    assert _links(session, committee, "approval") == [edition_page]
    assert _links(session, poc, "deadlines") == []  # agreed: no response is due any more
    approve_edition(session, viewer=committee, iso3="TCD", number=draft.number, reason="ok")
    assert _links(session, committee, "approval") == []
    assert _kinds(session, poc)[0] == "approved"
    assert _kinds(session, other_poc) == []

    # The badge: unread notifications, read all at once.
    assert unread_count(session, viewer=poc) == 4 == inbox(session, viewer=poc).unread
    assert mark_all_read(session, viewer=poc) == 4
    assert unread_count(session, viewer=poc) == 0
    assert unread_count(session, viewer=expert) == 1


def test_a_states_contact_sees_its_requests_and_milestones_only(session: Session) -> None:
    milestone, plan = session.execute(
        select(ActionPlanMilestone, ActionPlan)
        .join(ActionPlanMeasure, ActionPlanMeasure.id == ActionPlanMilestone.measure_id)
        .join(ActionPlan, ActionPlan.id == ActionPlanMeasure.plan_id)
        .where(ActionPlanMilestone.status == "pending")
        .order_by(ActionPlanMilestone.due_on)
        .limit(1)
    ).one()
    iso3 = session.scalar(select(State.iso3).where(State.id == plan.state_id))
    poc = make_user(session, role="state_poc", iso3=iso3)
    box = inbox(session, viewer=poc)
    assert _section(box, "milestones").items[0].link == f"/action-plans/{plan.id}"
    assert _section(box, "milestones").items[0].due_on == milestone.due_on
    open_requests = session.scalars(
        select(AssistanceRequest.id).where(
            AssistanceRequest.state_id == plan.state_id, AssistanceRequest.status != "closed"
        )
    ).all()
    assert _section(box, "requests").total == len(open_requests)
    # Another State's contact: none of these.
    other = make_user(session, role="state_poc", iso3="TCD" if iso3 != "TCD" else "NER")
    other_box = inbox(session, viewer=other)
    assert f"/action-plans/{plan.id}" not in [
        item.link for section in other_box.sections for item in section.items
    ]
    assert {f"/assistance/requests/{ident}" for ident in open_requests}.isdisjoint(
        item.link for item in _section(other_box, "requests").items
    )


def test_providers_see_their_matches_projects_and_pledges_only(session: Session) -> None:
    project, offer = session.execute(
        select(AssistanceProject, AssistanceOffer)
        .join(AssistanceOffer, AssistanceOffer.id == AssistanceProject.offer_id)
        .join(AssistanceRequest, AssistanceRequest.id == AssistanceProject.request_id)
        .where(
            AssistanceOffer.organisation_id.is_not(None),
            AssistanceProject.status != "closed",
            # A project on a request shown to providers (the others are the Committee's).
            AssistanceRequest.consent.in_(["providers", "public"]),
            AssistanceRequest.circulated_at.is_not(None),
        )
        .limit(1)
    ).one()
    code = session.scalar(select(Organisation.code).where(Organisation.id == offer.organisation_id))
    other_code = session.scalars(
        select(Organisation.code).where(Organisation.id != offer.organisation_id)
    ).first()
    provider = make_user(session, role="provider", email="donor@example.org", org=code)
    other = make_user(session, role="provider", email="other@example.org", org=other_code)
    assert f"/assistance/projects/{project.id}" in _links(session, provider, "projects")
    assert f"/assistance/projects/{project.id}" not in _links(session, other, "projects")

    # A request just circulated to providers (set up directly: the circulation is not the point).
    circulated = session.scalars(
        select(AssistanceRequest).where(AssistanceRequest.id != project.request_id)
    ).first()
    assert circulated is not None
    circulated.status, circulated.consent, circulated.circulated_at = (
        "circulated",
        "providers",
        utc_now(),
    )
    session.flush()
    account = session.get(UserAccount, provider.user_id)
    assert account is not None
    notify(
        session, [account], kind="match", entity_type="assistance_request", entity_id=circulated.id
    )
    assert _links(session, provider, "matches") == [f"/assistance/requests/{circulated.id}"]
    assert _links(session, other, "matches") == []  # told to the provider, not to the other

    for kind, amount in (("pledge", 1000.0), ("contribution", 400.0), ("pledge", 50.0)):
        record_funding(
            session,
            viewer=provider,
            data=FundingCreate(kind=kind, amount=amount, currency="EUR" if amount == 50 else "USD"),
        )
    pledges = _section(inbox(session, viewer=provider), "pledges")
    assert [item.detail for item in pledges.items] == ["50.00 EUR", "600.00 USD"]
    assert _section(inbox(session, viewer=other), "pledges").items == []


def test_email_preferences_are_honoured_by_the_sender(
    empty_session: Session, inbox: tuple[SmtpInbox, int]
) -> None:
    session = empty_session
    received, port = inbox
    expert = make_user(session, role="expert")
    make_user(session, role="state_poc", iso3="TCD", email="poc@example.org")
    muted = make_user(session, role="state_poc", iso3="TCD", email="muted@example.org")
    assert {choice.topic for choice in email_choices(session, viewer=muted)} >= {"matrix_edition"}
    assert all(choice.by_email for choice in email_choices(session, viewer=muted))
    set_email_topics(session, viewer=muted, by_email=["assistance_project"])
    assert [c.topic for c in email_choices(session, viewer=muted) if c.by_email] == [
        "assistance_project"
    ]
    draft = open_draft(session, viewer=expert, iso3="TCD", reason="annual review")
    share_edition(session, viewer=expert, iso3="TCD", number=draft.number)
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="un1540@test")
    send_pending_emails(session, smtp)
    assert len(received.to("poc@example.org")) == 1
    assert "shared with you for review" in received.to("poc@example.org")[0]["Subject"]
    assert received.to("muted@example.org") == []
    told = session.scalars(select(Notification).where(Notification.user_id == muted.user_id)).one()
    assert told.emailed_at is None
    assert told.email_withheld_at is not None
    assert unread_count(session, viewer=muted) == 1  # still in the portal


def test_an_unknown_topic_is_refused_by_name(empty_session: Session) -> None:
    session = empty_session
    import pytest

    from un1540.errors import InvalidData

    viewer = make_user(session, role="expert")
    set_email_topics(session, viewer=viewer, by_email=[])
    with pytest.raises(InvalidData) as refused:
        set_email_topics(session, viewer=viewer, by_email=["matrix_edition", "nowhere"])
    assert [problem.message for problem in refused.value.problems] == ["unknown topic 'nowhere'"]
    assert not any(choice.by_email for choice in email_choices(session, viewer=viewer))
