"""A small world with something of everything a role might see or not see, and a client per role.

- Chad (TCD): approved edition 1; edition 2 shared with Chad's point of contact, with a comment,
  a pending proposal and a rejected one; a public document and a restricted one, both with files.
- Niger (NER): approved edition 1; edition 2 an unshared draft.
Every secret carries a marker the confidentiality crawl looks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import PASSWORD, make_edition, make_user
from un1540.db.engine import make_session_factory
from un1540.models import Visibility
from un1540.schemas.assistance import AssistanceRequestCreate
from un1540.services.accounts.actions import issue_token
from un1540.services.assistance.actions.requests import submit_request
from un1540.services.documents.actions import DocumentInput, UploadedFile, attach_document
from un1540.services.kernel.builds import BUILD_TASK, build_state
from un1540.services.kernel.jobs import JobRun, run_task
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft, share_edition
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.inputs import CellChange, CellInput
from un1540.web.app import create_app

ROLES = ("public", "poc", "other_poc", "provider", "expert", "committee", "admin")
CELL = "op2.finance:bw:enforcement"
SECRETS = {
    "draft_remark": "SECRET-DRAFT-REMARK-7f3a",
    "unshared_remark": "SECRET-UNSHARED-REMARK-91c2",
    "comment": "SECRET-COMMENT-5d0e",
    "proposal": "SECRET-PROPOSAL-2b8f",
    "document": "SECRET-RESTRICTED-DOCUMENT-c4e1",
    "request": "SECRET-PRIVATE-REQUEST-8a61",
}
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class World:
    engine: Engine
    files_dir: Path
    public_document: int
    restricted_document: int
    pending_proposal: int
    decided_proposal: int
    private_request: int
    niger_build: int  # every State's matrices, built for Niger's points of contact
    tokens: dict[str, str]
    # Set when the world lives in a test's rolled-back connection: the clients use them.
    sessions: sessionmaker[Session] | None = None

    def app_settings(self):  # type: ignore[no-untyped-def]
        return settings_for(self.engine).model_copy(update={"files_dir": self.files_dir})


def build_world(
    engine: Engine, files_dir: Path, sessions: sessionmaker[Session] | None = None
) -> World:
    joined = sessions
    sessions = joined or make_session_factory(engine)
    with sessions() as session, session.begin():
        viewers = {
            "poc": make_user(session, role="state_poc", email="poc@example.org", iso3="TCD"),
            "other_poc": make_user(
                session, role="state_poc", email="other_poc@example.org", iso3="NER"
            ),
            "provider": make_user(
                session, role="provider", email="provider@example.org", org="iaea"
            ),
            "expert": make_user(session, role="expert", email="expert@example.org"),
            "committee": make_user(session, role="committee", email="committee@example.org"),
            "admin": make_user(session, role="admin", email="admin@example.org"),
        }
        tokens = {
            role: issue_token(session, email=f"{role}@example.org", scope="write", actor="t")[1]
            for role in viewers
        }
        expert = viewers["expert"]
        niger_poc_state = viewers["other_poc"].state_id
        for iso3 in ("TCD", "NER"):
            make_edition(
                session,
                iso3=iso3,
                approved_on=date(2015, 1, 1),
                cells=[CellInput(key=CELL, mark="X", remark=f"public remark {iso3}")],
            )
        chad = open_draft(session, viewer=expert, iso3="TCD")
        update_cell(
            session,
            viewer=expert,
            iso3="TCD",
            number=chad.number,
            cell_key=CELL,
            change=CellChange(mark="?", remark=SECRETS["draft_remark"], version=1),
        )
        share_edition(session, viewer=expert, iso3="TCD", number=chad.number)
        add_comment(
            session,
            viewer=viewers["poc"],
            iso3="TCD",
            number=2,
            cell_key=CELL,
            body=SECRETS["comment"],
        )
        decided = propose_change(
            session,
            viewer=viewers["poc"],
            iso3="TCD",
            number=2,
            cell_key=CELL,
            mark="NA",
            remark="rejected idea",
            reason="",
        )
        decide_proposal(
            session, viewer=expert, iso3="TCD", number=2, proposal_id=decided.id, accept=False
        )
        pending = propose_change(
            session,
            viewer=viewers["poc"],
            iso3="TCD",
            number=2,
            cell_key=CELL,
            mark="X",
            remark=SECRETS["proposal"],
            reason="",
        )
        niger = open_draft(session, viewer=expert, iso3="NER")
        update_cell(
            session,
            viewer=expert,
            iso3="NER",
            number=niger.number,
            cell_key=CELL,
            change=CellChange(mark="NA", remark=SECRETS["unshared_remark"], version=1),
        )
        documents = {}
        for name, visibility, title in (
            ("public", Visibility.public, "Public national report of Chad"),
            ("restricted", Visibility.owning_state_and_committee, SECRETS["document"]),
        ):
            documents[name] = attach_document(
                session,
                viewer=expert,
                document=DocumentInput(
                    kind="national_report",
                    title=title,
                    language="fr",
                    iso3="TCD",
                    visibility=visibility,
                ),
                upload=UploadedFile(name=f"{name}.pdf", content=PDF + name.encode()),
                files_dir=files_dir,
                max_bytes=10_000_000,
            ).id
        private_request = submit_request(
            session,
            viewer=viewers["poc"],
            data=AssistanceRequestCreate(
                title=SECRETS["request"],
                consent="committee",
                items=[{"description": "Advice", "help_types": ["regulatory_advice"]}],
            ),
        ).id
    # A build of every State's matrices for Niger's points of contact, as the worker makes it.
    settings = settings_for(engine).model_copy(update={"files_dir": files_dir})
    niger_audience = f"state:{niger_poc_state}"
    run_task(
        BUILD_TASK,
        JobRun(sessions=sessions, settings=settings),
        {"kind": "matrices.csv", "audience": niger_audience},
    )
    with sessions() as session:
        niger_build = build_state(session, kind="matrices.csv", audience=niger_audience).ready
        assert niger_build is not None
    return World(
        engine=engine,
        files_dir=files_dir,
        private_request=private_request,
        niger_build=niger_build.id,
        public_document=documents["public"],
        restricted_document=documents["restricted"],
        pending_proposal=pending.id,
        decided_proposal=decided.id,
        tokens=tokens,
        sessions=joined,
    )


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field"
    return match.group(1)


def portal_client(world: World, role: str) -> TestClient:
    """A browser for the role: signed in through the login form (anonymous for the public)."""
    client = TestClient(
        create_app(world.app_settings(), engine=world.engine, sessions=world.sessions),
        follow_redirects=False,
    )
    if role != "public":
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "email": f"{role}@example.org",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert response.status_code == 303, response.text[:300]
    return client


def api_client(world: World, role: str) -> TestClient:
    headers = {} if role == "public" else {"Authorization": f"Bearer {world.tokens[role]}"}
    return TestClient(
        create_app(world.app_settings(), engine=world.engine, sessions=world.sessions),
        headers=headers,
    )
