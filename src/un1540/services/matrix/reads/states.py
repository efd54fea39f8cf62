"""Reading States: the list (filtered, searched, sorted) and one State's profile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from un1540.errors import InvalidParameter, Problem, text
from un1540.models import (
    GroupMembership,
    M49Area,
    MatrixEdition,
    Origin,
    RegionalGroup,
    State,
    StateName,
)
from un1540.reference.collation import sort_key
from un1540.reference.languages import N_
from un1540.reference.states import load_regional_groups, search_key
from un1540.schemas.states import AreaRead, MembershipRead, StateRead, StateSummary
from un1540.services.documents.reads import count_documents
from un1540.services.kernel.access import Viewer, edition_visible
from un1540.services.kernel.cache import cached
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.counting import (
    ALL_STATES,
    latest_approved_editions,
    state_tallies,
    state_tally,
)

SORT_KEYS: dict[str, Callable[[StateSummary], Any]] = {
    "name": lambda s: s.name.casefold(),
    "iso3": lambda s: s.iso3,
    "group": lambda s: (s.group_name or "~", s.name.casefold()),
    "region": lambda s: (s.region, s.name.casefold()),
    "coverage": lambda s: (s.coverage is not None, s.coverage or 0.0, s.name.casefold()),
    "measures": lambda s: (s.measures is not None, s.measures or 0, s.name.casefold()),
    "editions": lambda s: (s.editions, s.name.casefold()),
    "latest_approved_on": lambda s: (
        s.latest_approved_on is not None,
        s.latest_approved_on or 0,
        s.name,
    ),
}


def _sort_keys(language: str) -> dict[str, Callable[[StateSummary], Any]]:
    """SORT_KEYS for a reader of `language`: names and group names in that language, ordered by
    its collation (English keeps the English keys above)."""
    if language == "en":
        return SORT_KEYS
    collate = sort_key(language)
    groups = {code: group.names for code, group in load_regional_groups()[0].items()}

    def name(s: StateSummary) -> bytes:
        return collate(s.names.get(language) or s.name)

    def group(s: StateSummary) -> tuple[bool, bytes]:
        if s.group is None:
            return (True, b"")
        return (False, collate(groups.get(s.group, {}).get(language) or s.group_name or s.group))

    return {
        **SORT_KEYS,
        "name": name,
        "group": lambda s: (group(s), name(s)),
        "region": lambda s: (s.region, name(s)),
        "coverage": lambda s: (s.coverage is not None, s.coverage or 0.0, name(s)),
        "measures": lambda s: (s.measures is not None, s.measures or 0, name(s)),
        "editions": lambda s: (s.editions, name(s)),
        "latest_approved_on": lambda s: (
            s.latest_approved_on is not None,
            s.latest_approved_on or 0,
            name(s),
        ),
    }


def _validate_filters(session: Session, group: str | None, region: str | None, sort: str) -> None:
    problems = []
    if group is not None and session.get(RegionalGroup, group) is None:
        codes = ", ".join(session.scalars(select(RegionalGroup.code)))
        problems.append(
            Problem(
                "group",
                text(
                    N_("unknown group %(group)s; use one of %(codes)s"),
                    group=repr(group),
                    codes=codes,
                ),
            )
        )
    if region is not None and session.get(M49Area, region) is None:
        problems.append(
            Problem(
                "region",
                text(
                    N_("unknown M49 area %(region)s (e.g. africa, western_asia)"),
                    region=repr(region),
                ),
            )
        )
    if sort not in SORT_KEYS:
        problems.append(
            Problem(
                "sort",
                text(
                    N_("must be one of %(sort_keys)s"),
                    sort_keys=", ".join(SORT_KEYS),
                ),
            )
        )
    if problems:
        raise InvalidParameter.naming(problems)


def _matching_state_ids(session: Session, query: str) -> set[int]:
    key = search_key(query)
    by_name = select(StateName.state_id).where(StateName.search_key.contains(key, autoescape=True))
    by_code = select(State.id).where(or_(State.iso3 == query.upper(), State.iso2 == query.upper()))
    return set(session.scalars(by_name)) | set(session.scalars(by_code))


def summarise_states(
    session: Session, viewer: Viewer, states: list[State]
) -> tuple[list[StateSummary], bool]:
    """Summaries of the States, and whether any visible edition of theirs is synthetic."""
    groups = {group.code: group.name for group in session.scalars(select(RegionalGroup))}
    few = len(states) < 20  # one State's page should not compute all 193
    latest = latest_approved_editions(session, viewer, [s.id for s in states] if few else None)
    # A few States (one State's page) are tallied from their own editions, so their pages stay
    # cached while other States are written; many from the tallies of all States.
    tallies = (
        {s.iso3: tally for s in states if (tally := state_tally(session, viewer, s)) is not None}
        if few
        else state_tallies(session, viewer)
    )
    edition_counts: dict[int, tuple[int, int]] = {
        state_id: (count, demo)
        for state_id, count, demo in session.execute(
            select(
                MatrixEdition.state_id,
                func.count(),
                func.count().filter(MatrixEdition.origin == Origin.demo),
            )
            .where(edition_visible(viewer), MatrixEdition.state_id.in_([s.id for s in states]))
            .group_by(MatrixEdition.state_id)
        )
    }
    summaries = []
    for state in states:
        edition = latest.get(state.iso3)
        tally = tallies.get(state.iso3)
        summaries.append(
            StateSummary(
                iso3=state.iso3,
                iso2=state.iso2,
                m49=state.m49,
                name=state.short_name,
                names={n.language: n.name for n in state.names if n.kind == "cldr"},
                group=state.electoral_group_code,
                group_name=groups.get(state.electoral_group_code or ""),
                region=state.m49_region_code,
                subregion=state.m49_subregion_code,
                editions=edition_counts.get(state.id, (0, 0))[0],
                latest_edition=edition.number if edition else None,
                latest_approved_on=edition.approved_on if edition else None,
                measures=tally.measures if tally else None,
                coverage=tally.coverage if tally else None,
            )
        )
    synthetic = any(demo for _, demo in edition_counts.values())
    return summaries, synthetic


@dataclass(frozen=True)
class StateListing:
    items: list[StateSummary]
    synthetic: bool


def list_states(
    session: Session,
    *,
    viewer: Viewer,
    group: str | None = None,
    region: str | None = None,
    q: str | None = None,
    sort: str = "name",
    descending: bool = False,
    language: str = "en",
) -> StateListing:
    """All States matching the filters, sorted; group filters include participants and observers.

    `language` (one of the six) sorts names and group names in that language by its collation.

    The unfiltered list (the States page, the maps of the home page, the dashboard, a field's
    page, who does what where) is cached: it counts the latest approved edition of every State
    and the editions of each, which change with the `matrix` scope (an edition opened,
    shared or approved), not with an edit of a draft's cells. Callers must not change it."""
    _validate_filters(session, group, region, sort)
    if group is None and region is None and not (q and q.strip()):
        return cached(
            session,
            ("list_states", sort, descending, language, viewer.cache_key),
            depends_on=ALL_STATES,
            compute=lambda: _list_states(
                session, viewer=viewer, sort=sort, descending=descending, language=language
            ),
        )
    return _list_states(
        session,
        viewer=viewer,
        group=group,
        region=region,
        q=q,
        sort=sort,
        descending=descending,
        language=language,
    )


def _list_states(
    session: Session,
    *,
    viewer: Viewer,
    group: str | None = None,
    region: str | None = None,
    q: str | None = None,
    sort: str = "name",
    descending: bool = False,
    language: str = "en",
) -> StateListing:
    statement = select(State).options(selectinload(State.names))
    states = list(session.scalars(statement.where(*_state_filters(session, group, region, q))))
    summaries, synthetic = summarise_states(session, viewer, states)
    keys = _sort_keys(language)
    summaries.sort(key=keys["name"])
    summaries.sort(key=keys[sort], reverse=descending)
    return StateListing(items=summaries, synthetic=synthetic)


def _state_filters(
    session: Session, group: str | None, region: str | None, q: str | None
) -> list[ColumnElement[bool]]:
    """The list's filters as SQL conditions on State (a group holds its participants and
    observers; a region matches an M49 region, subregion or intermediate region)."""
    found: list[ColumnElement[bool]] = []
    if group is not None:
        found.append(
            State.id.in_(
                select(GroupMembership.state_id).where(GroupMembership.group_code == group)
            )
        )
    if region is not None:
        found.append(
            or_(
                State.m49_region_code == region,
                State.m49_subregion_code == region,
                State.m49_intermediate_code == region,
            )
        )
    if q is not None and q.strip():
        found.append(State.id.in_(_matching_state_ids(session, q.strip())))
    return found


STATE_FACETS = ("group", "region")


def state_facets(
    session: Session, *, group: str | None = None, region: str | None = None, q: str | None = None
) -> dict[str, list[tuple[str, int]]]:
    """The States list's facets, as Datasette shows them: for the regional group and the M49
    region, each value with the number of States the list would show with that value chosen
    (the other filters kept, this one replaced). Every State is public: no viewer to ask."""
    _validate_filters(session, group, region, "name")
    by_group = session.execute(
        select(GroupMembership.group_code, func.count(func.distinct(State.id)))
        .join(State, State.id == GroupMembership.state_id)
        .where(*_state_filters(session, None, region, q))
        .group_by(GroupMembership.group_code)
    ).all()
    by_region = session.execute(
        select(State.m49_region_code, func.count(State.id))
        .where(*_state_filters(session, group, None, q))
        .group_by(State.m49_region_code)
    ).all()
    return {
        name: [(str(code), int(count)) for code, count in rows if code is not None]
        for name, rows in (("group", by_group), ("region", by_region))
    }


def _area(session: Session, code: str | None) -> AreaRead | None:
    area = session.get(M49Area, code) if code else None
    return AreaRead(code=area.code, m49=area.m49, name=area.name) if area else None


def get_state(session: Session, *, viewer: Viewer, iso3: str) -> StateRead:
    """One State's profile: names, groups, regions, and what the caller may see of its records."""
    state = state_by_iso3(session, iso3)
    groups = {group.code: group.name for group in session.scalars(select(RegionalGroup))}
    documents, demo_documents = count_documents(session, viewer=viewer, state_id=state.id)
    summary, synthetic = summarise_states(session, viewer, [state])
    region, subregion = (
        _area(session, state.m49_region_code),
        _area(session, state.m49_subregion_code),
    )
    # Both are guaranteed by foreign keys.
    assert region is not None
    assert subregion is not None
    return StateRead(
        **envelope(synthetic or demo_documents),
        state=summary[0],
        iso_name=state.iso_name,
        note=state.note,
        memberships=[
            MembershipRead(
                group=m.group_code,
                group_name=groups[m.group_code],
                role=m.role,
                electoral=m.electoral,
                note=m.note,
            )
            for m in sorted(state.memberships, key=lambda m: not m.electoral)
        ],
        region=region,
        subregion=subregion,
        intermediate_region=_area(session, state.m49_intermediate_code),
        aliases=[n.name for n in state.names if n.kind == "alias"],
        documents=documents,
    )
