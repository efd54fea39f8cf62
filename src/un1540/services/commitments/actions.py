"""Writing commitments: one announced, one moved along its lifecycle with the records that
fulfil it. Each is one @action: everything is checked first, every problem named at once (the
field, and the item of a list), and nothing is written unless all of it is valid."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, Unauthenticated, text
from un1540.models import (
    ActionPlan,
    Commitment,
    CommitmentFulfilment,
    CommitmentStatusChange,
    EditionStatus,
    Event,
    MatrixEdition,
    Origin,
    Statement,
    Visibility,
)
from un1540.models.base import today, utc_now
from un1540.reference.commitments import FULFILMENT_KINDS, commitment_kinds
from un1540.reference.languages import N_
from un1540.schemas.commitments import VISIBILITIES, CommitmentCreate, CommitmentTransition
from un1540.schemas.vocabularies import vocabulary
from un1540.services.commitments.reads import (
    get_commitment,
    organisation_id_of,
    state_id_of,
    visible_event,
    visible_statement,
)
from un1540.services.commitments.records import (
    EDITION,
    FUNDING,
    PLAN,
    PROJECT,
    RECORD_NAMES,
    field_changed,
    find_record,
)
from un1540.services.commitments.rules import COMMITMENTS, Owner, commitment_rules, owner_rules
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.guards import hold_row
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

NOT_SAVED = "the commitment is not valid; nothing was saved"
NOT_MOVED = "the change of status is not valid; nothing was saved"


def _owner(session: Session, data: CommitmentCreate) -> tuple[Owner, list[Problem]]:
    problems = []
    state_id = organisation_id = None
    if (data.state is None) == (data.organisation is None):
        problems.append(Problem("state", N_("give exactly one of state and organisation")))
    if data.state is not None:
        state_id = state_id_of(session, data.state)
        if state_id is None:
            problems.append(
                Problem(
                    "state",
                    text(
                        N_("unknown State %(state)s"),
                        state=repr(data.state[:20]),
                    ),
                )
            )
    if data.organisation is not None:
        organisation_id = organisation_id_of(session, data.organisation)
        if organisation_id is None:
            problems.append(
                Problem(
                    "organisation",
                    text(
                        N_("unknown organisation %(organisation)s"),
                        organisation=repr(data.organisation[:40]),
                    ),
                )
            )
    return Owner(state_id, organisation_id), problems


def _codes_problems(session: Session, data: CommitmentCreate) -> list[Problem]:
    problems = []
    if data.kind not in commitment_kinds():
        problems.append(
            Problem(
                "kind",
                text(
                    N_("must be one of %(commitment_kinds)s"),
                    commitment_kinds=", ".join(commitment_kinds()),
                ),
            )
        )
    layout = framework_layout(session, default_framework(session))
    unknown = [code for code in data.fields if code not in layout.fields]
    if unknown:
        problems.append(
            Problem(
                "fields",
                text(
                    N_("no matrix field with the code: %(unknown)s"),
                    unknown=", ".join(unknown[:10]),
                ),
            )
        )
    if len(set(data.fields)) != len(data.fields):
        problems.append(Problem("fields", N_("lists a field twice")))
    regions = set(vocabulary("region"))
    bad = [code for code in data.regions if code not in regions]
    if bad:
        problems.append(
            Problem(
                "regions",
                text(
                    N_("unknown region: %(bad)s"),
                    bad=", ".join(bad[:10]),
                ),
            )
        )
    if len(set(data.regions)) != len(data.regions):
        problems.append(Problem("regions", N_("lists a region twice")))
    if data.visibility is not None and data.visibility not in VISIBILITIES:
        problems.append(
            Problem(
                "visibility",
                text(
                    N_("must be one of %(visibilities)s"),
                    visibilities=", ".join(VISIBILITIES),
                ),
            )
        )
    return problems


def _dates_problems(data: CommitmentCreate) -> list[Problem]:
    problems = []
    if data.announced_on > today():
        problems.append(
            Problem(
                "announced_on",
                text(
                    N_("is in the future (%(announced_on)s)"),
                    announced_on=data.announced_on,
                ),
            )
        )
    if data.target_date is not None and data.target_date < data.announced_on:
        problems.append(
            Problem(
                "target_date",
                text(
                    N_(
                        "is before the commitment was announced (%(target_date)s < "
                        "%(announced_on)s)"
                    ),
                    target_date=data.target_date,
                    announced_on=data.announced_on,
                ),
            )
        )
    return problems


def _occasion(
    session: Session, viewer: Viewer, data: CommitmentCreate, owner: Owner
) -> tuple[Event | None, Statement | None, list[Problem]]:
    """The event and statement it was announced at, as the author may see them."""
    problems = []
    event = statement = None
    if data.statement is not None:
        statement = visible_statement(session, viewer, data.statement)
        if statement is None:
            problems.append(
                Problem(
                    "statement",
                    text(
                        N_("no statement %(statement)s that you may see"),
                        statement=data.statement,
                    ),
                )
            )
        else:
            if data.event is not None and data.event != statement.event_id:
                problems.append(
                    Problem(
                        "event",
                        text(
                            N_("statement %(id)s was made at another event"),
                            id=statement.id,
                        ),
                    )
                )
            if statement.on_behalf_state_id is not None and owner.state_id not in (
                None,
                statement.on_behalf_state_id,
            ):
                problems.append(
                    Problem(
                        "statement",
                        text(
                            N_("statement %(id)s was made for another State"),
                            id=statement.id,
                        ),
                    )
                )
            if statement.on_behalf_organisation_id is not None and owner.organisation_id not in (
                None,
                statement.on_behalf_organisation_id,
            ):
                problems.append(
                    Problem(
                        "statement",
                        text(
                            N_("statement %(id)s was made for another organisation"),
                            id=statement.id,
                        ),
                    )
                )
    event_id = data.event if data.event is not None else (statement.event_id if statement else None)
    if event_id is not None:
        event = visible_event(session, viewer, event_id)
        if event is None:
            problems.append(
                Problem(
                    "event",
                    text(
                        N_("no event %(event_id)s that you may see"),
                        event_id=event_id,
                    ),
                )
            )
        elif data.announced_on < event.starts_on:
            problems.append(
                Problem(
                    "announced_on",
                    text(
                        N_("is before the event began (%(announced_on)s < %(starts_on)s)"),
                        announced_on=data.announced_on,
                        starts_on=event.starts_on,
                    ),
                )
            )
    return event, statement, problems


def _visibility(data: CommitmentCreate, event: Event | None) -> Visibility:
    if data.visibility is not None:
        return Visibility(data.visibility)
    if data.announced_publicly and event is not None and event.visibility is Visibility.public:
        return Visibility.public
    return Visibility.committee


@action
def create_commitment(
    session: Session,
    *,
    viewer: Viewer,
    data: CommitmentCreate,
    origin: Origin = Origin.entry,
) -> Commitment:
    """A commitment announced by a State or an organisation; it starts `announced`."""
    owner, problems = _owner(session, data)
    if not problems:
        owner_rules.check(viewer, owner, "create")
    problems += _codes_problems(session, data)
    problems += _dates_problems(data)
    event, statement, occasion_problems = _occasion(session, viewer, data, owner)
    problems += occasion_problems
    if problems:
        raise InvalidData(NOT_SAVED, problems=problems)
    status = COMMITMENTS.initial
    commitment = Commitment(
        event_id=event.id if event is not None else None,
        statement_id=statement.id if statement is not None else None,
        state_id=owner.state_id,
        organisation_id=owner.organisation_id,
        kind=data.kind,
        title=data.title.strip(),
        description=data.description,
        announced_on=data.announced_on,
        target_date=data.target_date,
        field_codes=list(data.fields),
        regions=list(data.regions),
        status=status,
        visibility=_visibility(data, event),
        created_by=viewer.actor,
        origin=origin,
        status_changes=[
            CommitmentStatusChange(
                from_status="",
                to_status=status,
                effective_on=data.announced_on,
                changed_by=viewer.actor,
            )
        ],
    )
    session.add(commitment)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="commitment.create",
        entity_type="commitment",
        entity_id=str(commitment.id),
        after={
            "kind": commitment.kind,
            "state": data.state.upper() if data.state else None,
            "organisation": data.organisation,
            "event": commitment.event_id,
            "target_date": commitment.target_date.isoformat() if commitment.target_date else None,
            "visibility": commitment.visibility.value,
        },
    )
    return commitment


def _fulfilment(
    session: Session,
    viewer: Viewer,
    commitment: Commitment,
    position: int,
    kind: str,
    record_id: int,
    field_code: str,
    note: str,
) -> tuple[CommitmentFulfilment | None, list[Problem]]:
    where = f"fulfilments[{position}]"
    if kind not in FULFILMENT_KINDS:
        return None, [
            Problem(
                f"{where}.kind",
                text(
                    N_("must be one of %(fulfilment_kinds)s"),
                    fulfilment_kinds=", ".join(FULFILMENT_KINDS),
                ),
            )
        ]
    record = find_record(session, viewer, kind, record_id)
    if record is None:
        return None, [
            Problem(
                f"{where}.record",
                text(
                    N_("no %(record_names)s %(record_id)s that you may see"),
                    record_names=RECORD_NAMES[kind],
                    record_id=record_id,
                ),
            )
        ]
    problems = []
    fulfilment = CommitmentFulfilment(kind=kind, note=note, recorded_by=viewer.actor)
    if kind == FUNDING:
        fulfilment.funding_entry_id = record_id
    elif kind == PROJECT:
        fulfilment.assistance_project_id = record_id
    elif kind == PLAN:
        fulfilment.action_plan_id = record_id
        assert isinstance(record, ActionPlan)
        if commitment.state_id is not None and record.state_id != commitment.state_id:
            problems.append(
                Problem(
                    f"{where}.record",
                    text(
                        N_("action plan %(record_id)s is another State's"),
                        record_id=record_id,
                    ),
                )
            )
    if kind != EDITION:
        if field_code:
            problems.append(Problem(f"{where}.field", N_("only an edition names a field")))
        return fulfilment, problems
    assert isinstance(record, MatrixEdition)
    fulfilment.edition_id = record_id
    fulfilment.field_code = field_code
    if record.status is not EditionStatus.approved:
        problems.append(
            Problem(
                f"{where}.record",
                text(
                    N_("edition %(record_id)s is %(value)s, not an approved edition"),
                    record_id=record_id,
                    value=record.status.value,
                ),
            )
        )
    if commitment.state_id is not None and record.state_id != commitment.state_id:
        problems.append(
            Problem(
                f"{where}.record",
                text(
                    N_("edition %(record_id)s is another State's"),
                    record_id=record_id,
                ),
            )
        )
    layout = framework_layout(session, default_framework(session))
    if not field_code:
        problems.append(Problem(f"{where}.field", N_("name the matrix field that changed")))
    elif field_code not in layout.fields:
        problems.append(
            Problem(
                f"{where}.field",
                text(
                    N_("no matrix field with the code %(field_code)s"),
                    field_code=field_code,
                ),
            )
        )
    elif not problems and not field_changed(session, viewer, record, field_code):
        problems.append(
            Problem(
                f"{where}.field",
                text(
                    N_(
                        "field %(field_code)s did not change in edition %(number)s (its "
                        "marks are those of the State's previous approved edition)"
                    ),
                    field_code=field_code,
                    number=record.number,
                ),
            )
        )
    return fulfilment, problems


@action
def transition_commitment(
    session: Session, *, viewer: Viewer, commitment_id: int, data: CommitmentTransition
) -> Commitment:
    """Move a commitment to its next status, effective on a date, with what fulfils it."""
    if viewer.user_id is None:
        raise Unauthenticated(N_("sign in or send an API token to move commitments on"))
    commitment = get_commitment(session, viewer=viewer, commitment_id=commitment_id)
    if data.to not in COMMITMENTS.statuses:
        raise InvalidData(
            NOT_MOVED,
            problems=[
                Problem(
                    "to",
                    text(
                        N_("must be one of %(statuses)s"),
                        statuses=", ".join(COMMITMENTS.statuses),
                    ),
                )
            ],
        )
    commitment_rules.check(viewer, commitment, data.to)
    effective_on = data.effective_on or today()
    problems = []
    last = max((c.effective_on for c in commitment.status_changes), default=None)
    if effective_on > today():
        problems.append(
            Problem(
                "effective_on",
                text(
                    N_("is in the future (%(effective_on)s)"),
                    effective_on=effective_on,
                ),
            )
        )
    if effective_on < commitment.announced_on:
        problems.append(
            Problem(
                "effective_on",
                text(
                    N_("is before the commitment was announced (%(announced_on)s)"),
                    announced_on=commitment.announced_on,
                ),
            )
        )
    elif last is not None and effective_on < last:
        problems.append(
            Problem(
                "effective_on",
                text(
                    N_("is before its last change (%(last)s)"),
                    last=last,
                ),
            )
        )
    fulfilments = []
    for position, item in enumerate(data.fulfilments):
        fulfilment, found = _fulfilment(
            session, viewer, commitment, position, item.kind, item.record, item.field, item.note
        )
        problems += found
        if fulfilment is not None:
            fulfilments.append(fulfilment)
    if problems:
        raise InvalidData(NOT_MOVED, problems=problems)
    hold_row(session, commitment, Commitment.status)  # still the status checked (guards.py)
    before = commitment.status
    commitment.status_changes.append(
        CommitmentStatusChange(
            from_status=before,
            to_status=data.to,
            effective_on=effective_on,
            note=data.note,
            changed_by=viewer.actor,
        )
    )
    commitment.fulfilments.extend(fulfilments)
    commitment.status = data.to
    if data.delivery_evidence.strip():
        commitment.delivery_evidence = data.delivery_evidence.strip()
    if data.to == "delivered":
        commitment.delivered_on = effective_on
    commitment.updated_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action=f"commitment.{data.to}",
        entity_type="commitment",
        entity_id=str(commitment.id),
        before={"status": before},
        after={
            "status": data.to,
            "effective_on": effective_on.isoformat(),
            "fulfilments": [f"{item.kind}:{item.record}" for item in data.fulfilments],
        },
        reason=data.note,
    )
    return commitment
