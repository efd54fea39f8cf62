"""Who may do what with events and statements, once per action: the actions' guards `check`
these tables, the portal's forms and buttons and the API's `allowed_actions` read `allowed`.

The Committee side (experts, committee members, administrators) records events. A statement is
submitted by the Committee side for anyone, by a State's point of contact on behalf of their
own State, and by an organisation's account on behalf of its own organisation; only experts and
committee members (and administrators) publish it, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from un1540.errors import Conflict, Forbidden, Un1540Error, Unauthenticated, text
from un1540.models import Role, Statement
from un1540.reference.languages import N_
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, refuse_unless, speaks_for
from un1540.services.kernel.rules import Rules

EVENT_RECORDERS = (Role.expert, Role.committee)
PUBLISHERS = (Role.expert, Role.committee)


def _create(viewer: Viewer, _nothing: None) -> Un1540Error | None:
    return refuse_unless(viewer, *EVENT_RECORDERS, action=N_("record an event"))


def _submit(viewer: Viewer, _nothing: None) -> Un1540Error | None:
    """Whether the viewer may submit statements at all (for whom: `party_rules`)."""
    if viewer.user_id is None:
        return Unauthenticated(N_("sign in or send an API token to submit a statement"))
    if not (viewer.is_committee_side or viewer.role is Role.state_poc or viewer.organisation_id):
        return Forbidden(
            N_(
                "only the Committee side, a State's points of contact and an organisation's "
                "accounts may submit statements"
            )
        )
    if not viewer.can_write:
        return Forbidden(N_("a read-only (read) token may not submit a statement"))
    return None


event_start_rules: Rules[None] = Rules(
    "events", {"create_event": _create, "submit_statement": _submit}
)


@dataclass(frozen=True)
class Party:
    """On whose behalf a statement is made."""

    state_id: int | None = None
    organisation_id: int | None = None
    named: bool = False


def _speak(viewer: Viewer, party: Party) -> Un1540Error | None:
    refusal = _submit(viewer, None)
    if refusal is not None or viewer.is_committee_side:
        return refusal
    if party.state_id is not None and speaks_for(viewer, party.state_id):
        return None
    if party.organisation_id is not None and viewer.organisation_id == party.organisation_id:
        return None
    return Forbidden(
        N_("you may submit statements only on behalf of the State or organisation you speak for")
    )


party_rules: Rules[Party] = Rules("statement parties", {"speak_for": _speak})


def submitter_side(viewer: Viewer, statement: Statement) -> bool:
    """The statement's own side: the State or organisation it speaks for."""
    if statement.on_behalf_state_id is not None and speaks_for(
        viewer, statement.on_behalf_state_id
    ):
        return True
    return (
        statement.on_behalf_organisation_id is not None
        and viewer.organisation_id == statement.on_behalf_organisation_id
    )


def _publish(viewer: Viewer, statement: Statement) -> Un1540Error | None:
    refusal = refuse_unless(viewer, *PUBLISHERS, action=N_("publish a statement"))
    if refusal is not None:
        return refusal
    if statement.published_at is not None:
        return Conflict(
            text(
                N_(
                    "statement %(id)s is already published (on %(published_at)s); it "
                    "is published once"
                ),
                id=statement.id,
                published_at=format(statement.published_at, "%Y-%m-%d"),
            )
        )
    if not statement.text.strip() and statement.document_id is None:
        return Conflict(
            text(
                N_("statement %(id)s has neither a text nor a file to publish"),
                id=statement.id,
            )
        )
    return None


statement_rules: Rules[Statement] = Rules("statement", {"publish": _publish})

__all__ = ["COMMITTEE_SIDE", "Party", "event_start_rules", "party_rules", "statement_rules"]
