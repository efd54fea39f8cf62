"""The writes of the organisations' activities: recording one, and a file of them (all or
nothing). Each checks everything first and names every problem; nothing is written otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from un1540.errors import Forbidden, InvalidData, Problem, listed, text
from un1540.models import OrganisationActivity, Origin, Role, Visibility
from un1540.reference.languages import N_
from un1540.schemas.activities import ActivityCreate
from un1540.services.activities.rules import activity_rules
from un1540.services.activities.validation import Lookups, activity_problems, field_name
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action


@dataclass(frozen=True)
class ActivityImport:
    file_name: str
    rows: int
    states: int
    dry_run: bool


def _own_organisation(viewer: Viewer, data: ActivityCreate, lookups: Lookups) -> None:
    """A provider records for its own organisation only: the refusal names the field."""
    if viewer.role is not Role.provider:
        return
    own = next(
        (code for code, ident in lookups.organisations.items() if ident == viewer.organisation_id),
        None,
    )
    if own is None:
        raise Forbidden(
            N_("a provider account records activities for its organisation; it has none"),
            problems=[Problem("organisation", N_("your account belongs to no organisation"))],
        )
    if data.organisation != own:
        raise Forbidden(
            text(
                N_(
                    "organisation: a provider records activities only for its own "
                    "organisation (%(own)s)"
                ),
                own=own,
            ),
            problems=[
                Problem(
                    "organisation",
                    text(
                        N_("%(organisation)s is not your organisation"),
                        organisation=repr(data.organisation[:60]),
                    ),
                )
            ],
        )


def _new_activity(
    data: ActivityCreate, lookups: Lookups, viewer: Viewer, origin: Origin
) -> OrganisationActivity:
    return OrganisationActivity(
        organisation_id=lookups.organisations[data.organisation],
        state_id=lookups.states[data.state.upper()],
        programme=data.programme.strip(),
        description=data.description.strip(),
        fields=list(data.fields),
        weapons=list(data.weapons),
        start_on=data.start_on,
        end_on=data.end_on,
        visibility=Visibility(data.visibility),
        recorder_id=viewer.user_id or None,
        recorded_by=viewer.actor,
        origin=origin,
    )


@action
def record_activity(
    session: Session, *, viewer: Viewer, data: ActivityCreate, origin: Origin = Origin.entry
) -> OrganisationActivity:
    """Record one activity; every problem is named by its field, nothing is saved otherwise.
    The duplication warnings are read afterwards (services/activities/overlaps.py)."""
    activity_rules.check(viewer, None, "record_activity")
    lookups = Lookups.load(session)
    _own_organisation(viewer, data, lookups)
    problems = activity_problems(data, lookups, field_name)
    if problems:
        raise InvalidData(N_("the activity is not valid; nothing was saved"), problems=problems)
    activity = _new_activity(data, lookups, viewer, origin)
    session.add(activity)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="organisation_activity.record",
        entity_type="organisation_activity",
        entity_id=str(activity.id),
        # Codes only: a restricted activity's programme stays out of the audit trail.
        after={
            "organisation": data.organisation,
            "state": data.state.upper(),
            "visibility": data.visibility,
        },
    )
    return activity


@action
def import_activities(
    session: Session,
    *,
    viewer: Viewer,
    rows: list[tuple[int, ActivityCreate]],
    problems: list[Problem],
    file_name: str,
    dry_run: bool = False,
    origin: Origin = Origin.import_,
) -> ActivityImport:
    """Record every row of a file, or none: `problems` are those found reading the file
    (io/activity_import.py), to which the checks against the data are added; each names the
    file, row and column. A dry run checks everything and writes nothing."""
    activity_rules.check(viewer, None, "import_activities")
    lookups = Lookups.load(session)
    problems = list(problems)
    for line, data in rows:

        def where(name: str, line: int = line) -> str:
            return f"{file_name}, row {line}, column {name}"

        problems += activity_problems(data, lookups, where)
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
    result = ActivityImport(
        file_name=file_name,
        rows=len(rows),
        states=len({data.state.upper() for _line, data in rows}),
        dry_run=dry_run,
    )
    if dry_run:
        return result
    session.add_all([_new_activity(data, lookups, viewer, origin) for _line, data in rows])
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="organisation_activity.import",
        entity_type="organisation_activity",
        entity_id=file_name,
        after={"rows": result.rows, "states": result.states},
    )
    return result
