"""Who is told what about a State's matrix (the portal's notifications, and e-mail):

- the State's review period of a shared draft (actions/reminders.py): its points of contact are
  reminded that their response is due (`review_due`, some days before the deadline) and that
  the deadline has passed (`review_overdue`, the Committee may then approve without their
  agreement); the same day the experts and the Committee are told that the period ended
  without the State's agreement (`review_ended`);
- a draft is shared with the State (actions/editions.py): its points of contact are asked to
  review it (`shared`); once approved, they are told it is published (`approved`);
- a cell is commented (actions/proposals.py): the other side is told (`commented`: the State's
  points of contact when the Committee side comments, the experts when the State does);
- a proposed change is accepted or rejected: its author is told (`proposal_accepted`,
  `proposal_rejected`).

A notification names the edition (its id, with the State's code and the edition's number as
parameters, to make its links); it is worded for each reader when read or e-mailed, and only a
reader who may see the edition then (edition_visible: the Committee side and the State's own
points of contact while it is shared) is told anything.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from un1540.models import MatrixEdition, Role, State, UserAccount
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer, edition_visible
from un1540.services.notifications.actions import notify
from un1540.services.notifications.reads import active_accounts
from un1540.services.notifications.topics import Topic, Wording, register_topic

ENTITY_TYPE = "matrix_edition"

# %(state)s is the State's name, %(number)s the edition's, %(due)s the last day (YYYY-MM-DD).
REVIEW_DUE = (
    N_("Your response on edition %(number)s of the matrix of %(state)s is due by %(due)s"),
    N_(
        "The Group of Experts shared edition %(number)s of the matrix of %(state)s with you. "
        "Please agree to it, or comment and propose changes, by %(due)s. After that day the "
        "Committee may approve it without your agreement."
    ),
)
REVIEW_OVERDUE = (
    N_("The review period of edition %(number)s of the matrix of %(state)s has ended"),
    N_(
        "Your response on edition %(number)s of the matrix of %(state)s was due by %(due)s. "
        "The Committee may now approve it without your agreement; you may still comment and "
        "propose changes until it does."
    ),
)
REVIEW_ENDED = (
    N_("%(state)s did not respond on edition %(number)s of its matrix by %(due)s"),
    N_(
        "The review period of edition %(number)s of the matrix of %(state)s ended on %(due)s "
        "without the State's agreement. The Committee may now approve it (the edition records "
        "that the deadline had passed), or the Group of Experts may reopen it."
    ),
)
SHARED = (
    N_("Edition %(number)s of the matrix of %(state)s is shared with you for review"),
    N_(
        "The Group of Experts shared edition %(number)s of the matrix of %(state)s with you. "
        "Please review it: agree to it, or comment and propose changes, by %(due)s."
    ),
)
APPROVED = (
    N_("Edition %(number)s of the matrix of %(state)s is approved"),
    N_(
        "The Committee approved edition %(number)s of the matrix of %(state)s. It is now "
        "published and frozen."
    ),
)
# %(cell)s is the cell's key (field/weapon).
COMMENTED = (
    N_("New comment on edition %(number)s of the matrix of %(state)s"),
    N_(
        "A comment was made on cell %(cell)s of edition %(number)s of the matrix of %(state)s. "
        "Please read it and answer on the edition's page."
    ),
)
PROPOSAL_ACCEPTED = (
    N_("Your proposed change to the matrix of %(state)s was accepted"),
    N_(
        "The Group of Experts accepted your proposed change to cell %(cell)s of edition "
        "%(number)s of the matrix of %(state)s."
    ),
)
PROPOSAL_REJECTED = (
    N_("Your proposed change to the matrix of %(state)s was rejected"),
    N_(
        "The Group of Experts rejected your proposed change to cell %(cell)s of edition "
        "%(number)s of the matrix of %(state)s. Its note says why, on the edition's page."
    ),
)
WORDS = {
    "review_due": REVIEW_DUE,
    "review_overdue": REVIEW_OVERDUE,
    "review_ended": REVIEW_ENDED,
    "shared": SHARED,
    "approved": APPROVED,
    "commented": COMMENTED,
    "proposal_accepted": PROPOSAL_ACCEPTED,
    "proposal_rejected": PROPOSAL_REJECTED,
}
# The parameters each kind's words need besides the State's code and the edition's number.
NEEDS = {"shared": ("due",), "commented": ("cell",), "review_due": ("due",)}
NEEDS |= {kind: ("due",) for kind in ("review_overdue", "review_ended")}
NEEDS |= {kind: ("cell",) for kind in ("proposal_accepted", "proposal_rejected")}


def _edition_ids(viewer: Viewer) -> Select[int]:
    return select(MatrixEdition.id).where(edition_visible(viewer))


def _edition_facts(
    session: Session, viewer: Viewer, ids: Collection[int]
) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(MatrixEdition.id, MatrixEdition.number, State.short_name)
        .join(State, State.id == MatrixEdition.state_id)
        .where(MatrixEdition.id.in_(list(ids)), edition_visible(viewer))
    )
    return {id_: {"state": name, "number": str(number)} for id_, number, name in rows}


def _edition_wording(kind: str, params: Mapping[str, str]) -> Wording | None:
    words = WORDS.get(kind)
    iso3, number = params.get("iso3", ""), params.get("number", "")
    if words is None or not (len(iso3) == 3 and iso3.isalpha() and number.isdigit()):
        return None
    if any(name not in params for name in NEEDS.get(kind, ())):
        return None
    path = f"/states/{iso3}/editions/{number}"
    return Wording(subject=words[0], body=words[1], link=f"/api/v1{path}", page=path)


register_topic(
    Topic(
        ENTITY_TYPE,
        _edition_ids,
        _edition_facts,
        _edition_wording,
        label=N_("Matrix editions: review, comments, proposals, approval and deadlines"),
    )
)


def state_contacts(session: Session, state: State) -> list[UserAccount]:
    return active_accounts(
        session, state_id=state.id, organisation_id=None, roles=(Role.state_poc,)
    )


def committee_side(session: Session) -> list[UserAccount]:
    """The active accounts of the Group of Experts and the Committee."""
    return list(
        session.scalars(
            select(UserAccount).where(
                UserAccount.role.in_([Role.expert, Role.committee]),
                UserAccount.is_active.is_(True),
            )
        )
    )


def notify_review(session: Session, state: State, edition: MatrixEdition, kind: str) -> int:
    """Tell the State's points of contact about the review period of `edition` (`kind`); when
    it has ended, tell the experts and the Committee too. Answers how many were told."""
    assert kind in ("review_due", "review_overdue")
    assert edition.response_due_on is not None
    params = {
        "iso3": state.iso3,
        "number": str(edition.number),
        "due": edition.response_due_on.isoformat(),
    }
    told = notify(
        session,
        state_contacts(session, state),
        kind=kind,
        entity_type=ENTITY_TYPE,
        entity_id=edition.id,
        params=params,
    )
    if kind == "review_overdue":
        told += notify(
            session,
            committee_side(session),
            kind="review_ended",
            entity_type=ENTITY_TYPE,
            entity_id=edition.id,
            params=params,
        )
    return told


def _params(state: State, edition: MatrixEdition, **extra: str) -> dict[str, str]:
    return {"iso3": state.iso3, "number": str(edition.number), **extra}


def notify_shared(session: Session, state: State, edition: MatrixEdition) -> int:
    """Ask the State's points of contact to review the edition just shared with them."""
    assert edition.response_due_on is not None  # sharing starts the review period
    return notify(
        session,
        state_contacts(session, state),
        kind="shared",
        entity_type=ENTITY_TYPE,
        entity_id=edition.id,
        params=_params(state, edition, due=edition.response_due_on.isoformat()),
    )


def notify_approved(session: Session, state: State, edition: MatrixEdition) -> int:
    """Tell the State's points of contact that the Committee approved its edition."""
    return notify(
        session,
        state_contacts(session, state),
        kind="approved",
        entity_type=ENTITY_TYPE,
        entity_id=edition.id,
        params=_params(state, edition),
    )


def notify_comment(
    session: Session, state: State, edition: MatrixEdition, *, cell: str, by_state: bool
) -> int:
    """Tell the other side of a comment on `cell`: the experts when the State commented, the
    State's points of contact when the Committee side did (only while the edition is shared
    with them: `notify` tells nobody who may not see it)."""
    accounts = (
        [account for account in committee_side(session) if account.role is Role.expert]
        if by_state
        else state_contacts(session, state)
    )
    return notify(
        session,
        accounts,
        kind="commented",
        entity_type=ENTITY_TYPE,
        entity_id=edition.id,
        params=_params(state, edition, cell=cell),
    )


def notify_decision(
    session: Session,
    state: State,
    edition: MatrixEdition,
    *,
    author: UserAccount,
    cell: str,
    accepted: bool,
) -> int:
    """Tell the author of a proposed change that it was accepted or rejected."""
    return notify(
        session,
        [author],
        kind="proposal_accepted" if accepted else "proposal_rejected",
        entity_type=ENTITY_TYPE,
        entity_id=edition.id,
        params=_params(state, edition, cell=cell),
    )
