"""Recording approved editions: validation first, all or nothing, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_edition
from un1540.errors import InvalidData, NotFound
from un1540.models import AuditEvent, CellEntry, Evidence, MatrixEdition, State
from un1540.models.base import today
from un1540.services.kernel.access import PUBLIC
from un1540.services.matrix.inputs import CellInput, EvidenceInput
from un1540.services.matrix.reads.editions import list_editions
from un1540.services.matrix.reads.matrix import get_matrix


def _edition_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MatrixEdition)) or 0


def test_an_edition_holds_every_cell_blank_unless_given(session: Session) -> None:
    edition = make_edition(session)
    entries = session.scalars(select(CellEntry).where(CellEntry.edition_id == edition.id)).all()
    marks = [entry.mark.value for entry in entries]
    assert len(entries) == 341
    assert sorted(m for m in marks if m) == ["?", "NA", "X"]
    assert (
        session.scalar(
            select(func.count())
            .select_from(Evidence)
            .join(CellEntry)
            .where(CellEntry.edition_id == edition.id)
        )
        == 1
    )
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "edition.record_approved")
    ).all()[-1]
    assert event.entity_id == "TCD/1"
    assert event.after is not None
    assert event.after["measures"] == 1


def test_the_matrix_shows_marks_remarks_and_evidence(session: Session) -> None:
    make_edition(session)
    matrix = get_matrix(session, viewer=PUBLIC, iso3="tcd")
    cells = {cell.id: cell for s in matrix.sections for f in s.fields for cell in f.cells}
    npt = cells["op1.npt:any:adherence"]
    assert (npt.mark, npt.remark) == ("X", "Ratified 1971")
    assert npt.evidence[0].page == "3"
    assert npt.evidence[0].document.title == "National report"
    assert matrix.edition.tally.cells == 341
    assert matrix.edition.tally.not_applicable == 1
    assert matrix.synthetic is False


def test_editions_are_numbered_in_order(session: Session) -> None:
    make_edition(session, approved_on=date(2010, 1, 1))
    make_edition(session, approved_on=date(2015, 1, 1))
    editions = list_editions(session, viewer=PUBLIC, iso3="TCD")
    assert [e.number for e in editions.items] == [1, 2]
    assert get_matrix(session, viewer=PUBLIC, iso3="TCD").edition.number == 2
    assert get_matrix(session, viewer=PUBLIC, iso3="TCD", number=1).edition.approved_on == date(
        2010, 1, 1
    )


@pytest.mark.parametrize(
    ("cells", "where", "fragment"),
    [
        ([CellInput(key="op2.nothing:nw:legal_framework", mark="X")], "cell 1", "no such cell"),
        (
            [CellInput(key="op3ab.genetic_engineering:nw:legal_framework", mark="X")],
            "cell 1",
            "no such cell",
        ),
        ([CellInput(key="op2.use:nw:legal_framework", mark="Y")], "cell 1", "is not one of"),
        ([CellInput(key="op2.use:nw:legal_framework", mark="X")] * 2, "cell 2", "duplicate"),
        (
            [
                CellInput(
                    key="op2.use:nw:legal_framework",
                    mark="X",
                    evidence=[EvidenceInput(document_id=999999)],
                )
            ],
            "cell 1",
            "unknown document",
        ),
    ],
)
def test_invalid_cells_are_refused_and_nothing_is_written(
    session: Session, cells: list[CellInput], where: str, fragment: str
) -> None:
    before = _edition_count(session)
    with pytest.raises(InvalidData) as caught:
        make_edition(session, cells=cells)
    assert any(p.where.startswith(where) and fragment in p.message for p in caught.value.problems)
    assert _edition_count(session) == before


def test_evidence_from_another_states_document_is_refused(session: Session) -> None:
    other = make_document(session, iso3="NER")
    with pytest.raises(InvalidData, match="not valid") as caught:
        make_edition(
            session,
            cells=[
                CellInput(
                    key="op2.use:nw:legal_framework",
                    mark="X",
                    evidence=[EvidenceInput(document_id=other.id)],
                )
            ],
        )
    assert "another State" in caught.value.problems[0].message


def test_dates_must_be_in_order_and_not_in_the_future(session: Session) -> None:
    make_edition(session, approved_on=date(2015, 1, 1))
    with pytest.raises(InvalidData) as caught:
        make_edition(session, approved_on=date(2014, 1, 1))
    assert caught.value.problems[0].where == "approved_on"
    with pytest.raises(InvalidData):
        make_edition(session, approved_on=today() + timedelta(days=2))


def test_unknown_state_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        make_edition(session, iso3="XXX")
    with pytest.raises(NotFound):
        get_matrix(session, viewer=PUBLIC, iso3="XXX")


def test_a_state_without_editions_has_no_matrix(session: Session) -> None:
    state = session.scalars(select(State).where(State.iso3 == "TCD")).one()
    with pytest.raises(NotFound, match="has no approved edition"):
        get_matrix(session, viewer=PUBLIC, iso3=state.iso3)
    assert list_editions(session, viewer=PUBLIC, iso3="TCD").total == 0
