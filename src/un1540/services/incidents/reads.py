"""Incidents as the viewer may see them, the trends of all of them, and counts per State.

Record by record: the Committee side sees every incident; the reporter (and, for a provider,
its organisation's other accounts) its own; the points of contact of a State concerned see the
non-restricted ones, and the restricted ones the reporter shared with the State; everyone else
(the public, other States, other providers) only non-restricted confirmed records. The trends
count every incident matching the filters, restricted ones included, and show no record.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased, selectinload

from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import Incident, IncidentState, Origin, Role, State
from un1540.reference.incidents import load_incident_vocabulary
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest

FIRST_YEAR = 1945
LAST_YEAR = 2100  # the bound of a year filter
# The subqueries' own names for the link and the State, so that a query which joins them
# itself (the counts per State, the regions) does not correlate them away.
LINKED = aliased(IncidentState)
CONCERNED = aliased(State)


@dataclass(frozen=True)
class IncidentFilter:
    """The filters of the list and of the trends; each code is checked against its vocabulary."""

    year_from: int | None = None
    year_to: int | None = None
    category: str | None = None
    kind: str | None = None
    region: str | None = None  # an M49 region code (africa, americas, asia, europe, oceania)
    state: str | None = None  # the list only: never the trends (a State's restricted count)

    def check(self, session: Session) -> None:
        vocabulary = load_incident_vocabulary()
        problems: list[Problem] = []
        # Years from 1945 to 2100 (the doors bound them): a period in the future or ending
        # before it starts is no error, it holds no incident.
        if self.category is not None and self.category not in vocabulary.categories:
            problems.append(
                Problem(
                    "category",
                    text(
                        N_("unknown category; known: %(categories)s"),
                        categories=", ".join(vocabulary.categories),
                    ),
                )
            )
        if self.kind is not None and self.kind not in vocabulary.kinds:
            problems.append(
                Problem(
                    "kind",
                    text(
                        N_("unknown kind; known: %(kinds)s"),
                        kinds=", ".join(vocabulary.kinds),
                    ),
                )
            )
        if self.region is not None and self.region not in regions(session):
            problems.append(
                Problem(
                    "region",
                    text(
                        N_("unknown M49 region; known: %(regions)s"),
                        regions=", ".join(regions(session)),
                    ),
                )
            )
        # Checked in Python, never in SQL: a parameter may hold what PostgreSQL refuses (NUL).
        if self.state is not None and self.state.upper() not in set(
            session.scalars(select(State.iso3))
        ):
            problems.append(
                Problem(
                    "state",
                    text(
                        N_("unknown State %(state)s"),
                        state=repr(self.state[:20]),
                    ),
                )
            )
        if problems:
            raise InvalidParameter.naming(problems)

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.year_from is not None:
            found.append(Incident.occurred_on >= date(self.year_from, 1, 1))
        if self.year_to is not None:
            found.append(Incident.occurred_on <= date(self.year_to, 12, 31))
        if self.category is not None:
            found.append(Incident.category == self.category)
        if self.kind is not None:
            found.append(Incident.kind == self.kind)
        if self.region is not None:
            found.append(_concerns(CONCERNED.m49_region_code == self.region))
        if self.state is not None:
            found.append(_concerns(CONCERNED.iso3 == self.state.upper()))
        return found


def regions(session: Session) -> list[str]:
    return sorted(session.scalars(select(State.m49_region_code).distinct()))


def _concerns(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The incident concerns a State meeting `condition` (on the alias CONCERNED)."""
    return (
        select(LINKED.id)
        .join(CONCERNED, CONCERNED.id == LINKED.state_id)
        .where(LINKED.incident_id == Incident.id, condition)
        .correlate(Incident)
        .exists()
    )


def incident_visible(viewer: Viewer) -> ColumnElement[bool]:
    """A SQL condition: the incident may be seen record by record by `viewer`."""
    if viewer.is_committee_side:
        return true()
    public = load_incident_vocabulary().public_confirmation
    allowed: list[ColumnElement[bool]] = [
        and_(Incident.restricted.is_(False), Incident.confirmation.in_(sorted(public)))
    ]
    if viewer.user_id is not None:
        allowed.append(Incident.reporter_id == viewer.user_id)
    if viewer.role is Role.provider and viewer.organisation_id is not None:
        allowed.append(Incident.reporter_organisation_id == viewer.organisation_id)
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        concerned = (
            select(LINKED.id)
            .where(LINKED.incident_id == Incident.id, LINKED.state_id == viewer.state_id)
            .correlate(Incident)
            .exists()
        )
        allowed.append(
            and_(concerned, or_(Incident.restricted.is_(False), Incident.share_with_state))
        )
    return or_(*allowed) if allowed else false()


def list_incidents(
    session: Session,
    *,
    viewer: Viewer,
    filters: IncidentFilter | None = None,
    paging: PageRequest | None = None,
) -> tuple[list[Incident], int]:
    """The incidents the viewer may see, newest first."""
    filters = filters or IncidentFilter()
    filters.check(session)
    paging = paging or PageRequest()
    conditions = [incident_visible(viewer), *filters.conditions()]
    total = session.scalar(select(func.count()).select_from(Incident).where(*conditions))
    rows = session.scalars(
        select(Incident)
        .where(*conditions)
        .options(
            selectinload(Incident.states).joinedload(IncidentState.state),
            selectinload(Incident.organisation),
        )
        .order_by(Incident.occurred_on.desc(), Incident.id.desc())
        .offset(paging.offset)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0


FACETS = ("category", "kind", "region")


def incident_facets(
    session: Session, *, viewer: Viewer, filters: IncidentFilter | None = None
) -> dict[str, list[tuple[str, int]]]:
    """The list's facets, as Datasette shows them: for each filter (category, kind, region),
    each of its values with the number of incidents the viewer may see that the list would show
    with that value chosen (the other filters kept, this one replaced); most first. Counted
    under `incident_visible`: a reader never counts what they may not see."""
    filters = filters or IncidentFilter()
    filters.check(session)
    visible = incident_visible(viewer)
    found: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        conditions = [visible, *replace(filters, **{name: None}).conditions()]
        if name == "region":
            column = CONCERNED.m49_region_code
            statement = (
                select(column, func.count(func.distinct(Incident.id)))
                .join(LINKED, LINKED.incident_id == Incident.id)
                .join(CONCERNED, CONCERNED.id == LINKED.state_id)
            )
        else:
            column = getattr(Incident, name)
            statement = select(column, func.count(Incident.id))
        rows = session.execute(statement.where(*conditions).group_by(column)).all()
        found[name] = sorted(
            ((str(value), int(count)) for value, count in rows if value is not None),
            key=lambda item: (-item[1], item[0]),
        )
    return found


PROFILE_INCIDENTS = 20  # the most recent shown on a State's or an organisation's page


def profile_incidents(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str | None = None,
    organisation_id: int | None = None,
) -> tuple[list[Incident], int]:
    """The incidents concerning a State (`iso3`) or reported by an organisation as their source
    (`organisation_id`) that the viewer may see record by record: the most recent, and how many
    there are. Restricted records count only for those who may see them (never a count of what
    the viewer may not see: by State it would narrow a restricted record down)."""
    if organisation_id is None:
        return list_incidents(
            session,
            viewer=viewer,
            filters=IncidentFilter(state=iso3),
            paging=PageRequest(page_size=PROFILE_INCIDENTS),
        )
    conditions = [incident_visible(viewer), Incident.organisation_id == organisation_id]
    total = session.scalar(select(func.count()).select_from(Incident).where(*conditions))
    rows = session.scalars(
        select(Incident)
        .where(*conditions)
        .options(
            selectinload(Incident.states).joinedload(IncidentState.state),
            selectinload(Incident.organisation),
        )
        .order_by(Incident.occurred_on.desc(), Incident.id.desc())
        .limit(PROFILE_INCIDENTS)
    ).all()
    return list(rows), total or 0


def get_incident(session: Session, *, viewer: Viewer, incident_id: int) -> Incident:
    """One incident, or NotFound alike for one that does not exist and one not to be seen."""
    found = session.scalar(
        select(Incident)
        .where(Incident.id == incident_id, incident_visible(viewer))
        .options(selectinload(Incident.states).joinedload(IncidentState.state))
    )
    if found is None:
        raise NotFound(
            text(
                N_("no incident %(incident_id)s"),
                incident_id=incident_id,
            )
        )
    return found


@dataclass(frozen=True)
class Trends:
    total: int
    restricted: int
    synthetic: bool
    by_year: Counter[str]
    by_category: Counter[str]
    by_kind: Counter[str]
    by_region: Counter[str]
    by_year_and_category: dict[str, Counter[str]]


def incident_trends(session: Session, *, filters: IncidentFilter | None = None) -> Trends:
    """Counts of EVERY incident matching the filters (restricted ones included: they are
    counted, never shown), by year, category, kind and M49 region of the States concerned."""
    filters = filters or IncidentFilter()
    if filters.state is not None:
        raise InvalidParameter.naming([Problem("state", N_("trends are not given by State"))])
    filters.check(session)
    rows = session.execute(
        select(
            Incident.id,
            Incident.occurred_on,
            Incident.category,
            Incident.kind,
            Incident.restricted,
            Incident.origin,
        ).where(*filters.conditions())
    ).all()
    region_rows = session.execute(
        select(IncidentState.incident_id, State.m49_region_code)
        .join(State, State.id == IncidentState.state_id)
        .join(Incident, Incident.id == IncidentState.incident_id)
        .where(*filters.conditions())
        .distinct()
    ).all()
    by_year_and_category: dict[str, Counter[str]] = {}
    for row in rows:
        by_year_and_category.setdefault(str(row.occurred_on.year), Counter())[row.category] += 1
    return Trends(
        total=len(rows),
        restricted=sum(1 for row in rows if row.restricted),
        synthetic=any(row.origin is Origin.demo for row in rows),
        by_year=Counter(str(row.occurred_on.year) for row in rows),
        by_category=Counter(row.category for row in rows),
        by_kind=Counter(row.kind for row in rows),
        by_region=Counter(region for _incident, region in region_rows),
        by_year_and_category=by_year_and_category,
    )


def incident_counts(
    session: Session,
    *,
    viewer: Viewer,
    since: date,
    kinds: tuple[str, ...],
    groupings: tuple[str, ...],
    confirmation: tuple[str, ...],
) -> tuple[dict[str, int], bool]:
    """Per State, the incidents since `since` of these kinds, groupings and confirmation
    statuses that the viewer may see record by record (the prioritisation aid's `incidents`
    factor), and whether any of them is synthetic."""
    conditions = [incident_visible(viewer), Incident.occurred_on >= since]
    if kinds:
        conditions.append(Incident.kind.in_(kinds))
    if groupings:
        conditions.append(Incident.grouping.in_(groupings))
    if confirmation:
        conditions.append(Incident.confirmation.in_(confirmation))
    rows = session.execute(
        select(State.iso3, func.count(func.distinct(Incident.id)))
        .join(IncidentState, IncidentState.state_id == State.id)
        .join(Incident, Incident.id == IncidentState.incident_id)
        .where(*conditions)
        .group_by(State.iso3)
    ).all()
    synthetic = session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(*conditions, Incident.origin == Origin.demo)
    )
    return {iso3: int(count) for iso3, count in rows}, bool(synthetic)
