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
from un1540.services.commitments.reads import commitment_facets, list_commitments
from un1540.services.events.reads import event_facets, list_events
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.paging import PageRequest
from un1540.services.library.reads import SearchFilters, search, search_facets
from un1540.services.matrix.reads.states import list_states, state_facets

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
            )
            return search(session, viewer=viewer, filters=filters, paging=ONE).total

        facets = search_facets(session, viewer=viewer, filters=SearchFilters(query="nuclear"))
        assert facets["kind"], name
        assert facets["language"], name
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
