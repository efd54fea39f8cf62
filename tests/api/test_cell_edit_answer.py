"""The answer to a cell edit is the cell as that edit left it, even when another writer's edit
commits straight after it (found by the server crash test's race: an answer read after the
commit showed the other edit's version, and the writer's next edit would then have overwritten
that edit unseen)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from tests.conftest import settings_for
from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.services.accounts.actions import issue_token
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.reads.editions import entry_for, find_edition
from un1540.web.app import create_app

CELL = "op2.use:bw:enforcement"


def test_the_answer_is_the_edit_not_the_next_one(fresh_engine: Engine) -> None:
    others = make_session_factory(fresh_engine)
    with others() as session, session.begin():
        expert = make_user(session, role="expert", email="first@example.org")
        number = open_draft(session, viewer=expert, iso3="TCD").number
        _, token = issue_token(session, email="first@example.org", scope="write", actor="tests")
    with others() as session:
        _, edition = find_edition(session, viewer=expert, iso3="TCD", number=number)
        version = entry_for(session, edition, CELL).revision

    # Another writer's edit commits the moment the API's edit has committed, before it answers.
    app_sessions = make_session_factory(fresh_engine)
    raced: list[int] = []

    @event.listens_for(app_sessions, "after_commit")
    def _another_writer(_session: Session) -> None:
        if raced:
            return
        with others() as session:
            _, edition = find_edition(session, viewer=expert, iso3="TCD", number=number)
            if entry_for(session, edition, CELL).revision != version + 1:
                return  # another commit of the request (the token's use), not the edit's
            entry = update_cell(
                session,
                viewer=expert,
                iso3="TCD",
                number=number,
                cell_key=CELL,
                change=CellChange(mark="?", remark="second", version=version + 1),
            )
            raced.append(entry.revision)

    path = f"/api/v1/states/TCD/editions/{number}/cells/{CELL}"
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(settings_for(fresh_engine), engine=fresh_engine, sessions=app_sessions)
    with TestClient(app) as client:
        answer = client.patch(
            path, json={"mark": "X", "remark": "first", "version": version}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        assert raced == [version + 2]  # the other edit did commit before the answer was sent
        assert (body["version"], body["mark"], body["remark"]) == (version + 1, "X", "first")
        # Sending back the version answered is refused: the other edit is not overwritten.
        stale = client.patch(
            path, json={"mark": "NA", "remark": "third", "version": version + 1}, headers=headers
        )
        assert stale.status_code == 409
        assert stale.json()["error"]["details"]["current"]["remark"] == "second"
        now = client.get(path, headers=headers).json()
        assert (now["version"], now["remark"]) == (version + 2, "second")
