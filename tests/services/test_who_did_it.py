"""Who did it, shown as roles (docs/visibility.md), and the restrictive defaults of requests and
uploaded documents, widened only by an explicit, confirmed and audited step."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_user, waive_evidence_rules
from un1540.errors import Forbidden, InvalidData, NotFound
from un1540.models import AuditEvent, Role, Visibility
from un1540.schemas.assistance import (
    AssistanceOfferCreate,
    AssistanceProjectCreate,
    AssistanceRequestCreate,
    AssistanceRequestUpdate,
    FeedbackInput,
    JudgementCreate,
)
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.projects import give_feedback, move_project, open_project
from un1540.services.assistance.actions.requests import (
    change_consent,
    submit_request,
    transition_request,
    update_request,
)
from un1540.services.assistance.reads.projects import get_project
from un1540.services.assistance.reads.requests import get_request
from un1540.services.assistance.shapes import project_reads
from un1540.services.documents.actions import (
    DocumentInput,
    UploadedFile,
    attach_document,
    change_document_visibility,
)
from un1540.services.documents.reads import visible_document
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.actors import Actor, shown_actor
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    open_draft,
    share_edition,
)
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.reads.editions import edition_detail
from un1540.services.matrix.reads.review import edition_review, review_authors, review_list

CELL = "op2.manufacture:cw:legal_framework"
PDF = b"%PDF-1.4\n%%EOF\n"
ITEM = {"description": "Advice", "help_types": ["regulatory_advice"]}

EXPERT = Actor("expert@un.org", Role.expert)
CHAIR = Actor("chair@un.org", Role.committee)
ADMIN = Actor("admin@un.org", Role.admin)
FRANCE = Actor("poc@gouv.fr", Role.state_poc, state_id=1)
IAEA = Actor("staff@iaea.org", Role.provider, organisation_id=7)
DONOR = Actor("aid@state.gov", Role.provider, state_id=2)
PROCESS = Actor("cli:root")


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (
            PUBLIC,
            [
                "the Group of Experts",
                "the Committee",
                "the Committee",
                "the State",
                "an organisation",
                "a State",
                "the Committee",
            ],
        ),
        (
            Viewer(role=Role.expert, actor="other@un.org", user_id=9),
            [a.name for a in (EXPERT, CHAIR, ADMIN, FRANCE, IAEA, DONOR, PROCESS)],
        ),
        (  # a point of contact of France: France's people by name, nobody else
            Viewer(role=Role.state_poc, state_id=1, actor="other@gouv.fr", user_id=8),
            [
                "the Group of Experts",
                "the Committee",
                "the Committee",
                "poc@gouv.fr",
                "an organisation",
                "a State",
                "the Committee",
            ],
        ),
        (  # another State's point of contact
            Viewer(role=Role.state_poc, state_id=3, actor="poc@gov.ng", user_id=7),
            [
                "the Group of Experts",
                "the Committee",
                "the Committee",
                "the State",
                "an organisation",
                "a State",
                "the Committee",
            ],
        ),
        (  # a provider sees itself by name, its colleagues by role
            Viewer(role=Role.provider, organisation_id=7, actor="staff@iaea.org", user_id=6),
            [
                "the Group of Experts",
                "the Committee",
                "the Committee",
                "the State",
                "staff@iaea.org",
                "a State",
                "the Committee",
            ],
        ),
    ],
)
def test_who_did_it_is_a_role_unless_the_reader_may_know_the_person(
    viewer: Viewer, expected: list[str]
) -> None:
    actors = (EXPERT, CHAIR, ADMIN, FRANCE, IAEA, DONOR, PROCESS)
    assert [shown_actor(actor, viewer) for actor in actors] == expected
    assert shown_actor(Actor(""), viewer) == ""  # nobody (not approved yet) stays nobody


def test_an_approved_edition_names_its_people_only_to_the_committee_side(
    session: Session,
) -> None:
    expert = make_user(session, role="expert", email="expert@un.org")
    chair = make_user(session, role="committee", email="chair@un.org")
    poc = make_user(session, role="state_poc", email="poc@gouv.fr", iso3="FRA")
    draft = open_draft(session, viewer=expert, iso3="FRA")
    share_edition(session, viewer=expert, iso3="FRA", number=draft.number)
    agree_edition(session, viewer=poc, iso3="FRA", number=draft.number)
    waive_evidence_rules(session, viewer=chair, iso3="FRA", number=draft.number)
    approve_edition(session, viewer=chair, iso3="FRA", number=draft.number, reason="meeting 9")
    public = edition_detail(session, viewer=PUBLIC, iso3="FRA", number=draft.number)
    assert (public.created_by, public.approved_by) == ("the Group of Experts", "the Committee")
    assert "@" not in public.model_dump_json()
    own = edition_detail(session, viewer=poc, iso3="FRA", number=draft.number)
    assert (own.created_by, own.approved_by) == ("the Group of Experts", "the Committee")
    named = edition_detail(session, viewer=expert, iso3="FRA", number=draft.number)
    assert (named.created_by, named.approved_by) == ("expert@un.org", "chair@un.org")


def test_the_review_names_the_states_own_people_and_the_experts_by_role(
    session: Session,
) -> None:
    expert = make_user(session, role="expert", email="expert@un.org")
    poc = make_user(session, role="state_poc", email="poc@gouv.fr", iso3="FRA")
    colleague = make_user(session, role="state_poc", email="colleague@gouv.fr", iso3="FRA")
    draft = open_draft(session, viewer=expert, iso3="FRA")
    share_edition(session, viewer=expert, iso3="FRA", number=draft.number)
    add_comment(session, viewer=expert, iso3="FRA", number=draft.number, cell_key=CELL, body="a")
    add_comment(session, viewer=poc, iso3="FRA", number=draft.number, cell_key=CELL, body="b")
    proposal = propose_change(
        session,
        viewer=poc,
        iso3="FRA",
        number=draft.number,
        cell_key=CELL,
        mark="X",
        remark="Law 12",
        reason="",
    )
    decide_proposal(
        session,
        viewer=expert,
        iso3="FRA",
        number=draft.number,
        proposal_id=proposal.id,
        accept=False,
    )
    paging = PageRequest(page=1, page_size=50)
    comments = review_list(
        session, viewer=colleague, iso3="FRA", number=draft.number, paging=paging, kind="comments"
    )
    assert [c.author for c in comments.items] == ["poc@gouv.fr", "the Group of Experts"]
    proposals = review_list(
        session, viewer=colleague, iso3="FRA", number=draft.number, paging=paging, kind="proposals"
    )
    assert [(p.author, p.decided_by) for p in proposals.items] == [  # type: ignore[union-attr]
        ("poc@gouv.fr", "the Group of Experts")
    ]
    seen_by_expert = review_list(
        session, viewer=expert, iso3="FRA", number=draft.number, paging=paging, kind="proposals"
    )
    assert seen_by_expert.items[0].decided_by == "expert@un.org"  # type: ignore[union-attr]
    found = edition_review(session, viewer=colleague, iso3="FRA", number=draft.number)
    assert set(review_authors(colleague, *found).values()) == {
        "poc@gouv.fr",
        "the Group of Experts",
    }


def _request(session: Session, poc: Viewer) -> int:
    data = AssistanceRequestCreate.model_validate({"title": "Export controls", "items": [ITEM]})
    return submit_request(session, viewer=poc, data=data).id


def _events(session: Session, entity_type: str, entity_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_request_starts_for_the_committee_and_widening_is_confirmed_and_audited(
    session: Session,
) -> None:
    poc = make_user(session, role="state_poc", email="poc@gov.gh", iso3="GHA")
    request_id = _request(session, poc)
    request = get_request(session, viewer=poc, request_id=request_id)
    assert request.consent == "committee"
    # Widening by the general correction: refused, nothing written.
    with pytest.raises(InvalidData) as refused:
        update_request(
            session,
            viewer=poc,
            request_id=request_id,
            data=AssistanceRequestUpdate(consent="public", revision=request.revision),
        )
    assert [p.where for p in refused.value.problems] == ["consent"]
    # Widening unconfirmed: refused, naming what is missing; nothing written.
    with pytest.raises(InvalidData) as unconfirmed:
        change_consent(
            session,
            viewer=poc,
            request_id=request_id,
            consent="providers",
            revision=request.revision,
        )
    assert [p.where for p in unconfirmed.value.problems] == ["confirm"]
    assert (request.consent, request.revision) == ("committee", 1)
    assert [e.action for e in _events(session, "assistance_request", request_id)] == [
        "assistance_request.submit"
    ]
    change_consent(
        session,
        viewer=poc,
        request_id=request_id,
        consent="providers",
        revision=1,
        reason="the Ministry agreed",
        confirmed=True,
    )
    assert (request.consent, request.revision) == ("providers", 2)
    event = _events(session, "assistance_request", request_id)[-1]
    assert (event.action, event.actor, event.before, event.after, event.reason) == (
        "assistance_request.widen_consent",
        "poc@gov.gh",
        {"consent": "committee"},
        {"consent": "providers"},
        "the Ministry agreed",
    )
    # Narrowing needs no confirmation, and is audited as well.
    change_consent(session, viewer=poc, request_id=request_id, consent="committee", revision=2)
    assert request.consent == "committee"
    assert _events(session, "assistance_request", request_id)[-1].action == (
        "assistance_request.narrow_consent"
    )


def test_an_uploaded_document_starts_with_the_state_and_the_committee(
    session: Session, tmp_path: Path
) -> None:
    poc = make_user(session, role="state_poc", email="poc@gov.gh", iso3="GHA")
    other = make_user(session, role="state_poc", email="poc@gov.ng", iso3="NGA")
    provider = make_user(session, role="provider", email="staff@iaea.org", org="iaea")
    document = attach_document(
        session,
        viewer=poc,
        document=DocumentInput(kind="national_report", title="Report", language="en", iso3="GHA"),
        upload=UploadedFile(name="report.pdf", content=PDF),
        files_dir=tmp_path,
        max_bytes=1_000_000,
    )
    assert document.visibility is Visibility.owning_state_and_committee
    with pytest.raises(NotFound):
        visible_document(session, viewer=PUBLIC, document_id=document.id)
    with pytest.raises(InvalidData) as unconfirmed:
        change_document_visibility(
            session, viewer=poc, document_id=document.id, visibility=Visibility.public
        )
    assert [p.where for p in unconfirmed.value.problems] == ["confirm"]
    assert document.visibility is Visibility.owning_state_and_committee
    with pytest.raises(NotFound):  # who may not see it is not told it exists
        change_document_visibility(
            session,
            viewer=other,
            document_id=document.id,
            visibility=Visibility.public,
            confirmed=True,
        )
    change_document_visibility(
        session,
        viewer=poc,
        document_id=document.id,
        visibility=Visibility.public,
        reason="published by the Ministry",
        confirmed=True,
    )
    assert visible_document(session, viewer=PUBLIC, document_id=document.id) is document
    with pytest.raises(Forbidden):  # seen by all, changed only by its State and the Committee
        change_document_visibility(
            session, viewer=provider, document_id=document.id, visibility=Visibility.committee
        )
    change_document_visibility(
        session, viewer=poc, document_id=document.id, visibility=Visibility.committee
    )
    events = _events(session, "document", document.id)
    assert [(e.action, e.before, e.after, e.reason) for e in events[1:]] == [
        (
            "document.widen",
            {"visibility": "owning_state_and_committee"},
            {"visibility": "public", "state": "GHA"},
            "published by the Ministry",
        ),
        (
            "document.narrow",
            {"visibility": "public"},
            {"visibility": "committee", "state": "GHA"},
            "",
        ),
    ]


def test_project_feedback_names_its_giver_to_the_committee_side_only(session: Session) -> None:
    poc = make_user(session, role="state_poc", email="poc@gov.td", iso3="TCD")
    colleague = make_user(session, role="state_poc", email="colleague@gov.td", iso3="TCD")
    expert = make_user(session, role="expert", email="expert@un.org")
    provider = make_user(session, role="provider", email="staff@iaea.org", org="iaea")
    offered = {"fields": ["op3cd.border_detection"], "help_types": ["equipment"]}
    offer = create_offer(
        session,
        viewer=provider,
        data=AssistanceOfferCreate(title="Monitors", capacity=2, visibility="public", **offered),
    )
    request = submit_request(
        session,
        viewer=poc,
        data=AssistanceRequestCreate.model_validate(
            {
                "title": "Border monitors",
                "consent": "providers",
                "items": [{"description": "Portal monitors", **offered}],
            }
        ),
    )
    for status in ("authenticated", "acknowledged", "circulated"):
        transition_request(session, viewer=expert, request_id=request.id, to=status)
    item = request.items[0]
    record_judgement(
        session,
        viewer=expert,
        data=JudgementCreate(item_id=item.id, offer_id=offer.id, verdict="accept"),
    )
    project = open_project(
        session, viewer=expert, data=AssistanceProjectCreate(item_id=item.id, offer_id=offer.id)
    )
    move_project(session, viewer=expert, project_id=project.id, to="in_delivery")
    give_feedback(
        session,
        viewer=poc,
        project_id=project.id,
        data=FeedbackInput(side="recipient", rating=4, text="useful"),
    )
    give_feedback(
        session,
        viewer=provider,
        project_id=project.id,
        data=FeedbackInput(side="provider", rating=5, text="good partner"),
    )

    def givers(viewer: Viewer) -> list[str]:
        record = get_project(session, viewer=viewer, project_id=project.id)
        return [f.given_by for f in project_reads(session, viewer, [record])[0].feedback]

    assert givers(expert) == ["poc@gov.td", "staff@iaea.org"]
    assert givers(colleague) == ["poc@gov.td", "an organisation"]
    assert givers(provider) == ["the State", "staff@iaea.org"]
