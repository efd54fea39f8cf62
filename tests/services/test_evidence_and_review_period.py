"""Evidence rules at approval (waivers, proposals that cite documents) and the State's review
period (deadline, reminders, the approval's recorded basis): issue 12, items 1 and 3."""

from __future__ import annotations

from datetime import timedelta

import pytest
from procrastinate.testing import InMemoryConnector
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_document, make_edition, make_user
from un1540.errors import Conflict, Forbidden, InvalidData
from un1540.models import (
    AuditEvent,
    EditionStatus,
    Evidence,
    EvidenceWaiver,
    MatrixEdition,
    Notification,
    Visibility,
)
from un1540.models.base import today
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.jobs import JobRun, run_task
from un1540.services.kernel.workers import worker_app
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    open_draft,
    reopen_edition,
    share_edition,
)
from un1540.services.matrix.actions.proposals import decide_proposal, propose_change
from un1540.services.matrix.actions.reminders import REMINDERS_TASK, send_review_reminders
from un1540.services.matrix.actions.waivers import waive_open_breaks, waive_rule
from un1540.services.matrix.inputs import CellChange, CellInput, EvidenceInput
from un1540.services.matrix.reads.editions import edition_detail, entry_for
from un1540.services.matrix.reads.evidence import evidence_check
from un1540.services.notifications.reads import list_notifications
from un1540.settings import Settings

X_CELL = "op2.manufacture:cw:legal_framework"
NA_CELL = "op1.nwfz:any:adherence"
OTHER_X = "op2.use:nw:legal_framework"


class Cast:
    def __init__(self, session: Session) -> None:
        self.expert = make_user(session, role="expert")
        self.committee = make_user(session, role="committee")
        self.poc = make_user(session, role="state_poc", iso3="TCD")


@pytest.fixture
def cast(session: Session) -> Cast:
    return Cast(session)


def _shared_draft(session: Session, cast: Cast) -> MatrixEdition:
    draft = open_draft(session, viewer=cast.expert, iso3="TCD")
    share_edition(session, viewer=cast.expert, iso3="TCD", number=draft.number)
    return draft


def _edit(
    session: Session,
    viewer: Viewer,
    edition: MatrixEdition,
    key: str,
    mark: str,
    remark: str = "",
    evidence: list[EvidenceInput] | None = None,
) -> None:
    update_cell(
        session,
        viewer=viewer,
        iso3="TCD",
        number=edition.number,
        cell_key=key,
        change=CellChange(
            mark=mark,
            remark=remark,
            version=entry_for(session, edition, key).revision,
            evidence=evidence,
        ),
    )


def test_an_accepted_proposal_setting_x_without_evidence_blocks_approval(
    session: Session, cast: Cast
) -> None:
    """The defect: an X with no reference was published, with no warning. Failed before this
    change (approval went through)."""
    draft = _shared_draft(session, cast)
    proposal = propose_change(
        session,
        viewer=cast.poc,
        iso3="TCD",
        number=draft.number,
        cell_key=X_CELL,
        mark="X",
        remark="Our 2024 law",
        reason="adopted",
    )
    decide_proposal(
        session,
        viewer=cast.expert,
        iso3="TCD",
        number=draft.number,
        proposal_id=proposal.id,
        accept=True,
    )
    _edit(session, cast.expert, draft, NA_CELL, "NA")  # NA with no reason
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    with pytest.raises(Conflict, match="2 cell\\(s\\) break the evidence rules") as refused:
        approve_edition(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    problems = refused.value.details["evidence_problems"]
    assert {(p["cell"], p["rule"]) for p in problems} == {
        (X_CELL, "x_requires_evidence"),
        (NA_CELL, "na_requires_reason"),
    }
    assert session.get(MatrixEdition, draft.id).status is EditionStatus.agreed  # type: ignore[union-attr]
    check = evidence_check(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    assert (check.unwaived, check.waived) == (2, 0)


def test_evidence_needs_a_document_and_a_locator(session: Session, cast: Cast) -> None:
    draft = _shared_draft(session, cast)
    document = make_document(session, iso3="TCD", title="Penal Code")
    _edit(session, cast.expert, draft, X_CELL, "X", evidence=[EvidenceInput(document.id)])
    check = evidence_check(session, viewer=cast.expert, iso3="TCD", number=draft.number)
    assert [(p.cell, p.rule) for p in check.problems] == [(X_CELL, "x_requires_evidence")]
    _edit(
        session,
        cast.expert,
        draft,
        X_CELL,
        "X",
        evidence=[EvidenceInput(document.id, article="12")],
    )
    _edit(session, cast.expert, draft, NA_CELL, "NA", remark="no zone in the region")
    assert (
        evidence_check(session, viewer=cast.expert, iso3="TCD", number=draft.number).problems == []
    )
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    approved = approve_edition(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    assert approved.status is EditionStatus.approved


def test_a_proposal_cites_documents_and_accepting_makes_them_the_evidence(
    session: Session, cast: Cast
) -> None:
    draft = _shared_draft(session, cast)
    document = make_document(session, iso3="TCD", title="Law 12/2024")
    proposal = propose_change(
        session,
        viewer=cast.poc,
        iso3="TCD",
        number=draft.number,
        cell_key=X_CELL,
        mark="X",
        remark="Law 12/2024",
        reason="adopted",
        evidence=[EvidenceInput(document.id, page="4", quotation="Whoever manufactures ...")],
    )
    assert proposal.evidence == [
        {
            "document_id": document.id,
            "page": "4",
            "article": "",
            "paragraph": "",
            "quotation": "Whoever manufactures ...",
        }
    ]
    decide_proposal(
        session,
        viewer=cast.expert,
        iso3="TCD",
        number=draft.number,
        proposal_id=proposal.id,
        accept=True,
    )
    entry = entry_for(session, draft, X_CELL)
    cited = session.scalars(select(Evidence).where(Evidence.cell_entry_id == entry.id)).all()
    assert [(e.document_id, e.page) for e in cited] == [(document.id, "4")]
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    approve_edition(session, viewer=cast.committee, iso3="TCD", number=draft.number)


def test_a_proposal_citing_a_bad_document_is_refused_naming_it(
    session: Session, cast: Cast
) -> None:
    draft = _shared_draft(session, cast)
    foreign = make_document(session, iso3="NER", title="Another State's law")
    hidden = make_document(
        session, iso3="TCD", title="Committee note", visibility=Visibility.committee
    )
    with pytest.raises(InvalidData) as refused:
        propose_change(
            session,
            viewer=cast.poc,
            iso3="TCD",
            number=draft.number,
            cell_key=X_CELL,
            mark="X",
            remark="",
            reason="",
            evidence=[
                EvidenceInput(foreign.id, page="1"),
                EvidenceInput(hidden.id, page="2"),
                EvidenceInput(999_999, page="3"),
            ],
        )
    assert [(p.where, p.message) for p in refused.value.problems] == [
        ("evidence[1].document_id", "the document is about another State"),
        ("evidence[2].document_id", f"no document {hidden.id}"),
        ("evidence[3].document_id", "no document 999999"),
    ]


def test_a_waiver_needs_a_reason_and_nothing_is_written_without_one(
    session: Session, cast: Cast
) -> None:
    draft = _shared_draft(session, cast)
    _edit(session, cast.expert, draft, X_CELL, "X", remark="reported orally")
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    for reason in ("", "   "):
        with pytest.raises(InvalidData, match="the rule was not waived") as refused:
            waive_rule(
                session,
                viewer=cast.committee,
                iso3="TCD",
                number=draft.number,
                cell_key=X_CELL,
                rule="x_requires_evidence",
                reason=reason,
            )
        assert [p.where for p in refused.value.problems] == ["reason"]
    with pytest.raises(InvalidData) as unknown:
        waive_rule(
            session,
            viewer=cast.committee,
            iso3="TCD",
            number=draft.number,
            cell_key=X_CELL,
            rule="no_such_rule",
            reason="because",
        )
    assert "not an evidence rule" in unknown.value.problems[0].message
    with pytest.raises(InvalidData, match="the rule was not waived") as not_broken:
        waive_rule(
            session,
            viewer=cast.committee,
            iso3="TCD",
            number=draft.number,
            cell_key=NA_CELL,
            rule="na_requires_reason",
            reason="because",
        )
    assert "does not break" in not_broken.value.problems[0].message
    assert session.scalar(select(func.count()).select_from(EvidenceWaiver)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_waiver_lets_approval_through_is_audited_and_lapses_when_the_cell_changes(
    session: Session, cast: Cast
) -> None:
    draft = _shared_draft(session, cast)
    _edit(session, cast.expert, draft, X_CELL, "X", remark="reported orally")
    _edit(session, cast.expert, draft, OTHER_X, "X", remark="also orally")
    waive_rule(
        session,
        viewer=cast.expert,
        iso3="TCD",
        number=draft.number,
        cell_key=X_CELL,
        rule="x_requires_evidence",
        reason="stated by the delegation at the 2025 meeting; record pending",
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "cell.waive_rule")).one()
    assert event.entity_id == f"TCD/{draft.number}/{X_CELL}"
    assert event.reason == "stated by the delegation at the 2025 meeting; record pending"
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    with pytest.raises(Conflict) as refused:
        approve_edition(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    assert [p["cell"] for p in refused.value.details["evidence_problems"]] == [OTHER_X]
    reopen_edition(session, viewer=cast.expert, iso3="TCD", number=draft.number)
    # The waived cell changes: its waiver no longer holds.
    _edit(session, cast.expert, draft, X_CELL, "X", remark="reported orally, twice")
    waive_rule(
        session,
        viewer=cast.committee,
        iso3="TCD",
        number=draft.number,
        cell_key=OTHER_X,
        rule="x_requires_evidence",
        reason="the same oral statement",
    )
    check = evidence_check(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    assert [(p.cell, p.waived) for p in check.problems] == [(X_CELL, False), (OTHER_X, True)]
    waive_rule(
        session,
        viewer=cast.committee,
        iso3="TCD",
        number=draft.number,
        cell_key=X_CELL,
        rule="x_requires_evidence",
        reason="confirmed in writing is pending",
    )
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    approve_edition(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    public = evidence_check(session, viewer=PUBLIC, iso3="TCD", number=draft.number)
    assert (public.unwaived, public.waived) == (0, 2)
    with pytest.raises(Conflict, match="frozen"):
        waive_rule(
            session,
            viewer=cast.committee,
            iso3="TCD",
            number=draft.number,
            cell_key=X_CELL,
            rule="x_requires_evidence",
            reason="again",
        )


def test_one_reason_waives_every_open_break_each_cell_audited(session: Session, cast: Cast) -> None:
    """A draft inheriting many breaks (e.g. cells recorded before the rules) is waived in one
    step; each cell gets its own waiver and audit event, and what was waived before keeps its
    own reason."""
    draft = _shared_draft(session, cast)
    _edit(session, cast.expert, draft, X_CELL, "X", remark="orally")
    _edit(session, cast.expert, draft, OTHER_X, "X", remark="orally too")
    _edit(session, cast.expert, draft, NA_CELL, "NA")
    waive_rule(
        session,
        viewer=cast.expert,
        iso3="TCD",
        number=draft.number,
        cell_key=OTHER_X,
        rule="x_requires_evidence",
        reason="its own reason",
    )
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    for bad_reason, bad_rule in (("", ""), ("fine", "no_such_rule")):
        with pytest.raises(InvalidData, match="the rule was not waived"):
            waive_open_breaks(
                session,
                viewer=cast.expert,
                iso3="TCD",
                number=draft.number,
                reason=bad_reason,
                rule=bad_rule,
            )
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    only_na = waive_open_breaks(
        session,
        viewer=cast.expert,
        iso3="TCD",
        number=draft.number,
        reason="not applicable by the State's statement",
        rule="na_requires_reason",
    )
    assert only_na == 1
    count = waive_open_breaks(
        session,
        viewer=cast.committee,
        iso3="TCD",
        number=draft.number,
        reason="recorded before the evidence rules; references pending",
    )
    assert count == 1  # only X_CELL was left
    check = evidence_check(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    reasons = {p.cell: p.waiver_reason for p in check.problems}
    assert check.unwaived == 0
    assert reasons == {
        X_CELL: "recorded before the evidence rules; references pending",
        OTHER_X: "its own reason",
        NA_CELL: "not applicable by the State's statement",
    }
    audited = session.scalars(
        select(AuditEvent.entity_id).where(AuditEvent.action == "cell.waive_rule")
    ).all()
    assert sorted(audited) == sorted(f"TCD/{draft.number}/{key}" for key in reasons)
    with pytest.raises(InvalidData, match="the rule was not waived") as nothing_left:
        waive_open_breaks(
            session, viewer=cast.committee, iso3="TCD", number=draft.number, reason="again"
        )
    assert "no cell is left to waive" in str(nothing_left.value.problems)
    with pytest.raises(Forbidden):
        waive_open_breaks(session, viewer=cast.poc, iso3="TCD", number=draft.number, reason="mine")


def test_recorded_editions_and_imports_are_not_refused_by_the_rules(
    session: Session, cast: Cast
) -> None:
    """Historical and reconstructed editions stay importable: an X without evidence and an NA
    without a reason are recorded as they were published."""
    edition = make_edition(
        session,
        iso3="TCD",
        cells=[CellInput(key=X_CELL, mark="X"), CellInput(key=NA_CELL, mark="NA")],
    )
    assert edition.status is EditionStatus.approved
    check = evidence_check(session, viewer=PUBLIC, iso3="TCD", number=edition.number)
    assert (check.unwaived, edition.approval_basis) == (2, "")
    # A draft opened from it carries the breaks; approval then asks for them.
    draft = _shared_draft(session, cast)
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    with pytest.raises(Conflict, match="2 cell"):
        approve_edition(session, viewer=cast.committee, iso3="TCD", number=draft.number)


def test_sharing_sets_the_response_deadline_and_reopening_a_new_one(
    session: Session, cast: Cast
) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="TCD")
    assert (
        edition_detail(session, viewer=cast.expert, iso3="TCD", number=draft.number).response_due_on
        is None
    )
    share_edition(session, viewer=cast.expert, iso3="TCD", number=draft.number, review_days=30)
    assert draft.response_due_on == today() + timedelta(days=30)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "edition.share")).one()
    assert event.before is not None
    assert "response_due_on" not in event.before
    assert event.after is not None
    assert event.after["response_due_on"] == draft.response_due_on.isoformat()
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    draft.response_due_on = today() - timedelta(days=5)
    reopen_edition(session, viewer=cast.expert, iso3="TCD", number=draft.number)
    assert draft.response_due_on == today() + timedelta(days=60)
    other = open_draft(session, viewer=cast.expert, iso3="NER")
    with pytest.raises(InvalidData) as refused:
        share_edition(session, viewer=cast.expert, iso3="NER", number=other.number, review_days=0)
    assert refused.value.problems[0].where == "review_days"
    assert other.status is EditionStatus.draft


def test_approving_without_the_states_agreement_before_the_deadline_needs_a_reason(
    session: Session, cast: Cast
) -> None:
    """The defect: a shared draft the State never answered could be approved, and nothing
    recorded that it had been given time. Failed before this change (approval went through)."""
    draft = _shared_draft(session, cast)
    with pytest.raises(InvalidData, match="the edition was not approved") as refused:
        approve_edition(session, viewer=cast.committee, iso3="TCD", number=draft.number)
    assert refused.value.problems[0].where == "reason"
    assert "is due by" in refused.value.problems[0].message
    assert draft.status is EditionStatus.shared
    approved = approve_edition(
        session,
        viewer=cast.committee,
        iso3="TCD",
        number=draft.number,
        reason="urgent: the Council meets next week",
    )
    detail = edition_detail(session, viewer=PUBLIC, iso3="TCD", number=approved.number)
    assert (detail.approval_basis, detail.approval_basis_reason) == (
        "committee_reason",
        "urgent: the Council meets next week",
    )


def test_after_the_deadline_or_with_agreement_the_basis_is_recorded(
    session: Session, cast: Cast
) -> None:
    late = _shared_draft(session, cast)
    late.response_due_on = today() - timedelta(days=1)
    approve_edition(session, viewer=cast.committee, iso3="TCD", number=late.number)
    assert (late.approval_basis, late.approval_basis_reason) == ("deadline_passed", "")
    agreed = _shared_draft(session, cast)
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=agreed.number)
    approve_edition(session, viewer=cast.committee, iso3="TCD", number=agreed.number)
    detail = edition_detail(session, viewer=PUBLIC, iso3="TCD", number=agreed.number)
    assert detail.approval_basis == "state_agreed"


def test_reminders_before_and_after_the_deadline_once_each(session: Session, cast: Cast) -> None:
    draft = _shared_draft(session, cast)
    due = draft.response_due_on
    assert due is not None
    assert send_review_reminders(session, on=due - timedelta(days=20), remind_days=14) == 0
    assert send_review_reminders(session, on=due - timedelta(days=14), remind_days=14) == 1
    assert send_review_reminders(session, on=due - timedelta(days=10), remind_days=14) == 0
    assert send_review_reminders(session, on=due, remind_days=14) == 0
    assert send_review_reminders(session, on=due + timedelta(days=1), remind_days=14) == 1
    assert send_review_reminders(session, on=due + timedelta(days=9), remind_days=14) == 0
    told, total, unread = list_notifications(session, viewer=cast.poc)
    assert (total, unread) == (3, 3)  # and, first, that the draft was shared with it
    assert told[2].subject == (
        f"Edition {draft.number} of the matrix of Chad is shared with you for review"
    )
    assert told[0].subject == (
        f"The review period of edition {draft.number} of the matrix of Chad has ended"
    )
    assert told[1].subject == (
        f"Your response on edition {draft.number} of the matrix of Chad is due by {due}"
    )
    assert told[1].page == f"/states/TCD/editions/{draft.number}"
    assert told[1].link == f"/api/v1/states/TCD/editions/{draft.number}"
    # When the period ends, the experts and the Committee are told too (failed before this
    # change: nobody on the Committee side heard of it); nobody else is told.
    for viewer in (cast.expert, cast.committee):
        (ended,), total, _ = list_notifications(session, viewer=viewer)
        assert ended.subject == (
            f"Chad did not respond on edition {draft.number} of its matrix by {due}"
        )
        assert ended.page == f"/states/TCD/editions/{draft.number}"
    assert session.scalar(select(func.count()).select_from(Notification)) == 5
    assert [
        e.action
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("edition.review_%"))
        )
    ] == ["edition.review_due", "edition.review_overdue"]


def test_an_agreed_edition_gets_no_reminder(session: Session, cast: Cast) -> None:
    draft = _shared_draft(session, cast)
    agree_edition(session, viewer=cast.poc, iso3="TCD", number=draft.number)
    assert draft.response_due_on is not None
    assert send_review_reminders(session, on=draft.response_due_on + timedelta(days=1)) == 0


def test_the_daily_reminders_are_a_periodic_job_of_the_workers(
    session: Session, sessions: sessionmaker[Session], engine: Engine, cast: Cast
) -> None:
    """The workers queue `reminders.daily` on UN1540_REMINDERS_CRON (procrastinate's periodic
    deferrer); the task sends the day's reminders once however often it runs. Failed before
    this change: only a timer running the command line sent them."""
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, jobs_inline=True, reminders_cron="30 5 * * *")
    app = worker_app(InMemoryConnector(), sessions, settings)
    (periodic,) = [
        task
        for task in app.periodic_registry.periodic_tasks.values()
        if task.task.name == REMINDERS_TASK
    ]
    assert periodic.cron == "30 5 * * *"
    quiet = Settings(database_url=url, jobs_inline=True, reminders_cron="")
    assert worker_app(InMemoryConnector(), sessions, quiet).periodic_registry.periodic_tasks == {}
    with pytest.raises(ValueError, match="reminders_cron"):
        Settings(database_url=url, reminders_cron="every day")
    draft = _shared_draft(session, cast)
    draft.response_due_on = today() - timedelta(days=1)
    session.commit()
    run = JobRun(sessions, settings)
    run_task(REMINDERS_TASK, run, {"timestamp": 0})
    run_task(REMINDERS_TASK, run, {"timestamp": 86_400})
    assert [
        e.action
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("edition.review_%"))
        )
    ] == ["edition.review_overdue"]
