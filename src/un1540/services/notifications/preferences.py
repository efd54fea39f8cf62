"""E-mail preferences: which topics (notified record types, topics.py) an account is e-mailed.

Every notification is shown in the portal; by default each is also e-mailed (when an SMTP server
is configured). An account may choose to read a topic in the portal only: an `EmailOptOut` row,
honoured by the sender (email.py), which marks such notifications withheld instead of sending.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, Unauthenticated, text
from un1540.models import EmailOptOut
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action
from un1540.services.notifications.topics import TOPICS


@dataclass(frozen=True)
class EmailChoice:
    """One topic and whether the account is e-mailed about it."""

    topic: str
    label: str  # a gettext message id (topics.py), or the topic's code when none was given
    by_email: bool


def _account(viewer: Viewer) -> int:
    if viewer.user_id is None:
        raise Unauthenticated(N_("sign in to choose which notifications you are e-mailed"))
    return viewer.user_id


def email_choices(session: Session, *, viewer: Viewer) -> list[EmailChoice]:
    """Every registered topic, and whether the viewer's account is e-mailed about it."""
    user_id = _account(viewer)
    muted = set(session.scalars(select(EmailOptOut.topic).where(EmailOptOut.user_id == user_id)))
    return [
        EmailChoice(topic=code, label=topic.label or code, by_email=code not in muted)
        for code, topic in sorted(TOPICS.items())
    ]


@action
def set_email_topics(
    session: Session, *, viewer: Viewer, by_email: Collection[str]
) -> list[EmailChoice]:
    """E-mail the viewer about the topics in `by_email` only; the others stay in the portal.
    An unknown topic is refused, naming it, and nothing is changed."""
    user_id = _account(viewer)
    unknown = sorted(set(by_email) - set(TOPICS))
    if unknown:
        raise InvalidData(
            N_("the e-mail preferences were not changed"),
            problems=[
                Problem(
                    "by_email",
                    text(
                        N_("unknown topic %(code)s"),
                        code=repr(code[:60]),
                    ),
                )
                for code in unknown
            ],
        )
    muted = sorted(set(TOPICS) - set(by_email))
    session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == user_id))
    session.add_all(EmailOptOut(user_id=user_id, topic=code) for code in muted)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="account.email_preferences",
        entity_type="user_account",
        entity_id=str(user_id),
        after={"portal_only": muted},
    )
    return email_choices(session, viewer=viewer)
