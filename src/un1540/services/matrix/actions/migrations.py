"""Moving the matrices to a new framework version: `un1540 framework migrate --from A --to B`.

For every State whose latest approved edition is on version A, a draft is opened on version B,
based on that edition: each cell the mapping file carries over gets the old cell's mark, remark
and evidence; every other new cell starts blank. What nothing carries over is listed (per
version, and per State for the marks it held), so the Group of Experts can review it in the
drafts before they are shared. A State with an edition still open is skipped and listed.

The mapping is checked in full against both stored versions before anything is written: an
unknown field or cell, or two rows filling one new cell, is an error naming the mapping file,
row and column, and nothing is written. With `dry_run` the same report is computed and nothing
is written at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, InvalidParameter, Problem, text
from un1540.models import CellEntry, EditionStatus, Evidence, Framework, Mark, MatrixEdition, State
from un1540.models.base import Visibility
from un1540.reference.framework_mappings import FrameworkMapping, MappingRow
from un1540.reference.languages import N_
from un1540.schemas.frameworks import MigratedState, MigrationReport
from un1540.schemas.text import REASON
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.actions.editions import (
    OPEN_STATUSES,
    new_draft_edition,
)
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.frameworks import resolve_framework
from un1540.services.matrix.rules import open_draft_refusal


@dataclass
class CellMapping:
    """Old cell key -> the new cell keys it fills; what nothing carries, on each side."""

    targets: dict[str, list[str]] = field(default_factory=dict)
    dropped_on_purpose: dict[str, str] = field(default_factory=dict)  # old key -> note

    def unmapped_from(self, source: FrameworkLayout) -> list[str]:
        return [cell.key for cell in source.cells if not self.targets.get(cell.key)]

    def unmapped_to(self, target: FrameworkLayout) -> list[str]:
        filled = {key for keys in self.targets.values() for key in keys}
        return [cell.key for cell in target.cells if cell.key not in filled]


def _check_code(
    mapping: FrameworkMapping,
    row: MappingRow,
    column: str,
    code: str,
    layout: FrameworkLayout,
) -> Problem | None:
    field_code = code.split(":", 1)[0]
    if field_code not in layout.fields:
        return Problem(
            mapping.where(row, column),
            text(
                N_("unknown field %(field_code)s in %(slug)s"),
                field_code=repr(field_code),
                slug=layout.slug,
            ),
        )
    if ":" in code and code not in layout.by_key:
        return Problem(
            mapping.where(row, column),
            text(
                N_("unknown cell %(code)s in %(slug)s"),
                code=repr(code),
                slug=layout.slug,
            ),
        )
    return None


def resolve_mapping(
    mapping: FrameworkMapping, source: FrameworkLayout, target: FrameworkLayout
) -> CellMapping:
    """The mapping file as cell pairs between two stored versions; InvalidData if it misfits."""
    problems: list[Problem] = []
    derived: dict[str, list[tuple[str, MappingRow]]] = {}
    explicit: dict[str, list[tuple[str, MappingRow]]] = {}
    result = CellMapping()
    # Field rows first, then cell rows, which take precedence for their cell.
    for row in sorted(mapping.rows, key=lambda r: (r.is_cell, r.line)):
        found = [_check_code(mapping, row, "from", row.source, source)]
        if row.target:
            found.append(_check_code(mapping, row, "to", row.target, target))
        row_problems = [p for p in found if p is not None]
        if row_problems:
            problems += row_problems
            continue
        if not row.target:
            keys = (
                [row.source]
                if row.is_cell
                else [cell.key for cell in source.fields[row.source].cells]
            )
            for key in keys:
                result.dropped_on_purpose[key] = row.note
                explicit[key] = []
            continue
        if row.is_cell:
            explicit.setdefault(row.source, []).append((row.target, row))
            result.dropped_on_purpose.pop(row.source, None)
            continue
        new_cells = {(c.weapon, c.column): c.key for c in target.fields[row.target].cells}
        for cell in source.fields[row.source].cells:
            new_key = new_cells.get((cell.weapon, cell.column))
            if new_key is not None:
                derived.setdefault(cell.key, []).append((new_key, row))
    pairs = {**derived, **explicit}
    filled_by: dict[str, tuple[str, MappingRow]] = {}
    for old_key, targets in pairs.items():
        for new_key, row in targets:
            if new_key in filled_by and filled_by[new_key][0] != old_key:
                other_key, other_row = filled_by[new_key]
                problems.append(
                    Problem(
                        mapping.where(row, "to"),
                        text(
                            N_(
                                "%(new_key)s would be filled from %(old_key)s and from "
                                "%(other_key)s (row %(line)s); a new cell takes one old cell"
                            ),
                            new_key=repr(new_key),
                            old_key=repr(old_key),
                            other_key=repr(other_key),
                            line=other_row.line,
                        ),
                    )
                )
            filled_by.setdefault(new_key, (old_key, row))
    if problems:
        raise InvalidData(
            text(
                N_("%(source_name)s does not fit %(slug)s -> %(slug2)s; nothing was written"),
                source_name=mapping.source_name,
                slug=source.slug,
                slug2=target.slug,
            ),
            problems=problems,
        )
    result.targets = {
        old_key: sorted({new_key for new_key, _ in targets})
        for old_key, targets in pairs.items()
        if targets
    }
    return result


def _candidates(
    session: Session, source: Framework
) -> list[tuple[State, MatrixEdition, MatrixEdition | None]]:
    """(State, latest approved edition on `source`, open edition) of every State concerned."""
    editions = session.scalars(
        select(MatrixEdition).order_by(MatrixEdition.state_id, MatrixEdition.number)
    ).all()
    latest: dict[int, MatrixEdition] = {}
    open_by_state: dict[int, MatrixEdition] = {}
    for edition in editions:
        if edition.status is EditionStatus.approved:
            latest[edition.state_id] = edition
        elif edition.status in OPEN_STATUSES:
            open_by_state[edition.state_id] = edition
    concerned = {s for s, e in latest.items() if e.framework_id == source.id}
    states = session.scalars(select(State).where(State.id.in_(sorted(concerned)))).all()
    return [
        (state, latest[state.id], open_by_state.get(state.id))
        for state in sorted(states, key=lambda s: s.iso3)
    ]


def _copy_mapped(
    session: Session,
    *,
    source: MatrixEdition,
    target: MatrixEdition,
    old: FrameworkLayout,
    new: FrameworkLayout,
    mapping: CellMapping,
    write: bool,
) -> tuple[int, list[str]]:
    """Carry the mapped cells of `source` into `target`; (cells carried, marks dropped)."""
    entries = session.scalars(select(CellEntry).where(CellEntry.edition_id == source.id)).all()
    copied = ("mark", "remark")
    extra = [
        c.key
        for c in CellEntry.__table__.columns
        if c.key not in ("id", "edition_id", "cell_id", "revision", "visibility", *copied)
    ]
    values: dict[int, dict[str, Any]] = {}
    from_entry: dict[int, int] = {}  # new cell id -> old entry id
    dropped: list[str] = []
    for entry in entries:
        old_key = old.by_id[entry.cell_id].key
        targets = mapping.targets.get(old_key, [])
        if not targets and entry.mark is not Mark.blank:
            dropped.append(old_key)
        for new_key in targets:
            cell_id = new.by_key[new_key].id
            values[cell_id] = {name: getattr(entry, name) for name in (*copied, *extra)}
            from_entry[cell_id] = entry.id
    if not write:
        return len(values), sorted(dropped)
    rows = [
        {
            "edition_id": target.id,
            "cell_id": cell.id,
            "revision": 1,
            "visibility": Visibility.public,
            **values.get(cell.id, {"mark": Mark.blank, "remark": ""}),
        }
        for cell in new.cells
    ]
    session.execute(insert(CellEntry), rows)
    if from_entry:
        new_ids: dict[int, int] = {
            cell_id: entry_id
            for cell_id, entry_id in session.execute(
                select(CellEntry.cell_id, CellEntry.id).where(CellEntry.edition_id == target.id)
            )
        }
        by_old_entry: dict[int, list[int]] = {}
        for cell_id, entry_id in from_entry.items():
            by_old_entry.setdefault(entry_id, []).append(new_ids[cell_id])
        columns = [c.key for c in Evidence.__table__.columns if c.key not in ("id",)]
        evidence_rows = []
        for evidence in session.scalars(
            select(Evidence)
            .where(Evidence.cell_entry_id.in_(sorted(by_old_entry)))
            .order_by(Evidence.id)
        ):
            for new_entry_id in by_old_entry[evidence.cell_entry_id]:
                row = {name: getattr(evidence, name) for name in columns}
                row["cell_entry_id"] = new_entry_id
                evidence_rows.append(row)
        if evidence_rows:
            session.execute(insert(Evidence), evidence_rows)
    return len(values), sorted(dropped)


@action
def migrate_framework(
    session: Session,
    *,
    viewer: Viewer,
    from_slug: str,
    to_slug: str,
    mapping: FrameworkMapping,
    dry_run: bool = False,
    reason: str = "",
) -> MigrationReport:
    """Open a draft on `to_slug` for every State whose latest approved edition is on
    `from_slug`, its cells carried over by the mapping; see the module docstring."""
    refusal = open_draft_refusal(viewer)
    if refusal is not None:
        raise refusal
    reason = REASON.require(reason, "reason", message=N_("nothing was migrated"))
    source_framework = resolve_framework(session, from_slug)
    target_framework = resolve_framework(session, to_slug)
    if source_framework.id == target_framework.id:
        raise InvalidParameter.naming([Problem("--to", N_("give a version other than --from"))])
    old = framework_layout(session, source_framework)
    new = framework_layout(session, target_framework)
    cells = resolve_mapping(mapping, old, new)
    states: list[MigratedState] = []
    for state, source, open_edition in _candidates(session, source_framework):
        if open_edition is not None:
            states.append(
                MigratedState(
                    iso3=state.iso3,
                    name=state.short_name,
                    outcome="skipped",
                    reason=f"edition {open_edition.number} is still {open_edition.status.value}",
                    from_edition=source.number,
                )
            )
            continue
        edition = None
        if not dry_run:
            edition = new_draft_edition(
                session,
                viewer=viewer,
                state=state,
                source=source,
                framework=target_framework,
                note=f"Opened on {new.slug} from edition {source.number} on {old.slug}.",
            )
        carried, dropped = _copy_mapped(
            session,
            source=source,
            target=edition or source,
            old=old,
            new=new,
            mapping=cells,
            write=edition is not None,
        )
        if edition is not None:
            record_event(
                session,
                actor=viewer.actor,
                action="edition.open_draft",
                entity_type="matrix_edition",
                entity_id=f"{state.iso3}/{edition.number}",
                reason=reason,
                after={
                    "based_on": source.number,
                    "framework": new.slug,
                    "migrated_from": old.slug,
                    "mapping_sha256": mapping.sha256,
                    "carried": carried,
                    "dropped": dropped,
                },
            )
        states.append(
            MigratedState(
                iso3=state.iso3,
                name=state.short_name,
                outcome="would_open" if dry_run else "opened",
                from_edition=source.number,
                new_edition=edition.number if edition is not None else None,
                carried=carried,
                dropped=dropped,
            )
        )
    report = MigrationReport(
        from_framework=old.slug,
        to_framework=new.slug,
        mapping=mapping.source_name,
        mapping_sha256=mapping.sha256,
        dry_run=dry_run,
        mapped_cells=sum(len(keys) for keys in cells.targets.values()),
        unmapped_from=cells.unmapped_from(old),
        unmapped_to=cells.unmapped_to(new),
        dropped_on_purpose=sorted(cells.dropped_on_purpose),
        states=states,
    )
    if not dry_run:
        record_event(
            session,
            actor=viewer.actor,
            action="framework.migrate",
            entity_type="framework",
            entity_id=new.slug,
            reason=reason,
            after={
                "from": old.slug,
                "mapping": mapping.source_name,
                "mapping_sha256": mapping.sha256,
                "opened": sum(1 for s in states if s.outcome == "opened"),
                "skipped": [s.iso3 for s in states if s.outcome == "skipped"],
                "unmapped_from": len(report.unmapped_from),
                "unmapped_to": len(report.unmapped_to),
            },
        )
    return report
