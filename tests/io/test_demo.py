"""The demo dataset: deterministic, realistic in shape, and labelled synthetic."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import DEMO_STATES
from tests.factories import make_edition
from un1540.errors import Conflict
from un1540.io.demo import load_demo
from un1540.models import (
    CellDefinition,
    CellEntry,
    Document,
    EditionStatus,
    MatrixEdition,
    Origin,
    State,
)
from un1540.reference.crosswalks import treaty_fields
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.instance import has_synthetic_data


def _fingerprint(session: Session) -> str:
    rows = session.execute(
        select(
            State.iso3,
            MatrixEdition.number,
            MatrixEdition.approved_on,
            CellEntry.cell_id,
            CellEntry.mark,
            CellEntry.remark,
            CellEntry.treaty_status,
            CellEntry.signed_on,
            CellEntry.status_on,
            CellEntry.asserted_by,
        )
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .join(State, State.id == MatrixEdition.state_id)
        .order_by(State.iso3, MatrixEdition.number, CellEntry.cell_id)
    ).all()
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


def test_the_demo_is_the_same_every_time(session: Session, empty_session: Session) -> None:
    load_demo(empty_session, only=DEMO_STATES)
    empty_session.commit()
    assert _fingerprint(empty_session) == _fingerprint(session)


def test_each_state_has_3_to_6_approved_editions_between_2006_and_2025(session: Session) -> None:
    editions = session.execute(
        select(
            State.iso3, MatrixEdition.approved_on, MatrixEdition.status, MatrixEdition.origin
        ).join(State, State.id == MatrixEdition.state_id)
    ).all()
    by_state: dict[str, list[date]] = defaultdict(list)
    for iso3, approved_on, status, origin in editions:
        assert status is EditionStatus.approved
        assert origin is Origin.demo
        by_state[iso3].append(approved_on)
    assert set(by_state) == set(DEMO_STATES)
    for dates in by_state.values():
        assert 3 <= len(dates) <= 6
        assert all(date(2006, 1, 1) <= d <= date(2025, 12, 31) for d in dates)


def test_coverage_never_falls_from_one_edition_to_the_next(session: Session) -> None:
    rows = session.execute(
        select(State.iso3, MatrixEdition.number, CellEntry.mark)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .join(State, State.id == MatrixEdition.state_id)
    ).all()
    measures: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for iso3, number, mark in rows:
        measures[iso3][number] += mark.value == "X"
    for iso3, per_edition in measures.items():
        ordered = [per_edition[n] for n in sorted(per_edition)]
        assert ordered == sorted(ordered), iso3
        assert ordered[-1] > ordered[0], iso3


def test_chemical_and_biological_coverage_is_lower_than_nuclear(session: Session) -> None:
    by_weapon = {
        row.key: row.tally.coverage
        for row in coverage_summary(session, viewer=PUBLIC, by="weapon").items
    }
    assert by_weapon["nw"] > by_weapon["cw"] > 0
    assert by_weapon["nw"] > by_weapon["bw"] > 0


def test_every_demo_document_says_it_is_synthetic(session: Session) -> None:
    documents = session.scalars(select(Document).where(Document.origin == Origin.demo)).all()
    assert documents
    assert all(d.title.startswith("[Synthetic]") for d in documents)
    assert has_synthetic_data(session)


def test_the_demo_is_not_mixed_into_real_editions(empty_session: Session) -> None:
    make_edition(empty_session, iso3="TCD")
    with pytest.raises(Conflict, match="already holds matrix editions"):
        load_demo(empty_session, only=["FRA"])


def test_loading_the_demo_again_does_nothing(session: Session) -> None:
    before = _fingerprint(session)
    assert load_demo(session) == 0
    assert _fingerprint(session) == before


def test_regional_groups_differ(engine: Engine) -> None:
    with Session(engine) as session:
        rows = coverage_summary(session, viewer=PUBLIC, by="group").items
    coverages = [row.tally.coverage for row in rows if row.tally.coverage is not None]
    assert max(coverages) - min(coverages) > 0.05


def test_the_demo_clearinghouse_is_synthetic_and_at_work(session: Session) -> None:
    from un1540.models import AssistanceOffer, AssistanceProject, AssistanceRequest, FundingEntry

    requests = session.scalars(select(AssistanceRequest)).all()
    offers = session.scalars(select(AssistanceOffer)).all()
    projects = session.scalars(select(AssistanceProject)).all()
    funding = session.scalars(select(FundingEntry)).all()
    assert requests
    assert offers
    assert projects
    assert funding
    for record in [*requests, *offers, *projects, *funding]:
        assert record.origin is Origin.demo
    assert all(r.title.startswith("[Synthetic]") for r in requests)
    assert all(o.title.startswith("[Synthetic]") for o in offers)
    assert {r.status for r in requests} >= {"received", "matched"}


# --- plausible, though synthetic -------------------------------------------------------------


def test_no_demo_report_is_dated_before_resolution_1540(session: Session) -> None:
    from un1540.models import DocumentKind

    reports = session.execute(
        select(State.iso3, Document.kind, Document.issued_on)
        .join(State, State.id == Document.state_id)
        .where(
            Document.origin == Origin.demo,
            Document.kind.in_(
                [
                    DocumentKind.national_report,
                    DocumentKind.addendum,
                    DocumentKind.additional_information,
                ]
            ),
        )
    ).all()
    assert {iso3 for iso3, _, _ in reports} == set(DEMO_STATES)
    early = [(iso3, on) for iso3, _, on in reports if on is None or on < date(2004, 4, 28)]
    assert early == []


def test_the_first_report_of_every_state_follows_the_resolution() -> None:
    from un1540.io.demo import _edition_dates, _rng, first_report_date
    from un1540.reference.states import load_states

    for state in load_states():  # the same draws as generate_state, for all 193 States
        rng = _rng(state.iso3)
        rng.uniform(-0.1, 0.1), rng.uniform(0.15, 0.4)
        first_edition = _edition_dates(rng)[0]
        drawn = date(rng.choice([2004, 2005]), rng.randint(1, 12), rng.randint(1, 28))
        first = first_report_date(drawn, first_edition)
        assert date(2004, 4, 28) < first < first_edition, state.iso3


def test_nuclear_indicators_only_where_a_state_plausibly_has_them(session: Session) -> None:
    from un1540.models import ContextIndicator
    from un1540.reference.nuclear import load_nuclear_profile

    profile = load_nuclear_profile()
    rows = session.execute(
        select(
            State.iso3, ContextIndicator.indicator, ContextIndicator.value, ContextIndicator.source
        )
        .join(State, State.id == ContextIndicator.state_id)
        .where(ContextIndicator.indicator.in_(["nuclear_material", "nuclear_facilities"]))
    ).all()
    material = {iso3 for iso3, code, value, _ in rows if code == "nuclear_material" and value > 0}
    facilities = {iso3 for iso3, code, value, _ in rows if code == "nuclear_facilities" and value}
    holders = {iso3 for iso3, p in profile.items() if p.weapons_usable_material}
    assert material == holders & set(DEMO_STATES) == {"CHN", "FRA", "USA"}
    assert facilities == set(profile) & set(DEMO_STATES) == {"BRA", "CHN", "FRA", "USA"}
    assert all(source.startswith("[Synthetic]") for *_, source in rows)


def test_demo_treaty_statuses_are_plausible_and_synthetic(session: Session) -> None:
    """Every OP1 treaty cell marked X in a demo edition is ratified or acceded, dated after the
    treaty opened for signature and no later than the edition; the same in every later edition;
    nothing else carries a treaty status."""
    instruments = treaty_fields("un1540-matrix/reconstructed-2016")
    rows = session.execute(
        select(
            State.iso3,
            MatrixEdition.number,
            MatrixEdition.approved_on,
            MatrixEdition.origin,
            CellDefinition.key,
            CellEntry.mark,
            CellEntry.treaty_status,
            CellEntry.signed_on,
            CellEntry.status_on,
            CellEntry.asserted_by,
        )
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .join(State, State.id == MatrixEdition.state_id)
        .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
        .where(MatrixEdition.origin == Origin.demo)
        .order_by(State.iso3, MatrixEdition.number)
    ).all()
    seen: dict[tuple[str, str], tuple[object, ...]] = {}
    statuses: dict[str, int] = defaultdict(int)
    for iso3, _number, approved_on, origin, key, mark, status, signed, dated, asserted in rows:
        field = key.split(":", 1)[0]
        treaty_cell = field in instruments and key.endswith(":any:adherence")
        if not treaty_cell or mark.value != "X":
            assert status is None, (iso3, key)
            continue
        assert origin is Origin.demo  # shown with the synthetic notice like all demo data
        # Every instrument opened before the first demo edition (2006): each X has a status.
        assert status is not None, (iso3, key)
        statuses[status] += 1
        opened = instruments[field].opened
        assert status in ("ratified", "acceded")
        assert asserted in ("state_report", "organisation_information")
        assert opened < dated <= approved_on, (iso3, key, dated)
        if status == "ratified":
            assert signed is not None
            assert opened <= signed <= dated
        else:
            assert signed is None
        # The same status and dates in every later edition of the State.
        assert seen.setdefault((iso3, key), (status, signed, dated)) == (status, signed, dated)
    assert statuses["ratified"] > statuses["acceded"] > 0
