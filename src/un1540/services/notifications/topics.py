"""What notifications may be about, and how one is worded for its reader.

A notification stores a reference (the record's type and id, the event's kind, small
non-confidential parameters), never the record's text. Each domain whose records are notified
registers a `Topic` for its record type (assistance: `services/assistance/notices.py`): the ids a
viewer may see, as SQL (the same condition as the domain's own reads), the facts its wording
needs (the title, as that viewer may see it), and the wording of each event: gettext message ids
(marked with N_) with %(name)s placeholders.

`render` words one notification for one reader. It is used by every door: the portal (in the
reader's language), the API and the e-mails (English, the source language, for now). A reader
who may not see the record now is told nothing: the notification is not listed, not counted,
cannot be marked read, and its e-mail is withheld.

The notifications domain comes before the others (docs/development.md), so it cannot import
their reads: they register here when they are imported. A record type nobody registered is
treated as invisible to everyone (nothing shown, its e-mails left pending), never shown raw.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, or_
from sqlalchemy.orm import Session

from un1540.models import Notification
from un1540.services.kernel.access import Viewer

Translate = Callable[[str], str]


def english(message: str) -> str:
    """The source language: the message as written (e-mails and the API, for now)."""
    return message


@dataclass(frozen=True)
class Wording:
    """One event's words: gettext message ids with %(name)s placeholders (the record's facts and
    the notification's parameters), and where it leads: `link` in the API, `page` in the portal
    (paths with {id})."""

    subject: str
    body: str
    link: str
    page: str


@dataclass(frozen=True)
class Topic:
    """A type of record notifications may be about, registered by the domain that owns it."""

    entity_type: str
    # SQL: the ids of the records of this type `viewer` may see (the domain's read rule).
    visible_ids: Callable[[Viewer], Select[int]]
    # The placeholders of the records among `ids` that `viewer` may see, by id.
    facts: Callable[[Session, Viewer, Collection[int]], dict[int, dict[str, str]]]
    # The wording of an event (its kind and parameters), or None for one it does not know.
    wording: Callable[[str, Mapping[str, str]], Wording | None]
    # What its readers call it on the page of e-mail preferences (a gettext message id, N_).
    label: str = ""


TOPICS: dict[str, Topic] = {}


def register_topic(topic: Topic) -> None:
    TOPICS[topic.entity_type] = topic


def visible_notifications(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the notifications whose record `viewer` may see (any account's; callers add whose)."""
    return or_(
        false(),
        *(
            and_(
                Notification.entity_type == entity_type,
                Notification.entity_id.in_(topic.visible_ids(viewer)),
            )
            for entity_type, topic in TOPICS.items()
        ),
    )


@dataclass(frozen=True)
class Told:
    """A notification as its reader is told it: rendered for them, in their language."""

    notification: Notification
    subject: str
    body: str
    link: str
    page: str


def _fill(message: str, values: Mapping[str, str], translate: Translate) -> str:
    return translate(message) % values


def render(
    session: Session,
    viewer: Viewer,
    notifications: Collection[Notification],
    *,
    translate: Translate = english,
) -> list[Told]:
    """The notifications `viewer` may be told, worded for them (in the order given); those about
    a record they may not see, or an event nobody words, are left out."""
    wanted: dict[str, set[int]] = {}
    for notification in notifications:
        wanted.setdefault(notification.entity_type, set()).add(notification.entity_id)
    facts = {
        entity_type: TOPICS[entity_type].facts(session, viewer, ids)
        for entity_type, ids in wanted.items()
        if entity_type in TOPICS
    }
    told = []
    for notification in notifications:
        found = facts.get(notification.entity_type, {}).get(notification.entity_id)
        if found is None:
            continue
        wording = TOPICS[notification.entity_type].wording(
            notification.kind, notification.params or {}
        )
        if wording is None:
            continue
        values = {**(notification.params or {}), **found, "id": str(notification.entity_id)}
        told.append(
            Told(
                notification=notification,
                subject=_fill(wording.subject, values, translate),
                body=_fill(wording.body, values, translate),
                link=wording.link.format(id=notification.entity_id),
                page=wording.page.format(id=notification.entity_id),
            )
        )
    return told
