"""Who is asking, and what they may see. Every read service filters through here.

Rules (docs/visibility.md): public records are for everyone; `states_and_providers` for signed-in
States' points of contact and providers as well as the Committee side; `owning_state_and_committee`
for the Committee side and that State's points of contact; `committee` for the Committee side
(experts, committee members, administrators). Editions that are not approved are seen by
the Committee side, and by that State's points of contact once the draft has been shared with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from un1540.errors import Forbidden, Un1540Error, Unauthenticated, text
from un1540.models import EditionStatus, MatrixEdition, Role, TokenScope, UserAccount, Visibility
from un1540.reference.languages import N_

COMMITTEE_SIDE = frozenset({Role.expert, Role.committee, Role.admin})


@dataclass(frozen=True)
class Viewer:
    """The person or machine a read is made for."""

    role: Role = Role.public
    state_id: int | None = None  # for state_poc (and a State's provider): the State they speak for
    actor: str = "anonymous"
    user_id: int | None = None
    organisation_id: int | None = None
    # A read-only API token may read what its account may read, and write nothing.
    can_write: bool = True

    @property
    def is_committee_side(self) -> bool:
        return self.role in COMMITTEE_SIDE

    @property
    def cache_key(self) -> tuple[str, int | None]:
        """What a cached read may depend on: viewers with equal keys see the same records."""
        return (self.role.value, self.state_id if self.role is Role.state_poc else None)


def viewer_identity(viewer: Viewer) -> tuple[object, ...]:
    """Everything about a viewer a visibility rule may read (not the name it is shown by): what
    keys a cached value computed for one reader (cache_key is coarser: records only)."""
    return (viewer.role.value, viewer.state_id, viewer.organisation_id, viewer.user_id)


PUBLIC = Viewer()


def account_viewer(user: UserAccount, *, can_write: bool = True) -> Viewer:
    """The viewer an account stands for: what it may see when signed in (and what its
    notifications and e-mails may tell it)."""
    return Viewer(
        role=user.role,
        state_id=user.state_id,
        actor=user.email,
        user_id=user.id,
        organisation_id=user.organisation_id,
        can_write=can_write,
    )


def system_viewer(actor: str) -> Viewer:
    """The operator at the command line, who has the database itself in hand: all rights."""
    return Viewer(role=Role.admin, actor=actor, user_id=0)


def refuse_unless(viewer: Viewer, *roles: Role, action: str) -> Un1540Error | None:
    """The refusal `require` raises, returned instead (for the domains' `rules` tables)."""
    if viewer.user_id is None:
        return Unauthenticated(
            text(
                N_("sign in or send an API token to %(action)s"),
                action=action,
            )
        )
    if viewer.role not in roles and viewer.role is not Role.admin:
        allowed = ", ".join(role.value for role in roles)
        return Forbidden(
            text(
                N_("only %(allowed)s accounts may %(action)s"),
                allowed=allowed,
                action=action,
            )
        )
    if not viewer.can_write:
        return Forbidden(
            text(
                N_("a read-only (%(value)s) token may not %(action)s"),
                value=TokenScope.read.value,
                action=action,
            )
        )
    return None


def require(viewer: Viewer, *roles: Role, action: str) -> None:
    """Refuse `action` unless the viewer is signed in with one of `roles` and may write."""
    refusal = refuse_unless(viewer, *roles, action=action)
    if refusal is not None:
        raise refusal


def speaks_for(viewer: Viewer, state_id: int) -> bool:
    """A point of contact of this State."""
    return viewer.role is Role.state_poc and viewer.state_id == state_id


def visible(
    column: InstrumentedAttribute[Visibility],
    viewer: Viewer,
    owner_state_id: InstrumentedAttribute[int] | InstrumentedAttribute[int | None] | None = None,
) -> ColumnElement[bool]:
    """A SQL condition: the record whose visibility is in `column` may be seen by `viewer`."""
    if viewer.is_committee_side:
        return true()
    allowed = [column == Visibility.public]
    if viewer.role in (Role.state_poc, Role.provider):
        allowed.append(column == Visibility.states_and_providers)
    if viewer.role is Role.state_poc and owner_state_id is not None and viewer.state_id is not None:
        allowed.append(
            and_(column == Visibility.owning_state_and_committee, owner_state_id == viewer.state_id)
        )
    return or_(*allowed)


def can_see(visibility: Visibility, viewer: Viewer, owner_state_id: int | None = None) -> bool:
    """The same rule as `visible`, for a record already loaded."""
    if viewer.is_committee_side or visibility is Visibility.public:
        return True
    if visibility is Visibility.states_and_providers:
        return viewer.role in (Role.state_poc, Role.provider)
    if visibility is Visibility.owning_state_and_committee:
        return owner_state_id is not None and speaks_for(viewer, owner_state_id)
    return False


def edition_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Approved editions follow their visibility; others only the Committee side and the State."""
    if viewer.is_committee_side:
        return true()
    approved = and_(
        MatrixEdition.status == EditionStatus.approved,
        visible(MatrixEdition.visibility, viewer, MatrixEdition.state_id),
    )
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        shared = and_(
            MatrixEdition.state_id == viewer.state_id,
            MatrixEdition.status.in_([EditionStatus.shared, EditionStatus.agreed]),
        )
        return or_(approved, shared)
    return approved
