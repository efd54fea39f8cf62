"""A small world with something of everything a role might see or not see, and a client per role.

- Chad (TCD): approved edition 1, one of whose cells quotes the restricted document; edition 2
  shared with Chad's point of contact, with evidence, a comment, a pending proposal (with its
  reason) and a rejected one (with the expert's note); a public document and a restricted one,
  both with files (the restricted one's file name is a secret too).
- Niger (NER): approved edition 1; edition 2 an unshared draft, with evidence and an edit whose
  reason is in the audit trail.
- Mali (MLI): one approved edition whose visibility is the Committee only.
- The clearinghouse: an offer the provider publishes for States and providers only; Chad's
  requests: one for the Committee only, left as received; one for the Committee only and
  circulated; one for providers, circulated; one for providers, circulated and then restricted
  to the Committee (the provider was told of it before); a project on each circulated request
  (Committee-only and providers), moved to delivered. Circulating and moving them writes the
  notifications (and, with an SMTP port, sends the e-mails) whose every reader the crawl checks.
  The requests' items, the Committee-only project's milestone and feedback, an expert's
  judgement note, an offer for the Committee only, and a public pledge earmarked to the
  Committee-only project (whose title it must not reveal).
- Incidents (all concerning Chad but one): restricted and not shared (Niger's), restricted and
  shared with the State, restricted and recorded by the provider, unconfirmed, and public.
- Every account holds an API token; Chad's point of contact's is labelled with a secret.
Every secret carries a marker the confidentiality crawl looks for; ENTITLED says who may see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Inbox, settings_for
from tests.factories import PASSWORD, make_edition, make_user
from un1540.db.engine import make_session_factory
from un1540.models import Notification, Visibility
from un1540.schemas.assistance import (
    AssistanceOfferCreate,
    AssistanceProjectCreate,
    AssistanceRequestCreate,
    AssistanceRequestUpdate,
    FeedbackInput,
    FundingCreate,
    JudgementCreate,
    MilestoneInput,
)
from un1540.schemas.incidents import IncidentCreate
from un1540.services.accounts.actions import issue_token
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.projects import (
    add_milestone,
    give_feedback,
    move_project,
    open_project,
)
from un1540.services.assistance.actions.requests import (
    submit_request,
    transition_request,
    update_request,
)
from un1540.services.documents.actions import DocumentInput, UploadedFile, attach_document
from un1540.services.incidents.actions import record_incident
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.builds import BUILD_TASK, build_state
from un1540.services.kernel.jobs import JobRun, run_task
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft, share_edition
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.actions.reminders import send_review_reminders
from un1540.services.matrix.actions.waivers import waive_rule
from un1540.services.matrix.inputs import CellChange, CellInput, EvidenceInput
from un1540.services.notifications.email import SmtpSettings, send_pending_emails
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
    "circulated_request": "SECRET-CIRCULATED-REQUEST-4d17",
    "providers_request": "SECRET-PROVIDERS-REQUEST-3e5b",
    "withdrawn_request": "SECRET-WITHDRAWN-REQUEST-6c1d",
    "project": "SECRET-PRIVATE-PROJECT-0f47",
    "providers_project": "SECRET-PROVIDERS-PROJECT-b29a",
    "offer": "SECRET-PROVIDERS-OFFER-95e0",
    "waiver": "SECRET-WAIVER-REASON-1e9d",
    # Who did it: the Committee side's people are named to the Committee side only; others
    # read "the Group of Experts", "the Committee" (docs/visibility.md, "Who did it").
    "expert_email": "expert@example.org",
    "committee_email": "committee@example.org",
    "draft_evidence": "SECRET-DRAFT-EVIDENCE-1a9c",
    "unshared_evidence": "SECRET-UNSHARED-EVIDENCE-e83d",
    "approved_evidence": "SECRET-RESTRICTED-QUOTATION-5f21",
    "document_file": "SECRET-RESTRICTED-FILE-NAME-77b0",
    "proposal_reason": "SECRET-PROPOSAL-REASON-0c6e",
    "decision_note": "SECRET-DECISION-NOTE-d4a2",
    "audit_reason": "SECRET-AUDIT-REASON-29f8",
    "committee_edition": "SECRET-COMMITTEE-EDITION-8e14",
    "request_item": "SECRET-PRIVATE-REQUEST-ITEM-f1b6",
    "request_summary": "SECRET-PRIVATE-REQUEST-SUMMARY-3a70",
    "providers_item": "SECRET-PROVIDERS-REQUEST-ITEM-c5d9",
    "committee_offer": "SECRET-COMMITTEE-OFFER-60ab",
    "judgement_note": "SECRET-JUDGEMENT-NOTE-9e27",
    "milestone": "SECRET-PRIVATE-MILESTONE-4b13",
    "feedback": "SECRET-PRIVATE-FEEDBACK-a7c0",
    "token_label": "SECRET-TOKEN-LABEL-2d5e",
    "restricted_incident": "SECRET-RESTRICTED-INCIDENT-5a3c",
    "shared_incident": "SECRET-SHARED-INCIDENT-7e21",
    "provider_incident": "SECRET-PROVIDER-INCIDENT-c08d",
    "unconfirmed_incident": "SECRET-UNCONFIRMED-INCIDENT-19bf",
}
WAIVED_CELL = "op2.finance:cw:enforcement"
COMMITTEE_EDITION_STATE = "MLI"  # its one approved edition is for the Committee only
COMMITTEE_SIDE = {"expert", "committee", "admin"}
SIGNED_IN = {"poc", "other_poc", "provider"} | COMMITTEE_SIDE
# Who may see each secret (docs/visibility.md, docs/assistance.md); nobody else may meet it
# anywhere: not in a page, an API answer, a notification or an e-mail.
ENTITLED = {
    "draft_remark": {"poc"} | COMMITTEE_SIDE,  # shared with Chad
    "unshared_remark": COMMITTEE_SIDE,
    "comment": {"poc"} | COMMITTEE_SIDE,
    "proposal": {"poc"} | COMMITTEE_SIDE,
    "document": {"poc"} | COMMITTEE_SIDE,  # owning State and Committee
    "request": {"poc"} | COMMITTEE_SIDE,  # consent: committee
    "circulated_request": {"poc"} | COMMITTEE_SIDE,
    "withdrawn_request": {"poc"} | COMMITTEE_SIDE,
    "project": {"poc"} | COMMITTEE_SIDE,  # its request's readers, not its provider
    "providers_request": SIGNED_IN,  # consent: providers, circulated
    "providers_project": SIGNED_IN,
    "offer": SIGNED_IN,  # visibility: states_and_providers
    "waiver": {"poc"} | COMMITTEE_SIDE,  # a waiver on Chad's shared draft
    "expert_email": COMMITTEE_SIDE,
    "committee_email": COMMITTEE_SIDE,
    "draft_evidence": {"poc"} | COMMITTEE_SIDE,
    "unshared_evidence": COMMITTEE_SIDE,
    # Quoted from the restricted document in an approved edition: hidden evidence is not cited.
    "approved_evidence": {"poc"} | COMMITTEE_SIDE,
    "document_file": {"poc"} | COMMITTEE_SIDE,
    "proposal_reason": {"poc"} | COMMITTEE_SIDE,
    "decision_note": {"poc"} | COMMITTEE_SIDE,
    # The audit trail of a cell: its State's points of contact (of the editions they may see)
    # and the Committee side; the edit was made in Niger's unshared draft.
    "audit_reason": COMMITTEE_SIDE,
    "committee_edition": COMMITTEE_SIDE,  # an approved edition, visibility: committee
    "request_item": {"poc"} | COMMITTEE_SIDE,
    "request_summary": {"poc"} | COMMITTEE_SIDE,
    "providers_item": SIGNED_IN,
    "committee_offer": COMMITTEE_SIDE,  # visibility: committee
    "judgement_note": COMMITTEE_SIDE,  # judgements are the Committee's (docs/assistance.md)
    "milestone": {"poc"} | COMMITTEE_SIDE,  # its project's readers
    "feedback": {"poc"} | COMMITTEE_SIDE,
    "token_label": set(),  # a token's label is shown to nobody (it is only in the audit)
    # Incidents (docs/incidents.md): restricted ones for the Committee side and their reporter,
    # and the State concerned when the reporter shares them; unconfirmed ones for the Committee
    # side, the reporter and the State concerned; counted in the public trends all the same.
    "restricted_incident": COMMITTEE_SIDE,  # Niger's, recorded by the expert, not shared
    "shared_incident": {"poc"} | COMMITTEE_SIDE,  # Chad's, shared with Chad
    "provider_incident": {"provider"} | COMMITTEE_SIDE,  # Chad's, the provider's own, not shared
    "unconfirmed_incident": {"poc"} | COMMITTEE_SIDE,  # Chad's, not restricted, unconfirmed
}
# Kept, but read back by no GET route: only the answer to the POST that records a judgement
# holds its note; a token's label is in no page. Nobody may meet them; nobody has to.
SHOWN_NOWHERE = {"judgement_note", "token_label"}
# Who is told, by notification and e-mail, of what (the secret in the text they get).
TOLD = {
    "provider": {"providers_request", "providers_project"},
    "poc": {"project", "providers_project"},
}
OFFERED = {"fields": ["op3cd.border_detection"], "help_types": ["equipment"]}
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
    circulated_request: int
    providers_request: int
    withdrawn_request: int
    private_project: int
    providers_project: int
    # The provider's match notifications: on the providers request (it may see), and on the
    # request restricted to the Committee after it was told (it may no longer see).
    provider_match: int
    provider_withdrawn_match: int
    niger_build: int  # every State's matrices, built for Niger's points of contact
    tokens: dict[str, str]
    # Set when the world lives in a test's rolled-back connection: the clients use them.
    sessions: sessionmaker[Session] | None = None
    # The SMTP server the world's notification e-mails were sent to, if any.
    inbox: Inbox | None = None
    # The incidents: restricted, shared, the provider's, unconfirmed, public (in that order).
    incidents: tuple[int, ...] = ()

    def app_settings(self):  # type: ignore[no-untyped-def]
        return settings_for(self.engine).model_copy(update={"files_dir": self.files_dir})


def build_world(
    engine: Engine,
    files_dir: Path,
    sessions: sessionmaker[Session] | None = None,
    *,
    smtp_port: int | None = None,
) -> World:
    """The world; with `smtp_port`, the notification e-mails are then sent to that server."""
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
            role: issue_token(
                session,
                email=f"{role}@example.org",
                scope="write",
                actor="t",
                label=SECRETS["token_label"] if role == "poc" else "",
            )[1]
            for role in viewers
        }
        expert = viewers["expert"]
        niger_poc_state = viewers["other_poc"].state_id
        documents = {}
        for name, iso3, visibility, title, file_name in (
            ("public", "TCD", Visibility.public, "Public national report of Chad", "public.pdf"),
            ("niger", "NER", Visibility.public, "Public national report of Niger", "niger.pdf"),
            (
                "restricted",
                "TCD",
                Visibility.owning_state_and_committee,
                SECRETS["document"],
                f"{SECRETS['document_file']}.pdf",
            ),
        ):
            documents[name] = attach_document(
                session,
                viewer=expert,
                document=DocumentInput(
                    kind="national_report",
                    title=title,
                    language="fr",
                    iso3=iso3,
                    visibility=visibility,
                ),
                upload=UploadedFile(name=file_name, content=PDF + name.encode()),
                files_dir=files_dir,
                max_bytes=10_000_000,
            ).id
        for iso3 in ("TCD", "NER"):
            # Chad's approved edition quotes its restricted document: a quotation only those who
            # may see that document may read, in the approved edition and in the draft after it.
            evidence = (
                [
                    EvidenceInput(
                        document_id=documents["restricted"], quotation=SECRETS["approved_evidence"]
                    )
                ]
                if iso3 == "TCD"
                else []
            )
            approved = make_edition(
                session,
                iso3=iso3,
                approved_on=date(2015, 1, 1),
                cells=[
                    CellInput(key=CELL, mark="X", remark=f"public remark {iso3}", evidence=evidence)
                ],
                actor="committee@example.org",
            )
            # As the workflow leaves them: opened by an expert, approved by the Committee.
            approved.created_by, approved.approved_by = (
                SECRETS["expert_email"],
                SECRETS["committee_email"],
            )
        make_edition(
            session,
            iso3=COMMITTEE_EDITION_STATE,
            approved_on=date(2016, 1, 1),
            cells=[CellInput(key=CELL, mark="X", remark=SECRETS["committee_edition"])],
            visibility=Visibility.committee,
        )
        chad = open_draft(session, viewer=expert, iso3="TCD")
        update_cell(
            session,
            viewer=expert,
            iso3="TCD",
            number=chad.number,
            cell_key=CELL,
            change=CellChange(
                mark="?",
                remark=SECRETS["draft_remark"],
                version=1,
                evidence=[
                    EvidenceInput(
                        document_id=documents["public"], quotation=SECRETS["draft_evidence"]
                    )
                ],
            ),
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
            session,
            viewer=expert,
            iso3="TCD",
            number=2,
            proposal_id=decided.id,
            accept=False,
            note=SECRETS["decision_note"],
        )
        pending = propose_change(
            session,
            viewer=viewers["poc"],
            iso3="TCD",
            number=2,
            cell_key=CELL,
            mark="X",
            remark=SECRETS["proposal"],
            reason=SECRETS["proposal_reason"],
        )
        niger = open_draft(session, viewer=expert, iso3="NER")
        update_cell(
            session,
            viewer=expert,
            iso3="NER",
            number=niger.number,
            cell_key=CELL,
            change=CellChange(
                mark="NA",
                remark=SECRETS["unshared_remark"],
                version=1,
                evidence=[
                    EvidenceInput(
                        document_id=documents["niger"], quotation=SECRETS["unshared_evidence"]
                    )
                ],
            ),
            reason=SECRETS["audit_reason"],
        )
        _waived_and_reminded(session, viewers, chad.response_due_on)
        private_request = submit_request(
            session,
            viewer=viewers["poc"],
            data=AssistanceRequestCreate(
                title=SECRETS["request"],
                summary=SECRETS["request_summary"],
                consent="committee",
                items=[
                    {"description": SECRETS["request_item"], "help_types": ["regulatory_advice"]}
                ],
            ),
        ).id
        clearinghouse = _clearinghouse(session, viewers)
        incidents = _incidents(session, viewers)
    if smtp_port is not None:
        with sessions() as session:
            send_pending_emails(
                session, SmtpSettings(host="127.0.0.1", port=smtp_port, sender="un1540@test")
            )
    with sessions() as session:
        provider_matches = list(
            session.scalars(
                select(Notification.id)
                .where(
                    Notification.user_id == viewers["provider"].user_id,
                    Notification.kind == "match",
                )
                .order_by(Notification.id)
            )
        )
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
        **clearinghouse,
        provider_match=provider_matches[-2],
        provider_withdrawn_match=provider_matches[-1],
        niger_build=niger_build.id,
        public_document=documents["public"],
        restricted_document=documents["restricted"],
        pending_proposal=pending.id,
        decided_proposal=decided.id,
        tokens=tokens,
        sessions=joined,
        incidents=incidents,
    )


def _incidents(session: Session, viewers: dict[str, Viewer]) -> tuple[int, ...]:
    """The incidents of the module docstring, each with its marker in its summary."""
    made = []
    for viewer, iso3, restricted, shared, confirmation, summary in (
        ("expert", "NER", True, False, "confirmed", SECRETS["restricted_incident"]),
        ("expert", "TCD", True, True, "confirmed", SECRETS["shared_incident"]),
        ("provider", "TCD", True, False, "confirmed", SECRETS["provider_incident"]),
        ("expert", "TCD", False, False, "unconfirmed", SECRETS["unconfirmed_incident"]),
        ("expert", "TCD", False, False, "confirmed", "A public incident"),
    ):
        made.append(
            record_incident(
                session,
                viewer=viewers[viewer],
                data=IncidentCreate(
                    occurred_on=date(2020, 1, 1) + timedelta(days=len(made)),
                    states=[iso3],
                    category="radioactive",
                    material_class="sealed_source",
                    kind="theft",
                    source="organisation" if viewer == "provider" else "state_reported",
                    confirmation=confirmation,
                    summary=summary,
                    restricted=restricted,
                    share_with_state=shared,
                ),
            ).id
        )
    return tuple(made)


def _waived_and_reminded(session: Session, viewers: dict[str, Viewer], due: date | None) -> None:
    """On Chad's shared draft, an X without evidence whose rule the Committee waived for a
    secret reason; Chad's point of contact reminded that its review period has ended."""
    update_cell(
        session,
        viewer=viewers["expert"],
        iso3="TCD",
        number=2,
        cell_key=WAIVED_CELL,
        change=CellChange(mark="X", remark="", version=1),
    )
    waive_rule(
        session,
        viewer=viewers["committee"],
        iso3="TCD",
        number=2,
        cell_key=WAIVED_CELL,
        rule="x_requires_evidence",
        reason=SECRETS["waiver"],
    )
    assert due is not None
    assert send_review_reminders(session, on=due + timedelta(days=1)) == 1


def _clearinghouse(session: Session, viewers: dict[str, Viewer]) -> dict[str, int]:
    """The offer, the requests and the projects of the module docstring; their ids."""
    poc, expert = viewers["poc"], viewers["expert"]
    offer = create_offer(
        session,
        viewer=viewers["provider"],
        data=AssistanceOfferCreate(
            title=SECRETS["offer"], capacity=3, visibility="states_and_providers", **OFFERED
        ),
    )
    requests = {}
    for name, consent in (
        ("circulated_request", "committee"),
        ("providers_request", "providers"),
        ("withdrawn_request", "providers"),
    ):
        request = submit_request(
            session,
            viewer=poc,
            data=AssistanceRequestCreate(
                title=SECRETS[name],
                consent=consent,
                items=[
                    {
                        "description": SECRETS["providers_item"]
                        if name == "providers_request"
                        else "Portal monitors",
                        **OFFERED,
                    }
                ],
            ),
        )
        for status in ("authenticated", "acknowledged", "circulated"):
            request = transition_request(session, viewer=expert, request_id=request.id, to=status)
        requests[name] = request
    withdrawn = requests["withdrawn_request"]
    update_request(
        session,
        viewer=poc,
        request_id=withdrawn.id,
        data=AssistanceRequestUpdate(consent="committee", revision=withdrawn.revision),
    )
    projects = {}
    for name, request_name in (
        ("private_project", "circulated_request"),
        ("providers_project", "providers_request"),
    ):
        item = requests[request_name].items[0]
        record_judgement(
            session,
            viewer=expert,
            data=JudgementCreate(
                item_id=item.id,
                offer_id=offer.id,
                verdict="accept",
                note=SECRETS["judgement_note"],
            ),
        )
        project = open_project(
            session,
            viewer=expert,
            data=AssistanceProjectCreate(
                item_id=item.id,
                offer_id=offer.id,
                title=SECRETS["project" if name == "private_project" else name],
            ),
        )
        if name == "private_project":
            add_milestone(
                session,
                viewer=expert,
                project_id=project.id,
                data=MilestoneInput(title=SECRETS["milestone"]),
            )
        for status in ("in_delivery", "delivered"):
            move_project(session, viewer=expert, project_id=project.id, to=status)
        if name == "private_project":
            give_feedback(
                session,
                viewer=poc,
                project_id=project.id,
                data=FeedbackInput(side="recipient", rating=4, text=SECRETS["feedback"]),
            )
        projects[name] = project.id
    # An offer for the Committee's eyes only, and a public pledge earmarked to the
    # Committee-only project: it must not reveal that project to those who may not see it.
    create_offer(
        session,
        viewer=expert,
        data=AssistanceOfferCreate(
            provider_name="A discreet NGO",
            title=SECRETS["committee_offer"],
            capacity=1,
            visibility="committee",
            **OFFERED,
        ),
    )
    record_funding(
        session,
        viewer=expert,
        data=FundingCreate(
            kind="pledge",
            donor_name="A generous donor",
            amount=1000,
            currency="EUR",
            project_id=projects["private_project"],
            note="Public pledge",
        ),
    )
    return {name: request.id for name, request in requests.items()} | projects


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field"
    return match.group(1)


def world_app(world: World) -> FastAPI:
    """The application on the world (one may serve the clients of every role)."""
    return create_app(world.app_settings(), engine=world.engine, sessions=world.sessions)


def portal_client(world: World, role: str, app: FastAPI | None = None) -> TestClient:
    """A browser for the role: signed in through the login form (anonymous for the public).

    Each role's browser has an address of its own (TEST-NET-1), as people's machines do: the
    sign-in throttle counts failures per account and address."""
    client = TestClient(
        app or world_app(world),
        follow_redirects=False,
        client=(f"192.0.2.{ROLES.index(role) + 1}", 50000),
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


def api_client(world: World, role: str, app: FastAPI | None = None) -> TestClient:
    headers = {} if role == "public" else {"Authorization": f"Bearer {world.tokens[role]}"}
    return TestClient(app or world_app(world), headers=headers)
