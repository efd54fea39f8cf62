"""Facets with counts on the list pages (web/portal/facets.py): each value's count is the
list's total with that value chosen, for each reader, from the same service read that lists the
rows; a record a reader may not see is never counted for them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import (
    AssistanceOffer,
    Commitment,
    Document,
    DocumentKind,
    FundingEntry,
    Organisation,
    OrganisationActivity,
    Origin,
    Role,
    State,
    Visibility,
)
from un1540.services.action_plans.reads import list_plans, plan_facets
from un1540.services.activities.reads import ActivityFilter, activity_facets, list_activities
from un1540.services.assistance.reads.clearinghouse import (
    ClearinghouseFilter,
    clearinghouse_facets,
    filtered_offers,
    filtered_requests,
)
from un1540.services.assistance.reads.funding import (
    FundingFilter,
    funding_entries,
    funding_facets,
)
from un1540.services.commitments.reads import commitment_facets, list_commitments
from un1540.services.contacts.reads import (
    TrainingFilter,
    contact_facets,
    contact_filters,
    list_contacts,
    training_courses,
    training_facets,
)
from un1540.services.documents.reads import (
    DocumentFilter,
    state_document_facets,
    state_documents_page,
)
from un1540.services.events.reads import event_facets, list_events
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.paging import PageRequest
from un1540.services.library.reads import SearchFilters, search, search_facets
from un1540.services.matrix.reads.states import list_states, state_facets
from un1540.services.visits.reads import list_visits, visit_facets

ONE = PageRequest(page_size=1)
YES_NO = {"yes": True, "no": False}


def _viewers(session: Session) -> dict[str, Viewer]:
    nigeria = session.scalar(select(State.id).where(State.iso3 == "NGA"))
    return {
        "public": PUBLIC,
        "poc": Viewer(role=Role.state_poc, state_id=nigeria, user_id=10**6),
        "committee": Viewer(role=Role.committee, user_id=10**6 + 1),
    }


def _agree(
    facets: Mapping[str, list[tuple[str, int]]],
    given: dict[str, object],
    total: Callable[[dict[str, object]], int],
    where: str,
) -> dict[str, int]:
    """Each value's count equals the list's total with it chosen; the sums per facet."""
    sums = {}
    for facet, values in facets.items():
        assert len({code for code, _ in values}) == len(values), (where, facet)
        for code, count in values:
            assert count > 0, (where, facet, code)
            assert count == total({**given, facet: code}), (where, facet, code)
        sums[facet] = sum(count for _, count in values)
    return sums


def _plant_confidential(session: Session) -> None:
    """A commitment and an activity of France that only the Committee side (and France) may see
    (rolled back with the test)."""
    france = session.scalar(select(State.id).where(State.iso3 == "FRA"))
    organisation = session.scalar(select(Organisation.id).order_by(Organisation.id).limit(1))
    assert france is not None
    assert organisation is not None
    session.add_all(
        [
            Commitment(
                state_id=france,
                kind="legislation",
                title="Confidential commitment",
                announced_on=date(2024, 1, 10),
                field_codes=[],
                regions=[],
                status="announced",
                visibility=Visibility.owning_state_and_committee,
                origin=Origin.entry,
            ),
            OrganisationActivity(
                organisation_id=organisation,
                state_id=france,
                programme="Confidential programme",
                fields=[],
                weapons=["nw"],
                start_on=date(2024, 1, 10),
                visibility=Visibility.committee,
                origin=Origin.entry,
            ),
        ]
    )
    session.flush()


def test_commitment_plan_and_event_facets_count_what_each_reader_may_see(
    session: Session,
) -> None:
    _plant_confidential(session)
    seen: dict[str, dict[str, int]] = {}
    for name, viewer in _viewers(session).items():

        def commitments(given: dict[str, object], viewer: Viewer = viewer) -> int:
            chosen = {**given, "overdue": YES_NO.get(str(given.get("overdue")))}
            return list_commitments(session, viewer=viewer, paging=ONE, **chosen).total  # type: ignore[arg-type]

        def plans(given: dict[str, object], viewer: Viewer = viewer) -> int:
            chosen = {**given, "published": YES_NO.get(str(given.get("published")))}
            return list_plans(session, viewer=viewer, paging=ONE, **chosen).total  # type: ignore[arg-type]

        def events(given: dict[str, object], viewer: Viewer = viewer) -> int:
            chosen = {**given, "year": int(str(given["year"])) if given.get("year") else None}
            return list_events(session, viewer=viewer, paging=ONE, **chosen)[1]  # type: ignore[arg-type]

        facets = commitment_facets(session, viewer=viewer)
        seen[f"commitments {name}"] = _agree(facets, {}, commitments, name)
        seen[f"commitments {name}"]["FRA"] = dict(facets["state"]).get("FRA", 0)
        assert facets["status"], name
        seen[f"plans {name}"] = _agree(plan_facets(session, viewer=viewer), {}, plans, name)
        events_facets = event_facets(session, viewer=viewer)
        seen[f"events {name}"] = _agree(events_facets, {}, events, name)
        if name != "committee":
            continue
        # A second filter kept while each facet is counted (once: the reader who sees most).
        state = facets["state"][0][0]
        narrowed = commitment_facets(session, viewer=viewer, state=state)
        _agree(narrowed, {"state": state}, commitments, name)
        narrowed = plan_facets(session, viewer=viewer, published=True)
        _agree(narrowed, {"published": "yes"}, plans, name)
        kind = events_facets["kind"][0][0]
        _agree(event_facets(session, viewer=viewer, kind=kind), {"kind": kind}, events, name)
    # France's confidential commitment: counted for the Committee side only
    assert seen["commitments committee"]["FRA"] == seen["commitments public"]["FRA"] + 1
    assert seen["commitments poc"]["FRA"] == seen["commitments public"]["FRA"]
    for family, facet in (("commitments", "status"), ("plans", "published"), ("events", "kind")):
        # the Committee side counts records the public may not see, which the public never does
        assert seen[f"{family} committee"][facet] > seen[f"{family} public"][facet], family
        assert seen[f"{family} poc"][facet] >= seen[f"{family} public"][facet], family


def test_activity_state_and_search_facets_count_what_each_reader_may_see(
    session: Session,
) -> None:
    _plant_confidential(session)
    france: dict[str, int] = {}
    for name, viewer in _viewers(session).items():

        def activities(given: dict[str, object], viewer: Viewer = viewer) -> int:
            filters = replace(ActivityFilter(), **given)  # type: ignore[arg-type]
            return list_activities(session, viewer=viewer, filters=filters, paging=ONE)[1]

        facets = activity_facets(session, viewer=viewer)
        _agree(facets, {}, activities, name)
        france[name] = dict(facets["state"]).get("FRA", 0)
        assert facets["weapon"], name
        assert facets["organisation"], name
        if name == "committee":  # a second filter kept
            weapon = facets["weapon"][0][0]
            narrowed = activity_facets(
                session, viewer=viewer, filters=ActivityFilter(weapon=weapon)
            )
            _agree(narrowed, {"weapon": weapon}, activities, name)

        def found(given: dict[str, object], viewer: Viewer = viewer) -> int:
            filters = SearchFilters(
                query="nuclear",
                iso3=given.get("state"),  # type: ignore[arg-type]
                kind=given.get("kind"),  # type: ignore[arg-type]
                language=given.get("language"),  # type: ignore[arg-type]
                year=int(str(given["year"])) if given.get("year") else None,
            )
            return search(session, viewer=viewer, filters=filters, paging=ONE).total

        facets = search_facets(session, viewer=viewer, filters=SearchFilters(query="nuclear"))
        assert facets["kind"], name
        assert facets["language"], name
        assert facets["year"], name
        _agree(facets, {}, found, name)
        if name == "committee":  # a second filter kept
            language = facets["language"][0][0]
            narrowed = search_facets(
                session, viewer=viewer, filters=SearchFilters(query="nuclear", language=language)
            )
            _agree(narrowed, {"language": language}, found, name)
    assert search_facets(session, viewer=PUBLIC, filters=SearchFilters(query="")) == {}
    # France's committee-only activity: counted for the Committee side only
    assert france["committee"] == france["public"] + 1 == france["poc"] + 1

    def states(given: dict[str, object]) -> int:
        return len(list_states(session, viewer=PUBLIC, **given).items)  # type: ignore[arg-type]

    facets = state_facets(session)
    assert {code for code, _ in facets["group"]} >= {"african", "western_european_others"}
    assert sum(count for _, count in facets["region"]) == states({})  # each State in one region
    # Each value with the group filter kept (regions) or replaced (groups): list_states's total.
    narrowed = state_facets(session, group="western_european_others")
    _agree(narrowed, {"group": "western_european_others"}, states, "states")


def test_clearinghouse_facets_count_what_each_reader_may_see(session: Session) -> None:
    """The requests' and the offers' facets (/assistance) agree with the filtered lists, for
    each reader; a committee-only offer and the requests not circulated are never counted for
    the public."""
    session.add(
        AssistanceOffer(
            provider_name="Confidential provider",
            provider_key="other:confidential",
            title="Confidential offer",
            fields=[],
            sections=[],
            weapons=[],
            help_types=["legislative_drafting"],
            regions=["african"],
            languages=[],
            capacity=1,
            origin=Origin.entry,
            visibility=Visibility.committee,
        )
    )
    session.flush()
    sums: dict[str, dict[str, int]] = {}
    for name, viewer in _viewers(session).items():

        def requests(given: dict[str, object], viewer: Viewer = viewer) -> int:
            filters = ClearinghouseFilter(**given)  # type: ignore[arg-type]
            return filtered_requests(session, viewer=viewer, filters=filters, paging=ONE)[1]

        def offers(given: dict[str, object], viewer: Viewer = viewer) -> int:
            filters = ClearinghouseFilter(**given)  # type: ignore[arg-type]
            return filtered_offers(session, viewer=viewer, filters=filters, paging=ONE)[1]

        for given in (
            {},
            *(
                ({"help": "legislative_drafting"}, {"region": "african", "status": "published"})
                if name == "committee"
                else ()
            ),
        ):
            filters = ClearinghouseFilter(**given)
            of_requests, of_offers = clearinghouse_facets(session, viewer=viewer, filters=filters)
            assert set(of_requests) == {"status", "help", "section", "region"}
            assert set(of_offers) == {"help", "section", "region"}
            counted = _agree(of_requests, dict(given), requests, name)
            offered = _agree(of_offers, dict(given), offers, name)
            if not given:
                sums[name] = {"requests": counted["status"], "offers": offered["help"]}
                assert of_offers["region"], name
                assert of_requests["help"] or name == "public", name
    assert sums["committee"]["requests"] > sums["poc"]["requests"] >= sums["public"]["requests"]
    assert sums["committee"]["offers"] > sums["public"]["offers"]
    assert sums["poc"]["offers"] < sums["committee"]["offers"]


def test_visit_funding_contact_document_and_training_facets_count_what_each_reader_may_see(
    session: Session,
) -> None:
    """/visits, /funding, /contacts, a State's documents and /trainings (facets8): each value's
    count is the list's total with it chosen, for each reader; a committee-only funding entry
    and document of France, France's contacts and the visits not consented to are never counted
    for the public or another State's contact."""
    france = session.scalar(select(State.id).where(State.iso3 == "FRA"))
    session.add_all(
        [
            FundingEntry(
                kind="pledge",
                donor_name="Confidential donor",
                donor_key="other:confidential",
                amount=10.0,
                currency="EUR",
                made_on=date(2024, 3, 1),
                origin=Origin.entry,
                visibility=Visibility.committee,
            ),
            Document(
                kind=DocumentKind.legislation,
                state_id=france,
                title="Confidential law",
                issued_on=date(2003, 5, 1),
                language="fr",
                origin=Origin.entry,
                visibility=Visibility.committee,
            ),
        ]
    )
    session.flush()
    sums: dict[str, dict[str, int]] = {}
    for name, viewer in _viewers(session).items():

        def visits(given: dict[str, object], viewer: Viewer = viewer) -> int:
            year = int(str(given["year"])) if given.get("year") else None
            chosen = {**given, "year": year}
            return list_visits(session, viewer=viewer, paging=ONE, **chosen)[1]  # type: ignore[arg-type]

        def funding(given: dict[str, object], viewer: Viewer = viewer) -> int:
            year = int(str(given["year"])) if given.get("year") else None
            filters = FundingFilter(**{**given, "year": year})  # type: ignore[arg-type]
            return len(funding_entries(session, viewer=viewer, filters=filters))

        def contacts(given: dict[str, object], viewer: Viewer = viewer) -> int:
            stale = {"1": True, "0": False}.get(str(given.get("stale")))
            filters = contact_filters(session, **{**given, "stale": stale})  # type: ignore[arg-type]
            return list_contacts(session, viewer=viewer, paging=ONE, filters=filters)[1]

        def documents(given: dict[str, object], viewer: Viewer = viewer) -> int:
            year = int(str(given["year"])) if given.get("year") else None
            filters = DocumentFilter(**{**given, "year": year})  # type: ignore[arg-type]
            listing = state_documents_page(
                session, viewer=viewer, iso3="FRA", paging=ONE, filters=filters
            )
            return listing.total

        state = session.get(State, france)
        assert state is not None
        counted = {
            "visits": _agree(visit_facets(session, viewer=viewer), {}, visits, name),
            "funding": _agree(funding_facets(session, viewer=viewer), {}, funding, name),
            "contacts": _agree(contact_facets(session, viewer=viewer), {}, contacts, name),
            "documents": _agree(
                state_document_facets(session, viewer=viewer, state=state), {}, documents, name
            ),
        }
        france_contacts = dict(contact_facets(session, viewer=viewer)["state"]).get("FRA", 0)
        sums[name] = {
            "visits": counted["visits"]["status"],
            "funding": counted["funding"]["kind"],
            "contacts": counted["contacts"]["role"],
            "france contacts": france_contacts,
            "documents": counted["documents"]["kind"],
            "2003": dict(state_document_facets(session, viewer=viewer, state=state)["year"]).get(
                "2003", 0
            ),
        }
        if name == "committee":  # a second filter kept, once
            given = {"status": "closed"}
            _agree(visit_facets(session, viewer=viewer, status="closed"), given, visits, name)
            narrowed = funding_facets(session, viewer=viewer, filters=FundingFilter(kind="pledge"))
            _agree(narrowed, {"kind": "pledge"}, funding, name)
            chosen = contact_filters(session, role="capital")
            narrowed = contact_facets(session, viewer=viewer, filters=chosen)
            _agree(narrowed, {"role": "capital"}, contacts, name)
            chosen_kind = DocumentFilter(kind="legislation")
            narrowed = state_document_facets(
                session, viewer=viewer, state=state, filters=chosen_kind
            )
            _agree(narrowed, {"kind": "legislation"}, documents, name)
    public, poc, committee = sums["public"], sums["poc"], sums["committee"]
    assert committee["visits"] > poc["visits"] >= public["visits"]  # Nigeria's own visit
    assert committee["funding"] == public["funding"] + 1 == poc["funding"] + 1
    assert public["contacts"] == 0  # the public sees no contact's details: counts none
    assert poc["france contacts"] == 0 < committee["france contacts"]
    assert 0 < poc["contacts"] < committee["contacts"]  # Nigeria's own
    assert committee["documents"] == public["documents"] + 1 == poc["documents"] + 1
    assert committee["2003"] == 1
    assert public["2003"] == poc["2003"] == 0

    # The courses (public reference data): each value's count is the list's length with it chosen.
    def courses(given: dict[str, object]) -> int:
        year = int(str(given["year"])) if given.get("year") else None
        filters = TrainingFilter(**{**given, "year": year})  # type: ignore[arg-type]
        return len(training_courses(session, viewer=PUBLIC, filters=filters))

    trainings = training_facets()
    assert trainings["region"]
    assert trainings["country"]
    assert _agree(trainings, {}, courses, "trainings")["year"] == courses({})
    region = trainings["region"][0][0]
    _agree(training_facets(TrainingFilter(region=region)), {"region": region}, courses, "courses")
