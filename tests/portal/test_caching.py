"""Cached pages and JSON are never stale: a write outdates what depends on it at once."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import make_edition
from un1540.db.engine import make_session_factory
from un1540.web.app import create_app


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


def test_a_write_that_commits_after_a_later_write_is_served_at_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL numbers rows in the order writes insert them, not the order they commit: a
    cache keyed by the newest audit event missed a write whose event was numbered before another
    one that committed first, and served the old figures until the next write."""
    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time: writes commit in the order they write")
    fresh_engine: Engine = request.getfixturevalue("fresh_engine")
    sessions = make_session_factory(fresh_engine)
    app = create_app(settings_for(fresh_engine), engine=fresh_engine)
    with TestClient(app) as client, sessions() as first:

        def counted() -> list[str]:
            coverage = client.get("/api/v1/coverage?by=state")
            return sorted(item["key"] for item in coverage.json()["items"])

        first.begin()  # writes France's edition (and its audit events) first, commits last
        make_edition(first, iso3="FRA")
        first.flush()
        with sessions() as second:
            make_edition(second, iso3="DEU")
        assert counted() == ["DEU"]
        first.commit()
        assert counted() == ["DEU", "FRA"]
