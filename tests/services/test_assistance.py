"""Assistance requests and offers: lifecycle, validation, duplicates and who may see what."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import Conflict, Forbidden, InvalidData, NotFound, Unauthenticated
from un1540.models import AssistanceOffer, AssistanceRequest
from un1540.schemas.assistance import (
    AssistanceOfferCreate,
    AssistanceRequestCreate,
    AssistanceRequestUpdate,
)
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.requests import (
    submit_request,
    transition_request,
    update_request,
)
from un1540.services.assistance.reads.offers import list_offers
from un1540.services.assistance.reads.requests import get_request, list_requests
from un1540.services.kernel.access import PUBLIC, Viewer

LIFECYCLE = [
    "authenticated",
    "acknowledged",
    "circulated",
    "published",
    "matched",
    "in_delivery",
    "delivered",
    "feedback_received",
    "closed",
]


@pytest.fixture
def people(session: Session) -> dict[str, Viewer]:
    return {
        "poc": make_user(session, role="state_poc", iso3="FRA"),
        "other_poc": make_user(session, role="state_poc", iso3="NGA"),
        "provider": make_user(session, role="provider", org="iaea"),
        "expert": make_user(session, role="expert"),
    }


def request_data(**changes: Any) -> AssistanceRequestCreate:
    data: dict[str, Any] = {
        "title": "Border detection equipment and training",
        "consent": "public",
        "items": [
            {
                "description": "Radiation portal monitors at two border crossings",
                "fields": ["op3cd.border_detection"],
                "weapons": ["nw"],
                "help_types": ["equipment", "training"],
                "languages": ["fr"],
                "start_on": "2027-01-01",
                "end_on": "2027-12-31",
            }
        ],
    }
    data.update(changes)
    return AssistanceRequestCreate.model_validate(data)


def offer_data(**changes: Any) -> AssistanceOfferCreate:
    data: dict[str, Any] = {
        "title": "Border monitoring equipment",
        "fields": ["op3cd.border_detection"],
        "weapons": ["nw"],
        "help_types": ["equipment"],
        "regions": ["african"],
        "languages": ["en", "fr"],
        "capacity": 3,
        "budget": 250000,
        "currency": "EUR",
    }
    data.update(changes)
    return AssistanceOfferCreate.model_validate(data)


def test_a_request_goes_through_its_whole_lifecycle(
    session: Session, people: dict[str, Viewer]
) -> None:
    request = submit_request(session, viewer=people["poc"], data=request_data())
    assert request.status == "received"
    assert request.requester_key == "state:FRA"
    for status in LIFECYCLE:
        reason = "delivered and evaluated" if status == "closed" else ""
        request = transition_request(
            session, viewer=people["expert"], request_id=request.id, to=status, reason=reason
        )
        assert request.status == status
    assert request.published_at is not None
    with pytest.raises(Conflict, match="nowhere: it is closed"):
        transition_request(session, viewer=people["expert"], request_id=request.id, to="matched")


@pytest.mark.parametrize(
    ("steps", "to", "error", "fragment"),
    [
        ([], "circulated", Conflict, "received request cannot become circulated"),
        ([], "flying", InvalidData, "unknown status"),
        ([], "closed", InvalidData, "say why"),
        (["authenticated", "acknowledged", "circulated"], "in_delivery", Conflict, "allowed next"),
    ],
)
def test_illegal_transitions_are_refused(
    session: Session,
    people: dict[str, Viewer],
    steps: list[str],
    to: str,
    error: type[Exception],
    fragment: str,
) -> None:
    request = submit_request(session, viewer=people["poc"], data=request_data())
    for status in steps:
        transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
    with pytest.raises(error, match=fragment):
        transition_request(session, viewer=people["expert"], request_id=request.id, to=to)


def test_publishing_needs_the_public_consent_and_only_experts_move_requests(
    session: Session, people: dict[str, Viewer]
) -> None:
    request = submit_request(session, viewer=people["poc"], data=request_data(consent="providers"))
    with pytest.raises(Forbidden):
        transition_request(session, viewer=people["poc"], request_id=request.id, to="authenticated")
    for status in ("authenticated", "acknowledged", "circulated"):
        transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
    with pytest.raises(Conflict, match="may not be published"):
        transition_request(session, viewer=people["expert"], request_id=request.id, to="published")
    transition_request(session, viewer=people["expert"], request_id=request.id, to="matched")


def test_every_problem_of_a_request_is_named_and_nothing_is_saved(
    session: Session, people: dict[str, Viewer]
) -> None:
    before = session.scalar(select(func.count()).select_from(AssistanceRequest))
    bad_item = {
        "description": "Help",
        "fields": ["op2.nothing"],
        "weapons": ["rw"],
        "help_types": ["magic"],
        "languages": ["de"],
        "start_on": "2027-05-01",
        "end_on": "2027-01-01",
    }
    with pytest.raises(InvalidData) as raised:
        submit_request(
            session,
            viewer=people["poc"],
            data=request_data(consent="everyone", items=[bad_item], received_on="2099-01-01"),
        )
    wheres = {problem.where for problem in raised.value.problems}
    assert wheres == {
        "consent",
        "items[0].fields",
        "items[0].weapons",
        "items[0].help_types",
        "items[0].languages",
        "items[0].end_on",
        "received_on",
    }
    assert session.scalar(select(func.count()).select_from(AssistanceRequest)) == before


def test_a_duplicate_submission_is_refused(session: Session, people: dict[str, Viewer]) -> None:
    submit_request(session, viewer=people["poc"], data=request_data(received_on=date(2026, 3, 1)))
    with pytest.raises(Conflict, match="duplicate submission"):
        submit_request(
            session, viewer=people["poc"], data=request_data(received_on=date(2026, 3, 1))
        )


def test_a_state_files_only_for_itself(session: Session, people: dict[str, Viewer]) -> None:
    with pytest.raises(Forbidden):
        submit_request(session, viewer=people["poc"], data=request_data(state="NGA"))
    with pytest.raises(Unauthenticated):
        submit_request(session, viewer=PUBLIC, data=request_data())
    on_behalf = submit_request(session, viewer=people["expert"], data=request_data(state="TCD"))
    assert on_behalf.requester_key == "state:TCD"


def _seen(session: Session, viewer: Viewer, request_id: int) -> bool:
    try:
        get_request(session, viewer=viewer, request_id=request_id)
    except NotFound:
        return False
    return True


def test_who_may_see_a_request_follows_consent_and_progress(
    session: Session, people: dict[str, Viewer]
) -> None:
    public = submit_request(session, viewer=people["poc"], data=request_data(title="A"))
    providers = submit_request(
        session, viewer=people["poc"], data=request_data(title="B", consent="providers")
    )
    private = submit_request(
        session, viewer=people["poc"], data=request_data(title="C", consent="committee")
    )
    viewers = {"public": PUBLIC, **people}
    # Received: the requesting State and the experts only.
    for request in (public, providers, private):
        assert {name for name, v in viewers.items() if _seen(session, v, request.id)} == {
            "poc",
            "expert",
        }
    for request in (public, providers, private):
        for status in ("authenticated", "acknowledged", "circulated"):
            transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
    seen = {name for name, v in viewers.items() if _seen(session, v, providers.id)}
    assert seen == {"poc", "other_poc", "provider", "expert"}
    assert {name for name, v in viewers.items() if _seen(session, v, private.id)} == {
        "poc",
        "expert",
    }
    assert not _seen(session, PUBLIC, public.id)
    transition_request(session, viewer=people["expert"], request_id=public.id, to="published")
    assert _seen(session, PUBLIC, public.id)
    listed, total = list_requests(session, viewer=PUBLIC)
    assert [row.id for row in listed] == [public.id]
    assert total == 1


def test_a_request_withdrawn_before_circulation_stays_private(
    session: Session, people: dict[str, Viewer]
) -> None:
    request = submit_request(session, viewer=people["poc"], data=request_data())
    transition_request(
        session, viewer=people["expert"], request_id=request.id, to="closed", reason="withdrawn"
    )
    assert not _seen(session, people["provider"], request.id)


def test_corrections_use_the_revision_read(session: Session, people: dict[str, Viewer]) -> None:
    request = submit_request(session, viewer=people["poc"], data=request_data())
    changed = update_request(
        session,
        viewer=people["poc"],
        request_id=request.id,
        data=AssistanceRequestUpdate(summary="More detail", revision=1),
    )
    assert changed.revision == 2
    with pytest.raises(Conflict, match="has changed since you read it"):
        update_request(
            session,
            viewer=people["poc"],
            request_id=request.id,
            data=AssistanceRequestUpdate(title="Old view", revision=1),
        )
    with pytest.raises(NotFound):  # another State cannot even see it
        update_request(
            session,
            viewer=people["other_poc"],
            request_id=request.id,
            data=AssistanceRequestUpdate(title="Theirs", revision=2),
        )


def test_an_offer_is_checked_whole_and_published(
    session: Session, people: dict[str, Viewer]
) -> None:
    offer = create_offer(session, viewer=people["provider"], data=offer_data())
    assert offer.provider_key == "organisation:iaea"
    assert offer.provider_name.startswith("International Atomic Energy Agency")
    before = session.scalar(select(func.count()).select_from(AssistanceOffer))
    with pytest.raises(InvalidData) as raised:
        create_offer(
            session,
            viewer=people["provider"],
            data=offer_data(
                title="Bad",
                budget=5,
                currency="XYZ",
                regions=["atlantis"],
                start_on="2027-02-01",
                end_on="2027-01-01",
                help_types=["magic"],
            ),
        )
    assert {problem.where for problem in raised.value.problems} == {
        "currency",
        "regions",
        "end_on",
        "help_types",
    }
    assert session.scalar(select(func.count()).select_from(AssistanceOffer)) == before
    with pytest.raises(ValidationError):  # negative numbers stop at the input shape
        offer_data(title="Bad", capacity=-1, budget=-5)
    with pytest.raises(Conflict, match="duplicate submission"):
        create_offer(session, viewer=people["provider"], data=offer_data())
    with pytest.raises(Forbidden):
        create_offer(session, viewer=people["provider"], data=offer_data(organisation="opcw"))


def test_offers_follow_their_visibility(session: Session, people: dict[str, Viewer]) -> None:
    create_offer(session, viewer=people["provider"], data=offer_data(title="Open"))
    create_offer(
        session,
        viewer=people["provider"],
        data=offer_data(title="Internal", visibility="committee"),
    )
    public_titles = {offer.title for offer in list_offers(session, viewer=PUBLIC)[0]}
    expert_titles = {offer.title for offer in list_offers(session, viewer=people["expert"])[0]}
    assert "Open" in public_titles
    assert "Internal" not in public_titles
    assert {"Open", "Internal"} <= expert_titles
    ngo = create_offer(
        session,
        viewer=people["expert"],
        data=offer_data(title="NGO training", provider_name="VERTIC", budget=None, currency=""),
    )
    assert ngo.provider_key == "name:vertic"


def test_two_providers_on_one_state_and_field_at_once_are_flagged(
    session: Session, people: dict[str, Viewer]
) -> None:
    from un1540.schemas.assistance import AssistanceProjectCreate, JudgementCreate
    from un1540.services.assistance.actions.judgements import record_judgement
    from un1540.services.assistance.actions.projects import open_project
    from un1540.services.assistance.reads.overview import duplication_warnings
    from un1540.services.assistance.reads.projects import visible_projects

    chemical = make_user(session, role="provider", org="opcw")
    offers = [
        create_offer(session, viewer=people["provider"], data=offer_data(title="Detection A")),
        create_offer(session, viewer=chemical, data=offer_data(title="Detection B")),
    ]
    periods = {
        "overlapping": [("2027-01-01", "2027-06-30"), ("2027-05-01", "2027-12-31")],
        "one after the other": [("2028-01-01", "2028-03-31"), ("2028-04-01", "2028-06-30")],
    }
    fields = {"overlapping": "op3cd.border_detection", "one after the other": "op3cd.transit"}
    ours: set[int] = set()
    for label, spans in periods.items():
        item = {**request_data().items[0].model_dump(), "fields": [fields[label]]}
        request = submit_request(
            session, viewer=people["poc"], data=request_data(title=label, items=[item])
        )
        for status in ("authenticated", "acknowledged", "circulated"):
            transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
        for offer, (start, end) in zip(offers, spans, strict=True):
            pair = {"item_id": request.items[0].id, "offer_id": offer.id}
            record_judgement(
                session, viewer=people["expert"], data=JudgementCreate(**pair, verdict="accept")
            )
            project = open_project(
                session,
                viewer=people["expert"],
                data=AssistanceProjectCreate(**pair, start_on=start, end_on=end),
            )
            ours.add(project.id)
    warnings = [
        w
        for w in duplication_warnings(visible_projects(session, people["expert"]))
        if set(w.project_ids) <= ours
    ]
    assert [(w.field, len(w.project_ids)) for w in warnings] == [("op3cd.border_detection", 2)]
    assert set(warnings[0].providers) == {offers[0].provider_name, offers[1].provider_name}


def test_funding_is_earmarked_only_to_known_regions_areas_and_visible_projects(
    session: Session, people: dict[str, Viewer]
) -> None:
    from un1540.schemas.assistance import AssistanceProjectCreate, FundingCreate, JudgementCreate
    from un1540.services.assistance.actions.funding import record_funding
    from un1540.services.assistance.actions.judgements import record_judgement
    from un1540.services.assistance.actions.projects import open_project

    request = submit_request(
        session, viewer=people["poc"], data=request_data(title="Confidential", consent="committee")
    )
    for status in ("authenticated", "acknowledged", "circulated"):
        transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
    offer = create_offer(session, viewer=people["provider"], data=offer_data())
    pair = {"item_id": request.items[0].id, "offer_id": offer.id}
    record_judgement(
        session, viewer=people["expert"], data=JudgementCreate(**pair, verdict="accept")
    )
    project = open_project(session, viewer=people["expert"], data=AssistanceProjectCreate(**pair))
    donor = make_user(session, role="provider", org="eu")

    def pledge(**earmarks: Any) -> FundingCreate:
        return FundingCreate(kind="pledge", amount=1000, currency="EUR", **earmarks)

    entry = record_funding(
        session, viewer=donor, data=pledge(earmark_region="african", earmark_area="op2")
    )
    assert (entry.earmark_region, entry.earmark_area) == ("african", "op2")
    field = record_funding(session, viewer=donor, data=pledge(earmark_area="op3cd.transit"))
    assert field.earmark_area == "op3cd.transit"
    with pytest.raises(InvalidData) as bad:
        record_funding(
            session,
            viewer=donor,
            data=pledge(earmark_region="atlantis", earmark_area="op9", project_id=project.id),
        )
    # The other organisation cannot see the committee-only request, so its project is "no
    # project" to it: the same answer as for a number that does not exist.
    assert {(p.where, p.message) for p in bad.value.problems} == {
        ("earmark_region", "unknown region 'atlantis'"),
        ("earmark_area", "unknown section or field 'op9'"),
        ("project_id", f"no project {project.id}"),
    }
    paid = record_funding(
        session,
        viewer=people["expert"],
        data=pledge(donor_name="A foundation", project_id=project.id),
    )
    assert paid.project_id == project.id


def test_widening_consent_after_circulation_tells_the_matching_providers(
    session: Session, people: dict[str, Viewer]
) -> None:
    """Circulated while only the Committee could see it, the request reaches the providers once
    its consent is widened: they are told then. Failed before this change (nobody was told)."""
    from un1540.models import Notification, UserAccount
    from un1540.services.assistance.actions.requests import change_consent

    offer = create_offer(session, viewer=people["provider"], data=offer_data(regions=[]))
    request = submit_request(session, viewer=people["poc"], data=request_data(consent="committee"))
    for status in ("authenticated", "acknowledged", "circulated"):
        request = transition_request(
            session, viewer=people["expert"], request_id=request.id, to=status
        )
    provider_id = session.scalars(
        select(UserAccount.id).where(UserAccount.email == people["provider"].actor)
    ).one()

    def told() -> list[str]:
        return list(
            session.scalars(
                select(Notification.kind).where(
                    Notification.user_id == provider_id,
                    Notification.entity_type == "assistance_request",
                    Notification.entity_id == request.id,
                )
            )
        )

    assert told() == []  # the consent did not reach providers when it was circulated
    change_consent(
        session,
        viewer=people["poc"],
        request_id=request.id,
        consent="providers",
        revision=request.revision,
        confirmed=True,
    )
    assert offer.id is not None
    assert told() == ["match"]
