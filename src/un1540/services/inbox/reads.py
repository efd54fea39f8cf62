"""What awaits the signed-in account, by role: the landing page after sign-in (docs/inbox.md).

- the Group of Experts: drafts they are writing, and changes proposed by States awaiting a
  decision;
- the Committee: editions awaiting approval (agreed by their State, or past their review
  deadline);
- a State's point of contact: the drafts shared with its State, the deadlines coming (its
  response on a shared draft, its action plan's milestones), its open assistance requests and
  its pending milestones;
- a provider: the circulated requests it was told match its offers, and its open projects;
- a donor (a State's or an organisation's account): its pledges not yet paid in full;
- everyone: the unread notifications.

Each section reads through the owning domain's visibility rule (edition_visible,
request_visible, project_visible, plan_visible, visible) and is narrowed to the account's own
State or organisation on top of it, never around it: nothing here shows a record its reader may
not see elsewhere. Each section lists at most ITEMS items and counts all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from un1540.errors import NotFound, Problem, Unauthenticated, text
from un1540.models import (
    ActionPlan,
    ActionPlanMeasure,
    ActionPlanMilestone,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    CellProposal,
    EditionStatus,
    FundingEntry,
    MatrixEdition,
    Notification,
    Organisation,
    ProposalStatus,
    Role,
    State,
)
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.services.action_plans.reads import plan_visible
from un1540.services.assistance.reads.projects import project_visible
from un1540.services.assistance.reads.requests import request_visible
from un1540.services.kernel.access import Viewer, edition_visible, visible
from un1540.services.matrix.layout import cell_keys
from un1540.services.notifications.reads import unread_count

ITEMS = 10  # items listed per section (all are counted)
SOON_DAYS = 30  # a deadline within this many days (or past) is "coming"
MATCH_STATUSES = ("circulated", "published")  # a request still looking for providers


@dataclass(frozen=True)
class Window:
    """Which of a section's items to list: the page shows the first ITEMS, the API pages."""

    offset: int = 0
    size: int = ITEMS

    def cut(self, items: list[InboxItem]) -> list[InboxItem]:
        return items[self.offset : self.offset + self.size]

    @property
    def reach(self) -> int:
        """How many items from the first to the last of the window."""
        return self.offset + self.size


FIRST = Window()


@dataclass(frozen=True)
class InboxItem:
    """One thing that awaits the reader, with where to act on it."""

    kind: str  # edition | proposal | request | project | milestone | pledge
    name: str  # the record's name as the reader may see it (a State's name, a title)
    link: str  # the portal page where the reader acts on it
    iso3: str = ""  # the State it concerns, if any (its name is translated by the page)
    number: int | None = None  # an edition's number, or a record's id
    status: str = ""  # a status code of reference/lifecycles.yml
    due_on: date | None = None
    detail: str = ""  # a cell key, an amount with its currency


@dataclass(frozen=True)
class InboxSection:
    key: str
    title: str  # gettext message id (N_)
    empty: str  # what the page says when nothing awaits (N_)
    items: list[InboxItem]
    total: int


@dataclass(frozen=True)
class Inbox:
    role: Role
    sections: list[InboxSection] = field(default_factory=list)
    unread: int = 0

    @property
    def awaiting(self) -> int:
        return sum(section.total for section in self.sections)


def _count(session: Session, statement: Select[*tuple[Any, ...]]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return session.scalar(counted) or 0


def _edition_page(iso3: str, number: int) -> str:
    return f"/states/{iso3}/editions/{number}"


def _editions(
    session: Session,
    viewer: Viewer,
    condition: ColumnElement[bool],
    *,
    by_due: bool = False,
    window: Window = FIRST,
) -> tuple[list[InboxItem], int]:
    statement = (
        select(MatrixEdition, State)
        .join(State, State.id == MatrixEdition.state_id)
        .where(edition_visible(viewer), condition)
        .order_by(
            *(
                (MatrixEdition.response_due_on.is_(None), MatrixEdition.response_due_on)
                if by_due
                else ()
            ),
            State.short_name,
            MatrixEdition.number,
        )
    )
    items = [
        InboxItem(
            kind="edition",
            name=state.short_name,
            link=_edition_page(state.iso3, edition.number),
            iso3=state.iso3,
            number=edition.number,
            status=edition.status.value,
            due_on=edition.response_due_on,
        )
        for edition, state in session.execute(statement.offset(window.offset).limit(window.size))
    ]
    return items, _count(session, statement)


def drafts(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """Experts: the drafts not yet shared with their State."""
    items, total = _editions(
        session, viewer, MatrixEdition.status == EditionStatus.draft, window=window
    )
    return InboxSection(
        "drafts", N_("Drafts in preparation"), N_("No draft is in preparation."), items, total
    )


def pending_proposals(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """Experts: the changes States proposed that await a decision, oldest first."""
    statement = (
        select(CellProposal, MatrixEdition, State)
        .join(MatrixEdition, MatrixEdition.id == CellProposal.edition_id)
        .join(State, State.id == MatrixEdition.state_id)
        .where(
            CellProposal.status == ProposalStatus.pending,
            edition_visible(viewer),
            visible(CellProposal.visibility, viewer, MatrixEdition.state_id),
        )
        .order_by(CellProposal.id)
    )
    items = []
    keys: dict[int, Callable[[int], str]] = {}
    for proposal, edition, state in session.execute(
        statement.offset(window.offset).limit(window.size)
    ):
        if edition.framework_id not in keys:
            keys[edition.framework_id] = cell_keys(session, edition.framework_id)
        key_of = keys[edition.framework_id]
        items.append(
            InboxItem(
                kind="proposal",
                name=state.short_name,
                link=_edition_page(state.iso3, edition.number),
                iso3=state.iso3,
                number=edition.number,
                status=proposal.status.value,
                detail=key_of(proposal.cell_entry.cell_id),
            )
        )
    return InboxSection(
        "proposals",
        N_("Proposed changes awaiting your decision"),
        N_("No proposed change awaits a decision."),
        items,
        _count(session, statement),
    )


def awaiting_approval(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """The Committee: editions agreed by their State, or shared and past their deadline."""
    condition = or_(
        MatrixEdition.status == EditionStatus.agreed,
        and_(
            MatrixEdition.status == EditionStatus.shared,
            MatrixEdition.response_due_on < today(),
        ),
    )
    items, total = _editions(session, viewer, condition, by_due=True, window=window)
    return InboxSection(
        "approval",
        N_("Editions awaiting approval"),
        N_("No edition awaits approval."),
        items,
        total,
    )


def _own_state(
    viewer: Viewer, column: InstrumentedAttribute[int] | InstrumentedAttribute[int | None]
) -> ColumnElement[bool]:
    """SQL: the record belongs to the State the viewer speaks for (none for the others)."""
    if viewer.state_id is None:
        return false()
    return column == viewer.state_id


def shared_drafts(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """A State's point of contact: its State's editions shared with it, not yet approved."""
    condition = and_(
        _own_state(viewer, MatrixEdition.state_id),
        MatrixEdition.status.in_([EditionStatus.shared, EditionStatus.agreed]),
    )
    items, total = _editions(session, viewer, condition, by_due=True, window=window)
    return InboxSection(
        "shared",
        N_("Drafts shared with you for review"),
        N_("No draft of your State's matrix is shared with you now."),
        items,
        total,
    )


def _milestones(viewer: Viewer) -> Select[ActionPlanMilestone, ActionPlan]:
    return (
        select(ActionPlanMilestone, ActionPlan)
        .join(ActionPlanMeasure, ActionPlanMeasure.id == ActionPlanMilestone.measure_id)
        .join(ActionPlan, ActionPlan.id == ActionPlanMeasure.plan_id)
        .where(
            plan_visible(viewer),
            _own_state(viewer, ActionPlan.state_id),
            ActionPlanMilestone.status == "pending",
        )
        .order_by(ActionPlanMilestone.due_on, ActionPlanMilestone.id)
    )


def _milestone_item(milestone: ActionPlanMilestone, plan: ActionPlan) -> InboxItem:
    return InboxItem(
        kind="milestone",
        name=milestone.title,
        link=f"/action-plans/{plan.id}",
        number=plan.id,
        status=milestone.status,
        due_on=milestone.due_on,
        detail=plan.title,
    )


def milestones(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """A State's point of contact: its action plans' pending milestones, soonest first."""
    statement = _milestones(viewer)
    items = [
        _milestone_item(milestone, plan)
        for milestone, plan in session.execute(statement.offset(window.offset).limit(window.size))
    ]
    return InboxSection(
        "milestones",
        N_("Action plan milestones"),
        N_("No milestone of your State's action plans is pending."),
        items,
        _count(session, statement),
    )


def deadlines(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """A State's point of contact: what falls due within SOON_DAYS days, or is past due: its
    response on each shared draft, and its plans' milestones; soonest first."""
    horizon = today() + timedelta(days=SOON_DAYS)
    # The window's items are among the first `reach` of each list, merged by due date.
    upto = Window(0, window.reach)
    responses, answers = _editions(
        session,
        viewer,
        and_(
            _own_state(viewer, MatrixEdition.state_id),
            MatrixEdition.status == EditionStatus.shared,
            MatrixEdition.response_due_on <= horizon,
        ),
        by_due=True,
        window=upto,
    )
    soon = _milestones(viewer).where(ActionPlanMilestone.due_on <= horizon)
    items = responses + [
        _milestone_item(milestone, plan)
        for milestone, plan in session.execute(soon.limit(window.reach))
    ]
    items.sort(key=lambda item: item.due_on or date.max)
    total = answers + _count(session, soon)
    return InboxSection(
        "deadlines",
        N_("Deadlines in the next 30 days"),
        N_("Nothing falls due in the next 30 days."),
        window.cut(items),
        total,
    )


def own_requests(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """A State's point of contact: its State's assistance requests still open."""
    statement = (
        select(AssistanceRequest)
        .where(
            request_visible(viewer),
            _own_state(viewer, AssistanceRequest.state_id),
            AssistanceRequest.status != "closed",
        )
        .order_by(AssistanceRequest.received_on.desc(), AssistanceRequest.id.desc())
    )
    items = [
        InboxItem(
            kind="request",
            name=request.title,
            link=f"/assistance/requests/{request.id}",
            number=request.id,
            status=request.status,
        )
        for request in session.scalars(statement.offset(window.offset).limit(window.size))
    ]
    return InboxSection(
        "requests",
        N_("Your assistance requests"),
        N_("Your State has no open assistance request."),
        items,
        _count(session, statement),
    )


def matches(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """A provider: the circulated requests it was told match one of its offers, still open to
    providers (its `match` notifications)."""
    told = select(Notification.entity_id).where(
        Notification.user_id == viewer.user_id,
        Notification.kind == "match",
        Notification.entity_type == "assistance_request",
    )
    statement = (
        select(AssistanceRequest)
        .where(
            request_visible(viewer),
            AssistanceRequest.id.in_(told),
            AssistanceRequest.status.in_(MATCH_STATUSES),
        )
        .order_by(AssistanceRequest.id.desc())
    )
    items = [
        InboxItem(
            kind="request",
            name=request.title,
            link=f"/assistance/requests/{request.id}",
            number=request.id,
            status=request.status,
        )
        for request in session.scalars(statement.offset(window.offset).limit(window.size))
    ]
    return InboxSection(
        "matches",
        N_("Requests matching your offers"),
        N_("No circulated request matches your offers now."),
        items,
        _count(session, statement),
    )


def _mine(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the offers the viewer's State or organisation makes."""
    own: ColumnElement[bool] = false()
    if viewer.organisation_id is not None:
        own = AssistanceOffer.organisation_id == viewer.organisation_id
    if viewer.state_id is not None:
        own = or_(own, AssistanceOffer.state_id == viewer.state_id)
    return own


def provider_projects(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """A provider: its projects not yet closed."""
    statement = (
        select(AssistanceProject)
        .join(AssistanceOffer, AssistanceOffer.id == AssistanceProject.offer_id)
        .where(project_visible(viewer), _mine(viewer), AssistanceProject.status != "closed")
        .order_by(AssistanceProject.id.desc())
    )
    items = [
        InboxItem(
            kind="project",
            name=project.title,
            link=f"/assistance/projects/{project.id}",
            number=project.id,
            status=project.status,
        )
        for project in session.scalars(statement.offset(window.offset).limit(window.size))
    ]
    return InboxSection(
        "projects",
        N_("Your projects"),
        N_("You have no open project."),
        items,
        _count(session, statement),
    )


def _donor_key(session: Session, viewer: Viewer) -> str | None:
    if viewer.organisation_id is not None:
        code = session.scalar(
            select(Organisation.code).where(Organisation.id == viewer.organisation_id)
        )
        return f"organisation:{code}" if code else None
    if viewer.state_id is not None:
        iso3 = session.scalar(select(State.iso3).where(State.id == viewer.state_id))
        return f"state:{iso3}" if iso3 else None
    return None


def pledges_due(session: Session, viewer: Viewer, window: Window = FIRST) -> InboxSection:
    """A donor (the State or organisation the account speaks for): what it pledged and has not
    paid yet, per currency (amounts are never converted), with the next due date of its pledges
    in that currency (today or later), if they have one."""
    key = _donor_key(session, viewer)
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: {"pledge": 0.0, "contribution": 0.0}
    )
    next_due: dict[tuple[str, str], date] = {}
    if key is not None:
        next_due = {
            (name, currency): due_on
            for name, currency, due_on in session.execute(
                select(
                    FundingEntry.donor_name, FundingEntry.currency, func.min(FundingEntry.due_on)
                )
                .where(
                    visible(FundingEntry.visibility, viewer),
                    FundingEntry.donor_key == key,
                    FundingEntry.kind == "pledge",
                    FundingEntry.due_on >= today(),
                )
                .group_by(FundingEntry.donor_name, FundingEntry.currency)
            )
            if due_on is not None
        }
        rows = session.execute(
            select(
                FundingEntry.donor_name,
                FundingEntry.currency,
                FundingEntry.kind,
                func.sum(FundingEntry.amount),
            )
            .where(visible(FundingEntry.visibility, viewer), FundingEntry.donor_key == key)
            .group_by(FundingEntry.donor_name, FundingEntry.currency, FundingEntry.kind)
        )
        for name, currency, kind, amount in rows:
            sums[(name, currency)][kind] += float(amount or 0)
    items = [
        InboxItem(
            kind="pledge",
            name=name,
            link="/funding",
            due_on=next_due.get((name, currency)),
            detail=f"{round(amounts['pledge'] - amounts['contribution'], 2):,.2f} {currency}",
        )
        for (name, currency), amounts in sorted(sums.items())
        if amounts["pledge"] - amounts["contribution"] > 0.005
    ]
    return InboxSection(
        "pledges",
        N_("Pledges not yet paid"),
        N_("Every pledge you made is paid."),
        window.cut(items),
        len(items),
    )


SECTION_KEYS: dict[Callable[[Session, Viewer, Window], InboxSection], str] = {
    drafts: "drafts",
    pending_proposals: "proposals",
    awaiting_approval: "approval",
    shared_drafts: "shared",
    deadlines: "deadlines",
    own_requests: "requests",
    milestones: "milestones",
    matches: "matches",
    provider_projects: "projects",
    pledges_due: "pledges",
}
SECTIONS = {
    Role.expert: (drafts, pending_proposals),
    Role.committee: (awaiting_approval,),
    Role.admin: (drafts, pending_proposals, awaiting_approval),
    Role.state_poc: (shared_drafts, deadlines, own_requests, milestones, pledges_due),
    Role.provider: (matches, provider_projects, pledges_due),
}


def section_keys(role: Role) -> list[str]:
    """The keys of the sections a role's inbox holds, in their order."""
    return [SECTION_KEYS[section] for section in SECTIONS.get(role, ())]


def inbox(
    session: Session, *, viewer: Viewer, window: Window = FIRST, only: str | None = None
) -> Inbox:
    """What awaits the signed-in viewer, by their role; refused to the public. `window` picks
    the items listed of each section (all are counted); `only` keeps one section (by its key;
    one the role's inbox does not hold is refused, naming the keys it holds)."""
    if viewer.user_id is None:
        raise Unauthenticated(N_("sign in or send an API token to see what awaits you"))
    sections = SECTIONS.get(viewer.role, ())
    if only is not None:
        keys = section_keys(viewer.role)
        if only not in keys:
            # A section of another role's inbox: not there for this caller (404, like a record
            # one may not see), naming the sections that are.
            raise NotFound(
                text(
                    N_("your inbox has no section %(section)s; it holds: %(keys)s"),
                    section=only,
                    keys=", ".join(keys),
                ),
                problems=[
                    Problem(
                        "section",
                        text(
                            N_("must be one of your inbox's sections: %(keys)s"),
                            keys=", ".join(keys),
                        ),
                    )
                ],
            )
        sections = tuple(section for section in sections if SECTION_KEYS[section] == only)
    return Inbox(
        role=viewer.role,
        sections=[section(session, viewer, window) for section in sections],
        unread=unread_count(session, viewer=viewer),
    )
