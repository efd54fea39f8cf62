"""Coverage summaries and trends: global, by State, group, region, section, field, weapon..."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Breakdown
from un1540.analytics.timeline import Ages, ages_counted, measures_distribution
from un1540.errors import InvalidParameter, Problem
from un1540.errors import text as text_message
from un1540.models import M49Area, RegionalGroup, State
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.coverage import (
    AgesRead,
    ComparedState,
    CompareRead,
    CoverageRead,
    CoverageRow,
    MeasuresDistributionRead,
    TrendPoint,
    TrendRead,
    TrendRow,
)
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import DOCUMENTS
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.counting import (
    ALL_STATES,
    COUNTING_BASIS,
    EVERYTHING,
    Selection,
    breakdown,
    counted_editions,
    keys_in_force,
    summaries_in_force,
    tally_read,
)
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.fields import treaty_statuses
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.matrix.summaries import evidence_counts

COVERAGE_DIMENSIONS = ("global", "group", "region", "section", "weapon", "column", "state", "field")
AS_OF_BASIS = N_("the edition of each State in force on the date: its latest approved by then")
COVERAGE_METHOD = N_(
    "Each cell is X (measure recorded), ? (uncertain), NA (not applicable) or blank (no "
    "information). Coverage = X / (cells - NA); ? is reported separately as uncertainty. OP1 "
    "cells count towards every weapon category their field applies to. States are counted in the "
    "regional group that counts them for electoral purposes. Coverage describes the information "
    "recorded; it is not a measure of compliance."
)
EARLIEST = date(2004, 4, 28)  # resolution 1540 was adopted on 28 April 2004


def _check_dimension(by: str) -> None:
    if by not in COVERAGE_DIMENSIONS:
        raise InvalidParameter.naming(
            [
                Problem(
                    "by",
                    text_message(
                        N_("must be one of %(coverage_dimensions)s"),
                        coverage_dimensions=", ".join(COVERAGE_DIMENSIONS),
                    ),
                )
            ]
        )


def check_selection(session: Session, selection: Selection) -> None:
    """Unknown section, field, weapon or group codes are a 422 naming the parameter."""
    problems = []
    for name in ("section", "field", "weapon", "group", "state"):
        code = getattr(selection, name)
        if code is None:
            continue
        known = dimension_labels(session, name)
        if code not in known or code in ("none", "adherence"):
            shown = ", ".join(key for key in known if key not in ("none", "adherence"))
            if name == "field":
                shown = "a field code such as op2.manufacture (see /api/v1/frameworks)"
            if name == "state":
                shown = "an ISO 3166-1 alpha-3 code such as FRA"
            problems.append(
                Problem(
                    name,
                    text_message(
                        N_("unknown %(name)s %(code)s; use %(shown)s"),
                        name=name,
                        code=repr(code),
                        shown=shown,
                    ),
                )
            )
    if problems:
        raise InvalidParameter.naming(problems)


def dimension_labels(session: Session, by: str) -> dict[str, str]:
    """The display name of every key of a dimension, in display order."""
    if by == "group":
        labels = {group.code: group.name for group in session.scalars(select(RegionalGroup))}
        return labels | {"none": "No regional group"}
    if by == "region":
        return {
            area.code: area.name
            for area in session.scalars(select(M49Area).where(M49Area.level == "region"))
        }
    if by == "global":
        return {"all": "All States"}
    if by == "state":
        rows = session.execute(select(State.iso3, State.short_name).order_by(State.short_name))
        return {iso3: name for iso3, name in rows}
    layout = framework_layout(session, default_framework(session))
    if by == "section":
        return {section.code: section.title for section in layout.sections}
    if by == "field":
        return {code: field.name for code, field in layout.fields.items()}
    names = layout.weapon_names if by == "weapon" else layout.column_names
    return names | {"adherence": "Adherence (OP1 instruments)"}


def _ordered(keys: list[str], labels: dict[str, str]) -> list[str]:
    order = {key: position for position, key in enumerate(labels)}
    return sorted(keys, key=lambda key: (order.get(key, len(order)), key))


def _rows(tallied: Breakdown, labels: dict[str, str]) -> list[CoverageRow]:
    return [
        CoverageRow.model_construct(
            key=key,
            label=labels.get(key, key),
            states=len(tallied.states[key]),
            average_measures_per_state=tallied.average_measures_per_state(key),
            tally=tally_read(tallied.tallies[key]),
        )
        for key in _ordered(list(tallied.tallies), labels)
    ]


def _distribution(
    session: Session, viewer: Viewer, as_of: date | None, selection: Selection
) -> MeasuresDistributionRead:
    result = measures_distribution(breakdown(session, viewer, "state", as_of, selection))
    return MeasuresDistributionRead(
        states=result.states,
        average=result.average,
        median=result.median,
        threshold=result.threshold,
        at_most_threshold=result.at_most_threshold,
        histogram=result.histogram,
    )


def _compute_ages(session: Session, viewer: Viewer, as_of: date, selection: Selection) -> Ages:
    """From the editions in force only: their evidence dates are read for them alone."""
    editions = selection.summaries(summaries_in_force(session, viewer, as_of)).editions
    evidence = evidence_counts(session, viewer, [edition.id for edition in editions])
    return ages_counted([edition.approved_on for edition in editions], evidence, as_of)


def _ages(session: Session, viewer: Viewer, as_of: date, selection: Selection) -> AgesRead:
    result = cached(
        session,
        ("ages", as_of, selection, viewer.cache_key),
        depends_on=(*ALL_STATES, DOCUMENTS),  # the cited documents' dates and visibility
        compute=lambda: _compute_ages(session, viewer, as_of, selection),
    )
    return AgesRead(
        median_edition_age=result.median_edition_age,
        median_evidence_age=result.median_evidence_age,
        evidence_older_than_10_years=result.evidence_older_than_10_years,
        citations=result.citations,
    )


def coverage_summary(
    session: Session,
    *,
    viewer: Viewer,
    by: str = "global",
    as_of: date | None = None,
    selection: Selection = EVERYTHING,
    paging: PageRequest | None = None,
) -> CoverageRead:
    """Coverage of the counted editions (those in force on `as_of`), broken down one way."""
    _check_dimension(by)
    check_selection(session, selection)
    editions = counted_editions(session, viewer, as_of)
    tallied = breakdown(session, viewer, by, as_of, selection)
    rows = _rows(tallied, dimension_labels(session, by))
    states = breakdown(session, viewer, "state", as_of, selection)
    paging = paging or PageRequest()
    return CoverageRead(
        **envelope(any(edition.synthetic for edition in editions)),
        by=by,
        as_of=as_of,
        selection={k: v for k, v in vars(selection).items() if v is not None},
        basis=COUNTING_BASIS if as_of is None else AS_OF_BASIS,
        method=COVERAGE_METHOD,
        states_with_editions=len(states.tallies),
        distribution=_distribution(session, viewer, as_of, selection),
        ages=None if as_of is None else _ages(session, viewer, as_of, selection),
        items=paging.cut(rows),
        total=len(rows),
        page=paging.page,
        page_size=paging.page_size,
    )


def check_period(start: date, end: date) -> None:
    problems = []
    if start < EARLIEST:
        problems.append(
            Problem(
                "from",
                text_message(
                    N_("must be on or after %(isoformat)s"),
                    isoformat=EARLIEST.isoformat(),
                ),
            )
        )
    if end < start:
        problems.append(Problem("to", N_("must be on or after `from`")))
    if problems:
        raise InvalidParameter.naming(problems)


def series_dates(start: date, end: date) -> list[date]:
    """`start`, each 31 December strictly between that has passed, and `end`.

    Year ends after today are left out: no edition is approved in the future, so they would
    repeat today's figures, and a far `to` (9999-12-31) asked for thousands of points, gigabytes
    of memory and a minute of work in one request.
    """
    last = min(end, today())
    between = [date(year, 12, 31) for year in range(start.year, last.year + 1)]
    return sorted({start, *(day for day in between if start < day < end and day <= last), end})


def _point(tallied: Breakdown, key: str, on: date) -> TrendPoint | None:
    tally = tallied.tallies.get(key)
    if tally is None:
        return None
    return TrendPoint.model_construct(
        on=on,
        states=len(tallied.states[key]),
        average_measures_per_state=tallied.average_measures_per_state(key),
        tally=tally_read(tally),
    )


def _difference(end: float | None, start: float | None) -> float | None:
    return None if end is None or start is None else end - start


def _trend_rows(
    session: Session,
    by: str,
    tallied: dict[date, Breakdown],
    start: date,
    end: date,
    keys_between: set[str] | frozenset[str] = frozenset(),
) -> list[TrendRow]:
    """A row per key counted on any date (those `tallied`, in date order, and the keys counted
    on dates not tallied), with its points on the dates tallied."""
    labels = dimension_labels(session, by)
    found = {key for result in tallied.values() for key in result.tallies} | keys_between
    rows = []
    for key in _ordered(list(found), labels):
        points = {on: _point(result, key, on) for on, result in tallied.items()}
        series = [point for point in points.values() if point is not None]
        first, last = points[start], points[end]  # each date's point built once
        rows.append(
            TrendRow.model_construct(
                key=key,
                label=labels.get(key, key),
                start=first,
                end=last,
                coverage_change=_difference(
                    last.tally.coverage if last else None, first.tally.coverage if first else None
                ),
                measures_per_state_change=_difference(
                    last.average_measures_per_state if last else None,
                    first.average_measures_per_state if first else None,
                ),
                series=series,
            )
        )
    return rows


def coverage_trends(
    session: Session,
    *,
    viewer: Viewer,
    start: date,
    end: date,
    by: str = "global",
    selection: Selection = EVERYTHING,
    paging: PageRequest | None = None,
) -> TrendRead:
    """How coverage changed between two dates, with a point at each year's end between."""
    _check_dimension(by)
    check_period(start, end)
    check_selection(session, selection)
    dates = series_dates(start, end)
    tallied = {on: breakdown(session, viewer, by, on, selection) for on in dates}
    rows = _trend_rows(session, by, tallied, start, end)
    paging = paging or PageRequest()
    return TrendRead(
        **envelope(synthetic_on(session, viewer, dates)),
        by=by,
        selection={k: v for k, v in vars(selection).items() if v is not None},
        from_date=start,
        to_date=end,
        basis=AS_OF_BASIS,
        method=COVERAGE_METHOD,
        dates=dates,
        items=paging.cut(rows),
        total=len(rows),
        page=paging.page,
        page_size=paging.page_size,
    )


def synthetic_on(session: Session, viewer: Viewer, dates: list[date]) -> bool:
    """Whether an edition counted on any of the dates is synthetic (the demo's)."""
    return any(
        edition.synthetic for on in dates for edition in counted_editions(session, viewer, on)
    )


def coverage_changes(
    session: Session, *, viewer: Viewer, start: date, end: date, by: str
) -> list[TrendRow]:
    """The rows of `coverage_trends` (all cells, all States) with their points on `start` and
    `end` only: what a review reads of the trends. The same rows, in the same order (a key
    counted on a year's end between has its row: `keys_in_force` reads those keys from the
    summaries in force then), but only the two ends are tallied."""
    _check_dimension(by)
    check_period(start, end)
    tallied = {on: breakdown(session, viewer, by, on) for on in sorted({start, end})}
    _, between = keys_in_force(session, viewer, dates_between(start, end))
    return _trend_rows(session, by, tallied, start, end, between[by])


def dates_between(start: date, end: date) -> tuple[date, ...]:
    """The dates of `coverage_trends` from `start` to `end` other than the two ends."""
    return tuple(on for on in series_dates(start, end) if on not in (start, end))


def measures_distribution_on(
    session: Session, viewer: Viewer, as_of: date | None
) -> MeasuresDistributionRead:
    """The distribution of the cells marked X per State on a date (as `coverage_summary`)."""
    return _distribution(session, viewer, as_of, EVERYTHING)


def ages_on(session: Session, viewer: Viewer, as_of: date) -> AgesRead:
    """The age of the information counted on a date (as `coverage_summary`)."""
    return _ages(session, viewer, as_of, EVERYTHING)


MAX_COMPARED = 5


def parse_states(text: str) -> list[str]:
    """2 to 5 distinct ISO codes separated by commas; problems name `states`."""
    codes = list(dict.fromkeys(code.strip().upper() for code in text.split(",") if code.strip()))
    if not 2 <= len(codes) <= MAX_COMPARED:
        raise InvalidParameter.naming(
            [
                Problem(
                    "states",
                    text_message(
                        N_("give 2 to %(max_compared)s distinct State codes, e.g. FRA,NGA"),
                        max_compared=MAX_COMPARED,
                    ),
                )
            ]
        )
    return codes


def compare_states(
    session: Session,
    *,
    viewer: Viewer,
    states: list[str],
    by: str = "section",
    as_of: date | None = None,
) -> CompareRead:
    """Each State's figures side by side, broken down the same way."""
    _check_dimension(by)
    labels = dimension_labels(session, "state")
    unknown = [code for code in states if code not in labels]
    if unknown:
        raise InvalidParameter.naming(
            [
                Problem(
                    "states",
                    text_message(
                        N_("unknown State code(s): %(unknown)s"),
                        unknown=", ".join(unknown),
                    ),
                )
            ]
        )
    in_force = {e.state: e for e in summaries_in_force(session, viewer, as_of).editions}
    treaties = treaty_statuses(
        session, viewer, [in_force[code].id for code in states if code in in_force]
    )
    compared = []
    for code in states:
        selection = Selection(state=code)
        edition = in_force.get(code)
        total = breakdown(session, viewer, "global", as_of, selection).tallies.get("all")
        compared.append(
            ComparedState(
                iso3=code,
                name=labels[code],
                edition=edition.number if edition else None,
                approved_on=edition.approved_on if edition else None,
                tally=tally_read(total) if total else None,
                items=_rows(
                    breakdown(session, viewer, by, as_of, selection), dimension_labels(session, by)
                ),
                treaties=treaties.get(edition.id, []) if edition else [],
            )
        )
    synthetic = any(in_force[code].synthetic for code in states if code in in_force)
    return CompareRead(
        **envelope(synthetic),
        by=by,
        as_of=as_of,
        basis=COUNTING_BASIS if as_of is None else AS_OF_BASIS,
        method=COVERAGE_METHOD,
        states=compared,
    )
