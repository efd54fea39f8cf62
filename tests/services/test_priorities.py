"""Context indicators (validated, all or nothing) and the prioritisation aid over the demo."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import DEMO_STATES
from tests.factories import make_user
from un1540.errors import InvalidData, InvalidParameter, Unauthenticated
from un1540.models import AuditEvent, ContextIndicator, Role, State
from un1540.services.coverage.actions import import_indicators
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.coverage.reads.priorities import priorities
from un1540.services.kernel.access import PUBLIC, system_viewer
from un1540.services.kernel.paging import SUMMARY

OPERATOR = system_viewer("tests")


def _import(session: Session, text: str, **kwargs: object) -> object:
    return import_indicators(
        session, content=text.encode(), file_name="indicators.csv", viewer=OPERATOR, **kwargs
    )


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ContextIndicator)) or 0


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        ("iso3,indicator,value\nXXX,chemical_industry,3\n", "row 2, column iso3", "unknown State"),
        ("iso3,indicator,value\nFRA,weather,3\n", "row 2, column indicator", "unknown indicator"),
        (
            "iso3,indicator,value\nFRA,chemical_industry,many\n",
            "row 2, column value",
            "not a number",
        ),
        ("iso3,indicator,value\nFRA,chemical_industry,-2\n", "row 2, column value", "0 or more"),
        ("iso3,indicator,value,year\nFRA,chemical_industry,2,1850\n", "row 2, column year", "year"),
        (
            "iso3,indicator,value\nFRA,chemical_industry,2\nfra,chemical_industry,3\n",
            "row 3",
            "duplicate of row 2",
        ),
        ("iso3,value\nFRA,2\n", "header", "missing column indicator"),
        (
            "iso3,indicator,value,colour\nFRA,chemical_industry,2,red\n",
            "header",
            "unknown column colour",
        ),
        ("iso3,indicator,value\n", "indicators.csv", "no data rows"),
        ("", "indicators.csv", "empty"),
    ],
)
def test_a_bad_indicator_file_is_rejected_whole_naming_the_row(
    session: Session, text: str, where: str, fragment: str
) -> None:
    before = _count(session)
    good_row = "FRA,transit_hub,1\n"  # a valid row beside the bad one is not written either
    content = text + good_row if "row" in where else text
    with pytest.raises(InvalidData) as raised:
        _import(session, content)
    assert (
        any(
            where in problem.where and fragment in problem.message
            for problem in raised.value.problems
        )
        or fragment in raised.value.message
    ), raised.value.problems
    assert _count(session) == before


def test_binary_content_is_refused_as_not_utf8(session: Session) -> None:
    with pytest.raises(InvalidData, match="not UTF-8"):
        import_indicators(
            session, content=b"PK\x03\x04\xff\xfe", file_name="x.xlsx", viewer=OPERATOR
        )


def test_an_import_replaces_the_values_it_names_and_is_audited(session: Session) -> None:
    before = _count(session)
    first = _import(
        session, "iso3,indicator,value,year,source\nTCD,chemical_industry,4,2023,Study\n"
    )
    assert _count(session) == before + 1
    again = _import(session, "iso3,indicator,value\nTCD,chemical_industry,6\nTCD,transit_hub,1\n")
    assert (first.replaced, again.replaced) == (0, 1)  # type: ignore[attr-defined]
    chad = select(State.id).where(State.iso3 == "TCD").scalar_subquery()
    rows = session.execute(
        select(ContextIndicator.indicator, ContextIndicator.value).where(
            ContextIndicator.state_id == chad, ContextIndicator.imported_by == "tests"
        )
    )
    values = {indicator: value for indicator, value in rows}
    assert values == {"chemical_industry": 6.0, "transit_hub": 1.0}
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "import_indicators")
    ).all()
    assert events[-1].after is not None
    assert events[-1].after["rows"] == 2


def test_a_dry_run_writes_nothing(session: Session) -> None:
    before = _count(session)
    result = _import(session, "iso3,indicator,value\nTCD,chemical_industry,4\n", dry_run=True)
    assert result.rows == 1  # type: ignore[attr-defined]
    assert _count(session) == before


def test_only_experts_and_the_committee_import_indicators(session: Session) -> None:
    with pytest.raises(Unauthenticated):
        import_indicators(session, content=b"x", file_name="x.csv", viewer=PUBLIC)
    poc = make_user(session, role=Role.state_poc.value, iso3="FRA")
    with pytest.raises(Exception, match="may import"):
        import_indicators(session, content=b"x", file_name="x.csv", viewer=poc)


def test_the_ranking_covers_every_state_and_each_score_explains_itself(session: Session) -> None:
    result = priorities(session, viewer=PUBLIC, paging=SUMMARY)
    assert result.total == 193
    assert [row.rank for row in result.items] == list(range(1, 194))
    assert result.synthetic is True
    assert "not a measure of compliance" in result.label
    for row in result.items:
        assert sum(part.points for part in row.contributions) == pytest.approx(row.score)
        assert row.rank_low <= row.rank <= row.rank_high or row.stability < 1


def test_a_gap_factor_is_one_minus_the_sections_coverage(session: Session) -> None:
    by_state = coverage_summary(session, viewer=PUBLIC, by="state", paging=SUMMARY)
    op2 = {
        row.iso3: next(p for p in row.contributions if p.factor == "gap_op2")
        for row in priorities(session, viewer=PUBLIC, paging=SUMMARY).items
    }
    assert {row.key for row in by_state.items} == set(DEMO_STATES)
    for iso3 in DEMO_STATES:
        assert op2[iso3].raw is not None
        assert 0 <= op2[iso3].raw <= 1
    # Chad has no approved edition: a full gap, and the explanation says there is no data.
    assert op2["TCD"].raw is None
    assert op2["TCD"].value == 1.0


def test_weights_move_the_ranking_and_bad_weights_are_refused(session: Session) -> None:
    default = priorities(session, viewer=PUBLIC, paging=SUMMARY)
    incidents_only = "gap_op2:0,gap_op3ab:0,gap_op3cd:0,gap_chemical:0,gap_biological:0," + (
        "nuclear_material:0,nuclear_facilities:0,chemical_industry:0,"
        "high_containment_laboratories:0,transit_hub:0,incidents:1"
    )
    reweighted = priorities(session, viewer=PUBLIC, weights=incidents_only, paging=SUMMARY)
    assert [r.iso3 for r in reweighted.items] != [r.iso3 for r in default.items]
    top = reweighted.items[0]
    assert [part.factor for part in top.contributions] == ["incidents"]
    with pytest.raises(InvalidParameter) as raised:
        priorities(session, viewer=PUBLIC, weights="gap_op2:heavy")
    assert raised.value.problems[0].where == "weights"
