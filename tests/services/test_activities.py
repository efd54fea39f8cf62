"""Organisations' activities: the checks of one (each problem named by its field, nothing
written), who sees which record, the list's filters, and the duplication warnings across
projects and activities (State, field, weapon categories, period; restricted ones masked)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.services.test_assistance import offer_data, request_data
from un1540.analytics.overlaps import Engagement, overlaps_among, weapons_overlap
from un1540.errors import Forbidden, InvalidData, InvalidParameter, NotFound, Unauthenticated
from un1540.models import OrganisationActivity
from un1540.schemas.activities import ActivityCreate
from un1540.schemas.assistance import AssistanceProjectCreate, JudgementCreate
from un1540.services.activities.actions import record_activity
from un1540.services.activities.overlaps import (
    activity_warnings,
    overview_warnings,
    project_warnings,
)
from un1540.services.activities.reads import ActivityFilter, get_activity, list_activities
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.projects import open_project
from un1540.services.assistance.actions.requests import submit_request, transition_request
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.paging import SUMMARY

# States without demo activities (the demo covers tests/conftest.py's DEMO_STATES only).
HERE, THERE = "TCD", "NER"
FIELD = "op3cd.border_detection"


def _activity(**values: Any) -> ActivityCreate:
    base: dict[str, Any] = {
        "organisation": "iaea",
        "state": HERE,
        "programme": "Border radiation detection course",
        "fields": [FIELD],
        "weapons": ["nw"],
        "start_on": date(2030, 1, 1),
        "end_on": date(2030, 12, 31),
    }
    return ActivityCreate(**(base | values))


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OrganisationActivity)) or 0


@pytest.fixture
def people(session: Session) -> dict[str, Viewer]:
    return {
        "iaea": make_user(session, role="provider", org="iaea"),
        "iaea_colleague": make_user(session, role="provider", org="iaea", email="iaea2@x.org"),
        "opcw": make_user(session, role="provider", org="opcw"),
        "wco": make_user(session, role="provider", org="wco"),
        "poc": make_user(session, role="state_poc", iso3=HERE),
        "other_poc": make_user(session, role="state_poc", iso3=THERE),
        "expert": make_user(session, role="expert"),
    }


def test_bad_input_is_named_by_field_and_nothing_is_written(
    session: Session, people: dict[str, Viewer]
) -> None:
    before = _count(session)
    with pytest.raises(InvalidData) as raised:
        record_activity(
            session,
            viewer=people["expert"],
            data=_activity(
                organisation="nato_x",
                state="ZZZ",
                fields=[FIELD, "op9.nothing"],
                weapons=["rw"],
                start_on=date(2030, 6, 1),
                end_on=date(2030, 1, 1),
                visibility="everyone",
            ),
        )
    problems = {p.where: p.message for p in raised.value.problems}
    assert problems["organisation"] == "unknown organisation 'nato_x'"
    assert problems["state"] == "unknown State 'ZZZ'"
    assert problems["fields"] == "unknown matrix field: op9.nothing"
    assert problems["weapons"].startswith("unknown weapon category: rw (one of nw, cw, bw")
    assert problems["end_on"] == "the period ends (2030-01-01) before it starts (2030-06-01)"
    assert problems["visibility"].startswith("unknown visibility 'everyone'")
    # A weapon category none of the fields applies to (op3ab.genetic_engineering: bw only).
    with pytest.raises(InvalidData) as raised:
        record_activity(
            session,
            viewer=people["expert"],
            data=_activity(fields=["op3ab.genetic_engineering"], weapons=["nw"]),
        )
    assert [(p.where, p.message) for p in raised.value.problems] == [
        ("weapons", "none of the fields applies to nw")
    ]
    # A contact records for its own organisation only: the refusal names the field.
    with pytest.raises(Forbidden, match="only for its own organisation \\(opcw\\)") as refused:
        record_activity(session, viewer=people["opcw"], data=_activity(organisation="iaea"))
    assert [p.where for p in refused.value.problems] == ["organisation"]
    with pytest.raises(Unauthenticated):
        record_activity(session, viewer=PUBLIC, data=_activity())
    with pytest.raises(Forbidden, match="only provider, "):
        record_activity(session, viewer=people["poc"], data=_activity())
    assert _count(session) == before


def test_who_sees_which_activity_and_the_filters(
    session: Session, people: dict[str, Viewer]
) -> None:
    hidden = record_activity(session, viewer=people["iaea"], data=_activity())
    assert hidden.visibility.value == "owning_state_and_committee"  # the restrictive default
    shown = record_activity(
        session,
        viewer=people["opcw"],
        data=_activity(
            organisation="opcw",
            fields=["op3cd.control_lists"],
            weapons=["cw"],
            start_on=date(2032, 1, 1),
            end_on=None,
            visibility="public",
        ),
    )
    committee_only = record_activity(
        session,
        viewer=people["expert"],
        data=_activity(organisation="wco", state=THERE, weapons=[], visibility="committee"),
    )
    ours = {hidden.id, shown.id, committee_only.id}

    def seen(viewer: Viewer, **filters: Any) -> set[int]:
        rows, total = list_activities(
            session, viewer=viewer, filters=ActivityFilter(**filters), paging=SUMMARY
        )
        assert total == len(rows)
        return {row.id for row in rows} & ours

    assert seen(PUBLIC) == {shown.id}
    assert seen(people["other_poc"]) == {shown.id}
    assert seen(people["opcw"]) == {shown.id}
    assert seen(people["poc"]) == {hidden.id, shown.id}  # the State concerned
    assert seen(people["iaea_colleague"]) == {hidden.id, shown.id}  # its organisation's
    assert seen(people["wco"]) == {shown.id, committee_only.id}
    assert seen(people["expert"]) == ours
    with pytest.raises(NotFound):
        get_activity(session, viewer=PUBLIC, activity_id=hidden.id)
    assert get_activity(session, viewer=people["poc"], activity_id=hidden.id).id == hidden.id
    # Filters: organisation, State, field, weapon (all-weapons activities included), period.
    expert = people["expert"]
    assert seen(expert, organisation="iaea") == {hidden.id}
    assert seen(expert, state=THERE.lower()) == {committee_only.id}
    assert seen(expert, field="op3cd.control_lists") == {shown.id}
    assert seen(expert, weapon="cw") == {shown.id, committee_only.id}
    assert seen(expert, weapon="nw") == {hidden.id, committee_only.id}
    assert seen(expert, period_from=date(2031, 1, 1)) == {shown.id}  # open-ended
    assert seen(expert, period_to=date(2031, 1, 1)) == {hidden.id, committee_only.id}
    with pytest.raises(InvalidParameter) as bad:
        list_activities(
            session,
            viewer=expert,
            filters=ActivityFilter(
                organisation="zz",
                field="op9.x",
                weapon="rw",
                state="ZZZ",
                period_from=date(2030, 2, 1),
                period_to=date(2030, 1, 1),
            ),
        )
    assert {p.where for p in bad.value.problems} == {
        "organisation",
        "state",
        "field",
        "weapon",
    }
    # A period ending before it starts is no error: it holds no activity.
    assert seen(expert, period_from=date(2031, 1, 1), period_to=date(2030, 1, 1)) == set()


def test_warnings_compare_weapon_categories_and_periods_and_mask_what_is_restricted(
    session: Session, people: dict[str, Viewer]
) -> None:
    chemical = record_activity(
        session,
        viewer=people["opcw"],
        data=_activity(organisation="opcw", weapons=["cw"], visibility="committee"),
    )
    # Nuclear beside chemical: no duplication.
    nuclear = record_activity(session, viewer=people["iaea"], data=_activity(weapons=["nw"]))
    assert activity_warnings(session, viewer=people["iaea"], activity=nuclear) == []
    # Every category, but in another period: none either.
    later = _activity(weapons=[], start_on=date(2031, 1, 1), end_on=date(2031, 6, 30))
    assert (
        activity_warnings(
            session,
            viewer=people["iaea"],
            activity=record_activity(session, viewer=people["iaea"], data=later),
        )
        == []
    )
    # Every category in the same period overlaps the chemical one, which the IAEA may not see:
    # it is named only as "an activity by" the OPCW (its own organisation's never count).
    everything = record_activity(
        session,
        viewer=people["iaea"],
        data=_activity(weapons=[], start_on=date(2030, 6, 1), end_on=None),
    )
    [warning] = activity_warnings(session, viewer=people["iaea"], activity=everything)
    assert warning.iso3 == HERE
    assert warning.field == FIELD
    assert warning.activity_ids == [everything.id]
    assert warning.undisclosed == [
        "an activity by Organisation for the Prohibition of Chemical Weapons"
    ]
    assert warning.project_ids == []
    # The Committee side sees the chemical one by number, and the WCO's on chemical weapons
    # overlaps it and the all-weapons one, not the nuclear one.
    customs = record_activity(
        session,
        viewer=people["expert"],
        data=_activity(organisation="wco", weapons=["cw"], visibility="public"),
    )
    warnings = activity_warnings(session, viewer=people["expert"], activity=customs)
    assert sorted(tuple(w.activity_ids) for w in warnings) == sorted(
        [(customs.id, chemical.id), (customs.id, everything.id)]
    )
    assert all(w.undisclosed == [] for w in warnings)
    # The overview compares only what its reader may see.
    pairs = {
        tuple(sorted(w.activity_ids))
        for w in overview_warnings(session, viewer=people["expert"])
        if w.iso3 == HERE
    }
    assert pairs == {
        tuple(sorted((customs.id, chemical.id))),
        tuple(sorted((customs.id, everything.id))),
        tuple(sorted((chemical.id, everything.id))),
    }
    assert all(w.iso3 != HERE for w in overview_warnings(session, viewer=PUBLIC))


def _open_project(session: Session, people: dict[str, Viewer], provider: Viewer, title: str) -> Any:
    item = {**request_data().items[0].model_dump(), "fields": [FIELD], "weapons": ["nw"]}
    request = submit_request(
        session, viewer=people["poc"], data=request_data(title=title, items=[item])
    )
    for status in ("authenticated", "acknowledged", "circulated"):
        transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
    offer = create_offer(session, viewer=provider, data=offer_data(title=title))
    pair = {"item_id": request.items[0].id, "offer_id": offer.id}
    record_judgement(
        session, viewer=people["expert"], data=JudgementCreate(**pair, verdict="accept")
    )
    return open_project(
        session,
        viewer=people["expert"],
        data=AssistanceProjectCreate(**pair, start_on="2030-03-01", end_on="2030-09-30"),
    )


def test_projects_and_activities_warn_of_each_other(
    session: Session, people: dict[str, Viewer]
) -> None:
    project = _open_project(session, people, people["iaea"], "Detectors")
    # An activity of another organisation on chemical weapons only: no duplication.
    chemical = record_activity(
        session, viewer=people["opcw"], data=_activity(organisation="opcw", weapons=["cw"])
    )
    assert activity_warnings(session, viewer=people["expert"], activity=chemical) == []
    # The WCO on every category at the same time: it duplicates the IAEA's project (and the
    # OPCW's chemical activity).
    customs = record_activity(
        session, viewer=people["expert"], data=_activity(organisation="wco", weapons=[])
    )
    warnings = activity_warnings(session, viewer=people["expert"], activity=customs)
    assert sorted((w.project_ids, w.activity_ids) for w in warnings) == sorted(
        [([project.id], [customs.id]), ([], [customs.id, chemical.id])]
    )
    assert set(warnings[0].providers) | set(warnings[1].providers) == {
        "World Customs Organization",
        "Organisation for the Prohibition of Chemical Weapons",
        project.offer.provider_name,
    }
    # A second project on the field, by the OPCW: the first project and the WCO's activity.
    second = _open_project(session, people, people["opcw"], "More detectors")
    warnings = project_warnings(session, viewer=people["expert"], project=second)
    assert sorted((w.project_ids, w.activity_ids) for w in warnings) == sorted(
        [([second.id, project.id], []), ([second.id], [customs.id])]
    )


def test_the_overlap_check_itself() -> None:
    def engagement(
        ident: int, provider: str, weapons: set[str], start: int, end: int
    ) -> Engagement:
        return Engagement(
            kind="activity",
            id=ident,
            provider_key=provider,
            provider_name=provider,
            iso3="TCD",
            fields=(FIELD,),
            weapons=frozenset(weapons),
            start=date(start, 1, 1),
            end=date(end, 12, 31),
        )

    assert weapons_overlap(frozenset({"cw"}), frozenset()) is True
    assert weapons_overlap(frozenset({"cw"}), frozenset({"nw"})) is False
    found = overlaps_among(
        [
            engagement(1, "a", {"cw"}, 2030, 2030),
            engagement(2, "b", {"nw"}, 2030, 2030),  # other weapons
            engagement(3, "c", {"cw", "bw"}, 2031, 2031),  # later
            engagement(4, "a", set(), 2030, 2031),  # provider a again
            engagement(5, "d", {"bw"}, 2030, 2030),
        ]
    )
    assert sorted((o.first.id, o.second.id) for o in found) == [(2, 4), (3, 4), (4, 5)]
