"""Per-edition summaries (services/matrix/summaries.py) against the full-history reference.

- Every way an edition becomes approved writes its summary in the same transaction: the approval
  step, a recorded edition (imports, the demo loader), and the Alembic revision's backfill of
  the editions approved before it (which gives the same rows as the application).
- A Hypothesis property: on random histories (several States, editions approved on random dates,
  random marks, some cells and editions not public), the figures from the summaries of the
  editions in force equal the figures from every approved edition's marks, for random dates and
  every kind of viewer: the counted editions, every breakdown, breakdowns of part of the cells,
  the age of the information and the prioritisation aid's tallies.
"""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import ModuleType

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

import un1540.db.migrations.versions as migration_versions
from tests.conftest import joined_sessions, rolled_back_connection
from tests.factories import make_document, make_user, waive_evidence_rules
from un1540.analytics.summaries import CellFilter, state_tallies_under, tally_summaries
from un1540.analytics.timeline import (
    DIMENSIONS,
    STATE_DIMENSIONS,
    ages,
    ages_counted,
    ages_of,
    columns_where,
    in_force,
    state_tallies_over,
    tally_rows,
)
from un1540.models import (
    CellEntry,
    EditionStatus,
    EditionSummary,
    MatrixEdition,
    Origin,
    Role,
    State,
    Visibility,
)
from un1540.schemas.review_statistics import ReviewHeadline
from un1540.services.coverage.reads.coverage import coverage_summary, coverage_trends
from un1540.services.coverage.reads.review_statistics import (
    FIELDS_LISTED,
    TABLES,
    _rows,
    review_statistics,
)
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    open_draft,
    share_edition,
)
from un1540.services.matrix.actions.recorded_editions import record_approved_edition
from un1540.services.matrix.counting import (
    Selection,
    _load_matrix,
    reference_breakdown,
    reference_counted_editions,
    summary_breakdown,
)
from un1540.services.matrix.inputs import CellInput, EvidenceInput
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.matrix.summaries import (
    compute_summary,
    evidence_counts,
    evidence_dates,
    in_force_keys,
    in_force_summaries,
    write_summary,
)

STATES = ["BRA", "FRA", "NGA", "TCD", "USA"]
FIRST, LAST = date(2005, 1, 1), date(2025, 12, 31)


def _summaries(session: Session) -> dict[int, object]:
    return {
        edition_id: orjson.loads(text)
        for edition_id, text in session.execute(
            select(EditionSummary.edition_id, EditionSummary.tallies)
        )
    }


def _approved_ids(session: Session) -> set[int]:
    return set(
        session.scalars(
            select(MatrixEdition.id).where(MatrixEdition.status == EditionStatus.approved)
        )
    )


def _migration() -> ModuleType:
    folder = Path(migration_versions.__path__[0])
    (path,) = folder.glob("*_92ea7fe00997_per_edition_summaries_for_coverage.py")
    spec = importlib.util.spec_from_file_location("summaries_revision", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_loader_summarises_every_edition_it_records(session: Session) -> None:
    stored = _summaries(session)
    approved = _approved_ids(session)
    assert approved
    assert set(stored) == approved
    for edition in session.scalars(select(MatrixEdition).where(MatrixEdition.id.in_(approved))):
        assert stored[edition.id] == orjson.loads(
            compute_summary(session, edition.id, edition.framework)
        )


def test_the_revision_backfills_what_the_application_writes(session: Session) -> None:
    written = _summaries(session)
    session.execute(delete(EditionSummary))
    assert _migration().backfill(session.connection()) == len(written)
    assert _summaries(session) == written
    assert _migration().backfill(session.connection()) == 0  # only what is missing


def test_approving_an_edition_writes_its_summary_in_the_same_transaction(
    session: Session,
) -> None:
    expert = make_user(session, role="expert")
    committee = make_user(session, role="committee")
    draft = open_draft(session, viewer=expert, iso3="FRA")
    assert session.get(EditionSummary, draft.id) is None  # a draft has none
    share_edition(session, viewer=expert, iso3="FRA", number=draft.number)
    agree_edition(session, viewer=expert, iso3="FRA", number=draft.number)
    assert session.get(EditionSummary, draft.id) is None
    waive_evidence_rules(session, viewer=committee, iso3="FRA", number=draft.number)
    approved = approve_edition(
        session, viewer=committee, iso3="FRA", number=draft.number, reason="meeting 113"
    )
    stored = session.get(EditionSummary, approved.id)
    assert stored is not None
    summary = orjson.loads(stored.tallies)
    assert summary == orjson.loads(compute_summary(session, approved.id, approved.framework))
    cells = session.scalar(select(CellEntry.id).where(CellEntry.edition_id == approved.id).limit(1))
    assert cells is not None
    assert sum(summary["public"]["all"]) > 300
    # The State page's tally and the summaries now count the new edition.
    editions = {e.state: e for e in in_force_summaries(session, PUBLIC, None).editions}
    assert editions["FRA"].number == approved.number


def test_a_recorded_edition_is_summarised_and_counted(empty_session: Session) -> None:
    document = make_document(empty_session, iso3="TCD", issued_on=date(2009, 3, 1))
    record_approved_edition(
        empty_session,
        iso3="TCD",
        framework=default_framework(empty_session),
        approved_on=date(2012, 5, 1),
        cells=[
            CellInput(
                key="op1.geneva_1925:any:adherence",
                mark="X",
                evidence=[EvidenceInput(document_id=document.id, page="3")],
            ),
            CellInput(key="op2.manufacture:cw:legal_framework", mark="?"),
            CellInput(key="op1.nwfz:any:adherence", mark="NA"),
        ],
        origin=Origin.entry,
        actor="tests",
    )
    block = in_force_summaries(empty_session, PUBLIC, date(2013, 1, 1))
    (edition,) = block.editions
    assert block.total[0].tolist()[:3] == [1, 1, 1]
    weapons, by_weapon = block.dims["weapon"]
    sections, by_section = block.dims["section"]
    # An OP1 cell counts under every weapon category its field applies to.
    measures = {key for key, counts in zip(weapons, by_weapon[0], strict=True) if counts[0]}
    assert measures == {"cw", "bw"}
    assert by_section[0][sections.index("op2")][1] == 1
    assert in_force_summaries(empty_session, PUBLIC, date(2012, 4, 30)).editions == ()
    assert evidence_dates(empty_session, PUBLIC, [edition.id]) == {edition.id: (date(2009, 3, 1),)}


# ---------------------------------------------------------------------------------------------
# The property: summaries == the full history, on random histories.


@dataclass(frozen=True)
class EditionPlan:
    iso3: str
    approved_on: date
    seed: int
    density: float
    hidden_cells: bool  # some cells get a visibility other than public
    visibility: Visibility


@dataclass(frozen=True)
class History:
    editions: tuple[EditionPlan, ...]
    dates: tuple[date | None, ...]
    seed: int  # picks the selections compared


@st.composite
def histories(draw: st.DrawFn) -> History:
    states = draw(st.lists(st.sampled_from(STATES), min_size=1, max_size=4, unique=True))
    plans = []
    for iso3 in states:
        count = draw(st.integers(1, 3))
        days = sorted(draw(st.lists(st.dates(FIRST, LAST), min_size=count, max_size=count)))
        for day in days:
            plans.append(
                EditionPlan(
                    iso3=iso3,
                    approved_on=day,
                    seed=draw(st.integers(0, 2**31)),
                    density=draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
                    hidden_cells=draw(st.booleans()),
                    visibility=draw(
                        st.sampled_from([Visibility.public, Visibility.public, *list(Visibility)])
                    ),
                )
            )
    dates = draw(st.lists(st.one_of(st.none(), st.dates(FIRST, LAST)), min_size=1, max_size=3))
    return History(tuple(plans), tuple(dates), draw(st.integers(0, 2**31)))


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Session]:
    """A session whose writes are rolled back (as the `session` fixture's, once per example)."""
    with (
        contextmanager(rolled_back_connection)(engine) as connection,
        joined_sessions(connection)() as session,
    ):
        yield session


MARKS = ["X", "?", "NA"]
LEVELS = [level for level in Visibility if level is not Visibility.public]


def _record(session: Session, plan: EditionPlan, documents: dict[str, int]) -> None:
    rng = random.Random(plan.seed)
    layout = framework_layout(session, default_framework(session))
    cells = []
    for cell in layout.cells:
        if rng.random() < plan.density:
            mark = rng.choice(MARKS)
            evidence = (
                [EvidenceInput(document_id=documents[plan.iso3])]
                if mark == "X" and rng.random() < 0.3
                else []
            )
            cells.append(CellInput(key=cell.key, mark=mark, evidence=evidence))
    edition = record_approved_edition(
        session,
        iso3=plan.iso3,
        framework=default_framework(session),
        approved_on=plan.approved_on,
        cells=cells,
        origin=Origin.entry if rng.random() < 0.5 else Origin.demo,
        actor="tests",
        visibility=plan.visibility,
    )
    if plan.hidden_cells:  # not something the actions do today: the summaries must allow it
        ids = list(session.scalars(select(CellEntry.id).where(CellEntry.edition_id == edition.id)))
        for level in LEVELS:
            chosen = rng.sample(ids, k=len(ids) // 10)
            session.execute(
                update(CellEntry).where(CellEntry.id.in_(chosen)).values(visibility=level)
            )
        write_summary(session, edition)


def _viewers(session: Session, history: History) -> list[Viewer]:
    state_ids = {iso3: state_id for iso3, state_id in session.execute(select(State.iso3, State.id))}
    first = history.editions[0].iso3
    return [
        PUBLIC,
        Viewer(role=Role.committee, actor="committee", user_id=1),
        Viewer(role=Role.state_poc, state_id=state_ids[first], actor="poc", user_id=2),
        Viewer(role=Role.provider, actor="provider", user_id=3),
    ]


def _selections(session: Session, rng: random.Random, history: History) -> list[Selection]:
    layout = framework_layout(session, default_framework(session))
    cell = rng.choice(layout.cells)
    group = session.scalar(
        select(State.electoral_group_code).where(State.iso3 == history.editions[0].iso3)
    )
    return [
        Selection(section=cell.section_code),
        Selection(field=cell.field_code),
        Selection(weapon=rng.choice(cell.weapons)),
        Selection(weapon="adherence"),  # no such key: nothing counted
        Selection(group=group),
        Selection(state=rng.choice(history.editions).iso3),
        Selection(state=rng.choice(history.editions).iso3, section=cell.section_code),
    ]


def _check(session: Session, history: History) -> None:
    rng = random.Random(history.seed)
    selections = _selections(session, rng, history)
    layout = framework_layout(session, default_framework(session))
    sections = sorted({cell.section_code for cell in layout.cells})
    for viewer in _viewers(session, history):
        matrix = _load_matrix(session, viewer)  # the reference: every approved edition
        for as_of in history.dates:
            rows = in_force_summaries(session, viewer, as_of)
            reference_rows = in_force(matrix, as_of)
            assert list(rows.editions) == sorted(
                (replace(matrix.editions[row], evidence_dates=()) for row in reference_rows),
                key=lambda edition: edition.state,
            )
            for dimension in DIMENSIONS:
                assert tally_summaries(rows, dimension) == tally_rows(
                    matrix, reference_rows, dimension
                ), (viewer, as_of, dimension)
            for selection in selections:
                (cell_filter,) = selection.cell_filters() or [None]
                chosen = selection.summaries(rows)
                for dimension in DIMENSIONS:
                    if cell_filter is not None and dimension not in STATE_DIMENSIONS:
                        continue  # answered from the full marks (summary_breakdown below)
                    assert tally_summaries(chosen, dimension, cell_filter) == tally_rows(
                        matrix,
                        selection.rows(matrix, as_of),
                        dimension,
                        selection.columns(matrix),
                    ), (viewer, as_of, dimension, selection)
            # The prioritisation aid: some sections, or one weapon category.
            picked = rng.sample(sections, k=rng.randint(1, len(sections)))
            weapon = rng.choice(["nw", "cw", "bw"])
            for filters, columns in (
                ([CellFilter("section", code) for code in picked], {"sections": picked}),
                ([CellFilter("weapon", weapon)], {"weapons": [weapon]}),
                ([], {}),
            ):
                assert state_tallies_under(rows, filters) == state_tallies_over(
                    matrix, reference_rows, columns_where(matrix, **columns)
                )
            if as_of is not None:
                expected = ages(matrix, reference_rows, as_of)
                dates = evidence_dates(session, viewer, [e.id for e in rows.editions])
                editions = [replace(e, evidence_dates=dates.get(e.id, ())) for e in rows.editions]
                assert ages_of(editions, as_of) == expected
                evidence = evidence_counts(session, viewer, [e.id for e in rows.editions])
                approved = [e.approved_on for e in rows.editions]
                assert ages_counted(approved, evidence, as_of) == expected
        # What a trend reads of the dates it does not tally: the keys of every breakdown on
        # any of the dates, and whether an edition in force on one is synthetic.
        days = sorted({day for day in history.dates if day is not None})
        blocks = [in_force_summaries(session, viewer, day) for day in days]
        assert in_force_keys(session, viewer, days, DIMENSIONS) == (
            any(edition.synthetic for block in blocks for edition in block.editions),
            {
                dimension: {
                    key for block in blocks for key in tally_summaries(block, dimension).tallies
                }
                for dimension in DIMENSIONS
            },
        )
    # Through the services' entry points once (they choose the path themselves).
    as_of = history.dates[0]
    for selection in (Selection(), selections[0], selections[-1]):
        for dimension in ("global", "section", "state"):
            assert summary_breakdown(
                session, PUBLIC, dimension, as_of, selection
            ) == reference_breakdown(session, PUBLIC, dimension, as_of, selection)
    reference = reference_counted_editions(session, PUBLIC, as_of)
    summarised = in_force_summaries(session, PUBLIC, as_of).editions
    assert sorted(e.id for e in reference) == sorted(e.id for e in summarised)


def _review_as_before(
    session: Session, viewer: Viewer, start: date, end: date
) -> dict[str, object]:
    """The figures of a review as `review_statistics` read them before it tallied the two ends
    of the period only: from `coverage_trends` (every year's end between too) and
    `coverage_summary` at both ends."""
    trends = {
        by: coverage_trends(session, viewer=viewer, start=start, end=end, by=by, paging=SUMMARY)
        for by, _ in (*TABLES, ("field", ""))
    }
    fields = _rows(trends["field"].items)
    ranked = sorted(
        (row for row in fields if row.coverage_end is not None),
        key=lambda row: (-(row.coverage_end or 0), row.key),
    )

    def headline(on: date) -> ReviewHeadline:
        summary = coverage_summary(session, viewer=viewer, as_of=on, paging=SUMMARY)
        tally = summary.items[0].tally if summary.items else None
        return ReviewHeadline(
            on=on,
            states=summary.states_with_editions,
            measures=tally.measures if tally else 0,
            average_measures_per_state=summary.distribution.average,
            coverage=tally.coverage if tally else None,
            uncertain=tally.uncertain if tally else 0,
            distribution=summary.distribution,
        )

    return {
        "synthetic": any(trends[by].synthetic for by, _ in TABLES),
        "tables": [(by, _rows(trends[by].items)) for by, _ in TABLES],
        "most_covered_fields": ranked[:FIELDS_LISTED],
        "least_covered_fields": list(reversed(ranked[-FIELDS_LISTED:])),
        "start": headline(start),
        "end": headline(end),
        "ages": coverage_summary(session, viewer=viewer, as_of=end, paging=SUMMARY).ages,
    }


def _assert_review_as_before(session: Session, viewer: Viewer, start: date, end: date) -> None:
    review = review_statistics(session, viewer=viewer, start=start, end=end)
    expected = _review_as_before(session, viewer, start, end)
    # The reports' part of the flag is read alike both ways.
    expected["synthetic"] = expected["synthetic"] or review.reporting.synthetic
    assert {
        "synthetic": review.synthetic,
        "tables": [(table.by, table.rows) for table in review.tables],
        "most_covered_fields": review.most_covered_fields,
        "least_covered_fields": review.least_covered_fields,
        "start": review.start,
        "end": review.end,
        "ages": review.ages,
    } == expected, (viewer, start, end)


def _check_review(session: Session, history: History) -> None:
    """The review statistics (the two ends tallied, the year ends between read for their keys
    and whether they are synthetic) equal what they were from the whole trends."""
    days = sorted(day for day in history.dates if day is not None)
    periods = [(FIRST, LAST), (days[0], days[-1])] if days else [(FIRST, LAST)]
    for viewer in _viewers(session, history):
        for start, end in periods:
            _assert_review_as_before(session, viewer, start, end)


def test_a_review_keeps_what_only_the_years_between_count(empty_session: Session) -> None:
    """Chad counted on the year ends between the two ends of the review only (a demo edition,
    then one with no cell the public may see): the review still has the rows of its group and
    its region (no figures at either end) and is synthetic, as when every year's end was
    tallied."""
    session = empty_session
    framework = default_framework(session)
    cells = [
        CellInput(key=cell.key, mark=MARKS[1 + position % 2])
        for position, cell in enumerate(framework_layout(session, framework).cells[:30])
    ]
    for iso3, approved_on, marks, origin in (
        ("FRA", date(2006, 1, 1), cells, Origin.entry),
        ("TCD", date(2010, 6, 1), cells, Origin.demo),
        ("TCD", date(2020, 6, 1), cells, Origin.entry),
    ):
        edition = record_approved_edition(
            session,
            iso3=iso3,
            framework=framework,
            approved_on=approved_on,
            cells=marks,
            origin=origin,
            actor="tests",
            visibility=Visibility.public,
        )
    session.execute(  # the last one's cells: none public
        update(CellEntry).where(CellEntry.edition_id == edition.id).values(visibility=LEVELS[0])
    )
    write_summary(session, edition)
    start, end = date(2008, 1, 1), date(2024, 1, 1)
    review = review_statistics(session, viewer=PUBLIC, start=start, end=end)
    group, region = session.execute(
        select(State.electoral_group_code, State.m49_region_code).where(State.iso3 == "TCD")
    ).one()
    for by, key in (("group", group), ("region", region)):
        (table,) = [table for table in review.tables if table.by == by]
        (row,) = [row for row in table.rows if row.key == key]
        assert (row.states_start, row.states_end, row.coverage_end) == (0, 0, None)
    assert review.synthetic
    assert review.start.states == review.end.states == 1
    _assert_review_as_before(session, PUBLIC, start, end)


PROPERTY = settings(
    derandomize=True,
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_summaries_equal_the_full_history_on_random_histories(
    empty_engine: Engine,
) -> None:
    @PROPERTY
    @given(history=histories())
    def property(history: History) -> None:
        with rolled_back(empty_engine) as session:
            documents = {
                iso3: make_document(session, iso3=iso3, issued_on=date(2004, 6, 1)).id
                for iso3 in STATES
            }
            for plan in history.editions:
                _record(session, plan, documents)
            _check(session, history)
            _check_review(session, history)

    property()
