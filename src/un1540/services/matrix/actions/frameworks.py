"""Loading frameworks and the bundled reference data (States, groups, regions, organisations)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from un1540.errors import Conflict, Problem, text
from un1540.models import (
    CellDefinition,
    ColumnKind,
    FieldDefinition,
    Framework,
    GroupMembership,
    M49Area,
    Organisation,
    RegionalGroup,
    Section,
    State,
    StateName,
    WeaponCategory,
)
from un1540.reference.frameworks import ADHERENCE, FrameworkDefinition, bundled_frameworks
from un1540.reference.languages import N_, UN_LANGUAGES
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
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.reads.frameworks import find_framework


def _structure(framework: Framework) -> list[str]:
    return [
        cell.key
        for section in framework.sections
        for field in section.fields
        for cell in field.cells
    ]


def _build(definition: FrameworkDefinition, *, is_default: bool) -> Framework:
    spec = definition.spec
    framework = Framework(
        code=spec.framework,
        version=spec.version,
        title=spec.title,
        is_default=is_default,
        source_name=definition.source_name,
        source_sha256=definition.sha256,
    )
    framework.weapon_categories = [
        WeaponCategory(code=code, name=item.name, names=item.names, position=position)
        for position, (code, item) in enumerate(spec.weapon_categories.items())
    ]
    framework.column_kinds = [
        ColumnKind(code=code, name=item.name, names=item.names, position=position)
        for position, (code, item) in enumerate(spec.column_kinds.items())
    ]
    cells_by_field: dict[str, list[tuple[str, str, str]]] = {}
    for cell in definition.cells():
        cells_by_field.setdefault(cell.field_code, []).append((cell.weapon, cell.column, cell.key))
    for position, section_spec in enumerate(spec.sections):
        layout = [ADHERENCE] if section_spec.cells == ADHERENCE else list(section_spec.cells)
        section = Section(
            framework=framework,
            code=section_spec.code,
            position=position,
            title=section_spec.title,
            titles=section_spec.titles,
            scope=section_spec.scope,
            layout=layout,
        )
        for field_spec in section_spec.fields:
            field = FieldDefinition(
                code=field_spec.code,
                number=field_spec.number,
                name=field_spec.name,
                names=field_spec.names,
                applies_to=list(field_spec.applies_to),
                verified=field_spec.verified,
            )
            field.cells = [
                CellDefinition(weapon=weapon, column=column, key=key, position=index)
                for index, (weapon, column, key) in enumerate(cells_by_field[field_spec.code])
            ]
            section.fields.append(field)
    # Denormalised framework ids make "field code unique within a framework" a constraint.
    for section in framework.sections:
        for field in section.fields:
            field.framework = framework
            for definition_cell in field.cells:
                definition_cell.framework = framework
    return framework


def _refresh_labels(existing: Framework, definition: FrameworkDefinition) -> None:
    """Same structure, new labels (e.g. translations or a verified flag): update in place."""
    spec = definition.spec
    existing.title = spec.title
    existing.source_name = definition.source_name
    existing.source_sha256 = definition.sha256
    specs = {field.code: field for section in spec.sections for field in section.fields}
    section_specs = {section.code: section for section in spec.sections}
    for section in existing.sections:
        section.title = section_specs[section.code].title
        section.titles = section_specs[section.code].titles
        section.scope = section_specs[section.code].scope
        for field in section.fields:
            field.name = specs[field.code].name
            field.names = specs[field.code].names
            field.verified = specs[field.code].verified


@action
def store_framework(
    session: Session, *, definition: FrameworkDefinition, actor: str, make_default: bool = False
) -> tuple[Framework, str]:
    """Store a framework version; returns it and what happened: created, updated or unchanged.

    A stored version's structure (its cells) never changes: a file that changes it must carry
    a new version. Labels may be corrected in place.
    """
    existing = find_framework(
        session, code=definition.spec.framework, version=definition.spec.version
    )
    if existing is not None and existing.source_sha256 == definition.sha256:
        outcome = "unchanged"
        framework = existing
    elif existing is not None:
        new_structure = [cell.key for cell in definition.cells()]
        if _structure(existing) != new_structure:
            raise Conflict(
                text(
                    N_(
                        "framework %(slug)s is already stored with other cells; give the "
                        "changed file a new version"
                    ),
                    slug=definition.slug,
                ),
                problems=[
                    Problem(definition.source_name, N_("version: reuse of a stored version"))
                ],
            )
        _refresh_labels(existing, definition)
        outcome, framework = "updated", existing
    else:
        has_default = session.scalar(select(Framework.id).where(Framework.is_default)) is not None
        framework = _build(definition, is_default=not has_default)
        session.add(framework)
        outcome = "created"
    if make_default and not framework.is_default:
        session.execute(update(Framework).values(is_default=False))
        framework.is_default = True
        outcome = "updated" if outcome == "unchanged" else outcome
    if outcome != "unchanged":
        session.flush()
        record_event(
            session,
            actor=actor,
            action=f"framework.{outcome}",
            entity_type="framework",
            entity_id=definition.slug,
            after={
                "sha256": definition.sha256,
                "cells": len(definition.cells()),
                "default": framework.is_default,
            },
        )
    return framework, outcome


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


@action
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
