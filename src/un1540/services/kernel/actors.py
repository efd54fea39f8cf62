"""Who did it, as each reader may be told: the one rule for every actor a record names.

Records keep their actor as it was written: an account's e-mail (`created_by`, `approved_by`,
`judged_by`, `given_by`, the audit trail's `actor`, a comment's or proposal's author), or the
name of a process run for the Committee (`cli:<login>` at the command line, `demo-generator`,
`system: ...`, `worker`). Shapes never copy that value out; they pass it through `shown_actor`
(or `actor_names`, which looks a batch of actors up in one query) with the reader:

- the Committee side (experts, committee members, administrators) sees the actor as written;
- a State's point of contact sees by name the points of contact of their own State, and
  themselves;
- everyone else, and every other actor, is shown by role: "the Group of Experts" (an expert),
  "the Committee" (a committee member, an administrator, a process run for the Committee, or an
  address no account holds), "the State" (a State's point of contact), "an organisation" or
  "a State" (an assistance provider speaking for one).

The labels are English here (the API's language) and marked for translation: the portal
translates them where it shows them (the `actor` filter). docs/visibility.md, "Who did it".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import Role, UserAccount
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer

GROUP_OF_EXPERTS = N_("the Group of Experts")
COMMITTEE = N_("the Committee")
THE_STATE = N_("the State")
A_STATE = N_("a State")
AN_ORGANISATION = N_("an organisation")
# Every label an actor may be shown as, to readers not entitled to the name.
ROLE_LABELS = frozenset({GROUP_OF_EXPERTS, COMMITTEE, THE_STATE, A_STATE, AN_ORGANISATION})
_LOOKUP_CHUNK = 500  # names per IN (...) when a batch is looked up


@dataclass(frozen=True)
class Actor:
    """An actor as a record names it, with what its account says of it (nothing for a process
    or an address no account holds)."""

    name: str
    role: Role | None = None
    state_id: int | None = None
    organisation_id: int | None = None


def account_actor(user: UserAccount) -> Actor:
    return Actor(
        name=user.email,
        role=user.role,
        state_id=user.state_id,
        organisation_id=user.organisation_id,
    )


def role_label(actor: Actor) -> str:
    """What the actor is, for those who may not know who."""
    if actor.role is Role.expert:
        return GROUP_OF_EXPERTS
    if actor.role is Role.state_poc:
        return THE_STATE
    if actor.role is Role.provider:
        return AN_ORGANISATION if actor.organisation_id is not None else A_STATE
    return COMMITTEE  # committee members, administrators, processes run for the Committee


def may_name(actor: Actor, viewer: Viewer) -> bool:
    """The viewer may be told who the actor is (not only what they are)."""
    if viewer.is_committee_side or (viewer.user_id is not None and actor.name == viewer.actor):
        return True
    return (
        actor.role is Role.state_poc
        and viewer.role is Role.state_poc
        and viewer.state_id is not None
        and actor.state_id == viewer.state_id
    )


def shown_actor(actor: Actor, viewer: Viewer) -> str:
    """The actor as this viewer may see it: the name, or the role label; "" stays "" (none)."""
    if not actor.name:
        return ""
    return actor.name if may_name(actor, viewer) else role_label(actor)


def actor_names(session: Session, viewer: Viewer, names: Iterable[str]) -> Callable[[str], str]:
    """`shown_actor` for each of `names` (actors as records store them), their accounts looked
    up in one query; the function answers for any name, unknown ones as processes."""
    if viewer.is_committee_side:
        return lambda name: name  # the Committee side sees every actor as written
    wanted = sorted({name for name in names if name})
    known: dict[str, Actor] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        for user in session.scalars(select(UserAccount).where(UserAccount.email.in_(chunk))):
            known[user.email] = account_actor(user)

    def shown(name: str) -> str:
        return shown_actor(known.get(name) or Actor(name=name), viewer)

    return shown
