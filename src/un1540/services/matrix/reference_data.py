"""Loading the bundled reference data (States, groups, regions, organisations, frameworks)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from un1540.models import GroupMembership, M49Area, Organisation, RegionalGroup, State, StateName
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.organisations import load_organisations
from un1540.reference.states import (
    StateRecord,
    load_m49_areas,
    load_regional_groups,
    load_states,
    search_key,
    state_memberships,
)
from un1540.services.kernel.audit import record_event
from un1540.services.matrix.frameworks import store_framework


def _state_names(record: StateRecord) -> list[StateName]:
    candidates = [("cldr", language, record.names[language]) for language in UN_LANGUAGES]
    candidates += [("short", "en", record.short_name), ("iso", "en", record.iso_name)]
    candidates += [("alias", "en", alias) for alias in record.aliases]
    seen: set[tuple[str, str, str]] = set()
    names: list[StateName] = []
    for kind, language, name in candidates:
        if (kind, language, name) in seen:
            continue
        seen.add((kind, language, name))
        names.append(
            StateName(language=language, kind=kind, name=name, search_key=search_key(name))
        )
    return names


def _sync_names(state: State, wanted: list[StateName]) -> None:
    """Change only what differs: the unit of work inserts before it deletes."""
    wanted_keys = {(n.language, n.kind, n.name) for n in wanted}
    state.names = [n for n in state.names if (n.language, n.kind, n.name) in wanted_keys]
    have = {(n.language, n.kind, n.name) for n in state.names}
    state.names.extend(n for n in wanted if (n.language, n.kind, n.name) not in have)


def _sync_memberships(state: State, record: StateRecord) -> None:
    wanted = {m.group: m for m in state_memberships(record)}
    state.memberships = [m for m in state.memberships if m.group_code in wanted]
    for membership in state.memberships:
        source = wanted.pop(membership.group_code)
        membership.role, membership.electoral, membership.note = (
            source.role,
            source.electoral,
            source.note,
        )
    state.memberships.extend(
        GroupMembership(group_code=m.group, role=m.role, electoral=m.electoral, note=m.note)
        for m in wanted.values()
    )


def _load_groups_and_areas(session: Session) -> None:
    groups, _ = load_regional_groups()
    for group in groups.values():
        session.merge(
            RegionalGroup(
                code=group.code, name=group.name, short=group.short, description=group.description
            )
        )
    # Parents first, so the self-referencing foreign key is satisfied on every backend.
    areas = sorted(
        load_m49_areas().values(),
        key=lambda area: ("region", "subregion", "intermediate").index(area.level),
    )
    for area in areas:
        session.merge(
            M49Area(
                code=area.code,
                m49=area.m49,
                name=area.name,
                level=area.level,
                parent_code=area.parent,
            )
        )
    session.flush()


def _load_states(session: Session) -> None:
    existing = {
        state.iso3: state
        for state in session.scalars(
            select(State).options(selectinload(State.names), selectinload(State.memberships))
        )
    }
    for record in load_states():
        state = existing.get(record.iso3) or State(iso3=record.iso3)
        state.iso2, state.m49 = record.iso2, record.m49
        state.short_name, state.iso_name, state.note = (
            record.short_name,
            record.iso_name,
            record.note,
        )
        state.electoral_group_code = record.electoral_group
        state.m49_region_code = record.m49_region
        state.m49_subregion_code = record.m49_subregion
        state.m49_intermediate_code = record.m49_intermediate_region
        _sync_names(state, _state_names(record))
        _sync_memberships(state, record)
        session.add(state)
    session.flush()


def _load_organisations(session: Session) -> None:
    existing = {org.code: org for org in session.scalars(select(Organisation))}
    for record in load_organisations():
        organisation = existing.get(record.code) or Organisation(code=record.code)
        organisation.acronym, organisation.name = record.acronym, record.name
        organisation.kind, organisation.covers = record.kind, list(record.covers)
        organisation.url, organisation.note = record.url, record.note
        session.add(organisation)
    session.flush()


def load_reference_data(session: Session, *, actor: str) -> dict[str, int]:
    """Create or refresh all bundled reference data in one transaction; safe to run again."""
    _load_groups_and_areas(session)
    _load_states(session)
    _load_organisations(session)
    outcomes = [
        store_framework(session, definition=d, actor=actor)[1] for d in bundled_frameworks()
    ]
    counts = {
        "states": len(load_states()),
        "regional_groups": len(load_regional_groups()[0]),
        "m49_areas": len(load_m49_areas()),
        "organisations": len(load_organisations()),
        "frameworks": len(outcomes),
    }
    record_event(
        session,
        actor=actor,
        action="reference.load",
        entity_type="reference",
        entity_id="bundled",
        after=counts,
    )
    return counts
