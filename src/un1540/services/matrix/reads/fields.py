"""One matrix field across all States: who has this measure."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Tally
from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import CellEntry, Framework, MatrixEdition, RegionalGroup, State
from un1540.reference.crosswalks import ASSERTED_BY, TREATY_STATUSES, treaty_fields
from un1540.reference.languages import N_
from un1540.schemas.coverage import ComparedTreaty
from un1540.schemas.matrix import (
    FieldAcrossStates,
    FieldInfo,
    FieldStateRow,
    StateRef,
    TreatyStatusRead,
)
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.cache import cached_compact
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.counting import ALL_STATES, latest_approved_editions, tally_read
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.crosswalk import obligation_links
from un1540.services.matrix.reads.frameworks import resolve_framework
from un1540.services.matrix.shapes import treaty_of


def _field_info(layout: FrameworkLayout, code: str) -> FieldInfo:
    field = layout.fields.get(code)
    if field is None:
        raise NotFound(
            text(
                N_("no field %(code)s in framework %(slug)s"),
                code=repr(code),
                slug=layout.slug,
            )
        )
    section = next(s for s in layout.sections if s.code == field.section_code)
    return FieldInfo(
        code=field.code,
        number=field.number,
        name=field.name,
        section=section.code,
        section_title=section.title,
        framework=layout.slug,
        applies_to=list(field.applies_to),
        verified=field.verified,
        obligations=obligation_links(layout.slug, field=field.code),
    )


def field_across_states(
    session: Session,
    *,
    viewer: Viewer,
    code: str,
    framework: str | None = None,
    group: str | None = None,
    paging: PageRequest | None = None,
) -> FieldAcrossStates:
    """Marks of one field in each State's latest approved edition on that framework version.

    Computed once per field, framework, group, page and viewer key until an approval or a
    reference change (it counts approved editions only: an open edition's edit leaves it warm;
    counting.py ALL_STATES); the portal's field page and the API's JSON and CSV share it."""
    return cached_compact(
        session,
        ("field_across_states", code, framework, group, paging or PageRequest(), viewer.cache_key),
        depends_on=ALL_STATES,
        compute=lambda: _field_across_states(session, viewer, code, framework, group, paging),
    )


def _field_across_states(
    session: Session,
    viewer: Viewer,
    code: str,
    framework: str | None,
    group: str | None,
    paging: PageRequest | None,
) -> FieldAcrossStates:
    layout = framework_layout(session, resolve_framework(session, framework))
    info = _field_info(layout, code)
    if group is not None and session.get(RegionalGroup, group) is None:
        raise InvalidParameter.naming(
            [
                Problem(
                    "group",
                    text(
                        N_("unknown group %(group)s"),
                        group=repr(group),
                    ),
                )
            ]
        )
    cells = layout.fields[code].cells
    editions = {
        e.id: e
        for e in latest_approved_editions(session, viewer).values()
        if e.framework_id == layout.framework_id
    }
    states = {
        s.id: s
        for s in session.scalars(
            select(State).where(State.id.in_([e.state_id for e in editions.values()]))
        )
    }
    if group is not None:
        editions = {
            i: e for i, e in editions.items() if states[e.state_id].electoral_group_code == group
        }
    marks: dict[int, dict[str, str]] = {edition_id: {} for edition_id in editions}
    instrument = treaty_fields(layout.slug).get(code)
    treaties: dict[int, TreatyStatusRead] = {}
    rows = session.execute(
        select(
            CellEntry.edition_id,
            CellEntry.cell_id,
            CellEntry.mark,
            CellEntry.treaty_status,
            CellEntry.signed_on,
            CellEntry.status_on,
            CellEntry.asserted_by,
        )
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id.in_(list(editions)),
            CellEntry.cell_id.in_([cell.id for cell in cells]),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
        )
    ).all()
    for edition_id, cell_id, mark, status, signed_on, status_on, asserted_by in rows:
        marks[edition_id][layout.by_id[cell_id].key] = mark.value
        treaty = treaty_of(
            instrument.code if instrument else None, status, signed_on, status_on, asserted_by
        )
        if treaty is not None:
            treaties[edition_id] = treaty
    total = Tally()
    items = []
    for edition_id, edition in editions.items():
        state = states[edition.state_id]
        row_marks = {cell.key: marks[edition_id].get(cell.key, "") for cell in cells}
        tally = Tally()
        for value in row_marks.values():
            tally.add(value)
        total.merge(tally)
        items.append(
            FieldStateRow(
                state=StateRef(iso3=state.iso3, name=state.short_name),
                group=state.electoral_group_code,
                edition=edition.number,
                approved_on=edition.approved_on,
                marks=row_marks,
                tally=tally_read(tally),
                treaty=treaties.get(edition_id),
            )
        )
    items.sort(key=lambda row: row.state.name.casefold())
    paging = paging or PageRequest()
    return FieldAcrossStates(
        **envelope(any(edition.synthetic for edition in editions.values())),
        field=info,
        cells=[cell.key for cell in cells],
        items=paging.cut(items),
        total=len(items),
        page=paging.page,
        page_size=paging.page_size,
        tally=tally_read(total),
        treaty_counts=_treaty_counts(items) if instrument else {},
        asserted_counts=_asserted_counts(items) if instrument else {},
    )


def _treaty_counts(items: list[FieldStateRow]) -> dict[str, int]:
    """States by recorded treaty status, every status listed (and those with none recorded)."""
    counts = dict.fromkeys((*TREATY_STATUSES, "not_recorded"), 0)
    for row in items:
        counts[row.treaty.status if row.treaty else "not_recorded"] += 1
    return counts


def _asserted_counts(items: list[FieldStateRow]) -> dict[str, int]:
    counts = dict.fromkeys(ASSERTED_BY, 0)
    for row in items:
        if row.treaty is not None:
            counts[row.treaty.asserted_by] += 1
    return counts


def treaty_statuses(
    session: Session, viewer: Viewer, edition_ids: list[int]
) -> dict[int, list[ComparedTreaty]]:
    """Per edition, its OP1 treaty fields in framework order, each with its mark and the treaty
    status recorded on it (None: not recorded); cells the viewer may not see are left out."""
    found: dict[int, list[ComparedTreaty]] = {edition_id: [] for edition_id in edition_ids}
    if not edition_ids:
        return found
    frameworks = dict(
        session.execute(
            select(MatrixEdition.id, MatrixEdition.framework_id).where(
                MatrixEdition.id.in_(edition_ids)
            )
        ).all()
    )
    layouts = {
        framework_id: framework_layout(session, framework)
        for framework_id in set(frameworks.values())
        if (framework := session.get(Framework, framework_id)) is not None
    }
    cell_ids = {
        layout.by_key[f"{code}:any:adherence"].id: (framework_id, code, instrument.code)
        for framework_id, layout in layouts.items()
        for code, instrument in treaty_fields(layout.slug).items()
        if f"{code}:any:adherence" in layout.by_key
    }
    if not cell_ids:
        return found
    rows = session.execute(
        select(
            CellEntry.edition_id,
            CellEntry.cell_id,
            CellEntry.mark,
            CellEntry.treaty_status,
            CellEntry.signed_on,
            CellEntry.status_on,
            CellEntry.asserted_by,
        )
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id.in_(edition_ids),
            CellEntry.cell_id.in_(list(cell_ids)),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
        )
        .order_by(CellEntry.edition_id, CellEntry.cell_id)
    ).all()
    for edition_id, cell_id, mark, status, signed_on, status_on, asserted_by in rows:
        framework_id, code, instrument = cell_ids[cell_id]
        found[edition_id].append(
            ComparedTreaty(
                field=code,
                field_name=layouts[framework_id].fields[code].name,
                instrument=instrument,
                mark=mark.value,
                treaty=treaty_of(instrument, status, signed_on, status_on, asserted_by),
            )
        )
    return found
