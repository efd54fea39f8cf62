"""The prioritisation aid: matrix gaps and context indicators, weighted, ranked and explained.

Kept apart from the matrix: it reads the counted editions and the indicators, writes nothing,
and every result carries the method's label (an aid, not a compliance measure).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Tally
from un1540.analytics.priorities import (
    FactorValue,
    Sensitivity,
    normalise,
    parse_weights,
    rank_states,
)
from un1540.analytics.summaries import CellFilter, state_tallies_under
from un1540.analytics.timeline import columns_where, in_force, state_tallies_over
from un1540.errors import InvalidParameter, Problem
from un1540.models import State
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.reference.priorities import (
    FactorSpec,
    IncidentCountSpec,
    PriorityMethod,
    load_priority_method,
)
from un1540.schemas.priorities import (
    ContributionRead,
    FactorRead,
    PrioritiesRead,
    PriorityRow,
    SensitivityRead,
)
from un1540.services.coverage.indicators import indicator_values
from un1540.services.incidents.reads import incident_counts
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import INDICATORS
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.counting import ALL_STATES, mark_matrix, summaries_in_force

BASIS = N_(
    "Matrix gaps: the latest approved edition of each State that the caller may see. "
    "Indicators: the context values imported for each State (`un1540 import indicators`). "
    "Incidents: counted from the incident register, only the records the caller may see."
)


def _cell_filters(factor: FactorSpec) -> list[CellFilter] | None:
    """The factor's cells as summary keys, when summaries give them exactly: some sections
    (which never share a cell) or one weapon category; None otherwise."""
    if factor.sections and factor.weapons:
        return None  # cells in both: the full marks
    if len(factor.weapons) > 1:
        return None  # an OP1 cell counts under several categories: the full marks
    if factor.sections:
        return [CellFilter("section", code) for code in factor.sections]
    return [CellFilter("weapon", code) for code in factor.weapons]


def _factor_tallies(
    session: Session, viewer: Viewer, factor: FactorSpec
) -> tuple[dict[str, Tally], bool]:
    """Each State's tally over the factor's cells in its latest approved edition."""
    filters = _cell_filters(factor)
    if filters is not None:
        block = summaries_in_force(session, viewer)
        synthetic = any(edition.synthetic for edition in block.editions)
        return state_tallies_under(block, filters), synthetic
    matrix = mark_matrix(session, viewer)
    rows = in_force(matrix)
    columns = columns_where(matrix, sections=factor.sections, weapons=factor.weapons)
    synthetic = any(matrix.editions[row].synthetic for row in rows)
    return state_tallies_over(matrix, rows, columns), synthetic


def _gap_values(
    session: Session, viewer: Viewer, factor: FactorSpec, states: list[str]
) -> tuple[dict[str, float | None], bool]:
    tallies, synthetic = _factor_tallies(session, viewer, factor)
    gaps: dict[str, float | None] = {}
    for iso3 in states:
        tally = tallies.get(iso3)
        coverage = tally.coverage if tally is not None else None
        gaps[iso3] = None if coverage is None else 1 - coverage
    return gaps, synthetic


def _incident_counts(
    session: Session, viewer: Viewer, spec: IncidentCountSpec
) -> tuple[dict[str, int], bool]:
    """Per State, the incidents the factor counts (reference/priorities.yml, `incidents`)."""
    now = today()
    since = date(now.year - spec.years, now.month, 1)  # the first of the month: no 29 February
    return incident_counts(
        session,
        viewer=viewer,
        since=since,
        kinds=spec.kinds,
        groupings=spec.groupings,
        confirmation=spec.confirmation,
    )


def factor_values(
    session: Session, viewer: Viewer, method: PriorityMethod, states: list[str]
) -> tuple[dict[str, dict[str, FactorValue]], dict[str, int], bool]:
    """Each State's 0..1 value of every factor, how many States have data, and synthetic."""
    indicators, synthetic = indicator_values(session, viewer=viewer)
    by_state: dict[str, dict[str, FactorValue]] = {iso3: {} for iso3 in states}
    with_data: dict[str, int] = {}
    for factor in method.factors:
        if factor.kind == "matrix_gap":
            gaps, gaps_synthetic = _gap_values(session, viewer, factor, states)
            synthetic = synthetic or gaps_synthetic
            # A gap is already a share from 0 to 1: it is used as it is, not rescaled.
            values = {
                iso3: FactorValue(raw=gap, value=factor.missing_value if gap is None else gap)
                for iso3, gap in gaps.items()
            }
        elif factor.kind == "incident_count":
            assert factor.incidents is not None
            assert factor.transform is not None
            counts, counted_synthetic = _incident_counts(session, viewer, factor.incidents)
            synthetic = synthetic or counted_synthetic
            # The register covers every State: no incident recorded is a count of 0, not "no data".
            counted: dict[str, float | None] = {iso3: float(counts.get(iso3, 0)) for iso3 in states}
            values = normalise(counted, transform=factor.transform, missing=factor.missing_value)
        else:
            known = indicators.get(factor.code, {})
            raw = {iso3: known.get(iso3) for iso3 in states}
            assert factor.transform is not None  # checked when the method is loaded
            values = normalise(raw, transform=factor.transform, missing=factor.missing_value)
        with_data[factor.code] = sum(1 for value in values.values() if value.raw is not None)
        for iso3, value in values.items():
            by_state[iso3][factor.code] = value
    return by_state, with_data, synthetic


def resolve_weights(method: PriorityMethod, text: str | None) -> dict[str, float]:
    defaults = {factor.code: factor.weight for factor in method.factors}
    weights, problems = parse_weights(text or "", defaults)
    if problems:
        raise InvalidParameter.naming([Problem("weights", problem) for problem in problems])
    return weights


def priorities(
    session: Session,
    *,
    viewer: Viewer,
    weights: str | None = None,
    paging: PageRequest | None = None,
) -> PrioritiesRead:
    """All 193 States ranked by the weighted factors, each explained, with rank stability.

    Cached per weights, page, viewer and day (the incidents factor counts back from today)
    until the matrix's approved editions, the reference data or the indicators and incidents
    are written: one computation when many readers arrive after a write."""
    method = load_priority_method()
    chosen = resolve_weights(method, weights)
    paging = paging or PageRequest()
    return cached(
        session,
        (
            "priorities",
            method.slug,
            tuple(sorted(chosen.items())),
            paging.page,
            paging.page_size,
            viewer.cache_key,
            today(),
        ),
        depends_on=(*ALL_STATES, INDICATORS),
        compute=lambda: _priorities(session, viewer, method, chosen, paging),
    )


def _priorities(
    session: Session,
    viewer: Viewer,
    method: PriorityMethod,
    chosen: dict[str, float],
    paging: PageRequest,
) -> PrioritiesRead:
    names = {iso3: name for iso3, name in session.execute(select(State.iso3, State.short_name))}
    values, with_data, synthetic = factor_values(session, viewer, method, sorted(names))
    spec = method.sensitivity
    ranked = rank_states(
        values,
        chosen,
        Sensitivity(runs=spec.runs, spread=spec.spread, seed=spec.seed, band=spec.band),
    )
    rows = [
        PriorityRow(
            rank=result.rank,
            iso3=result.state,
            name=names[result.state],
            score=result.score,
            rank_low=result.rank_low,
            rank_high=result.rank_high,
            stability=result.stability,
            contributions=[
                ContributionRead(
                    factor=part.factor,
                    weight=part.weight,
                    raw=part.raw,
                    value=part.value,
                    points=part.points,
                )
                for part in result.contributions
            ],
        )
        for result in ranked
    ]
    return PrioritiesRead(
        **envelope(synthetic),
        method=method.slug,
        label=method.label,
        basis=BASIS,
        weights=chosen,
        factors=[
            FactorRead(
                code=factor.code,
                name=factor.name,
                kind=factor.kind,
                description=factor.description,
                default_weight=factor.weight,
                weight=chosen[factor.code],
                transform=factor.transform,
                unit=factor.unit,
                missing_value=factor.missing_value,
                states_with_data=with_data[factor.code],
            )
            for factor in method.factors
        ],
        sensitivity=SensitivityRead(
            runs=spec.runs, spread=spec.spread, seed=spec.seed, band=spec.band
        ),
        items=paging.cut(rows),
        total=len(rows),
        page=paging.page,
        page_size=paging.page_size,
    )
