"""services/events on one shared database: a statement's file kept through the documents
service and widened when published, search in each statement's own language (case and accents
aside, Cyrillic and Arabic included, the same on SQLite and PostgreSQL), what each side sees
before publication, and the sourced 2016 debate loaded again without a duplicate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import Conflict, Forbidden, InvalidData
from un1540.io.sourced_events import load_sourced_event_records
from un1540.models import Event, Origin, Visibility
from un1540.schemas.events import EventCreate, StatementCreate
from un1540.services.documents.actions import UploadedFile
from un1540.services.events.actions import create_event, publish_statement, submit_statement
from un1540.services.events.reads import (
    list_events,
    list_statements,
    normalised,
    statements_on_behalf,
)
from un1540.services.kernel.access import PUBLIC

PDF = b"%PDF-1.4\n%%EOF\n"


def test_normalised_text_ignores_case_and_marks_in_every_script() -> None:
    assert normalised("Contrôles À L'EXPORTATION") == "controles a l'exportation"
    # Cyrillic folds its case; й and и compare equal (the breve is a mark), on both sides.
    assert normalised("ЯДЕРНЫЙ Материал") == normalised("ядерныи материал") == "ядерныи материал"
    assert normalised("الْمَوَادّ") == "المواد"  # Arabic short vowels and shadda go


def test_a_statement_with_its_file_from_submission_to_search(
    session: Session, tmp_path: Path
) -> None:
    expert = make_user(session, role="expert", email="ev-expert@example.org")
    poc = make_user(session, role="state_poc", email="ev-poc@example.org", iso3="FRA")
    org = make_user(session, role="provider", email="ev-org@example.org", org="opcw")
    event = create_event(
        session,
        viewer=expert,
        data=EventCreate(
            kind="outreach_conference",
            title="Conference with industry",
            starts_on=date(2026, 4, 1),
            visibility="public",
        ),
    )
    with_file = submit_statement(
        session,
        viewer=poc,
        data=StatementCreate(
            event=event.id,
            speaker="Délégué",
            on_behalf_state="FRA",
            language="ru",
            mode="written",
            text="Наша делегация укрепляет ЯДЕРНУЮ безопасность.",
            topics=["physical_protection"],
        ),
        upload=UploadedFile(name="statement.pdf", content=PDF),
        files_dir=tmp_path,
        max_bytes=1_000_000,
    )
    document = with_file.document
    assert document is not None
    assert document.kind.value == "statement"
    assert document.visibility is Visibility.owning_state_and_committee
    organisation_own = submit_statement(
        session,
        viewer=org,
        data=StatementCreate(
            event=event.id,
            speaker="Représentant",
            on_behalf_organisation="opcw",
            language="ar",
            mode="delivered",
            text="نُقدِّم التدريب على الأمن الكيميائي",
        ),
    )
    # Before publication: each side sees its own; the public neither.
    assert list_statements(session, viewer=PUBLIC, event=event.id)[1] == 0
    assert [s.id for s in list_statements(session, viewer=org, event=event.id)[0]] == [
        organisation_own.id
    ]
    assert [s.id for s in list_statements(session, viewer=poc, event=event.id)[0]] == [with_file.id]
    # The newest event first: this one's statement before the demo debate's.
    assert statements_on_behalf(session, viewer=poc, iso3="FRA")[0].id == with_file.id
    assert with_file.id not in [
        s.id for s in statements_on_behalf(session, viewer=PUBLIC, iso3="FRA")
    ]
    assert statements_on_behalf(session, viewer=PUBLIC, organisation="opcw") == []
    with pytest.raises(Forbidden):
        publish_statement(session, viewer=org, statement_id=organisation_own.id)
    for statement in (with_file, organisation_own):
        publish_statement(session, viewer=expert, statement_id=statement.id)
    assert document.visibility is Visibility.public  # widened with the statement
    with pytest.raises(Conflict, match="already published"):
        publish_statement(session, viewer=expert, statement_id=with_file.id)
    # Found in its own language, case and marks aside (SQLite's lower() folds ASCII only).
    found, total = list_statements(session, viewer=PUBLIC, q="ядерную")
    assert (total, [s.id for s in found]) == (1, [with_file.id])
    found, total = list_statements(session, viewer=PUBLIC, q="التدريب الكيميائي")
    assert [s.id for s in found] == [organisation_own.id]
    assert list_statements(session, viewer=PUBLIC, q="ядерную", language="ar")[1] == 0
    assert (
        list_statements(session, viewer=PUBLIC, topic="physical_protection", event=event.id)[1] == 1
    )
    assert [s.id for s in statements_on_behalf(session, viewer=PUBLIC, organisation="opcw")] == [
        organisation_own.id
    ]


def test_bad_files_and_parties_write_nothing(session: Session, tmp_path: Path) -> None:
    expert = make_user(session, role="expert", email="ev-expert2@example.org")
    event = create_event(
        session,
        viewer=expert,
        data=EventCreate(kind="training", title="T", starts_on=date(2026, 1, 1)),
    )
    data = StatementCreate(
        event=event.id, speaker="S", on_behalf_state="FRA", language="en", mode="written"
    )
    with pytest.raises(InvalidData) as error:
        submit_statement(
            session,
            viewer=expert,
            data=data,
            upload=UploadedFile(name="virus.exe", content=b"MZ"),
            files_dir=tmp_path,
            max_bytes=1_000_000,
        )
    assert [p.where for p in error.value.problems] == ["file"]
    assert list(tmp_path.iterdir()) == []
    both = data.model_copy(update={"on_behalf_organisation": "iaea", "text": "x"})
    with pytest.raises(InvalidData) as error:
        submit_statement(session, viewer=expert, data=both)
    assert [p.where for p in error.value.problems] == ["on_behalf_state"]
    assert list_statements(session, viewer=expert, event=event.id)[1] == 0


def test_the_sourced_debate_is_refreshed_not_duplicated(session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(Event))
    assert load_sourced_event_records(session, actor="tests") == 1
    assert session.scalar(select(func.count()).select_from(Event)) == before
    (debate,) = list_events(session, viewer=PUBLIC, year=2016)[0]
    assert debate.origin is Origin.import_
    assert debate.source.startswith("[sc-7837]")
    assert [d.document.symbol for d in debate.documents] == ["S/2016/1013", "S/2016/1038"]
