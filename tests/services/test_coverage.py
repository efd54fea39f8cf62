"""Coverage figures agree with a direct count in SQL."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from un1540.services.access import PUBLIC
from un1540.services.coverage import coverage_summary
from un1540.services.overview import overview
from un1540.services.paging import ALL

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
        rows = coverage_summary(session, viewer=PUBLIC, by=by, paging=ALL).items
        assert sum(row.tally.cells for row in rows) == total, by


def test_overview_agrees_with_coverage(session: Session) -> None:
    totals = overview(session, viewer=PUBLIC)
    row = coverage_summary(session, viewer=PUBLIC).items[0]
    assert totals.measures == row.tally.measures
    assert totals.states == 193
    assert totals.synthetic is True
