"""The edition workflow: every transition, the illegal ones, and who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_user, waive_evidence_rules
from un1540.errors import Conflict, Forbidden, InvalidData, NotFound, Unauthenticated
from un1540.models import AuditEvent, CellEntry, EditionStatus, Evidence, MatrixEdition
from un1540.schemas.workflow import CommentRead
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    discard_draft,
    open_draft,
    reopen_edition,
    share_edition,
)
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.inputs import CellChange, EvidenceInput
from un1540.services.matrix.reads.editions import entry_for, list_editions
from un1540.services.matrix.reads.matrix import get_matrix
from un1540.services.matrix.reads.review import edition_review, review_list

CELL = "op2.manufacture:cw:legal_framework"


class Cast:
    """The people of a workflow test."""

    def __init__(self, session: Session) -> None:
        self.expert = make_user(session, role="expert")
        self.committee = make_user(session, role="committee")
        self.poc = make_user(session, role="state_poc", iso3="FRA")
        self.other_poc = make_user(session, role="state_poc", iso3="NGA")
        self.provider = make_user(session, role="provider", org="iaea")


@pytest.fixture
def cast(session: Session) -> Cast:
    return Cast(session)


def _cell(session: Session, viewer: Viewer, number: int, key: str = CELL) -> tuple[str, str]:
    matrix = get_matrix(session, viewer=viewer, iso3="FRA", number=number)
    cell = next(c for s in matrix.sections for f in s.fields for c in f.cells if c.id == key)
    return cell.mark, cell.remark


def _version(session: Session, edition: MatrixEdition, cell_key: str = CELL) -> int:
    return entry_for(session, edition, cell_key).revision


def test_a_draft_copies_the_last_approved_edition_with_its_evidence(
    session: Session, cast: Cast
) -> None:
    latest = get_matrix(session, viewer=PUBLIC, iso3="FRA")
    draft = open_draft(session, viewer=cast.expert, iso3="FRA", reason="annual review")
    assert (draft.status, draft.number) == (EditionStatus.draft, latest.edition.number + 1)
    copied = get_matrix(session, viewer=cast.expert, iso3="FRA", number=draft.number)
    assert [c.mark for s in copied.sections for f in s.fields for c in f.cells] == [
        c.mark for s in latest.sections for f in s.fields for c in f.cells
    ]
    evidence = session.scalar(
        select(func.count())
        .select_from(Evidence)
        .join(CellEntry)
        .where(CellEntry.edition_id == draft.id)
    )
    assert (
        evidence
        == sum(len(c.evidence) for s in latest.sections for f in s.fields for c in f.cells)
        > 0
    )
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "edition.open_draft")
    ).all()[-1]
    assert (event.actor, event.reason) == (cast.expert.actor, "annual review")


def test_a_state_without_editions_gets_a_blank_draft(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="TCD")
    marks = session.scalars(select(CellEntry.mark).where(CellEntry.edition_id == draft.id)).all()
    assert len(marks) == 341
    assert {m.value for m in marks} == {""}


def test_one_open_edition_per_state_and_only_experts_open_them(
    session: Session, cast: Cast
) -> None:
    open_draft(session, viewer=cast.expert, iso3="FRA")
    with pytest.raises(Conflict, match="already has an open edition"):
        open_draft(session, viewer=cast.expert, iso3="FRA")
    for viewer in (cast.committee, cast.poc, cast.provider):
        with pytest.raises(Forbidden):
            open_draft(session, viewer=viewer, iso3="NGA")
    with pytest.raises(Unauthenticated):
        open_draft(session, viewer=PUBLIC, iso3="NGA")


def test_editing_a_cell_with_optimistic_locking(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    version = _version(session, draft)
    document = make_document(session, iso3="FRA", title="Law on chemicals")
    change = CellChange(
        mark="X",
        remark="Act 12, art. 4",
        version=version,
        evidence=[EvidenceInput(document_id=document.id, article="4")],
    )
    entry = update_cell(
        session,
        viewer=cast.expert,
        iso3="FRA",
        number=draft.number,
        cell_key=CELL,
        change=change,
        reason="new law",
    )
    assert entry.revision == version + 1
    assert _cell(session, cast.expert, draft.number) == ("X", "Act 12, art. 4")
    stale = CellChange(mark="?", remark="older view", version=version)
    with pytest.raises(Conflict) as caught:
        update_cell(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=draft.number,
            cell_key=CELL,
            change=stale,
        )
    details = caught.value.details
    assert details is not None
    assert details["current"]["mark"] == "X"
    assert details["current"]["version"] == version + 1
    assert details["current"]["evidence"][0]["article"] == "4"
    assert details["yours"] == {"mark": "?", "remark": "older view", "version": version}
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "cell.update")).all()[-1]
    assert event.entity_id == f"FRA/{draft.number}/{CELL}"
    assert event.before is not None
    assert event.after is not None
    assert (event.after["mark"], event.reason) == ("X", "new law")


def test_invalid_edits_are_refused(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    version = _version(session, draft)
    with pytest.raises(InvalidData):
        update_cell(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=draft.number,
            cell_key=CELL,
            change=CellChange(mark="Y", remark="", version=version),
        )
    other = make_document(session, iso3="NGA")
    with pytest.raises(InvalidData):
        update_cell(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=draft.number,
            cell_key=CELL,
            change=CellChange(
                mark="X", remark="", version=version, evidence=[EvidenceInput(document_id=other.id)]
            ),
        )
    with pytest.raises(NotFound):
        update_cell(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=draft.number,
            cell_key="op3ab.genetic_engineering:nw:legal_framework",
            change=CellChange(mark="X", remark="", version=1),
        )
    with pytest.raises(NotFound):  # the State's own point of contact cannot see an unshared draft
        update_cell(
            session,
            viewer=cast.poc,
            iso3="FRA",
            number=draft.number,
            cell_key=CELL,
            change=CellChange(mark="X", remark="", version=version),
        )


def test_the_full_workflow_from_draft_to_public(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    number = draft.number
    assert list_editions(session, viewer=cast.poc, iso3="FRA").total == number - 1  # not shared yet
    share_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    assert list_editions(session, viewer=cast.poc, iso3="FRA").total == number
    assert list_editions(session, viewer=cast.other_poc, iso3="FRA").total == number - 1
    assert list_editions(session, viewer=PUBLIC, iso3="FRA").total == number - 1

    add_comment(
        session, viewer=cast.poc, iso3="FRA", number=number, cell_key=CELL, body="See our 2024 law."
    )
    proposal = propose_change(
        session,
        viewer=cast.poc,
        iso3="FRA",
        number=number,
        cell_key=CELL,
        mark="X",
        remark="Law 2024-17, art. 3",
        reason="adopted in 2024",
    )
    with pytest.raises(Conflict, match="await a decision"):
        approve_edition(session, viewer=cast.committee, iso3="FRA", number=number)
    decide_proposal(
        session, viewer=cast.expert, iso3="FRA", number=number, proposal_id=proposal.id, accept=True
    )
    assert _cell(session, cast.expert, number) == ("X", "Law 2024-17, art. 3")

    agree_edition(session, viewer=cast.poc, iso3="FRA", number=number)
    with pytest.raises(Conflict, match="is agreed"):
        update_cell(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=number,
            cell_key=CELL,
            change=CellChange(mark="?", remark="", version=_version(session, draft)),
        )
    reopen_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    agree_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    waive_evidence_rules(session, viewer=cast.committee, iso3="FRA", number=number)
    approved = approve_edition(
        session, viewer=cast.committee, iso3="FRA", number=number, reason="meeting 112"
    )
    assert approved.status is EditionStatus.approved
    assert approved.approved_on is not None
    assert get_matrix(session, viewer=PUBLIC, iso3="FRA").edition.number == number
    assert _cell(session, PUBLIC, number) == ("X", "Law 2024-17, art. 3")
    # Frozen for ever; the review stays private.
    with pytest.raises(Conflict, match="frozen"):
        update_cell(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=number,
            cell_key=CELL,
            change=CellChange(mark="?", remark="", version=_version(session, draft)),
        )
    with pytest.raises(Conflict):
        approve_edition(session, viewer=cast.committee, iso3="FRA", number=number)
    assert edition_review(session, viewer=PUBLIC, iso3="FRA", number=number) == ([], [])
    comments, proposals = edition_review(session, viewer=cast.poc, iso3="FRA", number=number)
    assert (len(comments), len(proposals)) == (1, 1)
    actions = [
        e.action
        for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_id == f"FRA/{number}"))
    ]
    assert actions == [
        "edition.open_draft",
        "edition.share",
        "edition.agree",
        "edition.reopen",
        "edition.agree",
        "edition.approve",
    ]


@pytest.mark.parametrize("role", ["expert", "poc", "provider", "public"])
def test_only_the_committee_approves(session: Session, cast: Cast, role: str) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    share_edition(session, viewer=cast.expert, iso3="FRA", number=draft.number)
    viewer = {"expert": cast.expert, "poc": cast.poc, "provider": cast.provider, "public": PUBLIC}[
        role
    ]
    with pytest.raises((Forbidden, Unauthenticated, NotFound)):
        approve_edition(session, viewer=viewer, iso3="FRA", number=draft.number)


def test_illegal_transitions(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    number = draft.number
    with pytest.raises(Conflict, match="never shared"):
        approve_edition(session, viewer=cast.committee, iso3="FRA", number=number)
    with pytest.raises(Conflict):
        agree_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    with pytest.raises(Conflict):
        reopen_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    share_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    with pytest.raises(Conflict):
        share_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    with pytest.raises(Conflict, match="unshared draft"):
        discard_draft(session, viewer=cast.expert, iso3="FRA", number=number)
    # Those who may not see a shared draft get "not found", never "forbidden".
    for outsider in (cast.provider, cast.other_poc, PUBLIC):
        with pytest.raises(NotFound):
            agree_edition(session, viewer=outsider, iso3="FRA", number=number)
    previous = number - 1
    with pytest.raises(Conflict):
        share_edition(session, viewer=cast.expert, iso3="FRA", number=previous)


def test_discarding_an_unshared_draft(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    discard_draft(
        session, viewer=cast.expert, iso3="FRA", number=draft.number, reason="opened by mistake"
    )
    assert session.get(MatrixEdition, draft.id) is None
    assert open_draft(session, viewer=cast.expert, iso3="FRA").number == draft.number


def test_review_rules(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    number = draft.number
    with pytest.raises(NotFound):  # unshared: the State cannot see it yet
        add_comment(session, viewer=cast.poc, iso3="FRA", number=number, cell_key=CELL, body="?")
    share_edition(session, viewer=cast.expert, iso3="FRA", number=number)
    with pytest.raises(InvalidData):
        add_comment(session, viewer=cast.poc, iso3="FRA", number=number, cell_key=CELL, body="   ")
    with pytest.raises(Forbidden):
        propose_change(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=number,
            cell_key=CELL,
            mark="X",
            remark="",
            reason="",
        )
    with pytest.raises(InvalidData):
        propose_change(
            session,
            viewer=cast.poc,
            iso3="FRA",
            number=number,
            cell_key=CELL,
            mark="Z",
            remark="",
            reason="",
        )
    proposal = propose_change(
        session,
        viewer=cast.poc,
        iso3="FRA",
        number=number,
        cell_key=CELL,
        mark="NA",
        remark="not relevant",
        reason="no chemical industry",
    )
    with pytest.raises(Forbidden):
        decide_proposal(
            session,
            viewer=cast.poc,
            iso3="FRA",
            number=number,
            proposal_id=proposal.id,
            accept=True,
        )
    before = _cell(session, cast.expert, number)
    decide_proposal(
        session,
        viewer=cast.expert,
        iso3="FRA",
        number=number,
        proposal_id=proposal.id,
        accept=False,
        note="the law covers it",
    )
    assert _cell(session, cast.expert, number) == before
    with pytest.raises(Conflict, match="already rejected"):
        decide_proposal(
            session,
            viewer=cast.expert,
            iso3="FRA",
            number=number,
            proposal_id=proposal.id,
            accept=True,
        )


def test_a_draft_of_demo_data_is_labelled_synthetic(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    assert (
        get_matrix(session, viewer=cast.expert, iso3="FRA", number=draft.number).synthetic is True
    )
    blank = open_draft(session, viewer=cast.expert, iso3="TCD")
    assert (
        get_matrix(session, viewer=cast.expert, iso3="TCD", number=blank.number).synthetic is False
    )


def test_the_review_lists_are_paged_newest_first(session: Session, cast: Cast) -> None:
    draft = open_draft(session, viewer=cast.expert, iso3="FRA")
    share_edition(session, viewer=cast.expert, iso3="FRA", number=draft.number)
    for body in ("first", "second", "third"):
        add_comment(
            session, viewer=cast.poc, iso3="FRA", number=draft.number, cell_key=CELL, body=body
        )
    first = review_list(
        session,
        viewer=cast.poc,
        iso3="FRA",
        number=draft.number,
        paging=PageRequest(page=1, page_size=2),
        kind="comments",
    )
    second = review_list(
        session,
        viewer=cast.expert,
        iso3="FRA",
        number=draft.number,
        paging=PageRequest(page=2, page_size=2),
        kind="comments",
    )
    assert (first.total, second.total) == (3, 3)
    bodies = [
        [c.body for c in page.items if isinstance(c, CommentRead)] for page in (first, second)
    ]
    assert bodies == [["third", "second"], ["first"]]
