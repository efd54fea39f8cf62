"""Who may do what with commitments (docs/commitments.md): the services' guards `check` these
tables, the portal's forms and the API's `allowed_actions` come from `allowed`.

The Committee side (experts, the Committee's members, administrators) records commitments for
anyone; a State's point of contact for its own State; a provider (an organisation's contact)
for its organisation. A commitment moves along its lifecycle (reference/lifecycles.yml,
`commitment`) by its owner's side or the Committee side; a step out of order is a Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from un1540.errors import Conflict, Forbidden, Un1540Error, Unauthenticated, text
from un1540.models import Commitment, Role, TokenScope
from un1540.reference.languages import N_
from un1540.reference.lifecycles import lifecycle
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.lifecycle import step_to
from un1540.services.kernel.rules import Rule, Rules

COMMITMENTS = lifecycle("commitment")


@dataclass(frozen=True)
class Owner:
    """Whose commitment: a State or an organisation (by id)."""

    state_id: int | None
    organisation_id: int | None


def speaks_for_owner(viewer: Viewer, owner: Owner) -> bool:
    """The viewer is on the owner's side: a point of contact of the State, or a contact of the
    organisation."""
    if owner.state_id is not None:
        return viewer.role is Role.state_poc and viewer.state_id == owner.state_id
    if owner.organisation_id is not None:
        return viewer.role is Role.provider and viewer.organisation_id == owner.organisation_id
    return False


def writer_refusal(viewer: Viewer, owner: Owner, *, action: str) -> Un1540Error | None:
    """The refusal for writing a commitment of this owner, or None."""
    if viewer.user_id is None:
        return Unauthenticated(
            text(
                N_("sign in or send an API token to %(action)s"),
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
    if viewer.is_committee_side or speaks_for_owner(viewer, owner):
        return None
    if viewer.role is Role.state_poc:
        return Forbidden(
            text(
                N_("a State's points of contact may %(action)s of their own State only"),
                action=action,
            )
        )
    if viewer.role is Role.provider:
        return Forbidden(
            text(
                N_("an organisation's contacts may %(action)s of their own organisation only"),
                action=action,
            )
        )
    return Forbidden(
        text(
            N_("only the Committee side and the owner's contacts may %(action)s"),
            action=action,
        )
    )


# What a viewer may start for an owner, before there is a commitment.
owner_rules: Rules[Owner] = Rules(
    "commitments",
    {
        "create": lambda viewer, owner: writer_refusal(
            viewer, owner, action=N_("record commitments")
        )
    },
)


def _owner(commitment: Commitment) -> Owner:
    return Owner(commitment.state_id, commitment.organisation_id)


def _step(target: str) -> Rule[Commitment]:
    def rule(viewer: Viewer, commitment: Commitment) -> Un1540Error | None:
        refusal = writer_refusal(
            viewer, _owner(commitment), action=N_("move commitments along their lifecycle")
        )
        if refusal is not None:
            return refusal
        record = f"commitment {commitment.id}"
        if commitment.status in COMMITMENTS.final:
            return Conflict(
                text(
                    N_(
                        "%(record)s is %(status)s: it cannot become %(target)s; allowed "
                        "next: nowhere: it is final"
                    ),
                    record=record,
                    status=commitment.status,
                    target=target,
                )
            )
        try:
            step_to(COMMITMENTS, commitment.status, target, record=record)
        except Conflict as refusal_:
            return refusal_
        return None

    return rule


# One action per status a commitment may reach (the initial one too: nothing leads back to it).
commitment_rules: Rules[Commitment] = Rules(
    "commitment", {target: _step(target) for target in COMMITMENTS.statuses}
)


def transition_targets(actions: list[str]) -> list[str]:
    """The transitions among `actions`, in lifecycle order."""
    return [status for status in COMMITMENTS.statuses if status in actions]
