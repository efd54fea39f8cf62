"""What changed: between two editions of a State, and in one cell across all its editions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import MEASURE
from un1540.errors import NotFound, text
from un1540.models import AuditEvent, CellEntry, Framework, MatrixEdition, State
from un1540.reference.languages import N_
from un1540.schemas.matrix import StateRef
from un1540.schemas.workflow import (
    CellDifference,
    CellEvent,
    CellHistory,
    CellInEdition,
    CellValue,
    ChangeCount,
    EditionDiff,
)
from un1540.services.kernel.access import Viewer, edition_visible, speaks_for
from un1540.services.kernel.actors import actor_names
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.layout import CellInfo, FrameworkLayout, framework_layout
from un1540.services.matrix.reads.editions import edition_tallies, find_edition
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.matrix.reads.matrix import evidence_by_entry
from un1540.services.matrix.shapes import edition_summary


def _values(session: Session, edition: MatrixEdition) -> dict[int, tuple[str, str]]:
    return {
        cell_id: (mark.value, remark)
        for cell_id, mark, remark in session.execute(
            select(CellEntry.cell_id, CellEntry.mark, CellEntry.remark).where(
                CellEntry.edition_id == edition.id
            )
        )
    }


def classify(before: tuple[str, str] | None, after: tuple[str, str] | None) -> str | None:
    """gained (now X), lost (no longer X), changed (any other difference), or None when equal."""
    if before == after:
        return None
    was_measure = before is not None and before[0] == MEASURE
    is_measure = after is not None and after[0] == MEASURE
    if is_measure and not was_measure:
        return "gained"
    if was_measure and not is_measure:
        return "lost"
    return "changed"


def _layout(session: Session, edition: MatrixEdition) -> FrameworkLayout:
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    return framework_layout(session, framework)


def _counts(
    differences: list[tuple[CellInfo, str]], key: str, labels: dict[str, str]
) -> list[ChangeCount]:
    counts: dict[str, dict[str, int]] = {}
    for cell, change in differences:
        keys = [cell.section_code] if key == "section" else list(cell.weapons)
        for value in keys:
            counts.setdefault(value, {"gained": 0, "lost": 0, "changed": 0})[change] += 1
    return [
        ChangeCount(key=value, label=labels.get(value, value), **counts[value])
        for value in [*labels, *sorted(set(counts) - set(labels))]
        if value in counts
    ]


def compare_editions(
    session: Session, *, viewer: Viewer, iso3: str, before: int, after: int
) -> EditionDiff:
    """Cells gained, lost and changed from edition `before` to edition `after`."""
    state, first = find_edition(session, viewer=viewer, iso3=iso3, number=before)
    _, second = find_edition(session, viewer=viewer, iso3=iso3, number=after)
    first_layout, second_layout = _layout(session, first), _layout(session, second)
    old = {first_layout.by_id[c].key: v for c, v in _values(session, first).items()}
    new = {second_layout.by_id[c].key: v for c, v in _values(session, second).items()}
    cells: dict[str, CellInfo] = {**first_layout.by_key, **second_layout.by_key}
    differences: list[tuple[CellInfo, str]] = []
    rows: list[CellDifference] = []
    for key in [
        *second_layout.by_key,
        *[k for k in first_layout.by_key if k not in second_layout.by_key],
    ]:
        change = classify(old.get(key), new.get(key))
        if change is None:
            continue
        cell = cells[key]
        field = second_layout.fields.get(cell.field_code) or first_layout.fields[cell.field_code]
        differences.append((cell, change))
        rows.append(
            CellDifference(
                cell=key,
                section=cell.section_code,
                field=cell.field_code,
                field_name=field.name,
                weapon=cell.weapon,
                column=cell.column,
                change=change,
                reconstructed=not field.verified,
                before=CellValue(mark=old[key][0], remark=old[key][1]) if key in old else None,
                after=CellValue(mark=new[key][0], remark=new[key][1]) if key in new else None,
            )
        )
    tallies = edition_tallies(session, viewer=viewer, edition_ids=[first.id, second.id])
    sections = {s.code: s.title for s in second_layout.sections} | {
        s.code: s.title for s in first_layout.sections
    }
    counts = {
        change: sum(1 for _, c in differences if c == change)
        for change in ("gained", "lost", "changed")
    }
    demo = first.origin.value == "demo" or second.origin.value == "demo"
    return EditionDiff(
        **envelope(demo),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        before=edition_summary(first, first_layout.slug, tallies[first.id]),
        after=edition_summary(second, second_layout.slug, tallies[second.id]),
        **counts,
        unchanged=len(set(old) | set(new)) - len(differences),
        by_section=_counts(differences, "section", sections),
        by_weapon=_counts(differences, "weapon", second_layout.weapon_names),
        cells=rows,
    )


def cell_history(session: Session, *, viewer: Viewer, iso3: str, cell_key: str) -> CellHistory:
    """One cell in every edition the caller may see, with its evidence and recorded changes."""
    state = state_by_iso3(session, iso3)
    editions = session.scalars(
        select(MatrixEdition)
        .where(MatrixEdition.state_id == state.id, edition_visible(viewer))
        .order_by(MatrixEdition.number)
    ).all()
    found: list[tuple[MatrixEdition, CellEntry]] = []
    info: CellInfo | None = None
    field_name = ""
    for edition in editions:
        layout = _layout(session, edition)
        cell = layout.by_key.get(cell_key)
        if cell is None:
            continue
        info, field_name = cell, layout.fields[cell.field_code].name
        entry = session.scalars(
            select(CellEntry).where(
                CellEntry.edition_id == edition.id, CellEntry.cell_id == cell.id
            )
        ).one()
        found.append((edition, entry))
    if info is None:  # no edition the caller may see holds it: the default framework names it
        layout = framework_layout(session, default_framework(session))
        info = layout.by_key.get(cell_key)
        if info is None:
            raise NotFound(
                text(
                    N_("no cell %(cell_key)s in framework %(slug)s"),
                    cell_key=repr(cell_key),
                    slug=layout.slug,
                )
            )
        field_name = layout.fields[info.field_code].name
    evidence = evidence_by_entry(session, viewer, entry_ids=[entry.id for _, entry in found])
    return CellHistory(
        **envelope(any(edition.origin.value == "demo" for edition, _ in found)),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        cell=cell_key,
        field=info.field_code,
        field_name=field_name,
        section=info.section_code,
        weapon=info.weapon,
        column=info.column,
        editions=[
            CellInEdition(
                edition=edition.number,
                status=edition.status.value,
                approved_on=edition.approved_on,
                mark=entry.mark.value,
                remark=entry.remark,
                version=entry.revision,
                evidence=evidence.get(entry.id, []),
            )
            for edition, entry in found
        ],
        events=_cell_events(
            session, viewer, state, [edition.number for edition, _ in found], cell_key
        ),
    )


def _cell_events(
    session: Session, viewer: Viewer, state: State, numbers: list[int], cell_key: str
) -> list[CellEvent]:
    """The audit trail of the cell: for the Committee side and the State's own points of contact."""
    if not (viewer.is_committee_side or speaks_for(viewer, state.id)):
        return []
    ids = {f"{state.iso3}/{number}/{cell_key}": number for number in numbers}
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "cell_entry", AuditEvent.entity_id.in_(list(ids)))
        .order_by(AuditEvent.id)
    ).all()
    actor = actor_names(session, viewer, [e.actor for e in events])
    return [
        CellEvent(
            occurred_at=e.occurred_at,
            actor=actor(e.actor),
            action=e.action,
            edition=ids[e.entity_id],
            before=e.before,
            after=e.after,
            reason=e.reason,
        )
        for e in events
    ]
