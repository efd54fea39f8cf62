"""Commitments: their lifecycle and who may move them, bad input refused whole and named, each
kind of fulfilment checked against a real record (a pledge, a project, an action plan, an
edition in which the field changed), visibility, the outcome document as of a date (JSON, DOCX,
PDF), and the overdue reminder run as a daily job, once."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import docx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import make_user
from un1540.errors import Conflict, Forbidden, InvalidData, NotFound
from un1540.io.outcome_document import outcome_docx, outcome_pdf
from un1540.models import (
    ActionPlan,
    AssistanceProject,
    Commitment,
    EditionStatus,
    Event,
    FundingEntry,
    MatrixEdition,
    Notification,
    Origin,
    State,
    Visibility,
)
from un1540.models.base import today
from un1540.schemas.commitments import CommitmentCreate, CommitmentTransition
from un1540.services.commitments.actions import create_commitment, transition_commitment
from un1540.services.commitments.notices import OVERDUE_TASK
from un1540.services.commitments.reads import event_outcome, get_commitment, list_commitments
from un1540.services.commitments.records import field_changed
from un1540.services.commitments.shapes import commitment_detail, outcome_read
from un1540.services.kernel.access import PUBLIC, Viewer, system_viewer
from un1540.services.kernel.jobs import JobRun, run_task
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

ANNOUNCED = date(2024, 3, 1)


def make_event(
    session: Session,
    *,
    visibility: Visibility = Visibility.public,
    starts_on: date = ANNOUNCED,
    kind: str = "open_debate",
) -> Event:
    """An event as the `events` domain stores it (its services are another helper's)."""
    event = Event(
        kind=kind,
        title=f"Open debate {starts_on.isoformat()}",
        starts_on=starts_on,
        organisers=[],
        audiences=[],
        visibility=visibility,
        origin=Origin.entry,
    )
    session.add(event)
    session.commit()  # a savepoint released: a refused action's rollback keeps it
    return event


def commitment_input(**overrides: object) -> CommitmentCreate:
    values: dict[str, object] = {
        "state": "TCD",
        "kind": "legislation",
        "title": "A law on chemical weapons",
        "announced_on": ANNOUNCED,
        "target_date": ANNOUNCED + timedelta(days=365),
        "fields": ["op2.manufacture"],
        "regions": ["african"],
    }
    values.update(overrides)
    return CommitmentCreate.model_validate(values)


def step(to: str, on: date, **extra: object) -> CommitmentTransition:
    return CommitmentTransition.model_validate({"to": to, "effective_on": on, **extra})


@pytest.fixture
def people(session: Session) -> dict[str, Viewer]:
    return {
        "poc": make_user(session, role="state_poc", iso3="TCD", email="poc-tcd@example.org"),
        "other_poc": make_user(session, role="state_poc", iso3="NER", email="poc-ner@x.org"),
        "provider": make_user(session, role="provider", org="iaea", email="iaea@x.org"),
        "expert": make_user(session, role="expert", email="expert@x.org"),
    }


def test_lifecycle_history_and_who_may_move_it(session: Session, people: dict[str, Viewer]) -> None:
    event = make_event(session)
    made = create_commitment(
        session,
        viewer=people["poc"],
        data=commitment_input(event=event.id, announced_publicly=True),
    )
    assert made.status == "announced"
    assert made.visibility is Visibility.public  # announced publicly at a public event
    for refused, error in (("other_poc", Forbidden), ("provider", Forbidden)):
        with pytest.raises(error):
            transition_commitment(
                session,
                viewer=people[refused],
                commitment_id=made.id,
                data=step("in_progress", date(2024, 4, 1)),
            )
    with pytest.raises(Forbidden):  # a State's contact records for its own State only
        create_commitment(session, viewer=people["poc"], data=commitment_input(state="NER"))
    transition_commitment(
        session,
        viewer=people["poc"],
        commitment_id=made.id,
        data=step("in_progress", date(2024, 4, 1)),
    )
    with pytest.raises(InvalidData) as early:  # before the last change
        transition_commitment(
            session,
            viewer=people["expert"],
            commitment_id=made.id,
            data=step("partly_delivered", date(2024, 3, 15)),
        )
    assert early.value.problems[0].where == "effective_on"
    transition_commitment(
        session,
        viewer=people["expert"],
        commitment_id=made.id,
        data=step("delivered", date(2024, 9, 1), delivery_evidence="Law 12/2024"),
    )
    with pytest.raises(Conflict, match="final"):
        transition_commitment(
            session,
            viewer=people["expert"],
            commitment_id=made.id,
            data=step("withdrawn", date(2024, 9, 2)),
        )
    read = commitment_detail(session, viewer=PUBLIC, commitment_id=made.id)
    assert [h.to_status for h in read.history] == ["announced", "in_progress", "delivered"]
    assert read.delivered_on == date(2024, 9, 1)
    assert read.delivery_evidence == "Law 12/2024"
    assert read.event is not None
    assert read.event.id == event.id
    assert read.allowed_actions == []  # the public moves nothing
    # The organisation's contact records for its organisation, and moves it.
    iaea = create_commitment(
        session,
        viewer=people["provider"],
        data=commitment_input(state=None, organisation="iaea", kind="hosting_training"),
    )
    assert iaea.visibility is Visibility.committee  # the restrictive default
    transition_commitment(
        session,
        viewer=people["provider"],
        commitment_id=iaea.id,
        data=step("withdrawn", date(2024, 5, 1)),
    )


def test_bad_input_is_refused_whole_naming_the_field(
    session: Session, people: dict[str, Viewer]
) -> None:
    event = make_event(session, starts_on=date(2024, 6, 1))
    before = session.scalar(select(func.count()).select_from(Commitment))
    cases = [
        ({"state": "XXX"}, "state"),
        ({"state": None, "organisation": "nowhere"}, "organisation"),
        ({"fields": ["op9.nothing"]}, "fields"),
        ({"regions": ["atlantis"]}, "regions"),
        ({"kind": "promise"}, "kind"),
        ({"target_date": ANNOUNCED - timedelta(days=1)}, "target_date"),
        ({"event": event.id}, "announced_on"),  # announced before the event began
        ({"event": 2_000_000}, "event"),
        ({"statement": 2_000_000}, "statement"),
        ({"announced_on": today() + timedelta(days=2), "target_date": None}, "announced_on"),
    ]
    for overrides, where in cases:
        with pytest.raises(InvalidData) as refused:
            create_commitment(session, viewer=people["expert"], data=commitment_input(**overrides))
        assert where in [p.where for p in refused.value.problems], (
            overrides,
            refused.value.problems,
        )
    assert session.scalar(select(func.count()).select_from(Commitment)) == before
    made = create_commitment(session, viewer=people["expert"], data=commitment_input())
    with pytest.raises(Conflict, match="allowed next"):  # announced -> announced
        transition_commitment(
            session, viewer=people["expert"], commitment_id=made.id, data=step("announced", today())
        )


def _changed_and_unchanged(session: Session) -> tuple[MatrixEdition, str, str]:
    """A demo State's later approved edition, a field that changed in it and one that did not."""
    viewer = system_viewer("tests")
    layout = framework_layout(session, default_framework(session))
    for edition in session.scalars(
        select(MatrixEdition)
        .where(MatrixEdition.status == EditionStatus.approved, MatrixEdition.number > 1)
        .order_by(MatrixEdition.id)
    ):
        changed = unchanged = None
        for code in layout.fields:
            if field_changed(session, viewer, edition, code):
                changed = changed or code
            else:
                unchanged = unchanged or code
            if changed and unchanged:
                return edition, changed, unchanged
    raise AssertionError("the demo has no edition with a changed and an unchanged field")


def test_each_kind_of_fulfilment_is_checked_against_a_real_record(
    session: Session, people: dict[str, Viewer]
) -> None:
    expert = people["expert"]
    edition, changed, unchanged = _changed_and_unchanged(session)
    iso3 = session.get_one(State, edition.state_id).iso3
    pledge = session.scalars(
        select(FundingEntry).where(FundingEntry.kind == "pledge").order_by(FundingEntry.id)
    ).first()
    project = session.scalars(select(AssistanceProject).order_by(AssistanceProject.id)).first()
    plan = session.scalars(
        select(ActionPlan).where(ActionPlan.state_id == edition.state_id)
    ).first()
    assert pledge is not None
    assert project is not None
    made = create_commitment(session, viewer=expert, data=commitment_input(state=iso3))

    def refused(fulfilment: dict[str, object], where: str, words: str) -> None:
        with pytest.raises(InvalidData) as error:
            transition_commitment(
                session,
                viewer=expert,
                commitment_id=made.id,
                data=step("partly_delivered", today(), fulfilments=[fulfilment]),
            )
        problems = {p.where: p.message for p in error.value.problems}
        assert where in problems, problems
        assert words in problems[where], problems

    refused({"kind": "funding_entry", "record": 2_000_000}, "fulfilments[0].record", "no pledge")
    refused(
        {"kind": "edition", "record": edition.id, "field": unchanged},
        "fulfilments[0].field",
        "did not change",
    )
    refused({"kind": "edition", "record": edition.id}, "fulfilments[0].field", "name the matrix")
    draft = open_draft(session, viewer=expert, iso3=iso3)
    refused(
        {"kind": "edition", "record": draft.id, "field": changed},
        "fulfilments[0].record",
        "not an approved edition",
    )
    assert get_commitment(session, viewer=expert, commitment_id=made.id).status == "announced"
    fulfilments: list[dict[str, object]] = [
        {"kind": "funding_entry", "record": pledge.id},
        {"kind": "assistance_project", "record": project.id, "note": "the training part"},
        {"kind": "edition", "record": edition.id, "field": changed},
    ]
    if plan is not None:
        fulfilments.append({"kind": "action_plan", "record": plan.id})
    transition_commitment(
        session,
        viewer=expert,
        commitment_id=made.id,
        data=step("delivered", today(), fulfilments=fulfilments),
    )
    read = commitment_detail(session, viewer=expert, commitment_id=made.id)
    assert [(f.kind, f.record) for f in read.fulfilments] == [
        (str(f["kind"]), int(str(f["record"]))) for f in fulfilments
    ]
    assert read.fulfilments[2].field == changed
    assert read.fulfilments[2].page == f"/states/{iso3}/editions/{edition.number}"


def test_a_private_pledge_of_another_donor_is_not_a_fulfilment(
    session: Session, people: dict[str, Viewer]
) -> None:
    pledge = session.scalars(select(FundingEntry).order_by(FundingEntry.id)).first()
    assert pledge is not None
    pledge.visibility = Visibility.committee  # another donor's, for the Committee only
    session.commit()
    made = create_commitment(session, viewer=people["poc"], data=commitment_input())
    with pytest.raises(InvalidData, match="not valid") as error:
        transition_commitment(
            session,
            viewer=people["poc"],
            commitment_id=made.id,
            data=step(
                "delivered", today(), fulfilments=[{"kind": "funding_entry", "record": pledge.id}]
            ),
        )
    assert error.value.problems[0].where == "fulfilments[0].record"
    assert get_commitment(session, viewer=people["poc"], commitment_id=made.id).fulfilments == []


def test_visibility_and_the_list_filters(session: Session, people: dict[str, Viewer]) -> None:
    hidden_event = make_event(session, visibility=Visibility.committee)
    with pytest.raises(InvalidData, match="not valid"):  # Chad may not see that event
        create_commitment(
            session, viewer=people["poc"], data=commitment_input(event=hidden_event.id)
        )
    private = create_commitment(
        session,
        viewer=people["expert"],
        data=commitment_input(event=hidden_event.id, title="Private undertaking"),
    )
    assert private.visibility is Visibility.committee  # the event is not public
    public = create_commitment(
        session,
        viewer=people["expert"],
        data=commitment_input(title="Public undertaking", visibility="public"),
    )
    for viewer in (PUBLIC, people["other_poc"], people["provider"]):
        with pytest.raises(NotFound):
            get_commitment(session, viewer=viewer, commitment_id=private.id)
        ids = [c.id for c in list_commitments(session, viewer=viewer, state="TCD").commitments]
        assert public.id in ids
        assert private.id not in ids
    assert get_commitment(session, viewer=people["poc"], commitment_id=private.id)
    listing = list_commitments(session, viewer=people["expert"], state="TCD", kind="legislation")
    assert {private.id, public.id} <= {c.id for c in listing.commitments}
    overdue = list_commitments(session, viewer=people["expert"], overdue=True, on=date(2030, 1, 1))
    assert public.id in {c.id for c in overdue.commitments}
    on_time = list_commitments(session, viewer=people["expert"], overdue=False, on=ANNOUNCED)
    assert public.id in {c.id for c in on_time.commitments}
    for bad, where in (({"state": "XXX"}, "state"), ({"status": "done"}, "status")):
        with pytest.raises(InvalidData) as error:
            list_commitments(session, viewer=PUBLIC, **bad)  # type: ignore[arg-type]
        assert error.value.problems[0].where == where


def test_the_outcome_document_as_of_a_date(session: Session, people: dict[str, Viewer]) -> None:
    event = make_event(session)
    expert = people["expert"]
    first = create_commitment(
        session,
        viewer=expert,
        data=commitment_input(event=event.id, announced_publicly=True, title="First"),
    )
    second = create_commitment(
        session,
        viewer=expert,
        data=commitment_input(
            event=event.id,
            announced_publicly=True,
            title="Second",
            announced_on=date(2024, 3, 2),
            target_date=date(2024, 6, 1),
        ),
    )
    transition_commitment(
        session, viewer=expert, commitment_id=first.id, data=step("in_progress", date(2024, 5, 1))
    )
    transition_commitment(
        session, viewer=expert, commitment_id=first.id, data=step("delivered", date(2025, 1, 10))
    )

    def statuses(as_of: date) -> dict[str, tuple[str, bool]]:
        read = outcome_read(event_outcome(session, viewer=PUBLIC, event_id=event.id, as_of=as_of))
        return {item.title: (item.status, item.overdue) for item in read.items}

    assert statuses(date(2024, 3, 1)) == {"First": ("announced", False)}  # Second: not yet
    assert statuses(date(2024, 5, 1)) == {
        "First": ("in_progress", False),
        "Second": ("announced", False),
    }
    assert statuses(date(2024, 12, 31)) == {
        "First": ("in_progress", False),
        "Second": ("announced", True),
    }
    read = outcome_read(
        event_outcome(session, viewer=PUBLIC, event_id=event.id, as_of=date(2025, 2, 1))
    )
    assert {item.title: item.status for item in read.items} == {
        "First": "delivered",
        "Second": "announced",
    }
    assert read.counts["delivered"] == 1
    assert read.counts["announced"] == 1
    text = "\n".join(
        cell.text
        for table in docx.Document(BytesIO(outcome_docx(read))).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "First" in text
    assert "Delivered" in text
    assert "Second" in text
    assert outcome_pdf(read).startswith(b"%PDF")
    hidden = make_event(session, visibility=Visibility.committee)
    with pytest.raises(NotFound):
        event_outcome(session, viewer=PUBLIC, event_id=hidden.id)
    assert second.id in {i.commitment for i in read.items}


def test_overdue_commitments_are_reminded_once_by_the_daily_job(
    engine: Engine, sessions: sessionmaker[Session], session: Session, people: dict[str, Viewer]
) -> None:
    made = create_commitment(
        session,
        viewer=people["expert"],
        data=commitment_input(target_date=date(2024, 6, 1)),
    )
    settings = settings_for(engine)
    run = JobRun(sessions=sessions, settings=settings)

    def told() -> list[tuple[int | None, str]]:
        session.expire_all()
        rows = session.execute(
            select(Notification.user_id, Notification.kind).where(
                Notification.entity_type == "commitment", Notification.entity_id == made.id
            )
        )
        return [(user_id, kind) for user_id, kind in rows]

    run_task(OVERDUE_TASK, run, {"on": "2024-06-01"})  # due that day: not overdue yet
    assert told() == []
    run_task(OVERDUE_TASK, run, {"on": "2024-06-02"})
    assert told() == [(people["poc"].user_id, "commitment_overdue")]  # Chad's, not Niger's
    run_task(OVERDUE_TASK, run, {"on": "2024-06-03"})
    assert len(told()) == 1  # once, not every day
    assert session.get_one(Commitment, made.id).reminded_on == date(2024, 6, 2)
    assert commitment_detail(session, viewer=people["poc"], commitment_id=made.id).overdue
