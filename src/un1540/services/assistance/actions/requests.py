"""Filing, correcting and moving a request for assistance; circulating it tells the providers
whose offers are among the best suggestions (notifications, and e-mails after the commit)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, Forbidden, InvalidData, Problem, Unauthenticated, text
from un1540.models import AssistanceRequest, AssistanceRequestItem, Origin
from un1540.models.base import today, utc_now
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.languages import N_
from un1540.schemas.assistance import AssistanceRequestCreate, AssistanceRequestUpdate
from un1540.schemas.text import REASON
from un1540.services.assistance.matching import rank_offers
from un1540.services.assistance.notices import notify_matches
from un1540.services.assistance.parties import party, party_key
from un1540.services.assistance.reads.requests import PROVIDER_CONSENTS, get_request
from un1540.services.assistance.rules import (
    REQUEST_FILERS,
    REQUESTS,
    clearinghouse_rules,
    request_rules,
)
from un1540.services.assistance.validation import consent_problems, item_problems
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, require, system_viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action


@action
def submit_request(
    session: Session,
    *,
    viewer: Viewer,
    data: AssistanceRequestCreate,
    origin: Origin = Origin.entry,
) -> AssistanceRequest:
    """File a request (status `received`); every problem is reported at once, nothing is saved."""
    clearinghouse_rules.check(viewer, None, "file_request")
    state, organisation = party(session, viewer, data.state, data.organisation)
    problems = consent_problems(data.consent)
    for position, item in enumerate(data.items):
        problems += item_problems(session, position, item)
    received_on = data.received_on or today()
    if received_on > today():
        problems.append(Problem("received_on", N_("is in the future")))
    if problems:
        raise InvalidData(N_("the request is not valid; nothing was saved"), problems=problems)
    key = party_key(state, organisation)
    duplicate = session.scalar(
        select(AssistanceRequest.id).where(
            AssistanceRequest.requester_key == key,
            AssistanceRequest.title == data.title.strip(),
            AssistanceRequest.received_on == received_on,
        )
    )
    if duplicate is not None:
        raise Conflict(
            text(
                N_(
                    "duplicate submission: request %(duplicate)s has the same "
                    "requester, title and date"
                ),
                duplicate=duplicate,
            )
        )
    request = AssistanceRequest(
        state_id=state.id if state else None,
        organisation_id=organisation.id if organisation else None,
        requester_key=key,
        title=data.title.strip(),
        summary=data.summary,
        received_on=received_on,
        status=REQUESTS.initial,
        consent=data.consent,
        created_by=viewer.actor,
        origin=origin,
        items=[
            AssistanceRequestItem(position=position, **item.model_dump())
            for position, item in enumerate(data.items)
        ],
    )
    session.add(request)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_request.submit",
        entity_type="assistance_request",
        entity_id=str(request.id),
        after={"requester": key, "title": request.title, "items": len(data.items)},
    )
    return request


def _changeable(
    session: Session, viewer: Viewer, request_id: int, revision: int
) -> AssistanceRequest:
    """The request, if the viewer may change it and read its current revision."""
    require(viewer, *REQUEST_FILERS, action=N_("change a request"))
    request = get_request(session, viewer=viewer, request_id=request_id)
    # A stale revision is reported before a closed request, as it always was; who may not
    # change the request at all is told so first.
    refusal = request_rules.refusal(viewer, request, "update")
    if request.revision != revision and not isinstance(refusal, Unauthenticated | Forbidden):
        raise Conflict(
            text(
                N_("request %(request_id)s has changed since you read it (revision %(revision)s)"),
                request_id=request_id,
                revision=request.revision,
            ),
            details={"current_revision": request.revision},
        )
    request_rules.check(viewer, request, "update")
    return request


def _widens(request: AssistanceRequest, consent: str) -> bool:
    vocabulary = load_assistance_vocabulary()
    return vocabulary.consent_width(consent) > vocabulary.consent_width(request.consent)


@action
def update_request(
    session: Session, *, viewer: Viewer, request_id: int, data: AssistanceRequestUpdate
) -> AssistanceRequest:
    """Correct a request's title, summary or consent (the requester or the Committee side)."""
    request = _changeable(session, viewer, request_id, data.revision)
    problems = consent_problems(data.consent) if data.consent is not None else []
    if data.consent is not None and data.consent != "public" and request.published_at:
        problems.append(Problem("consent", N_("a published request stays public")))
    if not problems and data.consent is not None and _widens(request, data.consent):
        problems.append(
            Problem(
                "consent",
                text(
                    N_(
                        "widening who may see request %(request_id)s is its own step, "
                        "confirmed: POST "
                        "/api/v1/assistance/requests/%(request_id)s/consent"
                    ),
                    request_id=request_id,
                ),
            )
        )
    if problems:
        raise InvalidData(N_("the change is not valid; nothing was saved"), problems=problems)
    before = {"title": request.title, "summary": request.summary, "consent": request.consent}
    for name in ("title", "summary", "consent"):
        value = getattr(data, name)
        if value is not None:
            setattr(request, name, value.strip() if name == "title" else value)
    request.revision += 1
    request.updated_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_request.update",
        entity_type="assistance_request",
        entity_id=str(request.id),
        before=before,
        after={"title": request.title, "summary": request.summary, "consent": request.consent},
    )
    return request


@action
def change_consent(
    session: Session,
    *,
    viewer: Viewer,
    request_id: int,
    consent: str,
    revision: int,
    reason: str = "",
    confirmed: bool = False,
) -> AssistanceRequest:
    """Change who may see a request (the requester or the Committee side): narrowing at once,
    widening only when `confirmed` (the portal asks first). The audit records before, after and
    why, as its own event."""
    request = _changeable(session, viewer, request_id, revision)
    problems = consent_problems(consent)
    reason = REASON.check(reason, "reason", problems)
    if not problems and consent != "public" and request.published_at:
        problems.append(Problem("consent", N_("a published request stays public")))
    widening = not problems and _widens(request, consent)
    if widening and not confirmed:
        problems.append(
            Problem(
                "confirm",
                text(
                    N_(
                        "widening who may see request %(request_id)s from %(consent)s to "
                        "%(consent2)s must be confirmed"
                    ),
                    request_id=request_id,
                    consent=request.consent,
                    consent2=consent,
                ),
            )
        )
    if problems:
        raise InvalidData(N_("who may see the request was not changed"), problems=problems)
    if consent == request.consent:
        return request
    before = {"consent": request.consent}
    request.consent = consent
    request.revision += 1
    request.updated_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_request.widen_consent"
        if widening
        else "assistance_request.narrow_consent",
        entity_type="assistance_request",
        entity_id=str(request.id),
        before=before,
        after={"consent": consent},
        reason=reason,
    )
    if (
        request.circulated_at is not None
        and request.status not in REQUESTS.final
        and before["consent"] not in PROVIDER_CONSENTS
        and consent in PROVIDER_CONSENTS
    ):
        # Circulated while only the Committee could see it: the providers whose offers match
        # hear of it now, as they would have when it was circulated.
        notify_suggested_providers(session, request)
    return request


@action
def transition_request(
    session: Session, *, viewer: Viewer, request_id: int, to: str, reason: str = ""
) -> AssistanceRequest:
    """Move a request one step along its lifecycle (experts and the Committee)."""
    require(viewer, *COMMITTEE_SIDE, action=N_("move a request through its lifecycle"))
    request = get_request(session, viewer=viewer, request_id=request_id)
    if to not in REQUESTS.statuses:
        raise InvalidData(
            text(
                N_("unknown status %(to)s"),
                to=repr(to),
            ),
            problems=[
                Problem(
                    "to",
                    text(
                        N_("must be one of %(statuses)s"),
                        statuses=", ".join(REQUESTS.statuses),
                    ),
                )
            ],
        )
    request_rules.check(viewer, request, to)
    reason = REASON.require(reason, "reason", message=N_("the request was not moved"))
    if to in REQUESTS.final and not reason.strip():
        raise InvalidData(
            N_("say why the request is closed"), problems=[Problem("reason", N_("required"))]
        )
    before = request.status
    request.status = to
    now = utc_now()
    if to == "circulated":
        request.circulated_at = now
    if to == "published":
        request.published_at = now
    request.revision += 1
    request.updated_at = now
    session.flush()
    if to == "circulated":
        notify_suggested_providers(session, request)
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_request.transition",
        entity_type="assistance_request",
        entity_id=str(request.id),
        before={"status": before},
        after={"status": to},
        reason=reason,
    )
    return request


def notify_suggested_providers(session: Session, request: AssistanceRequest) -> int:
    """Tell the providers whose offers are among the best suggestions for a circulated request
    (ranked as the Committee side sees them, with every judgement)."""
    ranking = rank_offers(session, system_viewer("system: matching"), request.items, judged=True)
    return notify_matches(session, request, ranking.suggested_offers)
