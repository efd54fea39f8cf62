"""The clearinghouse's forms without codes: a request with several items (added and removed
without script, each checked and its problems named by item and part), pickers that show names
in the reader's language and submit codes, and offers with a budget, a period and who may see
them, honoured wherever offers are listed or matched."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import make_user
from tests.portal.test_workflow_pages import csrf, sign_in
from un1540.errors import Forbidden
from un1540.models import AssistanceOffer, AssistanceRequest
from un1540.models.base import today
from un1540.schemas.assistance import AssistanceOfferCreate, AssistanceRequestCreate
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.requests import submit_request, transition_request
from un1540.services.assistance.reads.offers import list_offers
from un1540.services.assistance.reads.suggestions import global_assignment, suggestions_for
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.web.app import create_app

FIELD = "op3cd.border_detection"
OTHER_FIELD = "op2.manufacture"


@pytest.fixture
def people(empty_sessions: sessionmaker[Session]) -> dict[str, Viewer]:
    with empty_sessions() as session, session.begin():
        return {
            "expert": make_user(session, role="expert", email="expert@example.org"),
            "poc": make_user(session, role="state_poc", email="poc@example.org", iso3="NGA"),
            "provider": make_user(
                session, role="provider", email="provider@example.org", org="iaea"
            ),
        }


@pytest.fixture
def portal(
    empty_engine: Engine, empty_sessions: sessionmaker[Session], people: dict[str, Viewer]
) -> TestClient:
    app = create_app(settings_for(empty_engine), engine=empty_engine, sessions=empty_sessions)
    return TestClient(app, follow_redirects=True)


def _post(client: TestClient, path: str, form_path: str, data: list[tuple[str, str]]) -> str:
    page = client.get(form_path)
    fields: dict[str, list[str]] = {"csrf_token": [csrf(page.text)]}
    for name, value in data:
        fields.setdefault(name, []).append(value)
    response = client.post(path, data=fields)
    return f"{response.status_code}\n{response.text}"


def test_a_request_with_several_items_added_and_removed_without_script(
    portal: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    sign_in(portal, "poc@example.org")
    form = portal.get(f"/assistance/requests/new?field={FIELD}&weapon=nw")
    assert form.status_code == 200
    # The gap fills in the first item; the reader sees the field's name, the form its code.
    assert re.search(rf'name="item-0-field" value="{re.escape(FIELD)}" checked', form.text)
    assert re.search(r'name="item-0-weapon" value="nw" checked', form.text)
    assert "Detection of" in form.text or "detection" in form.text.lower()
    typed = [
        ("title", "Border and export help"),
        ("item-0-field", FIELD),
        ("item-0-weapon", "nw"),
        ("item-0-help_type", "equipment"),
        ("item-0-note", "Portal monitors"),
        ("languages", "fr"),
        ("consent", "providers"),
    ]
    added = _post(
        portal, "/assistance/requests", "/assistance/requests/new", [*typed, ("add", "1")]
    )
    assert added.startswith("200")
    assert 'name="item-1-help_type"' in added  # a second, blank item
    assert "Portal monitors" in added  # what was typed is kept
    second = [
        ("item-1-field", OTHER_FIELD),
        ("item-1-weapon", "cw"),
        ("item-1-help_type", "legislative_drafting"),
        ("item-2-field", ""),
        ("item-2-help_type", "training"),
        ("item-2-note", "To be removed"),
    ]
    removed = _post(
        portal,
        "/assistance/requests",
        "/assistance/requests/new",
        [*typed, *second, ("remove", "2")],
    )
    assert removed.startswith("200")
    assert "To be removed" not in removed
    assert 'name="item-2-help_type"' not in removed
    with empty_sessions() as session:
        assert session.scalar(select(func.count()).select_from(AssistanceRequest)) == 0
    filed = _post(portal, "/assistance/requests", "/assistance/requests/new", [*typed, *second[:3]])
    assert filed.startswith("200")
    assert "Request " in filed
    with empty_sessions() as session:
        request = session.scalars(select(AssistanceRequest)).one()
        items = [
            (i.fields, i.weapons, i.help_types, i.languages, i.description) for i in request.items
        ]
    assert items == [
        ([FIELD], ["nw"], ["equipment"], ["fr"], "Portal monitors"),
        ([OTHER_FIELD], ["cw"], ["legislative_drafting"], ["fr"], "Border and export help"),
    ]
    api = portal.get(f"/api/v1/assistance/requests/{request.id}").json()["request"]
    assert [item["fields"] for item in api["items"]] == [[FIELD], [OTHER_FIELD]]


def test_each_problem_is_named_by_its_item_and_part_and_nothing_is_saved(
    portal: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    sign_in(portal, "poc@example.org")
    page = _post(
        portal,
        "/assistance/requests",
        "/assistance/requests/new",
        [
            ("title", "Three items"),
            ("item-0-field", FIELD),
            ("item-0-help_type", "training"),
            ("item-1-field", "op9.nowhere"),
            ("item-1-help_type", "training"),
            ("item-2-weapon", "zz"),
            ("item-2-note", "Kept as typed"),
        ],
    )
    assert page.startswith("422")
    assert "Item 2, Matrix field: unknown: op9.nowhere" in page
    assert "Item 3, Kind of help:" in page
    assert "Item 3, Weapon category: unknown: zz" not in page  # its shape is not complete
    assert "Item 1," not in page
    assert "Kept as typed" in page
    assert 'aria-invalid="true"' in page
    with empty_sessions() as session:
        assert session.scalar(select(func.count()).select_from(AssistanceRequest)) == 0


def test_pickers_name_things_in_the_readers_language_and_submit_codes(portal: TestClient) -> None:
    sign_in(portal, "provider@example.org")
    page = portal.get("/assistance/offers/new?lang=fr").text
    # Region, language and kind of help in French, each submitted as its code.
    assert re.search(r'name="regions" value="african"> <span>[^<]*Afrique', page)
    assert re.search(r'name="languages" value="ar"> <span>arabe</span>', page)
    assert re.search(r'name="help_types" value="training"> <span>Formation</span>', page)
    assert 'class="picker-filter"' in page
    assert 'aria-controls="regions-choices"' in page
    assert "Rechercher dans la liste" in page
    assert '<option value="EUR"' in page
    assert "euro" in page


def test_an_offer_with_budget_period_and_visibility_from_the_portal(
    portal: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    sign_in(portal, "expert@example.org")
    base = [
        ("title", "Customs training"),
        ("provider_name", "A training NGO"),
        ("areas", "op3cd"),
        ("areas", FIELD),
        ("weapons", "nw"),
        ("help_types", "training"),
        ("regions", "african"),
        ("languages", "fr"),
        ("capacity", "2"),
    ]
    refused = _post(
        portal,
        "/assistance/offers",
        "/assistance/offers/new",
        [*base, ("budget", "-5"), ("start_on", "2027-06-01"), ("end_on", "2027-01-01")],
    )
    assert refused.startswith("422")
    assert "Budget:" in refused
    refused = _post(
        portal,
        "/assistance/offers",
        "/assistance/offers/new",
        [*base, ("currency", "EUR"), ("start_on", "2027-06-01"), ("end_on", "2027-01-01")],
    )
    assert refused.startswith("422")
    assert "Until: ends before it starts" in refused
    assert "Currency: give a budget with a currency" in refused
    assert 'value="Customs training"' in refused  # what was typed is kept
    with empty_sessions() as session:
        assert session.scalar(select(func.count()).select_from(AssistanceOffer)) == 0
    published = _post(
        portal,
        "/assistance/offers",
        "/assistance/offers/new",
        [
            *base,
            ("budget", "12500,50"),
            ("currency", "EUR"),
            ("start_on", "2027-01-01"),
            ("end_on", "2027-06-30"),
            ("visibility", "states_and_providers"),
        ],
    )
    assert published.startswith("200")
    assert "published" in published
    with empty_sessions() as session:
        offer = session.scalars(select(AssistanceOffer)).one()
        assert (offer.sections, offer.fields, offer.weapons) == (["op3cd"], [FIELD], ["nw"])
        assert (offer.budget, offer.currency) == (12500.5, "EUR")
        assert (offer.start_on, offer.end_on) == (date(2027, 1, 1), date(2027, 6, 30))
        assert offer.visibility.value == "states_and_providers"
    listing = portal.get("/assistance").text
    assert "Customs training" in listing
    assert "EUR" in listing
    assert "States&#39; and providers&#39; accounts" in listing
    public = TestClient(portal.app, follow_redirects=True)
    assert "Customs training" not in public.get("/assistance").text
    assert public.get("/api/v1/assistance/offers").json()["total"] == 0


def test_matching_weighs_every_item_and_honours_each_offers_visibility(
    empty_session: Session, people: dict[str, Viewer]
) -> None:
    session = empty_session
    expert, poc = people["expert"], people["poc"]
    common = {"provider_name": "An NGO", "capacity": 3, "regions": []}
    offers = {
        name: create_offer(
            session,
            viewer=expert,
            data=AssistanceOfferCreate.model_validate({**common, "title": name, **data}),
        )
        for name, data in {
            "public-border": {"fields": [FIELD], "help_types": ["equipment"]},
            "signed-in-law": {
                "fields": [OTHER_FIELD],
                "help_types": ["legislative_drafting"],
                "visibility": "states_and_providers",
                "budget": 1000,
                "currency": "USD",
            },
            "committee-law": {
                "fields": [OTHER_FIELD],
                "help_types": ["legislative_drafting"],
                "visibility": "committee",
            },
            "ended-law": {
                "fields": [OTHER_FIELD],
                "help_types": ["legislative_drafting"],
                "start_on": today() - timedelta(days=60),
                "end_on": today() - timedelta(days=1),
            },
        }.items()
    }
    request = submit_request(
        session,
        viewer=poc,
        data=AssistanceRequestCreate.model_validate(
            {
                "title": "Two needs",
                "consent": "public",
                "items": [
                    {"description": "Monitors", "fields": [FIELD], "help_types": ["equipment"]},
                    {
                        "description": "Penal law",
                        "fields": [OTHER_FIELD],
                        "help_types": ["legislative_drafting"],
                    },
                ],
            }
        ),
    )
    for status in ("authenticated", "acknowledged", "circulated", "published"):
        transition_request(session, viewer=expert, request_id=request.id, to=status)

    def suggested(viewer: Viewer) -> list[set[str]]:
        read = suggestions_for(session, viewer=viewer, request_id=request.id)
        return [{s.title for s in item.suggestions} for item in read.items]

    # Each item gets the offers that fit it; an ended offer is suggested to nobody.
    assert suggested(expert) == [{"public-border"}, {"signed-in-law", "committee-law"}]
    assert suggested(poc) == [{"public-border"}, {"signed-in-law"}]
    with pytest.raises(Forbidden):
        suggested(PUBLIC)
    assignment = global_assignment(session, viewer=expert)
    assigned = {pair.item_id: pair.offer_title for pair in assignment.pairs}
    assert set(assigned) == {item.id for item in request.items}
    listed = {
        who: {o.title for o in list_offers(session, viewer=viewer)[0]}
        for who, viewer in (("public", PUBLIC), ("poc", poc), ("expert", expert))
    }
    assert listed["public"] == {"public-border", "ended-law"}
    assert listed["poc"] == listed["public"] | {"signed-in-law"}
    assert listed["expert"] == set(offers)
