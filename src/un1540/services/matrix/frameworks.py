"""Storing and reading matrix framework versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from un1540.db.engine import session_url
from un1540.errors import Conflict, InvalidParameter, NotFound, Problem
from un1540.models import (
    CellDefinition,
    ColumnKind,
    FieldDefinition,
    Framework,
    Section,
    WeaponCategory,
)
from un1540.reference.frameworks import ADHERENCE, FrameworkDefinition
from un1540.services.kernel.audit import record_event


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
                f"framework {definition.slug} is already stored with other cells; "
                "give the changed file a new version",
                problems=[Problem(definition.source_name, "version: reuse of a stored version")],
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


def find_framework(session: Session, *, code: str, version: str) -> Framework | None:
    return session.scalars(
        select(Framework)
        .where(Framework.code == code, Framework.version == version)
        .options(
            selectinload(Framework.sections)
            .selectinload(Section.fields)
            .selectinload(FieldDefinition.cells)
        )
    ).one_or_none()


def list_frameworks(session: Session) -> list[Framework]:
    return list(session.scalars(select(Framework).order_by(Framework.code, Framework.loaded_at)))


def default_framework(session: Session) -> Framework:
    framework = session.scalars(select(Framework).where(Framework.is_default)).first()
    if framework is None:
        raise NotFound("no framework is loaded; run `un1540 init` first")
    return framework


def resolve_framework(session: Session, slug: str | None) -> Framework:
    """A framework by 'code/version', or the default one when slug is None."""
    if slug is None:
        return default_framework(session)
    code, _, version = slug.partition("/")
    if not version:
        raise InvalidParameter.naming([Problem("framework", f"{slug!r} has no '/version' part")])
    framework = find_framework(session, code=code, version=version)
    if framework is None:
        raise NotFound(f"no framework {slug!r}")
    return framework


@dataclass(frozen=True)
class CellInfo:
    """What the reads need to know about one cell definition."""

    id: int
    key: str
    field_code: str
    section_code: str
    weapon: str
    column: str
    # The weapon categories a cell counts towards: its own, or the field's for OP1-style cells.
    weapons: tuple[str, ...]


@dataclass(frozen=True)
class FieldInfo:
    code: str
    number: int
    name: str
    verified: bool
    applies_to: tuple[str, ...]
    section_code: str
    cells: tuple[CellInfo, ...]


@dataclass(frozen=True)
class SectionInfo:
    code: str
    title: str
    scope: str
    layout: tuple[str, ...]
    fields: tuple[FieldInfo, ...]


@dataclass(frozen=True)
class FrameworkLayout:
    """A framework's whole structure and labels, loaded once per process and version."""

    framework_id: int
    slug: str
    title: str
    weapon_names: dict[str, str]
    column_names: dict[str, str]
    sections: tuple[SectionInfo, ...]
    cells: tuple[CellInfo, ...]
    by_id: dict[int, CellInfo]
    by_key: dict[str, CellInfo]
    fields: dict[str, FieldInfo]


# Keyed by database, id, checksum and load time, so a rolled-back and re-created framework that
# reuses an id is never confused with the old one; a label change changes the checksum.
_LAYOUTS: dict[tuple[str, int, str, str], FrameworkLayout] = {}


def _field_info(field: FieldDefinition, section: Section) -> FieldInfo:
    cells = tuple(
        CellInfo(
            id=cell.id,
            key=cell.key,
            field_code=field.code,
            section_code=section.code,
            weapon=cell.weapon,
            column=cell.column,
            weapons=tuple(field.applies_to) if cell.column == ADHERENCE else (cell.weapon,),
        )
        for cell in field.cells
    )
    return FieldInfo(
        code=field.code,
        number=field.number,
        name=field.name,
        verified=field.verified,
        applies_to=tuple(field.applies_to),
        section_code=section.code,
        cells=cells,
    )


def framework_layout(session: Session, framework: Framework) -> FrameworkLayout:
    """The structure of a framework (a stored structure never changes, so it is cached)."""
    key = (
        session_url(session),
        framework.id,
        framework.source_sha256,
        framework.loaded_at.isoformat(),
    )
    layout = _LAYOUTS.get(key)
    if layout is not None:
        return layout
    stored = session.scalars(
        select(Framework)
        .where(Framework.id == framework.id)
        .options(
            selectinload(Framework.weapon_categories),
            selectinload(Framework.column_kinds),
            selectinload(Framework.sections)
            .selectinload(Section.fields)
            .selectinload(FieldDefinition.cells),
        )
    ).one()
    sections = tuple(
        SectionInfo(
            code=section.code,
            title=section.title,
            scope=section.scope,
            layout=tuple(section.layout),
            fields=tuple(_field_info(field, section) for field in section.fields),
        )
        for section in stored.sections
    )
    fields = {field.code: field for section in sections for field in section.fields}
    cells = tuple(cell for field in fields.values() for cell in field.cells)
    layout = FrameworkLayout(
        framework_id=stored.id,
        slug=stored.slug,
        title=stored.title,
        weapon_names={w.code: w.name for w in stored.weapon_categories},
        column_names={c.code: c.name for c in stored.column_kinds},
        sections=sections,
        cells=cells,
        by_id={cell.id: cell for cell in cells},
        by_key={cell.key: cell for cell in cells},
        fields=fields,
    )
    _LAYOUTS[key] = layout
    return layout


def cell_keys(session: Session, framework_id: int) -> Callable[[int], str]:
    """Turns a cell id of this framework into its identifier ({field}:{weapon}:{column})."""
    framework = session.get(Framework, framework_id)
    if framework is None:
        raise NotFound(f"no framework {framework_id}")
    by_id = framework_layout(session, framework).by_id
    return lambda cell_id: by_id[cell_id].key
