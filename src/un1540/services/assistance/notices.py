"""Who in the clearinghouse is told what (the portal's notifications, and e-mail; see
docs/assistance.md):

- a request is circulated: the accounts of every provider with a suggested offer for one of its
  items (`match`), only if the requester's consent reaches providers (`providers` or `public`):
  a request for the Committee only is circulated to nobody by the system;
- a project changes status: the requester's and the provider's accounts (`project`);
- a project is delivered: the same accounts, that their feedback is due (`feedback_due`).

Only accounts that may see the record are told (notifications.actions.notify checks each with
the record's own read rule): a project is seen by whoever may see its request, so the provider
of a project on a Committee-only request is not told of it. The words are rendered for each
reader when read and when e-mailed, from the record as that reader may see it then (the
topics registered below); a request restricted after its providers were told disappears from
their notifications, and its e-mails, if still pending, are withheld.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from un1540.models import (
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    FundingEntry,
    Role,
    UserAccount,
)
from un1540.reference.languages import N_
from un1540.services.assistance.reads.projects import project_visible
from un1540.services.assistance.reads.requests import PROVIDER_CONSENTS, request_visible
from un1540.services.kernel.access import Viewer, visible
from un1540.services.notifications.actions import notify
from un1540.services.notifications.reads import active_accounts
from un1540.services.notifications.topics import Topic, Wording, register_topic

REQUEST_PAGE = "/assistance/requests/{id}"
PROJECT_PAGE = "/assistance/projects/{id}"
REQUEST_LINK = "/api/v1/assistance/requests/{id}"
PROJECT_LINK = "/api/v1/assistance/projects/{id}"

# The words of each event, with the record's facts as placeholders: %(id)s and %(title)s.
MATCH = Wording(
    subject=N_("A request matches your offer: %(title)s"),
    body=N_(
        "Request %(id)s, %(title)s, has been circulated, and one of your offers is among the "
        "best suggestions for it."
    ),
    link=REQUEST_LINK,
    page=REQUEST_PAGE,
)
# A project's new status (every status of lifecycles.yml, assistance_project): one whole
# sentence each, so that every language can word it.
PROJECT_STATUS = {
    "planned": Wording(
        N_("Project %(id)s is now planned"),
        N_("Project %(id)s, %(title)s, is now planned."),
        PROJECT_LINK,
        PROJECT_PAGE,
    ),
    "in_delivery": Wording(
        N_("Project %(id)s is now in delivery"),
        N_("Project %(id)s, %(title)s, is now in delivery."),
        PROJECT_LINK,
        PROJECT_PAGE,
    ),
    "delivered": Wording(
        N_("Project %(id)s is now delivered"),
        N_("Project %(id)s, %(title)s, is now delivered."),
        PROJECT_LINK,
        PROJECT_PAGE,
    ),
    "closed": Wording(
        N_("Project %(id)s is now closed"),
        N_("Project %(id)s, %(title)s, is now closed."),
        PROJECT_LINK,
        PROJECT_PAGE,
    ),
}
FEEDBACK_DUE = Wording(
    subject=N_("Your feedback on project %(id)s is due"),
    body=N_(
        "Project %(id)s, %(title)s, has been delivered. The recipient and the provider are each "
        "asked for a rating and a comment."
    ),
    link=PROJECT_LINK,
    page=PROJECT_PAGE,
)
# "Deadline near" (services/inbox/deadlines.py): a milestone of the project falls due soon.
MILESTONE_DUE = Wording(
    subject=N_("A milestone of project %(id)s is due on %(due_on)s"),
    body=N_(
        "A milestone of project %(id)s, %(title)s, is due on %(due_on)s. Please record its "
        "delivery on the project's page."
    ),
    link=PROJECT_LINK,
    page=PROJECT_PAGE,
)


def _request_ids(viewer: Viewer) -> Select[int]:
    return select(AssistanceRequest.id).where(request_visible(viewer))


def _request_facts(
    session: Session, viewer: Viewer, ids: Collection[int]
) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(AssistanceRequest.id, AssistanceRequest.title).where(
            AssistanceRequest.id.in_(list(ids)), request_visible(viewer)
        )
    )
    return {id_: {"title": title} for id_, title in rows}


def _request_wording(kind: str, params: Mapping[str, str]) -> Wording | None:
    return MATCH if kind == "match" else None


def _project_ids(viewer: Viewer) -> Select[int]:
    return select(AssistanceProject.id).where(project_visible(viewer))


def _project_facts(
    session: Session, viewer: Viewer, ids: Collection[int]
) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(AssistanceProject.id, AssistanceProject.title).where(
            AssistanceProject.id.in_(list(ids)), project_visible(viewer)
        )
    )
    return {id_: {"title": title} for id_, title in rows}


def _project_wording(kind: str, params: Mapping[str, str]) -> Wording | None:
    if kind == "feedback_due":
        return FEEDBACK_DUE
    if kind == "milestone_due":
        return MILESTONE_DUE
    if kind == "project":
        return PROJECT_STATUS.get(params.get("status", ""))
    return None


register_topic(
    Topic(
        "assistance_request",
        _request_ids,
        _request_facts,
        _request_wording,
        label=N_("Assistance requests matching your offers"),
    )
)
register_topic(
    Topic(
        "assistance_project",
        _project_ids,
        _project_facts,
        _project_wording,
        label=N_("Assistance projects: status, milestones and feedback due"),
    )
)


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
    """Tell the providers of `offers` that the circulated `request` matches them, if its
    consent reaches providers."""
    if request.consent not in PROVIDER_CONSENTS:
        return 0
    accounts = [account for offer in offers for account in provider_accounts(session, offer)]
    return notify(
        session, accounts, kind="match", entity_type="assistance_request", entity_id=request.id
    )


def notify_project(session: Session, project: AssistanceProject) -> int:
    """Tell both sides of `project` (those who may see it) of its new status."""
    accounts = requester_accounts(session, project.request) + provider_accounts(
        session, project.offer
    )
    written = notify(
        session,
        accounts,
        kind="project",
        entity_type="assistance_project",
        entity_id=project.id,
        params={"status": project.status},
    )
    if project.status == "delivered":
        written += notify(
            session,
            accounts,
            kind="feedback_due",
            entity_type="assistance_project",
            entity_id=project.id,
        )
    return written


# A pledge's due date draws near (services/inbox/deadlines.py, "deadline near"): the donor's
# accounts (its State's points of contact and providers, or its organisation's) are told.
PLEDGE_DUE = Wording(
    subject=N_("Pledge %(id)s is due on %(due_on)s"),
    body=N_(
        "The pledge of %(donor)s, %(amount)s %(currency)s made on %(made_on)s, is due on "
        "%(due_on)s. Please record the contribution once it is paid."
    ),
    link="/api/v1/funding/pledges",
    page="/funding",
)


def _pledge_ids(viewer: Viewer) -> Select[int]:
    return select(FundingEntry.id).where(visible(FundingEntry.visibility, viewer))


def _pledge_facts(
    session: Session, viewer: Viewer, ids: Collection[int]
) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(
            FundingEntry.id,
            FundingEntry.donor_name,
            FundingEntry.amount,
            FundingEntry.currency,
            FundingEntry.made_on,
        ).where(FundingEntry.id.in_(list(ids)), visible(FundingEntry.visibility, viewer))
    )
    return {
        id_: {
            "donor": donor,
            "amount": f"{float(amount):,.2f}",
            "currency": currency,
            "made_on": made_on.isoformat(),
        }
        for id_, donor, amount, currency, made_on in rows
    }


def _pledge_wording(kind: str, params: Mapping[str, str]) -> Wording | None:
    return PLEDGE_DUE if kind == "pledge_due" else None


register_topic(
    Topic(
        "funding_entry",
        _pledge_ids,
        _pledge_facts,
        _pledge_wording,
        label=N_("Your pledges: due date near"),
    )
)
