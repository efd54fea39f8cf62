"""Reporting status: which States have reported on the resolution, when, and how long ago.

A report is a document of kind national_report, addendum or additional_information (the
documents domain holds them). Everything here counts only the reports the reader may see
(`kernel.access.visible`): the public sees the public reports only, so public figures (the
portal for everyone, the comprehensive review, the open data) count only what the Committee has
made public; a point of contact also counts its own State's restricted reports, the Committee
side every report. Undated reports are listed in a State's register but cannot be placed in
time, so they are not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import (
    Document,
    DocumentKind,
    GroupMembership,
    M49Area,
    Origin,
    RegionalGroup,
    State,
)
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.matrix import StateRef
from un1540.schemas.reporting import (
    ReportingCount,
    ReportingList,
    ReportingTimeline,
    ReportRead,
    ReviewReporting,
    ReviewReportingRow,
    StateReportingRead,
    StateReports,
    TimelinePoint,
)
from un1540.services.documents.actions import REPORT_KINDS, RESOLUTION_ADOPTED
from un1540.services.kernel.access import PUBLIC, Viewer, visible
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import DOCUMENTS, REFERENCE
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.lookups import state_by_iso3

BASIS = (
    "A State has reported on a date when a national report, an addendum or additional "
    "information dated on or before that date is among the reports the reader may see; the "
    "public sees, and public figures count, only the reports the Committee has made public. "
    "Undated reports are listed but not counted."
)
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class _Dated:
    state_id: int
    kind: DocumentKind
    issued_on: date
    demo: bool


def check_as_of(as_of: date | None, name: str = "as_of") -> date:
    """The date of a status (today when omitted): not before the resolution, not in the future."""
    if as_of is None:
        return today()
    if as_of < RESOLUTION_ADOPTED:
        raise InvalidParameter.naming(
            [
                Problem(
                    name,
                    text(
                        N_(
                            "%(isoformat)s is before resolution 1540 was adopted "
                            "(%(isoformat2)s); no State could have reported"
                        ),
                        isoformat=as_of.isoformat(),
                        isoformat2=RESOLUTION_ADOPTED.isoformat(),
                    ),
                )
            ]
        )
    if as_of > today():
        raise InvalidParameter.naming(
            [
                Problem(
                    name,
                    text(
                        N_("%(isoformat)s is in the future"),
                        isoformat=as_of.isoformat(),
                    ),
                )
            ]
        )
    return as_of


def _check_filters(session: Session, group: str | None, region: str | None) -> None:
    problems = []
    if group is not None and session.get(RegionalGroup, group) is None:
        codes = ", ".join(session.scalars(select(RegionalGroup.code).order_by(RegionalGroup.code)))
        problems.append(
            Problem(
                "group",
                text(
                    N_("unknown regional group %(group)s; known: %(codes)s"),
                    group=repr(group[:40]),
                    codes=codes,
                ),
            )
        )
    if region is not None and session.get(M49Area, region) is None:
        problems.append(
            Problem(
                "region",
                text(
                    N_("unknown M49 region %(region)s"),
                    region=repr(region[:40]),
                ),
            )
        )
    if problems:
        raise InvalidParameter.naming(problems)


def _states(session: Session, group: str | None = None, region: str | None = None) -> list[State]:
    """The States, filtered as the States list filters them (a group includes its participants
    and observers; a region, its sub-regions)."""
    statement = select(State).order_by(State.short_name)
    if group is not None:
        statement = statement.where(
            State.id.in_(
                select(GroupMembership.state_id).where(GroupMembership.group_code == group)
            )
        )
    if region is not None:
        statement = statement.where(
            or_(
                State.m49_region_code == region,
                State.m49_subregion_code == region,
                State.m49_intermediate_code == region,
            )
        )
    return list(session.scalars(statement))


def _dated_reports(
    session: Session, viewer: Viewer, state_ids: list[int] | None = None
) -> list[_Dated]:
    """Every dated report the viewer may see (of these States), oldest first."""
    statement = select(Document.state_id, Document.kind, Document.issued_on, Document.origin).where(
        Document.kind.in_(list(REPORT_KINDS)),
        Document.state_id.is_not(None),
        Document.issued_on.is_not(None),
        visible(Document.visibility, viewer, Document.state_id),
    )
    if state_ids is not None:
        statement = statement.where(Document.state_id.in_(state_ids))
    rows = session.execute(statement.order_by(Document.issued_on, Document.id)).all()
    return [
        _Dated(state_id, kind, issued_on, origin is Origin.demo)
        for state_id, kind, issued_on, origin in rows
        if state_id is not None and issued_on is not None
    ]


def _status(state: State, reports: list[_Dated], as_of: date) -> StateReportingRead:
    counted = [report for report in reports if report.issued_on <= as_of]
    first = counted[0].issued_on if counted else None
    last = counted[-1].issued_on if counted else None
    return StateReportingRead(
        iso3=state.iso3,
        name=state.short_name,
        group=state.electoral_group_code,
        region=state.m49_region_code,
        status="reported" if counted else "never_reported",
        first_report_on=first,
        last_report_on=last,
        years_since_last_report=(
            round((as_of - last).days / DAYS_PER_YEAR, 1) if last is not None else None
        ),
        reports=len(counted),
    )


def _by_state(reports: list[_Dated]) -> dict[int, list[_Dated]]:
    found: dict[int, list[_Dated]] = {}
    for report in reports:
        found.setdefault(report.state_id, []).append(report)
    return found


def _counts(
    items: list[StateReportingRead], key: str, labels: dict[str, str]
) -> list[ReportingCount]:
    rows: dict[str, list[StateReportingRead]] = {}
    for item in items:
        code = getattr(item, key) or ""
        rows.setdefault(code, []).append(item)
    counts = []
    for code in sorted(rows, key=lambda c: labels.get(c, c)):
        members = rows[code]
        reported = sum(1 for item in members if item.status == "reported")
        counts.append(
            ReportingCount(
                key=code,
                label=labels.get(code, code),
                states=len(members),
                reported=reported,
                never_reported=len(members) - reported,
                share_reported=reported / len(members) if members else None,
            )
        )
    return counts


def group_labels(session: Session) -> dict[str, str]:
    return {group.code: group.name for group in session.scalars(select(RegionalGroup))}


def region_labels(session: Session) -> dict[str, str]:
    return {
        area.code: area.name
        for area in session.scalars(select(M49Area).where(M49Area.level == "region"))
    }


def reporting_status(
    session: Session,
    *,
    viewer: Viewer,
    as_of: date | None = None,
    group: str | None = None,
    region: str | None = None,
) -> ReportingList:
    """Every State's reporting status on `as_of` (today if omitted), with the counts by regional
    group and by region; cached per date, filters and viewer until a document or the reference
    data is written (the dashboard shows it to every reader)."""
    on = check_as_of(as_of)
    _check_filters(session, group, region)
    return cached(
        session,
        ("reporting_status", on, group, region, viewer.cache_key),
        depends_on=(DOCUMENTS, REFERENCE),
        compute=lambda: _reporting_status(session, viewer, on, group, region),
    )


def _reporting_status(
    session: Session, viewer: Viewer, on: date, group: str | None, region: str | None
) -> ReportingList:
    states = _states(session, group, region)
    reports = _dated_reports(session, viewer, [s.id for s in states] if group or region else None)
    by_state = _by_state(reports)
    items = [_status(state, by_state.get(state.id, []), on) for state in states]
    reported = sum(1 for item in items if item.status == "reported")
    synthetic = any(report.demo and report.issued_on <= on for report in reports)
    return ReportingList(
        **envelope(synthetic),
        as_of=on,
        states=len(items),
        reported=reported,
        never_reported=len(items) - reported,
        by_group=_counts(items, "group", group_labels(session)),
        by_region=_counts(items, "region", region_labels(session)),
        items=items,
        basis=BASIS,
    )


def reporting_timeline(
    session: Session, *, viewer: Viewer, to: date | None = None
) -> ReportingTimeline:
    """States that had reported at the end of each year from 2004 (the last point on `to`), in
    all and by regional group, and the reports dated in each year (cached as
    `reporting_status`)."""
    end = check_as_of(to, "to")
    return cached(
        session,
        ("reporting_timeline", end, viewer.cache_key),
        depends_on=(DOCUMENTS, REFERENCE),
        compute=lambda: _reporting_timeline(session, viewer, end),
    )


def _reporting_timeline(session: Session, viewer: Viewer, end: date) -> ReportingTimeline:
    states = _states(session)
    group_of = {state.id: state.electoral_group_code or "" for state in states}
    reports = [report for report in _dated_reports(session, viewer) if report.issued_on <= end]
    first: dict[int, date] = {}
    for report in reports:
        first.setdefault(report.state_id, report.issued_on)
    points = []
    for year in range(RESOLUTION_ADOPTED.year, end.year + 1):
        on = date(year, 12, 31) if year < end.year else end
        reporters = [state_id for state_id, day in first.items() if day <= on]
        points.append(
            TimelinePoint(
                on=on,
                reported=len(reporters),
                reports_received=sum(1 for report in reports if report.issued_on.year == year),
                by_group=dict(
                    sorted(Counter(group_of.get(state_id, "") for state_id in reporters).items())
                ),
            )
        )
    return ReportingTimeline(
        **envelope(any(report.demo for report in reports)),
        to_date=end,
        groups=group_labels(session),
        points=points,
        basis=BASIS,
    )


def _report_read(document: Document) -> ReportRead:
    return ReportRead(
        id=document.id,
        kind=document.kind.value,
        issued_on=document.issued_on,
        language=document.language,
        title=document.title,
        symbol=document.symbol,
        url=document.url,
        visibility=document.visibility.value,
        origin=document.origin.value,
    )


def _register(session: Session, viewer: Viewer, state: State, as_of: date) -> StateReports:
    documents = list(
        session.scalars(
            select(Document)
            .where(
                Document.state_id == state.id,
                Document.kind.in_(list(REPORT_KINDS)),
                visible(Document.visibility, viewer, Document.state_id),
            )
            .order_by(Document.issued_on.nulls_last(), Document.id)
        )
    )
    dated = [
        _Dated(state.id, d.kind, d.issued_on, d.origin is Origin.demo)
        for d in documents
        if d.issued_on is not None
    ]
    return StateReports(
        **envelope(any(d.origin is Origin.demo for d in documents)),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        as_of=as_of,
        status=_status(state, dated, as_of),
        items=[_report_read(document) for document in documents],
        basis=BASIS,
    )


def state_reports(
    session: Session, *, viewer: Viewer, iso3: str, as_of: date | None = None
) -> StateReports:
    """A State's register of reports (all it may see, oldest first, undated last) and its
    status on `as_of`."""
    on = check_as_of(as_of)
    return _register(session, viewer, state_by_iso3(session, iso3), on)


def reporting_for_profile(
    session: Session, actor: Viewer, state_id: int, as_of: date | None = None
) -> StateReports:
    """For a State's profile page: its status (reported or never_reported, first and last report
    dates, years since the last) on `as_of` (today if omitted) and the reports `actor` may see.
    Raises NotFound for an unknown State id."""
    on = check_as_of(as_of)
    state = session.get(State, state_id)
    if state is None:
        raise NotFound(
            text(
                N_("no State %(state_id)s"),
                state_id=state_id,
            )
        )
    return _register(session, actor, state, on)


def review_reporting(
    session: Session, *, start: date, end: date, viewer: Viewer = PUBLIC
) -> ReviewReporting:
    """The reporting figures of a comprehensive review of the period from `start` to `end`
    (the public reports, unless another viewer is given)."""
    # The columns it shows, not the States as objects (a tenth of a cold review's time).
    states = session.execute(
        select(State.id, State.iso3, State.short_name, State.electoral_group_code).order_by(
            State.short_name
        )
    ).all()
    labels = group_labels(session)
    reports = _dated_reports(session, viewer)
    by_state = _by_state(reports)
    first = {state_id: items[0].issued_on for state_id, items in by_state.items()}

    def reported(on: date, members: Sequence[Row[int, str, str, str | None]]) -> int:
        return sum(1 for state in members if state.id in first and first[state.id] <= on)

    within = [report for report in reports if start < report.issued_on <= end]
    groups: dict[str, list[Row[int, str, str, str | None]]] = {}
    for state in states:
        groups.setdefault(state.electoral_group_code or "", []).append(state)
    return ReviewReporting(
        synthetic=any(report.demo and report.issued_on <= end for report in reports),
        states=len(states),
        reported_start=reported(start, states),
        reported_end=reported(end, states),
        never_reported_end=len(states) - reported(end, states),
        first_reports_in_period=sum(1 for day in first.values() if start < day <= end),
        reports_in_period=len(within),
        by_kind_in_period={
            kind.value: sum(1 for report in within if report.kind is kind)
            for kind in sorted(REPORT_KINDS)
        },
        by_group=[
            ReviewReportingRow(
                key=code,
                label=labels.get(code, code),
                states=len(members),
                reported_start=reported(start, members),
                reported_end=reported(end, members),
            )
            for code, members in sorted(
                groups.items(), key=lambda item: labels.get(item[0], item[0])
            )
        ],
        never_reported=[
            StateRef(iso3=state.iso3, name=state.short_name)
            for state in states
            if not (state.id in first and first[state.id] <= end)
        ],
    )
