"""The incident register: who sees which record, the trends counted by hand, the checks of an
incident, and the prioritisation aid's `incidents` factor computed from the records."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import Conflict, Forbidden, InvalidData, InvalidParameter, Unauthenticated
from un1540.io.demo_incidents import demo_incidents
from un1540.models import Incident, Origin, State
from un1540.models.base import today
from un1540.schemas.incidents import IncidentCreate
from un1540.services.coverage.reads.priorities import priorities
from un1540.services.incidents.actions import record_incident
from un1540.services.incidents.reads import (
    IncidentFilter,
    get_incident,
    incident_trends,
    list_incidents,
)
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.paging import SUMMARY


def _incident(**values: Any) -> IncidentCreate:
    base: dict[str, Any] = {
        "occurred_on": date(2020, 3, 1),
        "states": ["TCD"],
        "category": "radioactive",
        "material_class": "sealed_source",
        "kind": "theft",
        "source": "state_reported",
        "confirmation": "confirmed",
    }
    return IncidentCreate(**(base | values))


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident)) or 0


# Hand-made: (date, States, category, kind, restricted). Counted by hand below.
CASES = [
    (date(2019, 5, 1), ["TCD"], "radioactive", "theft", False),  # Africa
    (date(2019, 6, 1), ["NER"], "nuclear", "illicit_trafficking", True),  # Africa, restricted
    (date(2020, 1, 2), ["FRA", "NGA"], "chemical", "theft", False),  # Europe and Africa
    (date(2021, 7, 3), ["BRA"], "radioactive", "loss", True),  # Americas, restricted
    (date(2021, 8, 4), ["CHN"], "biological", "hoax", False),  # Asia
]


@pytest.fixture
def recorded(empty_session: Session) -> tuple[Session, Viewer, list[int]]:
    expert = make_user(empty_session, role="expert")
    ids = []
    for occurred, states, category, kind, restricted in CASES:
        material = {"radioactive": "sealed_source", "nuclear": "leu", "chemical": "precursor"}
        ids.append(
            record_incident(
                empty_session,
                viewer=expert,
                data=_incident(
                    occurred_on=occurred,
                    states=states,
                    category=category,
                    material_class=material.get(category, "toxin"),
                    kind=kind,
                    restricted=restricted,
                    summary=f"case {len(ids)}",
                ),
            ).id
        )
    return empty_session, expert, ids


def test_trends_count_every_incident_as_counted_by_hand(
    recorded: tuple[Session, Viewer, list[int]],
) -> None:
    session, _expert, _ids = recorded
    trends = incident_trends(session)
    assert (trends.total, trends.restricted, trends.synthetic) == (5, 2, False)
    assert dict(trends.by_year) == {"2019": 2, "2020": 1, "2021": 2}
    assert dict(trends.by_category) == {
        "radioactive": 2,
        "nuclear": 1,
        "chemical": 1,
        "biological": 1,
    }
    assert dict(trends.by_kind) == {"theft": 2, "illicit_trafficking": 1, "loss": 1, "hoax": 1}
    # France and Nigeria's incident counts once in Europe and once in Africa.
    assert dict(trends.by_region) == {"africa": 3, "europe": 1, "americas": 1, "asia": 1}
    assert dict(trends.by_year_and_category["2021"]) == {"radioactive": 1, "biological": 1}
    africa = incident_trends(session, filters=IncidentFilter(region="africa", year_to=2019))
    assert (africa.total, africa.restricted) == (2, 1)
    theft = incident_trends(session, filters=IncidentFilter(kind="theft", year_from=2020))
    assert dict(theft.by_year) == {"2020": 1}


def test_restricted_records_are_counted_but_never_listed_for_the_public(
    recorded: tuple[Session, Viewer, list[int]],
) -> None:
    session, expert, ids = recorded
    public, total = list_incidents(session, viewer=PUBLIC, paging=SUMMARY)
    assert total == 3
    assert {row.summary for row in public} == {"case 0", "case 2", "case 4"}
    assert list_incidents(session, viewer=expert, paging=SUMMARY)[1] == 5
    niger_poc = make_user(session, role="state_poc", iso3="NER")
    # Not shared with Niger: its point of contact sees what the public sees.
    assert list_incidents(session, viewer=niger_poc, paging=SUMMARY)[1] == 3
    provider = make_user(session, role="provider", org="iaea")
    with pytest.raises(Exception, match="no incident"):
        get_incident(session, viewer=provider, incident_id=ids[1])
    assert get_incident(session, viewer=expert, incident_id=ids[1]).restricted
    assert incident_trends(session).restricted == 2  # the same counts for everyone


def test_a_reporter_may_share_a_restricted_record_with_the_state_concerned(
    empty_session: Session,
) -> None:
    provider = make_user(empty_session, role="provider", org="iaea")
    shared = record_incident(
        empty_session,
        viewer=provider,
        data=_incident(source="organisation", restricted=True, share_with_state=True),
    )
    assert shared.organisation is not None
    assert shared.organisation.code == "iaea"
    chad = make_user(empty_session, role="state_poc", iso3="TCD")
    niger = make_user(empty_session, role="state_poc", iso3="NER")
    colleague = make_user(empty_session, role="provider", email="colleague@iaea.org", org="iaea")
    assert get_incident(empty_session, viewer=chad, incident_id=shared.id).id == shared.id
    assert get_incident(empty_session, viewer=colleague, incident_id=shared.id).id == shared.id
    for viewer in (niger, PUBLIC):
        with pytest.raises(Exception, match="no incident"):
            get_incident(empty_session, viewer=viewer, incident_id=shared.id)
    # A provider reports only for its own organisation.
    with pytest.raises(Forbidden, match="own organisation"):
        record_incident(empty_session, viewer=provider, data=_incident(kind="loss"))
    with pytest.raises(Forbidden, match="may record"):
        record_incident(empty_session, viewer=chad, data=_incident(kind="loss"))
    with pytest.raises(Unauthenticated):
        record_incident(empty_session, viewer=PUBLIC, data=_incident(kind="loss"))


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"states": ["TCD", "XXX"]}, "states", "unknown State 'XXX'"),
        ({"category": "plutonic"}, "category", "unknown category"),
        ({"material_class": "toxin"}, "material_class", "unknown material class of radioactive"),
        ({"kind": "robbery"}, "kind", "unknown kind"),
        ({"fields": ["op3cd.border_control", "op9.x"]}, "fields", "unknown matrix field"),
        ({"occurred_on": today() + timedelta(days=1)}, "occurred_on", "in the future"),
        ({"reported_on": date(2020, 2, 1)}, "reported_on", "before occurred_on"),
        ({"source": "organisation"}, "organisation", "name the reporting organisation"),
        ({"organisation": "nobody"}, "organisation", "only with source organisation"),
        ({"share_with_state": True}, "share_with_state", "only for a restricted record"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    empty_session: Session, values: dict[str, Any], field: str, fragment: str
) -> None:
    expert = make_user(empty_session, role="expert")
    before = _count(empty_session)
    with pytest.raises(InvalidData) as raised:
        record_incident(empty_session, viewer=expert, data=_incident(**values))
    assert any(
        problem.where == field and fragment in problem.message for problem in raised.value.problems
    ), raised.value.problems
    assert _count(empty_session) == before


def test_a_duplicate_is_refused_and_the_kind_gives_default_fields(empty_session: Session) -> None:
    expert = make_user(empty_session, role="expert")
    first = record_incident(empty_session, viewer=expert, data=_incident(states=["TCD", "NER"]))
    assert "op3ab.secure_transport" in first.fields  # theft -> securing transport
    edited = record_incident(
        empty_session, viewer=expert, data=_incident(kind="loss", fields=["op3cd.transit"])
    )
    assert edited.fields == ["op3cd.transit"]
    with pytest.raises(Conflict, match="same date, State, material and kind"):
        record_incident(empty_session, viewer=expert, data=_incident(states=["NER"]))
    # Another material class on the same day is another incident.
    record_incident(empty_session, viewer=expert, data=_incident(material_class="unsealed"))


def test_filters_are_checked_and_name_the_parameter(empty_session: Session) -> None:
    for filters, name in (
        (IncidentFilter(kind="robbery"), "kind"),
        (IncidentFilter(region="atlantis"), "region"),
        (IncidentFilter(state="XXX"), "state"),
    ):
        with pytest.raises(InvalidParameter) as raised:
            list_incidents(empty_session, viewer=PUBLIC, filters=filters)
        assert raised.value.problems[0].where == name
    with pytest.raises(InvalidParameter, match="state"):
        incident_trends(empty_session, filters=IncidentFilter(state="TCD"))
    # A period in the future, or ending before it starts, holds no incident: no error.
    assert (
        list_incidents(empty_session, viewer=PUBLIC, filters=IncidentFilter(year_from=2099))[1] == 0
    )
    assert (
        incident_trends(empty_session, filters=IncidentFilter(year_from=2020, year_to=2019)).total
        == 0
    )


def test_the_priorities_incidents_factor_is_counted_from_the_records(
    empty_session: Session,
) -> None:
    """Per State: confirmed incidents of the factor's kinds and groupings over the last ten
    years that the reader may see (reference/priorities.yml), computed, not typed."""
    expert = make_user(empty_session, role="expert")
    recent = today() - timedelta(days=400)
    for offset, values in enumerate(
        (
            {"states": ["TCD"]},
            {"states": ["TCD"], "kind": "illicit_trafficking"},
            {"states": ["TCD", "NER"], "kind": "unauthorised_possession"},
            {"states": ["NER"], "restricted": True},  # counted for the expert only
            {"states": ["NER"], "kind": "loss"},  # not a kind the factor counts
            {"states": ["NER"], "confirmation": "unconfirmed"},  # not confirmed
            {"states": ["NER"], "grouping": "unrelated"},  # not linked
            {"states": ["NER"], "occurred_on": today() - timedelta(days=365 * 11)},  # too old
        )
    ):
        data = {"occurred_on": recent - timedelta(days=offset)} | values
        record_incident(empty_session, viewer=expert, data=_incident(**data))

    def raw(viewer: Viewer) -> dict[str, float | None]:
        result = priorities(empty_session, viewer=viewer, paging=SUMMARY)
        factor = next(f for f in result.factors if f.code == "incidents")
        assert factor.kind == "incident_count"
        return {
            row.iso3: next(p.raw for p in row.contributions if p.factor == "incidents")
            for row in result.items
            if row.iso3 in ("TCD", "NER", "FRA")
        }

    assert raw(PUBLIC) == {"TCD": 3.0, "NER": 1.0, "FRA": 0.0}
    assert raw(expert) == {"TCD": 3.0, "NER": 2.0, "FRA": 0.0}
    public = priorities(empty_session, viewer=PUBLIC, paging=SUMMARY)
    chad = next(row for row in public.items if row.iso3 == "TCD")
    part = next(p for p in chad.contributions if p.factor == "incidents")
    assert part.value == 1.0  # the most incidents: the top of the log scale
    assert "incident register" in public.basis


def test_the_demo_incidents_are_a_plausible_labelled_spread(session: Session) -> None:
    """Over every State (the generator alone; the demo database holds a few States): years,
    regions, categories and kinds all vary, some records are restricted, each says it is
    synthetic; in the demo database they are recorded with origin demo and counted."""
    states = list(session.scalars(select(State)))
    incidents = demo_incidents(states)
    assert len(incidents) > 150
    assert demo_incidents(states) == incidents  # deterministic
    assert len({item.occurred_on.year for item in incidents}) >= 10
    regions = {state.iso3: state.m49_region_code for state in states}
    assert {regions[item.states[0]] for item in incidents} == set(regions.values())
    categories = {item.category for item in incidents}
    assert categories == {"nuclear", "radioactive", "chemical", "biological"}
    assert len({item.kind for item in incidents}) == 8
    restricted = sum(item.restricted for item in incidents)
    assert 0.05 < restricted / len(incidents) < 0.35
    assert all(item.summary.startswith("[Synthetic]") for item in incidents)
    recorded = session.scalars(select(Incident)).all()
    assert recorded
    assert all(row.origin is Origin.demo for row in recorded)
    assert incident_trends(session).synthetic
