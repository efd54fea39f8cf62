"""Coverage figures agree with a direct count in SQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter
from un1540.models.base import utc_now
from un1540.services.coverage.reads.coverage import coverage_summary, coverage_trends
from un1540.services.coverage.reads.overview import overview
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.paging import SUMMARY

LATEST_CELLS = """
    SELECT s.iso3, s.electoral_group_code, ce.mark, c."column", sec.code AS section
    FROM cell_entry ce
    JOIN matrix_edition e ON e.id = ce.edition_id
    JOIN state s ON s.id = e.state_id
    JOIN cell c ON c.id = ce.cell_id
    JOIN field f ON f.id = c.field_id
    JOIN section sec ON sec.id = f.section_id
    WHERE e.status = 'approved'
      AND e.number = (SELECT max(e2.number) FROM matrix_edition e2
                      WHERE e2.state_id = e.state_id AND e2.status = 'approved')
"""


def _rows(session: Session) -> list[tuple[str, str, str, str, str]]:
    return [tuple(row) for row in session.execute(text(LATEST_CELLS))]  # type: ignore[misc]


def test_global_coverage_matches_sql(session: Session) -> None:
    rows = _rows(session)
    measures = sum(1 for r in rows if r[2] == "X")
    applicable = sum(1 for r in rows if r[2] != "NA")
    result = coverage_summary(session, viewer=PUBLIC)
    (row,) = result.items
    assert row.tally.measures == measures
    assert row.tally.applicable == applicable
    assert row.tally.coverage == measures / applicable
    assert row.states == len({r[0] for r in rows}) == result.states_with_editions
    assert result.synthetic is True
    assert "not a measure of compliance" in result.method


def test_coverage_by_group_matches_sql(session: Session) -> None:
    rows = _rows(session)
    result = {row.key: row for row in coverage_summary(session, viewer=PUBLIC, by="group").items}
    for group in {r[1] for r in rows}:
        group_rows = [r for r in rows if r[1] == group]
        states = {r[0] for r in group_rows}
        measures = sum(1 for r in group_rows if r[2] == "X")
        assert result[group].states == len(states)
        assert result[group].tally.measures == measures
        assert result[group].average_measures_per_state == measures / len(states)
    # The United States is counted with WEOG, as for electoral purposes.
    assert "USA" in {r[0] for r in rows if r[1] == "western_european_others"}


def test_coverage_by_section_and_column_matches_sql(session: Session) -> None:
    rows = _rows(session)
    for by, index in (("section", 4), ("column", 3)):
        result = {
            row.key: row.tally.measures
            for row in coverage_summary(session, viewer=PUBLIC, by=by).items
        }
        expected = {
            key: sum(1 for r in rows if r[index] == key and r[2] == "X")
            for key in {r[index] for r in rows}
        }
        assert result == expected


def test_every_breakdown_adds_up_to_the_global_cells(session: Session) -> None:
    total = coverage_summary(session, viewer=PUBLIC).items[0].tally.cells
    for by in ("group", "region", "section", "column", "state", "field"):
        rows = coverage_summary(session, viewer=PUBLIC, by=by, paging=SUMMARY).items
        assert sum(row.tally.cells for row in rows) == total, by


def test_overview_agrees_with_coverage(session: Session) -> None:
    totals = overview(session, viewer=PUBLIC)
    row = coverage_summary(session, viewer=PUBLIC).items[0]
    assert totals.measures == row.tally.measures
    assert totals.states == 193
    assert totals.synthetic is True


IN_FORCE_CELLS = """
    SELECT s.iso3, ce.mark
    FROM cell_entry ce
    JOIN matrix_edition e ON e.id = ce.edition_id
    JOIN state s ON s.id = e.state_id
    WHERE e.status = 'approved' AND e.approved_on <= :on
      AND e.number = (SELECT max(e2.number) FROM matrix_edition e2
                      WHERE e2.state_id = e.state_id AND e2.status = 'approved'
                        AND e2.approved_on <= :on)
"""


def _marks_on(session: Session, on: date) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in session.execute(text(IN_FORCE_CELLS), {"on": on})]


@pytest.mark.parametrize("on", [date(2009, 6, 30), date(2014, 1, 1), date(2019, 12, 31)])
def test_coverage_on_a_date_counts_the_editions_in_force_then(session: Session, on: date) -> None:
    rows = _marks_on(session, on)
    result = coverage_summary(session, viewer=PUBLIC, by="state", as_of=on, paging=SUMMARY)
    assert result.as_of == on
    assert result.states_with_editions == len({iso3 for iso3, _ in rows})
    expected = {
        iso3: sum(1 for state, mark in rows if state == iso3 and mark == "X")
        for iso3 in {iso3 for iso3, _ in rows}
    }
    assert {row.key: row.tally.measures for row in result.items} == expected
    counts = sorted(expected.values())
    assert result.distribution.at_most_threshold == sum(1 for count in counts if count <= 30)
    assert result.distribution.average == pytest.approx(sum(counts) / len(counts))
    assert result.ages is not None
    assert result.ages.median_edition_age is not None
    assert result.ages.median_edition_age >= 0


def test_coverage_today_equals_the_latest_approved_figures(session: Session) -> None:
    latest = coverage_summary(session, viewer=PUBLIC, by="group", paging=SUMMARY)
    today = coverage_summary(
        session, viewer=PUBLIC, by="group", as_of=utc_now().date(), paging=SUMMARY
    )
    assert [(r.key, r.tally) for r in latest.items] == [(r.key, r.tally) for r in today.items]
    assert latest.ages is None
    assert today.ages is not None


def test_trends_compare_two_dates_and_give_a_yearly_series(session: Session) -> None:
    start, end = date(2011, 4, 25), date(2016, 4, 24)
    trends = coverage_trends(session, viewer=PUBLIC, start=start, end=end, by="weapon")
    assert trends.dates[0] == start
    assert trends.dates[-1] == end
    assert date(2013, 12, 31) in trends.dates
    assert len(trends.dates) == 7
    for row in trends.items:
        at_start = coverage_summary(
            session, viewer=PUBLIC, by="weapon", as_of=start, paging=SUMMARY
        )
        expected = next(r for r in at_start.items if r.key == row.key)
        assert row.start is not None
        assert row.start.tally == expected.tally
        assert row.end is not None
        assert row.end.tally.coverage is not None
        assert row.coverage_change == pytest.approx(
            row.end.tally.coverage - (row.start.tally.coverage or 0)
        )
        assert [point.on for point in row.series] == trends.dates


def test_trends_refuse_a_period_that_ends_before_it_starts(session: Session) -> None:
    with pytest.raises(InvalidParameter) as raised:
        coverage_trends(session, viewer=PUBLIC, start=date(2016, 1, 1), end=date(2015, 1, 1))
    assert [problem.where for problem in raised.value.problems] == ["to"]
