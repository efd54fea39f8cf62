"""Coverage summaries: global, by regional group, M49 region, section, weapon category, column."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter, Problem
from un1540.models import M49Area, RegionalGroup, State
from un1540.schemas.coverage import CoverageRead, CoverageRow
from un1540.services.access import Viewer
from un1540.services.counting import COUNTING_BASIS, breakdown, counted_cells, tally_read
from un1540.services.envelope import envelope
from un1540.services.frameworks import default_framework, framework_layout
from un1540.services.paging import PageRequest

COVERAGE_DIMENSIONS = ("global", "group", "region", "section", "weapon", "column", "state", "field")
COVERAGE_METHOD = (
    "Each cell is X (measure recorded), ? (uncertain), NA (not applicable) or blank (no "
    "information). Coverage = X / (cells - NA); ? is reported separately as uncertainty. OP1 "
    "cells count towards every weapon category their field applies to. States are counted in the "
    "regional group that counts them for electoral purposes. Coverage describes the information "
    "recorded; it is not a measure of compliance."
)


def _labels(session: Session, by: str) -> dict[str, str]:
    if by == "group":
        labels = {group.code: group.name for group in session.scalars(select(RegionalGroup))}
        return labels | {"none": "No regional group"}
    if by == "region":
        return {area.code: area.name for area in session.scalars(select(M49Area))}
    if by == "global":
        return {"all": "All States"}
    if by in ("section", "weapon", "column", "field"):
        layout = framework_layout(session, default_framework(session))
        if by == "section":
            return {section.code: section.title for section in layout.sections}
        if by == "field":
            return {code: field.name for code, field in layout.fields.items()}
        names = layout.weapon_names if by == "weapon" else layout.column_names
        return names | {"adherence": "Adherence (OP1 instruments)"}
    return {}


def coverage_summary(
    session: Session, *, viewer: Viewer, by: str = "global", paging: PageRequest | None = None
) -> CoverageRead:
    """Coverage of the counted editions, broken down one way."""
    if by not in COVERAGE_DIMENSIONS:
        raise InvalidParameter.naming(
            [Problem("by", f"must be one of {', '.join(COVERAGE_DIMENSIONS)}")]
        )
    counted = counted_cells(session, viewer)
    tallied = breakdown(session, viewer, by)
    labels = _labels(session, by)
    if by == "state":
        names = {iso3: name for iso3, name in session.execute(select(State.iso3, State.short_name))}
        labels = {iso3: names[iso3] for iso3 in sorted(counted.editions, key=names.__getitem__)}
    rows = [
        CoverageRow(
            key=key,
            label=labels.get(key, key),
            states=len(tallied.states[key]),
            average_measures_per_state=tallied.average_measures_per_state(key),
            tally=tally_read(tally),
        )
        for key, tally in tallied.tallies.items()
    ]
    order = list(labels)
    rows.sort(key=lambda row: (order.index(row.key) if row.key in order else len(order), row.key))
    paging = paging or PageRequest()
    return CoverageRead(
        **envelope(counted.synthetic),
        by=by,
        basis=COUNTING_BASIS,
        method=COVERAGE_METHOD,
        states_with_editions=len(counted.editions),
        items=paging.cut(rows),
        total=len(rows),
        page=paging.page,
        page_size=paging.page_size,
    )
