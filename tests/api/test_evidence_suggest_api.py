"""POST /api/v1/evidence/suggest: suggestions for provisions, for experts and the Committee."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.test_workflow_api import Tokens, tokens  # noqa: F401  (the fixture)
from un1540.analytics.evidence import store
from un1540.analytics.evidence.model import MODEL_CODE_VERSION


@pytest.fixture
def model_env(evidence_model_dir: Path) -> Path:
    """The session's model directory, trained on part of the train split (speed) at first use
    (tests/conftest.py `evidence_model_dir`)."""
    return evidence_model_dir


def test_suggestions_through_the_api(
    model_env: Path,
    empty_client: TestClient,
    tokens: Tokens,  # noqa: F811
) -> None:
    body = {
        "provisions": [
            {"id": "a", "text": "Кто производит химическое оружие, наказывается лишением свободы."},
            {"id": "b", "text": "Article 1. Short title.", "language": "en"},
        ]
    }
    assert empty_client.post("/api/v1/evidence/suggest", json=body).status_code == 401
    refused = empty_client.post("/api/v1/evidence/suggest", json=body, headers=tokens.poc)
    assert refused.status_code == 403
    answer = empty_client.post("/api/v1/evidence/suggest", json=body, headers=tokens.expert)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert [p["id"] for p in data["provisions"]] == ["a", "b"]
    assert [p["language"] for p in data["provisions"]] == ["ru", "en"]
    assert data["model_version"].startswith(f"{MODEL_CODE_VERSION}-")
    assert (model_env / store.BASE).exists()
    for provision in data["provisions"]:
        for suggestion in provision["suggestions"]:
            assert not suggestion["field"].startswith("op1.")
