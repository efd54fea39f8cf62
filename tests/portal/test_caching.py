"""Cached pages and JSON are never stale: any write invalidates them."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_edition


def _write_edition(sessions: sessionmaker[Session], approved_on: date) -> None:
    with sessions() as session, session.begin():
        make_edition(session, iso3="TCD", approved_on=approved_on)


def test_a_new_edition_shows_at_once_in_cached_pages_and_json(
    empty_sessions: sessionmaker[Session], empty_client: TestClient
) -> None:
    _write_edition(empty_sessions, date(2012, 1, 1))
    assert "Matrix, edition 1" in empty_client.get("/states/TCD").text
    assert empty_client.get("/api/v1/states/TCD/matrix").json()["edition"]["number"] == 1
    assert empty_client.get("/api/v1/coverage?by=state").json()["total"] == 1

    _write_edition(empty_sessions, date(2016, 1, 1))
    page = empty_client.get("/states/TCD").text
    assert "Matrix, edition 2" in page
    assert "Matrix, edition 1" not in page
    assert empty_client.get("/api/v1/states/TCD/matrix").json()["edition"]["number"] == 2
    assert empty_client.get("/api/v1/states/TCD/editions").json()["total"] == 2
