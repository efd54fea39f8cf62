"""A server computes ahead, once started, what its first readers would otherwise wait for
(web/warm.py): the OpenAPI document and the review page of the default period in the six
languages; a reader arriving during the warm-up shares its computation (never a second one).

Before, the first readers after a start paid for them: /reports/review p99 1.6-2.0 s and
/api/docs 1.2-1.6 s on a quiet machine (benchmarks/portal_routes.py, first visit)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import un1540.web.openapi as openapi_module
from tests.conftest import settings_for
from un1540.db.engine import make_session_factory
from un1540.io import review_report
from un1540.reference.languages import UN_LANGUAGES
from un1540.settings import Settings
from un1540.web.app import create_app


def test_the_server_warms_the_review_and_the_api_document_once(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    computing = review_report.review_statistics
    calls: list[str] = []
    builds: list[int] = []

    def counted(session: Session, **arguments: Any) -> Any:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            time.sleep(0.3)  # the first reader arrives while the warm-up computes
        return computing(session, **arguments)

    def build(app: FastAPI, settings: Settings) -> dict[str, Any]:
        builds.append(1)
        return {"openapi": "3.1.0", "paths": {}}

    monkeypatch.setattr(review_report, "review_statistics", counted)
    # Not the real OpenAPI build (1.5 s: tests/api/test_openapi_once).
    monkeypatch.setattr(openapi_module, "build_openapi", build)
    app = create_app(
        settings_for(fresh_engine),
        fresh_engine,
        make_session_factory(fresh_engine),
        warm_up=True,
    )
    with TestClient(app) as client:
        # At once, during the warm-up: waits for its computation (or leads it), never a second.
        first = client.get("/reports/review")
        assert first.status_code == 200
        warming = app.state.warming
        warming.thread.join(60)
        assert not warming.thread.is_alive()
        assert warming.done == ["openapi", *(f"review:{code}" for code in UN_LANGUAGES_EN_FIRST)]
        assert len(calls) == len(UN_LANGUAGES)  # one per language, the reader's included
        assert builds == [1]
        # Every language is then served from the cache: nothing computed again.
        for code in UN_LANGUAGES:
            assert client.get("/reports/review", params={"lang": code}).status_code == 200
        assert client.get("/api/v1/openapi.json").status_code == 200
        assert len(calls) == len(UN_LANGUAGES)
        assert builds == [1]


UN_LANGUAGES_EN_FIRST = ["en", *(code for code in UN_LANGUAGES if code != "en")]


def test_apps_built_for_tests_do_not_warm_up(tmp_path: Any) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}"))
    assert app.state.warming is None


def test_the_warm_up_can_be_turned_off(tmp_path: Any) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}", jobs_inline=True, warm_up=False
    )
    app = create_app(settings, warm_up=True)
    with TestClient(app):
        assert app.state.warming is None  # UN1540_WARM_UP=false
