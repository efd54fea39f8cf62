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
- Action plans: Chad's plan, not published (its title, a measure and an overdue milestone are
  secrets; its points of contact and the experts are told the milestone is overdue), and
  Niger's published plan.
- Incidents (all concerning Chad but one): restricted and not shared (Niger's), restricted and
  shared with the State, restricted and recorded by the provider, unconfirmed, and public.
- Every account holds an API token; Chad's point of contact's is labelled with a secret.
- Chad's additional information, dated, for Chad and the Committee (its title and its date).
- Commitments at a public open debate: Chad's for the Committee side (and Chad) only, overdue
  and reminded about (its title a secret), and Niger's, announced publicly (public).
Every secret carries a marker the confidentiality crawl looks for; ENTITLED says who may see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Inbox, settings_for
from tests.factories import PASSWORD, make_edition, make_user
from un1540.db.engine import make_session_factory
from un1540.models import (
    Event,
    Notification,
    Origin,
    PasswordResetToken,
    Provision,
    SuggestionVerdict,
    Visibility,
)
from un1540.models.base import today, utc_now
from un1540.schemas.action_plans import ActionPlanCreate, MeasureCreate, MilestoneCreate
from un1540.schemas.activities import ActivityCreate
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
from un1540.schemas.commitments import CommitmentCreate
from un1540.schemas.contacts import ContactCreate
from un1540.schemas.events import EventCreate, StatementCreate
from un1540.schemas.incidents import IncidentCreate
from un1540.schemas.visits import (
    ConsentInput,
    FindingInput,
    FollowUpInput,
    ParticipantInput,
    VisitCreate,
    VisitTransition,
)
from un1540.services.accounts.actions import issue_token
from un1540.services.accounts.credentials import token_hash
from un1540.services.action_plans.actions import create_plan
from un1540.services.action_plans.notices import notify_overdue_milestones
from un1540.services.activities.actions import record_activity
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
from un1540.services.commitments.actions import create_commitment
from un1540.services.commitments.notices import remind_overdue_commitments
from un1540.services.contacts.actions import create_contact, send_contact_reminders
from un1540.services.documents.actions import DocumentInput, UploadedFile, attach_document
from un1540.services.events.actions import create_event, publish_statement, submit_statement
from un1540.services.evidence.actions import DecisionInput, ProvisionRef, decide_suggestion
from un1540.services.incidents.actions import record_incident
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.builds import BUILD_TASK, build_state
from un1540.services.kernel.jobs import JobRun, run_task
from un1540.services.library.actions import ingest_document
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft, share_edition
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.actions.reminders import send_review_reminders
from un1540.services.matrix.actions.waivers import waive_rule
from un1540.services.matrix.inputs import CellChange, CellInput, EvidenceInput
from un1540.services.notifications.email import SmtpSettings, send_pending_emails
from un1540.services.visits.actions import (
    add_follow_up,
    add_participant,
    consent_to_summary,
    record_finding,
    transition_visit,
    write_summary,
)
from un1540.services.visits.actions import invite as invite_visit
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
    # What restricted offers say (listed with their budget and period on /assistance).
    "offer_text": "SECRET-PROVIDERS-OFFER-TEXT-2c8e",
    "committee_offer_text": "SECRET-COMMITTEE-OFFER-TEXT-71fa",
    "judgement_note": "SECRET-JUDGEMENT-NOTE-9e27",
    "milestone": "SECRET-PRIVATE-MILESTONE-4b13",
    "feedback": "SECRET-PRIVATE-FEEDBACK-a7c0",
    "token_label": "SECRET-TOKEN-LABEL-2d5e",
    # A dated report of Chad's for Chad and the Committee: its title in the register of Chad's
    # reports, its date (the only one in the world) in Chad's reporting status.
    "report": "SECRET-RESTRICTED-REPORT-5e0b",
    "report_date": "2007-07-07",
    # Points of contact: Chad's (linked to Chad's point of contact's account, stale and
    # reminded about) and Niger's (fresh); their names, e-mail addresses and telephones.
    "contact_name": "SECRET-CONTACT-NAME-b3f0",
    "contact_email": "secret-contact-7c1e@example.org",
    "contact_phone": "SECRET-CONTACT-PHONE-41d8",
    "niger_contact": "SECRET-NIGER-CONTACT-5a2c",
    "action_plan": "SECRET-UNPUBLISHED-PLAN-7c3e",
    "plan_measure": "SECRET-PLAN-MEASURE-0d9b",
    "plan_milestone": "SECRET-PLAN-MILESTONE-e21f",
    # Country visits (docs/visits.md): the Committee side and the visited State only; the
    # public summary of the visit whose State consented is public, its findings are not.
    "visit_purpose": "SECRET-VISIT-PURPOSE-71c4",
    "visit_finding": "SECRET-VISIT-FINDING-0d93",
    "visit_summary": "SECRET-UNCONSENTED-SUMMARY-5a2e",
    "consented_visit_finding": "SECRET-CONSENTED-VISIT-FINDING-e6b1",
    "visit_participant": "SECRET-VISIT-PARTICIPANT-38fa",
    "visit_follow_up": "SECRET-VISIT-FOLLOW-UP-c0d7",
    # In a provision of Chad's restricted law (the library: its pages, search, laws like this).
    "provision": "SECRET-RESTRICTED-PROVISION-7c2e",
    # An expert's decision on a suggestion for that provision (its reason): the experts' and
    # the Committee's review of suggestions only.
    "suggestion_reason": "SECRET-SUGGESTION-REASON-4f6a",
    "restricted_incident": "SECRET-RESTRICTED-INCIDENT-5a3c",
    "shared_incident": "SECRET-SHARED-INCIDENT-7e21",
    "provider_incident": "SECRET-PROVIDER-INCIDENT-c08d",
    "unconfirmed_incident": "SECRET-UNCONFIRMED-INCIDENT-19bf",
    # Organisations' activities (docs/activities.md): the programme of each.
    "restricted_activity": "SECRET-RESTRICTED-ACTIVITY-4b7d",
    "committee_activity": "SECRET-COMMITTEE-ACTIVITY-e90a",
    # Events (docs/events.md): Chad's statement at a public event, not yet published; an
    # event for the Committee side only.
    "unpublished_statement": "SECRET-UNPUBLISHED-STATEMENT-4e8a",
    "committee_event": "SECRET-COMMITTEE-EVENT-9b1f",
    # Chad's commitment for the Committee side (docs/commitments.md), overdue and reminded.
    "commitment": "SECRET-RESTRICTED-COMMITMENT-4f1a",
    # An account's e-mail address: administrators only (the accounts pages, docs/accounts.md).
    "account_email": "secret-account-6d2b@example.org",
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
    "provision": {"poc"} | COMMITTEE_SIDE,  # its law: owning State and Committee
    "suggestion_reason": COMMITTEE_SIDE,  # suggestions are reviewed by the Committee side
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
    "offer_text": SIGNED_IN,
    "committee_offer_text": COMMITTEE_SIDE,
    "judgement_note": COMMITTEE_SIDE,  # judgements are the Committee's (docs/assistance.md)
    "milestone": {"poc"} | COMMITTEE_SIDE,  # its project's readers
    "feedback": {"poc"} | COMMITTEE_SIDE,
    # The point of contact's own token: its label on its own account page, to nobody else.
    "token_label": {"poc"},
    "report": {"poc"} | COMMITTEE_SIDE,  # owning State and Committee
    "report_date": {"poc"} | COMMITTEE_SIDE,  # counted only for those who may see the report
    # A contact's details: the Committee side and its own State (docs/contacts.md).
    "contact_name": {"poc"} | COMMITTEE_SIDE,
    "contact_email": {"poc"} | COMMITTEE_SIDE,
    "contact_phone": {"poc"} | COMMITTEE_SIDE,
    "niger_contact": {"other_poc"} | COMMITTEE_SIDE,
    # An unpublished action plan: the Committee side and the State's points of contact.
    "action_plan": {"poc"} | COMMITTEE_SIDE,
    "plan_measure": {"poc"} | COMMITTEE_SIDE,
    "plan_milestone": {"poc"} | COMMITTEE_SIDE,
    "visit_purpose": {"poc"} | COMMITTEE_SIDE,
    "visit_finding": {"poc"} | COMMITTEE_SIDE,
    "visit_summary": {"poc"} | COMMITTEE_SIDE,  # written, not agreed by the State
    "consented_visit_finding": {"poc"} | COMMITTEE_SIDE,
    "visit_participant": {"poc"} | COMMITTEE_SIDE,
    "visit_follow_up": {"poc"} | COMMITTEE_SIDE,  # an action-plan measure of the visit
    # Incidents (docs/incidents.md): restricted ones for the Committee side and their reporter,
    # and the State concerned when the reporter shares them; unconfirmed ones for the Committee
    # side, the reporter and the State concerned; counted in the public trends all the same.
    "restricted_incident": COMMITTEE_SIDE,  # Niger's, recorded by the expert, not shared
    "shared_incident": {"poc"} | COMMITTEE_SIDE,  # Chad's, shared with Chad
    "provider_incident": {"provider"} | COMMITTEE_SIDE,  # Chad's, the provider's own, not shared
    "unconfirmed_incident": {"poc"} | COMMITTEE_SIDE,  # Chad's, not restricted, unconfirmed
    # Activities: the Committee side, the organisation's own accounts, and whom the visibility
    # names (by default the State concerned); the duplication warnings name a hidden one only
    # as "an activity by <organisation>".
    "restricted_activity": {"poc"} | COMMITTEE_SIDE,  # the OPCW's in Chad, the default
    "committee_activity": {"provider"} | COMMITTEE_SIDE,  # the IAEA's (the provider's) in Niger
    "unpublished_statement": {"poc"} | COMMITTEE_SIDE,  # on Chad's behalf, not published
    "committee_event": COMMITTEE_SIDE,  # visibility: committee
    "commitment": {"poc"} | COMMITTEE_SIDE,  # the Committee side, and its owner's side
    "account_email": {"admin"},  # an account that does nothing: only the accounts pages show it
}
# What the public reads of the visit whose State consented to its summary.
CONSENTED_SUMMARY = "The Committee visited Chad at its invitation (summary agreed)."
# Kept, but read back by no GET route: only the answer to the POST that records a judgement
# holds its note. Nobody may meet it; nobody has to.
SHOWN_NOWHERE = {"judgement_note"}
# Who is told, by notification and e-mail, of what (the secret in the text they get).
TOLD = {
    "provider": {"providers_request", "providers_project"},
    "poc": {"project", "providers_project", "contact_name", "action_plan", "commitment"},
    "expert": {"action_plan"},  # an overdue milestone of Chad's unpublished action plan
}
OFFERED = {"fields": ["op3cd.border_detection"], "help_types": ["equipment"]}
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class World:
    engine: Engine
    files_dir: Path
    public_document: int
    restricted_document: int
    public_law: int  # Niger's public law, read into the library
    restricted_law: int  # Chad's restricted law
    public_provision: int  # the first article of each
    restricted_provision: int  # holds a secret
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
    visit: int  # Chad's visit with findings, its summary not agreed
    consented_visit: int  # Chad's visit whose summary the State agreed to publish
    tokens: dict[str, str]
    # The points of contact: "chad" (stale, reminded about) and "niger" (fresh), by id.
    contacts: dict[str, int] = field(default_factory=dict)
    # Set when the world lives in a test's rolled-back connection: the clients use them.
    sessions: sessionmaker[Session] | None = None
    # The SMTP server the world's notification e-mails were sent to, if any.
    inbox: Inbox | None = None
    # Chad's unpublished action plan, one of its measures and milestones; Niger's published one.
    private_plan: int = 0
    private_measure: int = 0
    private_milestone: int = 0
    public_plan: int = 0
    # The incidents: restricted, shared, the provider's, unconfirmed, public (in that order).
    incidents: tuple[int, ...] = ()
    # The activities: the OPCW's in Chad (default visibility), the IAEA's in Niger for the
    # Committee only, and a public one of the WCO in Chad.
    activities: tuple[int, ...] = ()
    # A public event with Chad's unpublished statement and a published one; a Committee event.
    event: int = 0
    statement: int = 0
    published_statement: int = 0
    committee_event: int = 0
    # The public open debate, Chad's restricted commitment at it and Niger's public one.
    commitment_event: int = 0
    private_commitment: int = 0
    public_commitment: int = 0
    # The quiet account (its e-mail is a secret) and an open password reset link for it.
    quiet_account: int = 0
    reset_token: str = ""

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
        attach_document(
            session,
            viewer=expert,
            document=DocumentInput(
                kind="additional_information",
                title=SECRETS["report"],
                language="fr",
                iso3="TCD",
                issued_on=date.fromisoformat(SECRETS["report_date"]),
                url="https://example.org/additional-information.pdf",
                visibility=Visibility.owning_state_and_committee,
            ),
            upload=None,
            files_dir=files_dir,
            max_bytes=10_000_000,
        )
        provisions = _laws(session, expert, files_dir)
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
        contacts = _contacts(session, viewers)
        plans = _action_plans(session, viewers)
        visits = _visits(session, viewers, chad_plan=plans["private_plan"])
        incidents = _incidents(session, viewers)
        activities = _activities(session, viewers)
        events = _events(session, viewers)
        commitments = _commitments(session, viewers)
        accounts = _accounts(session)
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
        **visits,
        public_document=documents["public"],
        restricted_document=documents["restricted"],
        public_law=provisions["public_law"],
        restricted_law=provisions["restricted_law"],
        public_provision=provisions["public"],
        restricted_provision=provisions["restricted"],
        pending_proposal=pending.id,
        decided_proposal=decided.id,
        tokens=tokens,
        sessions=joined,
        contacts=contacts,
        **plans,
        incidents=incidents,
        activities=activities,
        **events,
        **commitments,
        **accounts,
    )


def _accounts(session: Session) -> dict[str, Any]:
    """An account that does nothing (its e-mail only on the administrators' pages), and an open
    password reset link for it (only its hash stored, as the e-mail would hold it)."""
    quiet = make_user(session, role="committee", email=SECRETS["account_email"])
    assert quiet.user_id is not None
    plain = "crawl-reset-link-5c0b9e"
    session.add(
        PasswordResetToken(
            user_id=quiet.user_id,
            token_hash=token_hash(plain),
            expires_at=utc_now() + timedelta(days=3650),
            requested_by="tests",
        )
    )
    session.flush()
    return {"quiet_account": quiet.user_id, "reset_token": plain}


def _action_plans(session: Session, viewers: dict[str, Viewer]) -> dict[str, int]:
    """Chad's unpublished plan (its overdue milestone told), Niger's published one; their ids."""
    private = create_plan(
        session,
        viewer=viewers["poc"],
        iso3="TCD",
        data=ActionPlanCreate(
            title=SECRETS["action_plan"],
            submitted_on=date(2016, 1, 1),
            period_from=date(2016, 1, 1),
            period_to=date(2019, 12, 31),
            measures=[
                MeasureCreate(
                    title=SECRETS["plan_measure"],
                    fields=["op2.finance"],
                    weapons=["bw"],
                    milestones=[
                        MilestoneCreate(title=SECRETS["plan_milestone"], due_on=date(2017, 1, 1))
                    ],
                )
            ],
        ),
    )
    public = create_plan(
        session,
        viewer=viewers["expert"],
        iso3="NER",
        data=ActionPlanCreate(
            title="Published plan of Niger",
            submitted_on=date(2016, 2, 1),
            period_from=date(2016, 1, 1),
            period_to=date(2019, 12, 31),
            published=True,
            measures=[MeasureCreate(title="Public measure", fields=["op2.finance"])],
        ),
    )
    assert notify_overdue_milestones(session, on=date(2018, 1, 1)) == 1
    measure = private.measures[0]
    return {
        "private_plan": private.id,
        "private_measure": measure.id,
        "private_milestone": measure.milestones[0].id,
        "public_plan": public.id,
    }


LAW = """Article 1. Export licences
No person shall export nuclear material or strategic goods without a licence. {secret}
Article 2. Offences
Any person who contravenes Article 1 shall be guilty of an offence and liable to imprisonment.
"""


def _laws(session: Session, expert: Viewer, files_dir: Path) -> dict[str, int]:
    """Two laws read into the library: Niger's public one, Chad's restricted one whose first
    article holds a secret; returns the id of each law and of its first article."""
    found = {}
    for name, iso3, visibility, secret in (
        ("public", "NER", Visibility.public, ""),
        ("restricted", "TCD", Visibility.owning_state_and_committee, SECRETS["provision"]),
    ):
        document = ingest_document(
            session,
            viewer=expert,
            document=DocumentInput(
                kind="legislation", title=f"Export control act ({name})", language="en",
                iso3=iso3, visibility=visibility,
            ),
            upload=UploadedFile(name=f"{name}-law.txt", content=LAW.format(secret=secret).encode()),
            files_dir=files_dir,
            max_bytes=10_000_000,
        )  # fmt: skip
        found[f"{name}_law"] = document.id
        first = session.scalars(
            select(Provision).where(Provision.document_id == document.id, Provision.number == "1")
        ).one()
        found[name] = first.id
    restricted = session.get(Provision, found["restricted"])
    assert restricted is not None
    decide_suggestion(
        session,
        viewer=expert,
        data=DecisionInput(
            provision=ProvisionRef(
                document_id=found["restricted_law"],
                article="1",
                text=restricted.text,
                page=str(restricted.page),
                language="en",
            ),
            field="op3cd.export_control_law",
            verdict=SuggestionVerdict.rejected,
            suggested_weapons=("nw",),
            suggested_columns=("legal_framework",),
            score=0.5,
            model_version="scenario",
            reason=SECRETS["suggestion_reason"],
        ),
    )
    return found


def _events(session: Session, viewers: dict[str, Viewer]) -> dict[str, int]:
    """A public event with Chad's unpublished statement and Niger's published one, and an event
    for the Committee side only; their ids."""
    expert = viewers["expert"]
    event = create_event(
        session,
        viewer=expert,
        data=EventCreate(
            kind="open_debate",
            title="A public debate",
            starts_on=date(2026, 1, 5),
            visibility="public",
        ),
    )
    committee_event = create_event(
        session,
        viewer=expert,
        data=EventCreate(
            kind="consultation", title=SECRETS["committee_event"], starts_on=date(2026, 1, 6)
        ),
    )
    said = {}
    for name, who, iso3, text in (
        ("statement", "poc", "TCD", SECRETS["unpublished_statement"]),
        ("published_statement", "other_poc", "NER", "Niger's published statement"),
    ):
        said[name] = submit_statement(
            session,
            viewer=viewers[who],
            data=StatementCreate(
                event=event.id,
                speaker="Delegate",
                on_behalf_state=iso3,
                language="en",
                mode="written",
                text=text,
                topics=["legislation"],
            ),
        ).id
    publish_statement(session, viewer=expert, statement_id=said["published_statement"])
    return {"event": event.id, "committee_event": committee_event.id, **said}


def _commitments(session: Session, viewers: dict[str, Viewer]) -> dict[str, int]:
    """A public open debate; Chad's commitment there for the Committee side, overdue and
    reminded about; Niger's, announced publicly."""
    event = Event(
        kind="open_debate",
        title="Open debate on resolution 1540",
        starts_on=date(2016, 12, 15),
        organisers=[],
        audiences=[],
        visibility=Visibility.public,
        origin=Origin.entry,
    )
    session.add(event)
    session.flush()
    private = create_commitment(
        session,
        viewer=viewers["expert"],
        data=CommitmentCreate(
            state="TCD",
            event=event.id,
            kind="legislation",
            title=SECRETS["commitment"],
            announced_on=date(2016, 12, 15),
            target_date=date(2017, 12, 31),
        ),
    )
    public = create_commitment(
        session,
        viewer=viewers["other_poc"],
        data=CommitmentCreate(
            state="NER",
            event=event.id,
            kind="action_plan",
            title="Niger's national action plan",
            announced_on=date(2016, 12, 15),
            target_date=date(2030, 12, 31),
            announced_publicly=True,
        ),
    )
    remind_overdue_commitments(session)
    return {
        "commitment_event": event.id,
        "private_commitment": private.id,
        "public_commitment": public.id,
    }


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


def _activities(session: Session, viewers: dict[str, Viewer]) -> tuple[int, ...]:
    """The activities of the World's docstring, each with its marker in its programme."""
    made = []
    for viewer, organisation, iso3, visibility, programme in (
        ("expert", "opcw", "TCD", "owning_state_and_committee", SECRETS["restricted_activity"]),
        ("provider", "iaea", "NER", "committee", SECRETS["committee_activity"]),
        ("expert", "wco", "TCD", "public", "A public customs course"),
    ):
        made.append(
            record_activity(
                session,
                viewer=viewers[viewer],
                data=ActivityCreate(
                    organisation=organisation,
                    state=iso3,
                    programme=programme,
                    fields=["op3cd.border_detection"],
                    start_on=date(2030, 1, 1),
                    visibility=visibility,
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


def _contacts(session: Session, viewers: dict[str, Viewer]) -> dict[str, int]:
    """Chad's contact, linked to Chad's point of contact's account, designated and last
    confirmed long ago (stale), its State reminded; Niger's, fresh. Their ids."""
    long_ago = today() - timedelta(days=800)
    chad = create_contact(
        session,
        viewer=viewers["expert"],
        data=ContactCreate(
            state="TCD",
            name=SECRETS["contact_name"],
            role="capital",
            email=SECRETS["contact_email"],
            phone=SECRETS["contact_phone"],
            designated_on=long_ago,
            account="poc@example.org",
            trainings=["2018-addis-ababa"],
        ),
    )
    niger = create_contact(
        session,
        viewer=viewers["other_poc"],
        data=ContactCreate(name=SECRETS["niger_contact"], role="mission"),
    )
    assert send_contact_reminders(session) == 1
    return {"chad": chad.id, "niger": niger.id}


def _clearinghouse(session: Session, viewers: dict[str, Viewer]) -> dict[str, int]:
    """The offer, the requests and the projects of the module docstring; their ids."""
    poc, expert = viewers["poc"], viewers["expert"]
    offer = create_offer(
        session,
        viewer=viewers["provider"],
        data=AssistanceOfferCreate(
            title=SECRETS["offer"],
            description=SECRETS["offer_text"],
            capacity=3,
            visibility="states_and_providers",
            **OFFERED,
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
            # Its budget, period and text are listed with it, to the Committee side only.
            description=SECRETS["committee_offer_text"],
            budget=98765,
            currency="CHF",
            start_on=date(2026, 1, 1),
            end_on=date(2030, 12, 31),
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


def _visits(session: Session, viewers: dict[str, Viewer], *, chad_plan: int) -> dict[str, int]:
    """Two visits to Chad at its invitation, with findings: one whose summary the State has not
    agreed to, one whose summary it agreed to publish; each follow-up is a measure added to
    Chad's (unpublished) action plan."""
    committee, expert = viewers["committee"], viewers["expert"]
    ids = {}
    for name in ("visit", "consented_visit"):
        visit = invite_visit(
            session,
            viewer=viewers["poc"],
            data=VisitCreate(
                state="TCD",
                invited_on=date(2026, 1, 5),
                purpose=SECRETS["visit_purpose"] if name == "visit" else "Dialogue",
            ),
        )
        ids[name] = visit.id
        transition_visit(
            session,
            viewer=committee,
            visit_id=visit.id,
            data=VisitTransition(to="accepted", on=date(2026, 1, 20)),
        )
        transition_visit(
            session, viewer=expert, visit_id=visit.id, data=VisitTransition(to="preparation")
        )
        add_participant(
            session,
            viewer=expert,
            visit_id=visit.id,
            data=ParticipantInput(kind="expert", name=SECRETS["visit_participant"]),
        )
        transition_visit(
            session,
            viewer=expert,
            visit_id=visit.id,
            data=VisitTransition(to="conducted", on=date(2026, 2, 2), until=date(2026, 2, 4)),
        )
        secret = "visit_finding" if name == "visit" else "consented_visit_finding"
        record_finding(
            session,
            viewer=expert,
            visit_id=visit.id,
            data=FindingInput(field="op2.finance", weapon="bw", text=SECRETS[secret]),
        )
        transition_visit(
            session, viewer=expert, visit_id=visit.id, data=VisitTransition(to="findings")
        )
        add_follow_up(
            session,
            viewer=expert,
            visit_id=visit.id,
            data=FollowUpInput(
                kind="action_plan_measure",
                title=f"{SECRETS['visit_follow_up']} ({name})",  # one measure per visit
                plan=chad_plan,
            ),
        )
        summary = SECRETS["visit_summary"] if name == "visit" else CONSENTED_SUMMARY
        write_summary(session, viewer=expert, visit_id=visit.id, text=summary)
    consent_to_summary(
        session,
        viewer=viewers["poc"],
        visit_id=ids["consented_visit"],
        data=ConsentInput(consent=True, summary=CONSENTED_SUMMARY),
    )
    return ids


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
