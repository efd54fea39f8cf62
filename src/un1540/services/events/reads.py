"""Reading events and statements, as each viewer may see them.

An event follows its visibility (public, States and providers, or the Committee side: the
default for entry). A statement is seen only where its event is, and then: once published, by
everyone who sees the event; before, only by the Committee side and by the side it speaks for
(that State's points of contact, that organisation's accounts).

Search over published statements is by words, in the statement's own language: the query and
the texts are compared case-folded and without accents or diacritics (Arabic short vowels,
Latin accents), every word of the query must occur. It runs in Python over the statements the
SQL filters leave (visibility, event, language, State, organisation), the same on SQLite and
PostgreSQL; topics, matrix fields and audiences (JSON lists) are filtered there too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from un1540.errors import InvalidParameter, NotFound, Problem
from un1540.errors import text as text_message
from un1540.models import (
    Event,
    EventDocument,
    EventParticipant,
    Organisation,
    Role,
    State,
    Statement,
)
from un1540.reference.events import load_event_vocabulary
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.schemas.events import StatementRead
from un1540.services.events.rules import event_start_rules
from un1540.services.events.shapes import statement_read
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

T = TypeVar("T")


def event_visible(viewer: Viewer) -> ColumnElement[bool]:
    return visible(Event.visibility, viewer)


def _own_side(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.is_committee_side:
        return true()
    own: list[ColumnElement[bool]] = []
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        own.append(Statement.on_behalf_state_id == viewer.state_id)
    if viewer.user_id is not None and viewer.organisation_id is not None:
        own.append(Statement.on_behalf_organisation_id == viewer.organisation_id)
    return or_(*own) if own else false()


def statement_visible(viewer: Viewer) -> ColumnElement[bool]:
    """A SQL condition: the statement may be seen by `viewer` (its event too)."""
    return and_(
        Statement.event_id.in_(select(Event.id).where(event_visible(viewer))),
        or_(Statement.published_at.is_not(None), _own_side(viewer)),
    )


def normalised(text: str) -> str:
    """Text as search compares it: NFKD, without combining marks, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def query_words(q: str | None) -> list[str]:
    """The query's distinct words, normalised (its length is bounded by SEARCH_QUERY)."""
    return list(dict.fromkeys(normalised(q or "").split()))


def matches(text: str, words: list[str]) -> bool:
    haystack = normalised(text)
    return all(word in haystack for word in words)


def _page(rows: list[T], paging: PageRequest, keep: Callable[[T], bool]) -> tuple[list[T], int]:
    kept = [row for row in rows if keep(row)]
    return paging.cut(kept), len(kept)


def _event_options() -> tuple[object, ...]:
    return (
        selectinload(Event.participants).selectinload(EventParticipant.state),
        selectinload(Event.participants).selectinload(EventParticipant.organisation),
        selectinload(Event.documents).selectinload(EventDocument.document),
    )


def get_event(session: Session, *, viewer: Viewer, event_id: int) -> Event:
    event = session.scalars(
        select(Event).options(*_event_options()).where(Event.id == event_id, event_visible(viewer))  # type: ignore[arg-type]
    ).first()
    if event is None:
        raise NotFound(
            text_message(
                N_("no event %(event_id)s that you may see"),
                event_id=event_id,
            )
        )
    return event


def _check_event_filters(kind: str | None, audience: str | None) -> None:
    vocabulary = load_event_vocabulary()
    problems = []
    if kind is not None and kind not in vocabulary.kinds:
        problems.append(
            Problem(
                "kind",
                text_message(
                    N_("must be one of %(kinds)s"),
                    kinds=", ".join(vocabulary.kinds),
                ),
            )
        )
    if audience is not None and audience not in vocabulary.audiences:
        problems.append(
            Problem(
                "audience",
                text_message(
                    N_("must be one of %(audiences)s"),
                    audiences=", ".join(vocabulary.audiences),
                ),
            )
        )
    if problems:
        raise InvalidParameter.naming(problems)


def list_events(
    session: Session,
    *,
    viewer: Viewer,
    kind: str | None = None,
    audience: str | None = None,
    year: int | None = None,
    q: str | None = None,
    paging: PageRequest | None = None,
) -> tuple[list[Event], int]:
    """The events this viewer may see, newest first; `q` searches titles, places and summaries."""
    _check_event_filters(kind, audience)
    words = query_words(q)
    condition = event_visible(viewer)
    if kind is not None:
        condition = and_(condition, Event.kind == kind)
    if year is not None:
        condition = and_(
            condition, Event.starts_on >= date(year, 1, 1), Event.starts_on <= date(year, 12, 31)
        )
    paging = paging or PageRequest()
    statement = select(Event).where(condition).order_by(Event.starts_on.desc(), Event.id.desc())
    if audience is None and not words:  # everything in SQL: page there
        total = session.scalar(select(func.count()).select_from(Event).where(condition)) or 0
        rows = session.scalars(
            statement.options(*_event_options())  # type: ignore[arg-type]
            .offset(paging.offset)
            .limit(paging.page_size)
        ).all()
        return list(rows), total
    events = list(session.scalars(statement.options(*_event_options())))  # type: ignore[arg-type]
    return _page(
        events,
        paging,
        lambda event: (
            (audience is None or audience in event.audiences)
            and matches(f"{event.title}\n{event.place}\n{event.summary}", words)
        ),
    )


EVENT_FACETS = ("kind", "audience", "year")


def event_facets(
    session: Session,
    *,
    viewer: Viewer,
    kind: str | None = None,
    audience: str | None = None,
    year: int | None = None,
    q: str | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """The events list's facets, as Datasette shows them: for the kind, the audience and the
    year, each value with the number of events the list would show with that value chosen (the
    other filters kept, this one replaced); counted among the events this viewer may see, as
    `list_events` lists them (audiences are a JSON list: counted in Python, as listed)."""
    _check_event_filters(kind, audience)
    words = query_words(q)
    rows = session.execute(
        select(
            Event.kind, Event.starts_on, Event.audiences, Event.title, Event.place, Event.summary
        ).where(event_visible(viewer))
    ).all()
    found: dict[str, dict[str, int]] = {name: {} for name in EVENT_FACETS}
    for row_kind, starts_on, audiences, title, place, summary in rows:
        if words and not matches(f"{title}\n{place}\n{summary}", words):
            continue
        values = {
            "kind": [row_kind],
            "audience": list(dict.fromkeys(audiences or [])),
            "year": [str(starts_on.year)],
        }
        chosen = {"kind": kind, "audience": audience, "year": None if year is None else str(year)}
        for name in EVENT_FACETS:
            if all(
                chosen[other] is None or chosen[other] in values[other]
                for other in EVENT_FACETS
                if other != name
            ):
                for value in values[name]:
                    found[name][value] = found[name].get(value, 0) + 1
    return {name: list(counts.items()) for name, counts in found.items()}


def _statement_options() -> tuple[object, ...]:
    return (
        selectinload(Statement.event),
        selectinload(Statement.on_behalf_state),
        selectinload(Statement.on_behalf_organisation),
    )


def get_statement(session: Session, *, viewer: Viewer, statement_id: int) -> Statement:
    found = session.scalars(
        select(Statement)
        .options(*_statement_options())  # type: ignore[arg-type]
        .where(Statement.id == statement_id, statement_visible(viewer))
    ).first()
    if found is None:
        raise NotFound(
            text_message(
                N_("no statement %(statement_id)s that you may see"),
                statement_id=statement_id,
            )
        )
    return found


def known_fields(session: Session) -> dict[str, str]:
    """Matrix field codes of the default framework, with their names."""
    layout = framework_layout(session, default_framework(session))
    return {code: info.name for code, info in layout.fields.items()}


def list_statements(
    session: Session,
    *,
    viewer: Viewer,
    event: int | None = None,
    q: str | None = None,
    topic: str | None = None,
    field: str | None = None,
    language: str | None = None,
    state: str | None = None,
    organisation: str | None = None,
    published: bool | None = None,
    paging: PageRequest | None = None,
) -> tuple[list[Statement], int]:
    """The statements this viewer may see, newest event first then in the order submitted.
    Words (`q`) search published statements only: what is not public is not searched."""
    vocabulary = load_event_vocabulary()
    problems = []
    if topic is not None and topic not in vocabulary.topics:
        problems.append(
            Problem(
                "topic",
                text_message(
                    N_("unknown topic %(topic)s"),
                    topic=repr(topic),
                ),
            )
        )
    if field is not None and field not in known_fields(session):
        problems.append(
            Problem(
                "field",
                text_message(
                    N_("no matrix field %(field)s"),
                    field=repr(field),
                ),
            )
        )
    if language is not None and language not in UN_LANGUAGES:
        problems.append(
            Problem(
                "language",
                text_message(
                    N_("must be one of %(un_languages)s"),
                    un_languages=", ".join(UN_LANGUAGES),
                ),
            )
        )
    condition = statement_visible(viewer)
    if state is not None:
        state_id = session.scalar(select(State.id).where(State.iso3 == state.upper()))
        if state_id is None:
            problems.append(
                Problem(
                    "state",
                    text_message(
                        N_("unknown State %(state)s"),
                        state=repr(state),
                    ),
                )
            )
        condition = and_(condition, Statement.on_behalf_state_id == state_id)
    if organisation is not None:
        organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.code == organisation)
        )
        if organisation_id is None:
            problems.append(
                Problem(
                    "organisation",
                    text_message(
                        N_("unknown organisation %(organisation)s"),
                        organisation=repr(organisation),
                    ),
                )
            )
        condition = and_(condition, Statement.on_behalf_organisation_id == organisation_id)
    if problems:
        raise InvalidParameter.naming(problems)
    words = query_words(q)
    if event is not None:
        condition = and_(condition, Statement.event_id == event)
    if language is not None:
        condition = and_(condition, Statement.language == language)
    if words or published is True:
        condition = and_(condition, Statement.published_at.is_not(None))
    elif published is False:
        condition = and_(condition, Statement.published_at.is_(None))
    paging = paging or PageRequest()
    query = (
        select(Statement)
        .options(*_statement_options())  # type: ignore[arg-type]
        .join(Event, Event.id == Statement.event_id)
        .where(condition)
        .order_by(Event.starts_on.desc(), Statement.id)
    )
    if topic is None and field is None and not words:  # everything in SQL: page there
        total = session.scalar(select(func.count()).select_from(Statement).where(condition)) or 0
        return list(session.scalars(query.offset(paging.offset).limit(paging.page_size))), total
    return _page(
        list(session.scalars(query)),
        paging,
        lambda row: (
            (topic is None or topic in row.topics)
            and (field is None or field in row.field_codes)
            and matches(f"{row.speaker}\n{row.on_behalf_name}\n{row.text}", words)
        ),
    )


def event_statements(session: Session, *, viewer: Viewer, event_id: int) -> list[Statement]:
    """Every statement of one event this viewer may see (an event has at most a few hundred)."""
    rows, _ = list_statements(
        session, viewer=viewer, event=event_id, paging=PageRequest(page_size=500)
    )
    return rows


def party_statements(
    session: Session,
    *,
    viewer: Viewer,
    state_id: int | None = None,
    organisation_id: int | None = None,
    limit: int = 20,
) -> list[Statement]:
    """The latest statements made on behalf of one State or organisation this viewer may see."""
    condition = statement_visible(viewer)
    if state_id is not None:
        condition = and_(condition, Statement.on_behalf_state_id == state_id)
    if organisation_id is not None:
        condition = and_(condition, Statement.on_behalf_organisation_id == organisation_id)
    return list(
        session.scalars(
            select(Statement)
            .options(*_statement_options())  # type: ignore[arg-type]
            .join(Event, Event.id == Statement.event_id)
            .where(condition)
            .order_by(Event.starts_on.desc(), Statement.id.desc())
            .limit(limit)
        )
    )


def own_party(session: Session, viewer: Viewer) -> tuple[str | None, str | None]:
    """The State (ISO code) and organisation (code) this viewer speaks for, if any."""
    iso3 = None
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        iso3 = session.scalar(select(State.iso3).where(State.id == viewer.state_id))
    code = None
    if viewer.user_id is not None and viewer.organisation_id is not None:
        code = session.scalar(
            select(Organisation.code).where(Organisation.id == viewer.organisation_id)
        )
    return iso3, code


def check_may_submit(session: Session, viewer: Viewer, *, event_id: int, **_: object) -> None:
    """The guard of the portal's statement form (before its file is read): the viewer may
    submit statements, and sees the event."""
    event_start_rules.check(viewer, None, "submit_statement")
    get_event(session, viewer=viewer, event_id=event_id)


def statements_on_behalf(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str | None = None,
    organisation: str | None = None,
    limit: int = 20,
) -> list[StatementRead]:
    """The latest statements made on behalf of one State or organisation that this viewer may
    see, as shapes (the State's page and the organisation's page list them)."""
    state_id = organisation_id = None
    if iso3 is not None:
        state_id = session.scalar(select(State.id).where(State.iso3 == iso3.upper()))
        if state_id is None:
            return []
    if organisation is not None:
        organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.code == organisation)
        )
        if organisation_id is None:
            return []
    rows = party_statements(
        session, viewer=viewer, state_id=state_id, organisation_id=organisation_id, limit=limit
    )
    return [statement_read(row, viewer) for row in rows]
