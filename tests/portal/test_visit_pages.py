"""The visits' pages, the State profile and the matrix's own page, the organisation page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from un1540.schemas.visits import ConsentInput, FindingInput, VisitCreate, VisitTransition
from un1540.services.kernel.access import system_viewer
from un1540.services.visits.actions import (
    consent_to_summary,
    invite,
    record_finding,
    transition_visit,
    write_summary,
)


def test_the_profile_gathers_and_the_matrix_has_its_own_page(client: TestClient) -> None:
    profile = client.get("/states/NGA?lang=en").text
    for section in ("gaps", "profile-visits", "profile-requests", "profile-projects"):
        assert f'id="{section}"' in profile
    assert (
        len(re.findall(r'class="matrix-table[ "]', profile)) == 4
    )  # the matrix stays on the profile
    assert 'href="/states/NGA/matrix"' in profile
    # The other domains' sections, gathered as the public may see them.
    for gathered in ("profile-contacts", "profile-reporting", "profile-action_plans"):
        assert f'id="{gathered}"' in profile
    matrix = client.get("/states/NGA/matrix?edition=1").text
    assert len(re.findall(r'class="matrix-table[ "]', matrix)) == 4
    assert 'id="profile-visits"' not in matrix
    assert client.get("/states/XXX/matrix").status_code == 404


def test_visit_pages_in_every_language(client: TestClient) -> None:
    arabic = client.get("/visits?lang=ar").text
    assert 'dir="rtl"' in arabic
    assert "الزيارات القُطرية" in arabic
    assert "Visites de pays" in client.get("/visits?lang=fr").text
    organisation = client.get("/organisations/iaea?lang=zh").text
    assert "援助提议" in organisation
    assert client.get("/organisations/nobody").status_code == 404


def test_the_public_profile_shows_a_summary_as_soon_as_the_state_agrees(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    day = datetime.now(UTC).date()
    expert = system_viewer("tests")
    with sessions() as session:
        poc = make_user(session, role="state_poc", email="poc-tcd@example.org", iso3="TCD")
        session.commit()
        visit = invite(
            session, viewer=poc, data=VisitCreate(state="TCD", invited_on=day - timedelta(9))
        )
        for step in ("accepted", "preparation", "conducted"):
            transition_visit(
                session, viewer=expert, visit_id=visit.id, data=VisitTransition(to=step)
            )
        record_finding(
            session,
            viewer=expert,
            visit_id=visit.id,
            data=FindingInput(field="op2.use", text="HIDDEN-FINDING-TEXT"),
        )
        transition_visit(
            session, viewer=expert, visit_id=visit.id, data=VisitTransition(to="findings")
        )
        write_summary(session, viewer=expert, visit_id=visit.id, text="AGREED-SUMMARY-TEXT")
        before = client.get("/states/TCD").text  # cached for anonymous readers
        assert "AGREED-SUMMARY-TEXT" not in before
        consent_to_summary(
            session,
            viewer=poc,
            visit_id=visit.id,
            data=ConsentInput(consent=True, summary="AGREED-SUMMARY-TEXT"),
        )
    after = client.get("/states/TCD").text
    assert "AGREED-SUMMARY-TEXT" in after  # the visit's write raised the page's data version
    assert "HIDDEN-FINDING-TEXT" not in after
    assert re.search(rf">Visit {visit.id}<|Visit {visit.id} ", after)
