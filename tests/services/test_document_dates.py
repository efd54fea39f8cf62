"""A report on resolution 1540 cannot be older than the resolution (adopted 28 April 2004)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData
from un1540.models import Document, Origin
from un1540.services.documents.actions import DocumentInput, register_document


def _document(kind: str, on: date) -> DocumentInput:
    return DocumentInput(kind=kind, title=f"A {kind}", language="en", issued_on=on, iso3="KEN")


@pytest.mark.parametrize("kind", ["national_report", "addendum", "additional_information"])
def test_a_report_dated_before_the_resolution_is_refused(session: Session, kind: str) -> None:
    before = session.scalar(select(func.count()).select_from(Document))
    with pytest.raises(InvalidData) as raised:
        register_document(
            session, document=_document(kind, date(2004, 4, 27)), origin=Origin.entry, actor="t"
        )
    [problem] = raised.value.problems
    assert problem.where == "issued_on"
    assert "before resolution 1540 was adopted (2004-04-28)" in problem.message
    assert session.scalar(select(func.count()).select_from(Document)) == before


def test_a_report_on_the_day_and_older_laws_are_accepted(session: Session) -> None:
    report = register_document(
        session,
        document=_document("national_report", date(2004, 4, 28)),
        origin=Origin.entry,
        actor="t",
    )
    law = register_document(
        session, document=_document("legislation", date(1995, 6, 1)), origin=Origin.entry, actor="t"
    )
    assert (report.issued_on, law.issued_on) == (date(2004, 4, 28), date(1995, 6, 1))
