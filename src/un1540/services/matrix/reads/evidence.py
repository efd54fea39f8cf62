"""The evidence rules over an edition: every cell that breaks one, and whether it is waived.

The rules are data (reference/evidence-rules.yml). They are checked when the Committee approves
a draft (actions/editions.py) and shown on the edition's page and in the API beforehand; writing
a cell, a proposal or an import is never refused by them, and recorded editions are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from un1540.models import CellEntry, Evidence, EvidenceWaiver, Framework, MatrixEdition, Origin
from un1540.reference.evidence import EvidenceRule, load_evidence_rules
from un1540.schemas.workflow import EvidenceCheck, EvidenceProblem
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix import shapes
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.editions import find_edition


@dataclass(frozen=True)
class RuleBreak:
    """One cell that breaks one rule, with the waiver that holds for it now (if any)."""

    cell: str
    entry_id: int
    revision: int
    mark: str
    rule: EvidenceRule
    waiver: EvidenceWaiver | None


def _has_locator() -> ColumnElement[bool]:
    return or_(
        Evidence.page != "",
        Evidence.article != "",
        Evidence.paragraph != "",
        Evidence.quotation != "",
    )


def rule_breaks(session: Session, edition: MatrixEdition) -> list[RuleBreak]:
    """Every (cell, rule) of the edition that breaks an evidence rule, in the matrix's order.

    A waiver holds only while the cell is at the version it was waived at: a cell changed after
    its waiver is checked afresh."""
    rules = load_evidence_rules().rules
    marks = {rule.mark for rule in rules}
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    layout = framework_layout(session, framework)
    entries = session.execute(
        select(
            CellEntry.id, CellEntry.cell_id, CellEntry.mark, CellEntry.remark, CellEntry.revision
        ).where(CellEntry.edition_id == edition.id)
    ).all()
    candidates = [row for row in entries if row.mark.value in marks]
    if not candidates:
        return []
    with_evidence = set(
        session.scalars(
            select(Evidence.cell_entry_id)
            .join(CellEntry, CellEntry.id == Evidence.cell_entry_id)
            .where(CellEntry.edition_id == edition.id, _has_locator())
            .distinct()
        )
    )
    waivers = {
        (waiver.cell_entry_id, waiver.rule): waiver
        for waiver in session.scalars(
            select(EvidenceWaiver).where(EvidenceWaiver.edition_id == edition.id)
        )
    }
    order = {cell.id: index for index, cell in enumerate(layout.cells)}
    breaks = []
    for row in sorted(candidates, key=lambda row: order.get(row.cell_id, len(order))):
        for rule in rules:
            if rule.mark != row.mark.value:
                continue
            kept = (
                row.id in with_evidence if rule.requires == "evidence" else bool(row.remark.strip())
            )
            if kept:
                continue
            waiver = waivers.get((row.id, rule.code))
            breaks.append(
                RuleBreak(
                    cell=layout.by_id[row.cell_id].key,
                    entry_id=row.id,
                    revision=row.revision,
                    mark=row.mark.value,
                    rule=rule,
                    waiver=waiver if waiver and waiver.cell_revision == row.revision else None,
                )
            )
    return breaks


def evidence_check(session: Session, *, viewer: Viewer, iso3: str, number: int) -> EvidenceCheck:
    """The evidence rules over an edition the caller may see: what blocks its approval."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    breaks = rule_breaks(session, edition)
    unwaived = sum(1 for item in breaks if item.waiver is None)
    return EvidenceCheck(
        **envelope(edition.origin is Origin.demo),
        state=shapes.state_ref(state),
        edition=edition.number,
        rules_version=load_evidence_rules().version,
        problems=[
            EvidenceProblem(
                cell=item.cell,
                rule=item.rule.code,
                mark=item.mark,
                message=item.rule.message,
                fix=item.rule.fix,
                waived=item.waiver is not None,
                waiver_reason=item.waiver.reason if item.waiver else None,
                waived_at=item.waiver.waived_at if item.waiver else None,
            )
            for item in breaks
        ],
        unwaived=unwaived,
        waived=len(breaks) - unwaived,
    )
