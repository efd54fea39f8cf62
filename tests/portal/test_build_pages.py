"""/builds/{id}: the progress page of a background build, reached from where it is started;
refreshes itself while it runs, links the download when ready, says why it failed (the reason
to the Committee side, as in the API); seen only by whoever may see what the build holds."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.portal.test_workflow_pages import csrf, sign_in
from un1540.models import Build, BuildStatus


def _build_id(response_url: str) -> int:
    match = re.search(r"/builds/(\d+)$", response_url)
    assert match, response_url
    return int(match.group(1))


def test_a_build_started_on_the_downloads_page_has_its_own_page(
    client: TestClient, session: Session
) -> None:
    make_user(session, role="state_poc", iso3="FRA", email="fra@example.org")
    make_user(session, role="state_poc", iso3="NER", email="ner@example.org")
    make_user(session, role="expert", email="expert@example.org")
    session.flush()
    sign_in(client, "fra@example.org")
    page = client.get("/downloads")
    started = client.post("/downloads/matrices/csv", data={"csrf_token": csrf(page.text)})
    assert started.status_code == 200
    build_id = _build_id(str(started.url))
    # Jobs run inline in the tests: the build is done by the time its page is shown.
    assert 'http-equiv="refresh"' not in started.text
    assert "Ready" in started.text
    assert 'href="/api/v1/matrices.csv"' in started.text

    build = session.get(Build, build_id)
    assert build is not None
    build.status, build.progress = BuildStatus.running, 40
    session.flush()
    running = client.get(f"/builds/{build_id}")
    assert '<meta http-equiv="refresh" content="5">' in running.text
    assert 'value="40"' in running.text
    assert "40% done" in running.text
    assert 'href="/api/v1/matrices.csv"' not in running.text

    build.status, build.error = BuildStatus.failed, "disk full at /srv/builds"
    session.flush()
    failed = client.get(f"/builds/{build_id}")
    assert "The build failed" in failed.text
    assert "disk full" not in failed.text
    assert 'http-equiv="refresh"' not in failed.text

    # The Committee side is shown the reason; another State's contact and the public see
    # nothing of a build made for France's contacts.
    client.post("/logout", data={"csrf_token": csrf(client.get("/downloads").text)})
    assert client.get(f"/builds/{build_id}").status_code == 404
    sign_in(client, "ner@example.org")
    assert client.get(f"/builds/{build_id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf(client.get("/downloads").text)})
    build.audience = "committee"
    session.flush()
    sign_in(client, "expert@example.org")
    assert "disk full at /srv/builds" in client.get(f"/builds/{build_id}").text
