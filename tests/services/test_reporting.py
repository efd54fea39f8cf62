"""Reporting status on several dates, checked against a small world counted by hand; who counts
which reports; the register of a State's reports; the review figures; importing a register.

The world (in the empty database: 193 States, no report):

| State | report | dated | visibility |
| --- | --- | --- | --- |
| KEN | national report | 2005-03-01 | public |
| KEN | addendum | 2010-06-30 | public |
| KEN | additional information | 2016-01-15 | KEN and the Committee |
| UGA | national report | 2012-11-20 | public |
| TZA | national report | 2008-05-05 | Committee only |
| BDI | national report | undated | public |
| RWA | (a law, not a report) | 2009-01-01 | public |
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_document, make_user
from un1540.errors import Forbidden, InvalidData, InvalidParameter
from un1540.models import Document, Origin, State, Visibility
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.reporting.actions import import_reports
from un1540.services.reporting.reads import (
    reporting_for_profile,
    reporting_status,
    reporting_timeline,
    review_reporting,
    state_reports,
)

STATES = 193


def build_world(session: Session) -> dict[str, Viewer]:
    with session.begin():
        make_document(session, iso3="KEN", issued_on=date(2005, 3, 1), visibility=Visibility.public)
        make_document(
            session,
            iso3="KEN",
            kind="addendum",
            issued_on=date(2010, 6, 30),
            visibility=Visibility.public,
        )
        make_document(
            session,
            iso3="KEN",
            kind="additional_information",
            issued_on=date(2016, 1, 15),
            visibility=Visibility.owning_state_and_committee,
        )
        make_document(
            session, iso3="UGA", issued_on=date(2012, 11, 20), visibility=Visibility.public
        )
        make_document(
            session, iso3="TZA", issued_on=date(2008, 5, 5), visibility=Visibility.committee
        )
        make_document(session, iso3="BDI", issued_on=None, visibility=Visibility.public)
        make_document(
            session,
            iso3="RWA",
            kind="legislation",
            issued_on=date(2009, 1, 1),
            visibility=Visibility.public,
        )
        return {
            "public": PUBLIC,
            "committee": make_user(session, role="committee", email="chair@example.org"),
            "ken": make_user(session, role="state_poc", email="ken@example.org", iso3="KEN"),
            "uga": make_user(session, role="state_poc", email="uga@example.org", iso3="UGA"),
        }


def _row(result: object, iso3: str) -> dict[str, object]:
    items = result.items  # type: ignore[attr-defined]
    return next(item for item in items if item.iso3 == iso3).model_dump()


def test_status_on_several_dates_against_hand_counts(empty_session: Session) -> None:
    viewers = build_world(empty_session)
    public, committee, ken = viewers["public"], viewers["committee"], viewers["ken"]

    before_any = reporting_status(empty_session, viewer=committee, as_of=date(2004, 12, 31))
    assert (before_any.states, before_any.reported, before_any.never_reported) == (
        STATES,
        0,
        STATES,
    )

    early = reporting_status(empty_session, viewer=public, as_of=date(2006, 1, 1))
    assert early.reported == 1
    assert _row(early, "KEN") == {
        "iso3": "KEN",
        "name": "Kenya",
        "group": "african",
        "region": "africa",
        "status": "reported",
        "first_report_on": date(2005, 3, 1),
        "last_report_on": date(2005, 3, 1),
        "years_since_last_report": 0.8,  # 306 days
        "reports": 1,
    }

    # 2013-01-01: KEN (2005, 2010) and UGA (2012) publicly; TZA only for the Committee.
    day = date(2013, 1, 1)
    seen_by_public = reporting_status(empty_session, viewer=public, as_of=day)
    assert (seen_by_public.reported, seen_by_public.never_reported) == (2, STATES - 2)
    ken_row = _row(seen_by_public, "KEN")
    assert (ken_row["last_report_on"], ken_row["years_since_last_report"], ken_row["reports"]) == (
        date(2010, 6, 30),
        2.5,  # 916 days
        2,
    )
    assert _row(seen_by_public, "TZA")["status"] == "never_reported"
    assert _row(seen_by_public, "BDI")["status"] == "never_reported"  # undated: not counted
    assert _row(seen_by_public, "RWA")["status"] == "never_reported"  # a law is no report
    seen_by_committee = reporting_status(empty_session, viewer=committee, as_of=day)
    assert seen_by_committee.reported == 3
    assert _row(seen_by_committee, "TZA")["first_report_on"] == date(2008, 5, 5)
    african = next(row for row in seen_by_committee.by_group if row.key == "african")
    assert (african.reported, african.states - african.never_reported) == (3, 3)
    assert sum(row.states for row in seen_by_committee.by_group) == STATES
    assert sum(row.reported for row in seen_by_committee.by_region) == 3

    # 2017-01-01: Kenya's own point of contact also counts its restricted additional information.
    later = date(2017, 1, 1)
    assert _row(reporting_status(empty_session, viewer=ken, as_of=later), "KEN")[
        "last_report_on"
    ] == date(2016, 1, 15)
    assert _row(reporting_status(empty_session, viewer=viewers["uga"], as_of=later), "KEN")[
        "last_report_on"
    ] == date(2010, 6, 30)
    assert reporting_status(empty_session, viewer=ken, as_of=later).reported == 2

    in_africa = reporting_status(empty_session, viewer=committee, as_of=later, region="africa")
    assert in_africa.reported == 3
    assert {row.key for row in in_africa.by_region} == {"africa"}
    weog = reporting_status(empty_session, viewer=committee, group="western_european_others")
    assert weog.reported == 0


def test_dates_and_filters_are_checked(empty_session: Session) -> None:
    for kwargs, where in [
        ({"as_of": date(2004, 4, 27)}, "as_of"),
        ({"as_of": date(2999, 1, 1)}, "as_of"),
        ({"group": "nordic"}, "group"),
        ({"region": "atlantis"}, "region"),
    ]:
        with pytest.raises(InvalidParameter) as raised:
            reporting_status(empty_session, viewer=PUBLIC, **kwargs)  # type: ignore[arg-type]
        assert [problem.where for problem in raised.value.problems] == [where]
    assert reporting_status(empty_session, viewer=PUBLIC, as_of=date(2004, 4, 28)).reported == 0


def test_timeline_counts_first_reports_year_by_year(empty_session: Session) -> None:
    viewers = build_world(empty_session)
    timeline = reporting_timeline(empty_session, viewer=viewers["public"], to=date(2013, 1, 1))
    points = {point.on: point for point in timeline.points}
    assert [point.on.year for point in timeline.points] == list(range(2004, 2014))
    assert points[date(2004, 12, 31)].reported == 0
    assert points[date(2005, 12, 31)].reported == 1
    assert points[date(2011, 12, 31)].reported == 1
    assert points[date(2012, 12, 31)].reported == 2
    assert points[date(2012, 12, 31)].by_group == {"african": 2}
    assert points[date(2013, 1, 1)].reported == 2
    assert [p.reports_received for p in timeline.points] == [0, 1, 0, 0, 0, 0, 1, 0, 1, 0]
    committee = reporting_timeline(empty_session, viewer=viewers["committee"], to=date(2013, 1, 1))
    assert committee.points[4].reported == 2  # 2008: TZA as well


def test_register_of_a_state_lists_what_the_reader_may_see(empty_session: Session) -> None:
    viewers = build_world(empty_session)
    for who, kinds in [
        ("public", ["national_report", "addendum"]),
        ("uga", ["national_report", "addendum"]),
        ("ken", ["national_report", "addendum", "additional_information"]),
        ("committee", ["national_report", "addendum", "additional_information"]),
    ]:
        register = state_reports(empty_session, viewer=viewers[who], iso3="ken")
        assert [item.kind for item in register.items] == kinds, who
        assert register.status.status == "reported"
    undated = state_reports(empty_session, viewer=PUBLIC, iso3="BDI", as_of=date(2020, 1, 1))
    assert [item.issued_on for item in undated.items] == [None]
    assert undated.status.status == "never_reported"
    assert state_reports(empty_session, viewer=PUBLIC, iso3="TZA").items == []


def test_reporting_for_profile(empty_session: Session) -> None:
    viewers = build_world(empty_session)
    kenya = empty_session.scalars(select(State).where(State.iso3 == "KEN")).one()
    profile = reporting_for_profile(empty_session, viewers["ken"], kenya.id, date(2017, 1, 1))
    assert profile.state.iso3 == "KEN"
    assert (
        profile.status.status,
        profile.status.first_report_on,
        profile.status.last_report_on,
        profile.status.years_since_last_report,
    ) == ("reported", date(2005, 3, 1), date(2016, 1, 15), 1.0)
    assert len(profile.items) == 3
    assert len(reporting_for_profile(empty_session, PUBLIC, kenya.id).items) == 2


def test_review_counts_public_reports_only(empty_session: Session) -> None:
    build_world(empty_session)
    review = review_reporting(empty_session, start=date(2011, 4, 25), end=date(2016, 4, 24))
    assert (
        review.states,
        review.reported_start,
        review.reported_end,
        review.never_reported_end,
        review.first_reports_in_period,
        review.reports_in_period,
    ) == (STATES, 1, 2, STATES - 2, 1, 1)
    assert review.by_kind_in_period == {
        "additional_information": 0,
        "addendum": 0,
        "national_report": 1,
    }
    assert "TZA" in {state.iso3 for state in review.never_reported}
    assert "KEN" not in {state.iso3 for state in review.never_reported}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Document)) or 0


def test_import_a_register_all_or_nothing(empty_session: Session) -> None:
    with empty_session.begin():
        expert = make_user(empty_session, role="expert", email="expert@example.org")
        poc = make_user(empty_session, role="state_poc", email="poc@example.org", iso3="KEN")
    header = "iso3,kind,issued_on,language,title,symbol,visibility\n"
    bad = (
        header
        + "KEN,national_report,2004-04-27,en,First report,S/AC.44/2004/(02)/1,public\n"
        + "ZZZ,addendum,2006-01-01,fr,Addendum,,\n"
        + "UGA,legislation,2006-01-01,en,A law,,\n"
        + "UGA,addendum,not a date,en,Addendum,,secret\n"
    )
    with pytest.raises(InvalidData) as raised:
        import_reports(empty_session, content=bad.encode(), file_name="reports.csv", viewer=expert)
    where = {problem.where: problem.message for problem in raised.value.problems}
    assert (
        "before resolution 1540 was adopted (2004-04-28)"
        in where["reports.csv, row 2, column issued_on"]
    )
    assert "reports.csv, row 3, column iso3" in where
    assert "reports.csv, row 4, column kind" in where
    assert "reports.csv, row 5, column issued_on" in where
    assert "reports.csv, row 5, column visibility" in where
    assert _count(empty_session) == 0  # nothing written
    with pytest.raises(Forbidden):
        import_reports(empty_session, content=b"x", file_name="reports.csv", viewer=poc)
    good = (
        header
        + "KEN,national_report,2004-04-28,en,First report,S/AC.44/2004/(02)/1,public\n"
        + "ken,addendum,2006-02-01,en,Addendum,,\n"
    )
    result = import_reports(
        empty_session, content=good.encode(), file_name="reports.csv", viewer=expert
    )
    assert (result.rows, result.states) == (2, 1)
    documents = empty_session.scalars(select(Document).order_by(Document.issued_on)).all()
    assert [(d.kind.value, d.visibility, d.origin) for d in documents] == [
        ("national_report", Visibility.public, Origin.import_),
        ("addendum", Visibility.committee, Origin.import_),  # no visibility given: restrictive
    ]
    public = reporting_status(empty_session, viewer=PUBLIC, as_of=date(2007, 1, 1))
    assert _row(public, "KEN")["reports"] == 1
