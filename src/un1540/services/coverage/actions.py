"""The writes of the coverage domain: importing context indicators for the prioritisation aid."""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from un1540.models import ContextIndicator, Origin, Role, State, Visibility
from un1540.reference.languages import N_
from un1540.services.coverage.indicators import IndicatorImport, parse_indicators
from un1540.services.kernel.access import Viewer, require
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action


@action
def import_indicators(
    session: Session,
    *,
    content: bytes,
    file_name: str,
    viewer: Viewer,
    dry_run: bool = False,
    origin: Origin = Origin.import_,
) -> IndicatorImport:
    """Check the whole file, then replace the values it names, with one audit event."""
    require(viewer, Role.expert, Role.committee, action=N_("import context indicators"))
    state_ids = {iso3: state_id for iso3, state_id in session.execute(select(State.iso3, State.id))}
    rows = parse_indicators(content, file_name=file_name, states=set(state_ids))
    pairs = [(state_ids[row.iso3], row.indicator) for row in rows]
    existing = select(ContextIndicator.id).where(
        tuple_(ContextIndicator.state_id, ContextIndicator.indicator).in_(pairs)
    )
    replaced = len(session.scalars(existing).all())
    result = IndicatorImport(
        file_name=file_name,
        rows=len(rows),
        states=len({row.iso3 for row in rows}),
        indicators=tuple(sorted({row.indicator for row in rows})),
        replaced=replaced,
        dry_run=dry_run,
    )
    if dry_run:
        return result  # nothing was written: the commit is empty
    checksum = hashlib.sha256(content).hexdigest()
    session.execute(
        delete(ContextIndicator).where(
            tuple_(ContextIndicator.state_id, ContextIndicator.indicator).in_(pairs)
        )
    )
    session.add_all(
        ContextIndicator(
            state_id=state_ids[row.iso3],
            indicator=row.indicator,
            value=row.value,
            year=row.year,
            source=row.source,
            source_file=file_name,
            source_sha256=checksum,
            imported_by=viewer.actor,
            origin=origin,
            visibility=Visibility.public,
        )
        for row in rows
    )
    record_event(
        session,
        actor=viewer.actor,
        action="import_indicators",
        entity_type="context_indicator",
        entity_id=file_name,
        after={
            "rows": result.rows,
            "states": result.states,
            "indicators": list(result.indicators),
            "replaced": replaced,
            "sha256": checksum,
        },
    )
    session.flush()
    return result
