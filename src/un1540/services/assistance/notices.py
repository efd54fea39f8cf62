"""Who in the clearinghouse is told what (the portal's notifications, and e-mail):

- a request is circulated: the accounts of every provider with a suggested offer for one of its
  items (`match`);
- a project changes status: the requester's and the provider's accounts (`project`);
- a project is delivered: the same accounts, that their feedback is due (`feedback_due`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from un1540.models import AssistanceOffer, AssistanceProject, AssistanceRequest, Role, UserAccount
from un1540.services.notifications.actions import notify
from un1540.services.notifications.reads import active_accounts


def requester_accounts(session: Session, request: AssistanceRequest) -> list[UserAccount]:
    return active_accounts(
        session,
        state_id=request.state_id,
        organisation_id=request.organisation_id,
        roles=(Role.state_poc, Role.provider),
    )


def provider_accounts(session: Session, offer: AssistanceOffer) -> list[UserAccount]:
    if offer.organisation_id is not None:
        return active_accounts(
            session, state_id=None, organisation_id=offer.organisation_id, roles=(Role.provider,)
        )
    return active_accounts(
        session, state_id=offer.state_id, organisation_id=None, roles=(Role.provider,)
    )


def notify_matches(
    session: Session, request: AssistanceRequest, offers: Iterable[AssistanceOffer]
) -> int:
    accounts = [account for offer in offers for account in provider_accounts(session, offer)]
    return notify(
        session,
        accounts,
        kind="match",
        subject=f"A request matches your offer: {request.title}",
        body=(
            f"Request {request.id}, {request.title}, has been circulated, and one of your offers "
            "is among the best suggestions for it."
        ),
        link=f"/api/v1/assistance/requests/{request.id}",
    )


def notify_project(session: Session, project: AssistanceProject) -> int:
    accounts = requester_accounts(session, project.request) + provider_accounts(
        session, project.offer
    )
    written = notify(
        session,
        accounts,
        kind="project",
        subject=f"Project {project.id} is now {project.status.replace('_', ' ')}",
        body=f"Project {project.id}, {project.title}, is now {project.status.replace('_', ' ')}.",
        link=f"/api/v1/assistance/projects/{project.id}",
    )
    if project.status == "delivered":
        written += notify(
            session,
            accounts,
            kind="feedback_due",
            subject=f"Your feedback on project {project.id} is due",
            body=(
                f"Project {project.id}, {project.title}, has been delivered. The recipient and "
                "the provider are each asked for a rating and a comment."
            ),
            link=f"/api/v1/assistance/projects/{project.id}/feedback",
        )
    return written
