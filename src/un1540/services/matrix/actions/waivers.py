"""Waiving an evidence rule for one cell of an edition, with a reason (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem
from un1540.models import EvidenceWaiver
from un1540.models.base import utc_now
from un1540.reference.evidence import load_evidence_rules
from un1540.schemas.text import REASON
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.reads.editions import edition_state, entry_for, find_edition
from un1540.services.matrix.reads.evidence import rule_breaks
from un1540.services.matrix.rules import EDITION_RULES

NOT_WAIVED = "the rule was not waived"


@action
def waive_rule(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    cell_key: str,
    rule: str,
    reason: str,
) -> EvidenceWaiver:
    """The Committee side (an expert or the Committee) waives `rule` for one cell that breaks
    it, saying why. The waiver holds while the cell stays at its current version; waiving again
    replaces the reason. A waiver without a reason is refused and nothing is written."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    EDITION_RULES.check(viewer, edition_state(session, state, edition), "waive")
    entry = entry_for(session, edition, cell_key)
    problems: list[Problem] = []
    rules = load_evidence_rules()
    if rules.by_code(rule) is None:
        known = ", ".join(item.code for item in rules.rules)
        problems.append(Problem("rule", f"{rule[:40]!r} is not an evidence rule (one of {known})"))
    reason = REASON.check(reason, "reason", problems).strip()
    if not reason and not any(problem.where == "reason" for problem in problems):
        problems.append(Problem("reason", "is empty; say why the rule does not apply to this cell"))
    if problems:
        raise InvalidData(NOT_WAIVED, problems=problems)
    broken = next(
        (
            item
            for item in rule_breaks(session, edition)
            if item.entry_id == entry.id and item.rule.code == rule
        ),
        None,
    )
    if broken is None:
        raise InvalidData(
            NOT_WAIVED,
            problems=[Problem("rule", f"cell {cell_key} does not break {rule}; nothing to waive")],
        )
    waiver = session.scalars(
        select(EvidenceWaiver).where(
            EvidenceWaiver.cell_entry_id == entry.id, EvidenceWaiver.rule == rule
        )
    ).one_or_none()
    before = (
        {"rule": rule, "version": waiver.cell_revision, "reason": waiver.reason} if waiver else None
    )
    if waiver is None:
        waiver = EvidenceWaiver(edition_id=edition.id, cell_entry_id=entry.id, rule=rule)
        session.add(waiver)
    waiver.cell_revision = entry.revision
    waiver.reason = reason
    waiver.waived_by = viewer.actor
    waiver.waived_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="cell.waive_rule",
        entity_type="cell_entry",
        entity_id=f"{state.iso3}/{edition.number}/{cell_key}",
        before=before,
        after={"rule": rule, "version": entry.revision, "mark": entry.mark.value},
        reason=reason,
    )
    return waiver
