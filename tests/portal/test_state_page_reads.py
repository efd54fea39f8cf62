"""A State's profile page reads its matrix once (web/portal/states.py): the profile it gathers
takes the editions, latest approved matrix and documents the page has just read
(services/profiles/reads.py `MatrixParts`) and is the same profile as one computed alone."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from tests.conftest import DEMO_STATES, STATE_WITHOUT_EDITIONS
from un1540.models import Role, State
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.cache import CACHE
from un1540.services.profiles.reads import matrix_parts, state_profile


def test_the_profile_from_the_pages_parts_is_the_profile_computed_alone(session: Session) -> None:
    chad = session.scalars(select(State.id).where(State.iso3 == "TCD")).one()
    viewers = [
        PUBLIC,
        Viewer(role=Role.expert, actor="expert"),
        Viewer(role=Role.state_poc, state_id=chad, actor="chad"),
    ]
    for viewer in viewers:
        for iso3 in [*DEMO_STATES[:4], STATE_WITHOUT_EDITIONS]:
            CACHE.clear()
            alone = state_profile(session, viewer=viewer, iso3=iso3)
            CACHE.clear()
            parts = matrix_parts(session, viewer=viewer, iso3=iso3)
            given = state_profile(session, viewer=viewer, iso3=iso3, read=parts)
            assert given.model_dump_json() == alone.model_dump_json(), (viewer.actor, iso3)
    CACHE.clear()


def _evidence_reads(client: TestClient, engine: Engine, path: str) -> list[str]:
    """The statements joining evidence to its documents that GET `path` runs, computed now."""
    statements: list[str] = []

    def seen(*arguments: Any) -> None:
        statements.append(" ".join(str(arguments[2]).split()))

    CACHE.clear()  # the page and the profile computed now, not served
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        CACHE.clear()
    return [statement for statement in statements if "FROM evidence JOIN document" in statement]


def test_a_state_page_reads_the_matrix_once(client: TestClient, engine: Engine) -> None:
    """Each read of a matrix runs one statement joining its evidence to their documents; the
    page used to run it twice (its own matrix and the profile's)."""
    assert len(_evidence_reads(client, engine, "/states/FRA")) == 1
    # An older edition's page reads that edition, and the profile its latest: two reads.
    assert len(_evidence_reads(client, engine, "/states/FRA?edition=1")) == 2
