"""While the evidence-suggestion model is being trained (after an install, or an upgrade that
changed its data or code), no reader's request waits the minutes of its training: the training
is queued once as the retrain job, a law's page says that the suggestions will come, and the API
answers 503 `model_not_ready` with `Retry-After`.

Old behaviour: the first law page an expert opened trained the model in the request (about three
minutes on 2 cores; a reverse proxy gives up after one) and two such requests trained it twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.test_provision_suggestions_api import law_with_suggestions
from tests.conftest import settings_for
from tests.portal.test_workflow_pages import Portal, csrf, portal, sign_in  # noqa: F401
from un1540.analytics.evidence import store
from un1540.services.evidence.actions import MODEL_RETRY_SECONDS, RETRAIN_TASK
from un1540.services.kernel.jobs import Arguments, Jobs, Queueing, configure_jobs
from un1540.web.app import create_app


class WaitingQueue(Jobs):
    """A server's queue whose worker has not taken the jobs yet: it keeps what is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[tuple[str, Queueing]] = []

    def queue(self, session: Session, task: str, queueing: Queueing, arguments: Arguments) -> None:
        self.waiting.append((task, queueing))


def test_no_request_waits_for_the_model_to_be_trained(
    portal: Portal,  # noqa: F811
    empty_sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document_id, articles = law_with_suggestions(empty_sessions, tmp_path / "files", iso3="GHA")

    def trained_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reader's request trained the model")

    monkeypatch.setattr(store, "_train_and_keep", trained_here)
    settings = settings_for(portal.engine).model_copy(
        update={"evidence_model_dir": tmp_path / "model"}  # no model yet, as after an install
    )
    app = create_app(settings, engine=portal.engine, sessions=portal.sessions)
    queue = WaitingQueue()
    with TestClient(app, follow_redirects=True) as client:
        configure_jobs(app.state.sessions, queue)  # instead of the tests' inline jobs
        try:
            sign_in(client, "expert@example.org")
            page = client.get(f"/documents/{document_id}")
            assert page.status_code == 200
            assert "once the suggestion model is trained" in page.text
            assert "suggestion-form" not in page.text
            assert f'id="provision-{articles[1]}"' in page.text  # the law is there to read
            arabic = client.get(f"/documents/{document_id}", params={"lang": "ar"})
            assert "بعد الانتهاء من تدريب نموذج الاقتراحات" in arabic.text

            body = {"provisions": [{"id": "1", "text": "No person shall produce sarin."}]}
            signed = {"X-CSRF-Token": csrf(page.text)}  # the API, signed in by the cookie
            answer = client.post("/api/v1/evidence/suggest", json=body, headers=signed)
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "model_not_ready"
            assert answer.headers["Retry-After"] == str(MODEL_RETRY_SECONDS)
            one = client.get(
                f"/api/v1/documents/{document_id}/provisions/{articles[1]}/suggestions"
            )
            assert one.status_code == 503
            assert one.json()["error"]["code"] == "model_not_ready"
        finally:
            configure_jobs(app.state.sessions, app.state.jobs)

    # Each of the four readers asked for the training (other work may be queued too: the
    # open-data build); the queue keeps one such job waiting (its queueing lock), under the
    # retrain's lock, so that it never runs beside a retrain.
    training = [q for task, q in queue.waiting if task == RETRAIN_TASK]
    assert len(training) == 4
    assert {(q.lock, q.queueing_lock, q.delay_seconds) for q in training} == {
        ("evidence-retrain", "evidence-build", 0.0)
    }
    assert not (tmp_path / "model" / store.BASE).exists()  # nothing trained in a request
