"""The writes of the incident register: recording one incident, and a file of them (all or
nothing). Each checks everything first and names every problem; nothing is written otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from un1540.errors import Conflict, Forbidden, InvalidData, Problem, listed, text
from un1540.models import Incident, IncidentState, Origin, Role
from un1540.reference.incidents import load_incident_vocabulary
from un1540.reference.languages import N_
from un1540.schemas.incidents import IncidentCreate
from un1540.services.incidents.rules import incident_rules
from un1540.services.incidents.validation import (
    DuplicateKey,
    Lookups,
    Where,
    duplicate_keys,
    field_name,
    incident_problems,
    recorded_duplicates,
)
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action


@dataclass(frozen=True)
class IncidentImport:
    file_name: str
    rows: int
    states: int
    dry_run: bool


def _as_provider(viewer: Viewer, data: IncidentCreate, lookups: Lookups) -> IncidentCreate:
    """A provider records for its own organisation's source only."""
    if viewer.role is not Role.provider:
        return data
    own = next(
        (code for code, ident in lookups.organisations.items() if ident == viewer.organisation_id),
        None,
    )
    if own is None:
        raise Forbidden(
            N_("a provider account records incidents for its organisation; it has none")
        )
    if data.source != "organisation" or (data.organisation or own) != own:
        raise Forbidden(N_("a provider records incidents only with its own organisation as source"))
    return data.model_copy(update={"organisation": own})


def _new_incident(
    data: IncidentCreate, lookups: Lookups, viewer: Viewer, origin: Origin
) -> Incident:
    fields = (
        data.fields
        if data.fields is not None
        else load_incident_vocabulary().default_fields(data.kind)
    )
    incident = Incident(
        occurred_on=data.occurred_on,
        reported_on=data.reported_on,
        category=data.category,
        material_class=data.material_class,
        kind=data.kind,
        grouping=data.grouping,
        source=data.source,
        organisation_id=lookups.organisations[data.organisation] if data.organisation else None,
        confirmation=data.confirmation,
        summary=data.summary.strip(),
        fields=list(fields),
        restricted=data.restricted,
        share_with_state=data.share_with_state,
        reporter_id=viewer.user_id or None,
        reporter_organisation_id=viewer.organisation_id if viewer.role is Role.provider else None,
        recorded_by=viewer.actor,
        origin=origin,
    )
    incident.states = [IncidentState(state_id=lookups.states[code.upper()]) for code in data.states]
    return incident


def _duplicate_problem(where: Where) -> Problem:
    return Problem(
        where("occurred_on"),
        N_("an incident with the same date, State, material and kind is already recorded"),
    )


@action
def record_incident(
    session: Session, *, viewer: Viewer, data: IncidentCreate, origin: Origin = Origin.entry
) -> Incident:
    """Record one incident; every problem is named by its field, nothing is saved otherwise."""
    incident_rules.check(viewer, None, "record_incident")
    lookups = Lookups.load(session)
    data = _as_provider(viewer, data, lookups)
    problems = incident_problems(data, lookups, field_name)
    if problems:
        raise InvalidData(N_("the incident is not valid; nothing was saved"), problems=problems)
    if recorded_duplicates(session, duplicate_keys(data, lookups)):
        problem = _duplicate_problem(field_name)
        raise Conflict(
            text(
                N_("duplicate incident: %(message)s"),
                message=problem.message,
            )
        )
    incident = _new_incident(data, lookups, viewer, origin)
    session.add(incident)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="incident.record",
        entity_type="incident",
        entity_id=str(incident.id),
        # Kinds and dates only: a restricted record's summary stays out of the audit trail's
        # public parts.
        after={
            "kind": incident.kind,
            "category": incident.category,
            "restricted": incident.restricted,
        },
    )
    return incident


@action
def import_incidents(
    session: Session,
    *,
    viewer: Viewer,
    rows: list[tuple[int, IncidentCreate]],
    problems: list[Problem],
    file_name: str,
    column: Where | None = None,
    dry_run: bool = False,
    origin: Origin = Origin.import_,
) -> IncidentImport:
    """Record every row of a file, or none: `problems` are those found reading the file
    (io/incident_import.py), to which the checks against the data are added; each names the
    file, row and column. A dry run checks everything and writes nothing."""
    incident_rules.check(viewer, None, "import_incidents")
    lookups = Lookups.load(session)
    problems = list(problems)
    seen: dict[DuplicateKey, int] = {}
    checked: list[IncidentCreate] = []
    for line, data in rows:

        def where(name: str, line: int = line) -> str:
            return f"{file_name}, row {line}, column {column(name) if column else name}"

        row_problems = incident_problems(data, lookups, where)
        keys = duplicate_keys(data, lookups)
        earlier = sorted({seen[key] for key in keys if key in seen})
        if earlier:
            row_problems.append(
                Problem(
                    f"{file_name}, row {line}",
                    text(
                        N_("duplicate of row %(earlier)s (same date, State, material and kind)"),
                        earlier=earlier[0],
                    ),
                )
            )
        if recorded_duplicates(session, keys):
            row_problems.append(_duplicate_problem(where))
        for key in keys:
            seen.setdefault(key, line)
        problems += row_problems
        checked.append(data)
    if not rows and not problems:
        problems.append(Problem(file_name, N_("no data rows")))
    if problems:
        raise InvalidData(
            text(
                N_("%(file_name)s: %(count)s problem(s); nothing was imported"),
                file_name=file_name,
                count=len(problems),
            ),
            problems=listed(problems, file_name),
        )
    result = IncidentImport(
        file_name=file_name,
        rows=len(checked),
        states=len({code.upper() for data in checked for code in data.states}),
        dry_run=dry_run,
    )
    if dry_run:
        return result
    incidents = [_new_incident(data, lookups, viewer, origin) for data in checked]
    session.add_all(incidents)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="incident.import",
        entity_type="incident",
        entity_id=file_name,
        after={"rows": result.rows, "states": result.states},
    )
    return result
