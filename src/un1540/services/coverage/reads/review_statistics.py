"""The tables of a comprehensive review between two dates, computed from the matrix alone.

The 1540 Committee's comprehensive reviews compare the matrices at the start and the end of a
period: measures per State, by regional group, by section and weapon category, and the fields
with the most and the fewest measures. Every figure comes from the breakdowns that
`coverage_trends` and `coverage_summary` read (`coverage_changes`, `measures_distribution_on`,
`ages_on`), so the report, the portal and the API cannot disagree; only what the review shows
is computed (the two ends of the period, not each year's end between).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.models import EditionStatus, MatrixEdition
from un1540.schemas.coverage import TrendRow
from un1540.schemas.review_statistics import (
    ReviewHeadline,
    ReviewRow,
    ReviewStatistics,
    ReviewTable,
)
from un1540.services.coverage.reads.coverage import (
    AS_OF_BASIS,
    COVERAGE_METHOD,
    ages_on,
    check_period,
    coverage_changes,
    dates_between,
    measures_distribution_on,
    synthetic_on,
)
from un1540.services.kernel.access import Viewer, edition_visible
from un1540.services.kernel.data_version import DOCUMENTS, fingerprint
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.counting import ALL_STATES, breakdown, keys_in_force, tally_read
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.reporting.reads import review_reporting

TABLES = (
    ("group", "By regional group"),
    ("region", "By region"),
    ("section", "By section of the matrix"),
    ("weapon", "By weapon category"),
    ("column", "Legislation and enforcement"),
)
FIELDS_LISTED = 10


def _rows(trends: list[TrendRow]) -> list[ReviewRow]:
    rows = []
    for row in trends:
        start, end = row.start, row.end
        rows.append(
            ReviewRow(
                key=row.key,
                label=row.label,
                states_start=start.states if start else 0,
                states_end=end.states if end else 0,
                coverage_start=start.tally.coverage if start else None,
                coverage_end=end.tally.coverage if end else None,
                coverage_change=row.coverage_change,
                measures_per_state_start=start.average_measures_per_state if start else None,
                measures_per_state_end=end.average_measures_per_state if end else None,
                uncertain_end=end.tally.uncertain if end else 0,
            )
        )
    return rows


def _headline(session: Session, viewer: Viewer, on: date) -> ReviewHeadline:
    """The figures of `coverage_summary(as_of=on)` a headline shows (not the age of the
    information: the review shows it at the end only)."""
    total = breakdown(session, viewer, "global", on).tallies.get("all")
    tally = tally_read(total) if total is not None else None
    distribution = measures_distribution_on(session, viewer, on)
    return ReviewHeadline(
        on=on,
        states=len(breakdown(session, viewer, "state", on).tallies),
        measures=tally.measures if tally else 0,
        average_measures_per_state=distribution.average,
        coverage=tally.coverage if tally else None,
        uncertain=tally.uncertain if tally else 0,
        distribution=distribution,
    )


def _approved_between(session: Session, viewer: Viewer, start: date, end: date) -> tuple[int, int]:
    within = (
        (MatrixEdition.status == EditionStatus.approved)
        & edition_visible(viewer)
        & (MatrixEdition.approved_on > start)
        & (MatrixEdition.approved_on <= end)
    )
    editions, states = session.execute(
        select(func.count(), func.count(func.distinct(MatrixEdition.state_id))).where(within)
    ).one()
    return editions or 0, states or 0


def review_statistics(
    session: Session, *, viewer: Viewer, start: date, end: date
) -> ReviewStatistics:
    """Every figure of the review of the period from `start` to `end`."""
    check_period(start, end)
    # Of the data counted below (matrices, frameworks, reports): read before it.
    version = fingerprint(session, *ALL_STATES, DOCUMENTS)
    tables = [
        ReviewTable(
            by=by,
            title=title,
            rows=_rows(coverage_changes(session, viewer=viewer, start=start, end=end, by=by)),
        )
        for by, title in TABLES
    ]
    # Whether an edition counted on any date of the trends (each year's end too) is synthetic.
    synthetic = (
        synthetic_on(session, viewer, [start, end])
        or keys_in_force(session, viewer, dates_between(start, end))[0]
    )
    fields = _rows(coverage_changes(session, viewer=viewer, start=start, end=end, by="field"))
    ranked = sorted(
        (row for row in fields if row.coverage_end is not None),
        key=lambda row: (-(row.coverage_end or 0), row.key),
    )
    editions, states = _approved_between(session, viewer, start, end)
    layout = framework_layout(session, default_framework(session))
    reporting = review_reporting(session, start=start, end=end, viewer=viewer)
    return ReviewStatistics(
        **envelope(synthetic or reporting.synthetic),
        from_date=start,
        to_date=end,
        start=_headline(session, viewer, start),
        end=_headline(session, viewer, end),
        editions_approved=editions,
        states_with_new_editions=states,
        tables=tables,
        most_covered_fields=ranked[:FIELDS_LISTED],
        least_covered_fields=list(reversed(ranked[-FIELDS_LISTED:])),
        ages=ages_on(session, viewer, end),
        reporting=reporting,
        basis=AS_OF_BASIS,
        method=COVERAGE_METHOD,
        framework=layout.slug,
        framework_fields=len(layout.fields),
        framework_fields_verified=sum(1 for field in layout.fields.values() if field.verified),
        data_version=version,
    )
