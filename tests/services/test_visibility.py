"""What is not public stays out of public reads, in every service."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.factories import make_edition
from un1540.errors import NotFound
from un1540.models import CellEntry, Document, EditionStatus, MatrixEdition, Visibility
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.kernel.access import PUBLIC, Role, Viewer
from un1540.services.matrix.reads.editions import list_editions
from un1540.services.matrix.reads.matrix import get_matrix
from un1540.services.matrix.reads.states import get_state

EXPERT = Viewer(role=Role.expert, actor="expert@example.org")


def _draft(session: Session) -> MatrixEdition:
    edition = make_edition(session)
    # A draft: the workflow issue will create these through services; here we only need one.
    session.execute(
        update(MatrixEdition)
        .where(MatrixEdition.id == edition.id)
        .values(status=EditionStatus.draft)
    )
    session.expire_all()
    return edition


def test_drafts_are_invisible_to_the_public(session: Session) -> None:
    _draft(session)
    assert list_editions(session, viewer=PUBLIC, iso3="TCD").total == 0
    with pytest.raises(NotFound):
        get_matrix(session, viewer=PUBLIC, iso3="TCD", number=1)
    assert "TCD" not in {
        row.key for row in coverage_summary(session, viewer=PUBLIC, by="state").items
    }


def test_drafts_are_visible_to_the_committee_side_and_once_shared_to_the_states_own_poc(
    session: Session,
) -> None:
    edition = _draft(session)
    assert list_editions(session, viewer=EXPERT, iso3="TCD").total == 1
    assert get_matrix(session, viewer=EXPERT, iso3="TCD", number=1).edition.status == "draft"
    own = Viewer(role=Role.state_poc, state_id=edition.state_id)
    other = Viewer(role=Role.state_poc, state_id=edition.state_id + 1)
    assert list_editions(session, viewer=own, iso3="TCD").total == 0  # not shared yet
    session.execute(
        update(MatrixEdition)
        .where(MatrixEdition.id == edition.id)
        .values(status=EditionStatus.shared)
    )
    assert list_editions(session, viewer=own, iso3="TCD").total == 1
    assert list_editions(session, viewer=other, iso3="TCD").total == 0


def test_restricted_cells_and_evidence_are_withheld(session: Session) -> None:
    edition = make_edition(session)
    session.execute(
        update(CellEntry)
        .where(CellEntry.edition_id == edition.id)
        .values(visibility=Visibility.committee)
    )
    session.expire_all()
    public = get_matrix(session, viewer=PUBLIC, iso3="TCD")
    marks = {cell.mark for s in public.sections for f in s.fields for cell in f.cells}
    assert marks == {""}
    assert all(not cell.evidence for s in public.sections for f in s.fields for cell in f.cells)
    expert = get_matrix(session, viewer=EXPERT, iso3="TCD")
    assert expert.edition.tally.measures == 1


def test_restricted_documents_are_not_cited_or_counted(session: Session) -> None:
    make_edition(session)
    session.execute(
        update(Document)
        .where(Document.title == "National report")
        .values(visibility=Visibility.committee)
    )
    session.expire_all()
    matrix = get_matrix(session, viewer=PUBLIC, iso3="TCD")
    npt = next(
        c
        for s in matrix.sections
        for f in s.fields
        for c in f.cells
        if c.id == "op1.npt:any:adherence"
    )
    assert npt.mark == "X"
    assert npt.evidence == []
    assert get_state(session, viewer=PUBLIC, iso3="TCD").documents == 0
    assert get_state(session, viewer=EXPERT, iso3="TCD").documents == 1
    hidden = session.scalars(
        select(Document).where(Document.visibility == Visibility.committee)
    ).all()
    assert hidden
