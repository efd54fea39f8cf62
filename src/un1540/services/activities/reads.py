"""Organisations' activities as the viewer may see them.

Record by record: the Committee side sees every activity; the organisation's own accounts
(providers of that organisation) see all of their organisation's; everyone else what the
activity's visibility allows (kernel/access.py: `owning_state_and_committee`, the default, is
the Committee side and the State concerned's points of contact). The duplication check counts
every activity and names one the reader may not see only as "an activity by <organisation>"
(services/activities/overlaps.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from un1540.errors import InvalidParameter, NotFound, Problem
from un1540.errors import text as text_message
from un1540.models import Organisation, OrganisationActivity, Role, State, Visibility
from un1540.reference.languages import N_
from un1540.services.activities.validation import Lookups
from un1540.services.kernel.access import Viewer, can_see, visible
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import ASSISTANCE, REFERENCE
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework


def activity_visible(viewer: Viewer) -> ColumnElement[bool]:
    """A SQL condition: the activity may be seen record by record by `viewer`."""
    if viewer.is_committee_side:
        return true()
    allowed = [
        visible(OrganisationActivity.visibility, viewer, OrganisationActivity.state_id),
    ]
    if viewer.role is Role.provider and viewer.organisation_id is not None:
        allowed.append(OrganisationActivity.organisation_id == viewer.organisation_id)
    return or_(*allowed)


def activity_viewer_key(viewer: Viewer) -> tuple[object, ...]:
    """Everything `activity_visible` reads of the viewer: readers with equal keys see the same
    activities (a provider's organisation too: `Viewer.cache_key` does not tell two apart)."""
    organisation = viewer.organisation_id if viewer.role is Role.provider else None
    return (*viewer.cache_key, organisation)


def may_see_activity(viewer: Viewer, activity: OrganisationActivity) -> bool:
    """The same rule as `activity_visible`, for an activity already loaded."""
    if (
        viewer.role is Role.provider
        and viewer.organisation_id is not None
        and viewer.organisation_id == activity.organisation_id
    ):
        return True
    return can_see(Visibility(activity.visibility), viewer, activity.state_id)


def _json_list_holds(column: InstrumentedAttribute[list[str]], code: str) -> ColumnElement[bool]:
    """The JSON list in `column` holds `code` (a code checked against its vocabulary first)."""
    return cast(column, String).contains(f'"{code}"', autoescape=True)


@dataclass(frozen=True)
class ActivityFilter:
    """The filters of the list; each code is checked against its vocabulary."""

    organisation: str | None = None
    state: str | None = None
    field: str | None = None
    weapon: str | None = None  # activities on this category, or on all of them
    period_from: date | None = None  # activities under way at some time in the period
    period_to: date | None = None

    def check(self, session: Session) -> None:
        lookups = Lookups.load(session)
        problems: list[Problem] = []
        # Checked in Python, never in SQL: a parameter may hold what PostgreSQL refuses (NUL).
        if self.organisation is not None and self.organisation not in lookups.organisations:
            problems.append(
                Problem(
                    "organisation",
                    text_message(
                        N_("unknown organisation %(organisation)s"),
                        organisation=repr(self.organisation[:40]),
                    ),
                )
            )
        if self.state is not None and self.state.upper() not in lookups.states:
            problems.append(
                Problem(
                    "state",
                    text_message(
                        N_("unknown State %(state)s"),
                        state=repr(self.state[:20]),
                    ),
                )
            )
        if self.field is not None and self.field not in lookups.fields:
            problems.append(
                Problem(
                    "field",
                    text_message(
                        N_("unknown matrix field %(field)s"),
                        field=repr(self.field[:60]),
                    ),
                )
            )
        if self.weapon is not None and self.weapon not in lookups.weapons:
            problems.append(
                Problem(
                    "weapon",
                    text_message(
                        N_("unknown weapon category; known: %(weapons)s"),
                        weapons=", ".join(lookups.weapons),
                    ),
                )
            )
        # A period ending before it starts is no error: it holds no activity.
        if problems:
            raise InvalidParameter.naming(problems)

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.organisation is not None:
            found.append(Organisation.code == self.organisation)
        if self.state is not None:
            found.append(State.iso3 == self.state.upper())
        if self.field is not None:
            found.append(_json_list_holds(OrganisationActivity.fields, self.field))
        if self.weapon is not None:
            text = cast(OrganisationActivity.weapons, String)
            found.append(
                or_(
                    not_(text.contains('"')),  # names none: every category
                    _json_list_holds(OrganisationActivity.weapons, self.weapon),
                )
            )
        if self.period_from is not None:
            found.append(
                or_(
                    OrganisationActivity.end_on.is_(None),
                    OrganisationActivity.end_on >= self.period_from,
                )
            )
        if self.period_to is not None:
            found.append(OrganisationActivity.start_on <= self.period_to)
        return found


def _query_of(conditions: list[ColumnElement[bool]]) -> Select[OrganisationActivity]:
    return (
        select(OrganisationActivity)
        .join(Organisation, Organisation.id == OrganisationActivity.organisation_id)
        .join(State, State.id == OrganisationActivity.state_id)
        .where(and_(true(), *conditions))
    )


def list_activities(
    session: Session,
    *,
    viewer: Viewer,
    filters: ActivityFilter | None = None,
    paging: PageRequest | None = None,
) -> tuple[list[OrganisationActivity], int]:
    """The activities the viewer may see, latest start first."""
    filters = filters or ActivityFilter()
    filters.check(session)
    paging = paging or PageRequest()
    conditions = [activity_visible(viewer), *filters.conditions()]
    query = _query_of(conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.options(
            joinedload(OrganisationActivity.organisation), joinedload(OrganisationActivity.state)
        )
        .order_by(OrganisationActivity.start_on.desc(), OrganisationActivity.id.desc())
        .offset(paging.offset)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0


ACTIVITY_FACETS = ("organisation", "state", "weapon", "field")


def activity_facets(
    session: Session, *, viewer: Viewer, filters: ActivityFilter | None = None
) -> dict[str, list[tuple[str, int]]]:
    """The activities list's facets, as Datasette shows them: for the organisation, the State,
    the weapon category and the matrix field, each value with the number of activities the list
    would show with that value chosen (the other filters kept, this one replaced); counted under
    `activity_visible`, as `list_activities` lists them. Fields and weapons are JSON lists:
    counted in Python, with the list's rule (an activity naming no category is on each)."""
    filters = filters or ActivityFilter()
    filters.check(session)  # bad input: refused here, before anything is cached
    # Counted once per filters and viewer key until an activity or the reference data change.
    return cached(
        session,
        ("activity_facets", filters, activity_viewer_key(viewer)),
        depends_on=(ASSISTANCE, REFERENCE),
        compute=lambda: _activity_facets(session, viewer, filters),
    )


def _activity_facets(
    session: Session, viewer: Viewer, filters: ActivityFilter
) -> dict[str, list[tuple[str, int]]]:
    weapons = Lookups.load(session).weapons
    period = replace(filters, organisation=None, state=None, field=None, weapon=None)
    rows = session.execute(
        select(
            Organisation.code,
            State.iso3,
            OrganisationActivity.fields,
            OrganisationActivity.weapons,
        )
        .join(Organisation, Organisation.id == OrganisationActivity.organisation_id)
        .join(State, State.id == OrganisationActivity.state_id)
        .where(activity_visible(viewer), *period.conditions())
    ).all()
    chosen = {
        "organisation": filters.organisation,
        "state": None if filters.state is None else filters.state.upper(),
        "field": filters.field,
        "weapon": filters.weapon,
    }
    found: dict[str, dict[str, int]] = {name: {} for name in ACTIVITY_FACETS}
    for organisation, iso3, fields, named in rows:
        values = {
            "organisation": [organisation],
            "state": [iso3],
            "field": list(dict.fromkeys(fields or [])),
            "weapon": list(dict.fromkeys(named or [])) or list(weapons),
        }
        for name in ACTIVITY_FACETS:
            if all(
                chosen[other] is None or chosen[other] in values[other]
                for other in ACTIVITY_FACETS
                if other != name
            ):
                for value in values[name]:
                    found[name][value] = found[name].get(value, 0) + 1
    return {name: list(counts.items()) for name, counts in found.items()}


def get_activity(session: Session, *, viewer: Viewer, activity_id: int) -> OrganisationActivity:
    """One activity, or NotFound alike for one that does not exist and one not to be seen."""
    found = session.scalar(
        select(OrganisationActivity)
        .where(OrganisationActivity.id == activity_id, activity_visible(viewer))
        .options(
            joinedload(OrganisationActivity.organisation), joinedload(OrganisationActivity.state)
        )
    )
    if found is None:
        raise NotFound(
            text_message(
                N_("no activity %(activity_id)s that you may see"),
                activity_id=activity_id,
            )
        )
    return found


def activities_in(
    session: Session,
    *,
    state_id: int | None = None,
    viewer: Viewer | None = None,
    as_of: date | None = None,
) -> list[OrganisationActivity]:
    """Every activity (in one State, if given), visible to `viewer` if given: ALL of them when
    no viewer is given, for the duplication check, which discloses them itself. With `as_of`,
    only those under way on that date (the field map's date)."""
    conditions: list[ColumnElement[bool]] = []
    if as_of is not None:
        conditions.append(OrganisationActivity.start_on <= as_of)
        conditions.append(
            or_(OrganisationActivity.end_on.is_(None), OrganisationActivity.end_on >= as_of)
        )
    if state_id is not None:
        conditions.append(OrganisationActivity.state_id == state_id)
    if viewer is not None:
        conditions.append(activity_visible(viewer))
    return list(
        session.scalars(
            select(OrganisationActivity)
            .where(and_(true(), *conditions))
            .options(
                joinedload(OrganisationActivity.organisation),
                joinedload(OrganisationActivity.state),
            )
            .order_by(OrganisationActivity.id)
        )
    )


@dataclass(frozen=True)
class FormChoices:
    """What the recording form offers: the organisations this viewer may record for, the
    States, the matrix fields by section, and the weapon categories."""

    organisations: list[tuple[str, str]]  # code, acronym: those the viewer may record for
    all_organisations: list[tuple[str, str]]  # for the filter
    states: list[tuple[str, str]]  # ISO3, short name
    sections: list[tuple[str, str, list[tuple[str, str]]]]  # code, title, [(field, name)]
    weapons: dict[str, str]


def form_choices(session: Session, *, viewer: Viewer) -> FormChoices:
    layout = framework_layout(session, default_framework(session))
    every = [
        (ident, code, acronym)
        for ident, code, acronym in session.execute(
            select(Organisation.id, Organisation.code, Organisation.acronym).order_by(
                Organisation.acronym
            )
        )
    ]
    own = viewer.organisation_id if viewer.role is Role.provider else None
    return FormChoices(
        organisations=[
            (code, acronym)
            for ident, code, acronym in every
            if viewer.role is not Role.provider or ident == own
        ],
        all_organisations=[(code, acronym) for _ident, code, acronym in every],
        states=[
            (iso3, name)
            for iso3, name in session.execute(
                select(State.iso3, State.short_name).order_by(State.short_name)
            )
        ],
        sections=[
            (section.code, section.title, [(f.code, f.name) for f in section.fields])
            for section in layout.sections
        ],
        weapons=dict(layout.weapon_names),
    )
