"""The OpenAPI document is built once per process, however many readers ask for it together
(before, each reader arriving during the first build built it again: 16 at once cost 16 builds
of about 1.5 s of CPU each; benchmarks/portal_routes.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi import FastAPI

import un1540.web.openapi as openapi_module
from un1540.settings import Settings
from un1540.web.app import create_app

READERS = 8


def test_readers_arriving_together_build_the_document_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}"))
    builds: list[int] = []
    everyone_in = threading.Event()
    real_build = openapi_module.build_openapi

    def counting_build(app: FastAPI, settings: Settings) -> dict[str, Any]:
        builds.append(threading.get_ident())
        if len(builds) == READERS:
            everyone_in.set()
        # Hold the first build until every reader could have started its own (they cannot
        # while it holds the lock: then the wait ends unfulfilled, and only one build ran).
        everyone_in.wait(0.5)
        return real_build(app, settings)

    monkeypatch.setattr(openapi_module, "build_openapi", counting_build)
    documents: list[dict[str, Any]] = []
    readers = [
        threading.Thread(target=lambda: documents.append(app.openapi())) for _ in range(READERS)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(builds) == 1
    assert len(documents) == READERS
    assert all(document is documents[0] for document in documents)
    assert "/api/v1/inbox" in documents[0]["paths"]
