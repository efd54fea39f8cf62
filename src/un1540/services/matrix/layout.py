"""The structure of a framework version (sections, fields, cells), cached: every read needs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from un1540.db.engine import session_url
from un1540.errors import NotFound, text
from un1540.models import FieldDefinition, Framework, Section
from un1540.reference.frameworks import ADHERENCE
from un1540.reference.languages import N_


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
    return layout_of(session, framework.id, framework.source_sha256, framework.loaded_at)


def layout_of(
    session: Session, framework_id: int, source_sha256: str, loaded_at: datetime
) -> FrameworkLayout:
    """`framework_layout` from the three columns that key it, read with other columns by a
    caller that does not load the framework itself (reads/matrix.py: `matrix_document`)."""
    key = (session_url(session), framework_id, source_sha256, loaded_at.isoformat())
    layout = _LAYOUTS.get(key)
    if layout is not None:
        return layout
    stored = session.scalars(
        select(Framework)
        .where(Framework.id == framework_id)
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
        raise NotFound(
            text(
                N_("no framework %(framework_id)s"),
                framework_id=framework_id,
            )
        )
    by_id = framework_layout(session, framework).by_id
    return lambda cell_id: by_id[cell_id].key
