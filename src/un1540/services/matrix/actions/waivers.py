"""Waiving an evidence rule for one cell of an edition, with a reason (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, text
from un1540.models import EvidenceWaiver
from un1540.models.base import utc_now
from un1540.reference.evidence import load_evidence_rules
from un1540.reference.languages import N_
from un1540.schemas.text import REASON
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.actions.claims import claim_edition
from un1540.services.matrix.reads.editions import entry_for
from un1540.services.matrix.reads.evidence import RuleBreak, rule_breaks

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
    state, edition = claim_edition(session, viewer=viewer, iso3=iso3, number=number, step="waive")
    entry = entry_for(session, edition, cell_key)
    problems: list[Problem] = []
    _check_rule(rule, problems)
    reason = _checked_reason(reason, problems, "say why the rule does not apply to this cell")
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
            problems=[
                Problem(
                    "rule",
                    text(
                        N_("cell %(cell_key)s does not break %(rule)s; nothing to waive"),
                        cell_key=cell_key,
                        rule=rule,
                    ),
                )
            ],
        )
    return _record_waiver(
        session,
        viewer,
        broken,
        edition_id=edition.id,
        iso3=state.iso3,
        number=edition.number,
        reason=reason,
    )


@action
def waive_open_breaks(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    reason: str,
    rule: str = "",
) -> int:
    """Waives, with ONE reason, every cell of the edition that breaks an evidence rule and is
    not waived yet (only `rule`'s breaks when given): for a draft that inherits many cells
    recorded before the rules existed. Each cell gets its own waiver and its own audit event,
    exactly as if waived one by one; nothing is written when the reason is missing or nothing
    is left to waive. Answers how many cells were waived."""
    state, edition = claim_edition(session, viewer=viewer, iso3=iso3, number=number, step="waive")
    problems: list[Problem] = []
    if rule:
        _check_rule(rule, problems)
    reason = _checked_reason(reason, problems, "say why the rules do not apply to these cells")
    if problems:
        raise InvalidData(NOT_WAIVED, problems=problems)
    open_breaks = [
        item
        for item in rule_breaks(session, edition)
        if item.waiver is None and (not rule or item.rule.code == rule)
    ]
    if not open_breaks:
        raise InvalidData(
            NOT_WAIVED,
            problems=[Problem("rule" if rule else "reason", N_("no cell is left to waive"))],
        )
    for broken in open_breaks:
        _record_waiver(
            session,
            viewer,
            broken,
            edition_id=edition.id,
            iso3=state.iso3,
            number=edition.number,
            reason=reason,
        )
    return len(open_breaks)


def _check_rule(rule: str, problems: list[Problem]) -> None:
    rules = load_evidence_rules()
    if rules.by_code(rule) is None:
        known = ", ".join(item.code for item in rules.rules)
        problems.append(
            Problem(
                "rule",
                text(
                    N_("%(rule)s is not an evidence rule (one of %(known)s)"),
                    rule=repr(rule[:40]),
                    known=known,
                ),
            )
        )


def _checked_reason(reason: str, problems: list[Problem], hint: str) -> str:
    reason = REASON.check(reason, "reason", problems).strip()
    if not reason and not any(problem.where == "reason" for problem in problems):
        problems.append(
            Problem(
                "reason",
                text(
                    N_("is empty; %(hint)s"),
                    hint=hint,
                ),
            )
        )
    return reason


def _record_waiver(
    session: Session,
    viewer: Viewer,
    broken: RuleBreak,
    *,
    edition_id: int,
    iso3: str,
    number: int,
    reason: str,
) -> EvidenceWaiver:
    """Writes (or replaces) the waiver of one broken rule of one cell, and audits it."""
    rule = broken.rule.code
    waiver = session.scalars(
        select(EvidenceWaiver).where(
            EvidenceWaiver.cell_entry_id == broken.entry_id, EvidenceWaiver.rule == rule
        )
    ).one_or_none()
    before = (
        {"rule": rule, "version": waiver.cell_revision, "reason": waiver.reason} if waiver else None
    )
    if waiver is None:
        waiver = EvidenceWaiver(edition_id=edition_id, cell_entry_id=broken.entry_id, rule=rule)
        session.add(waiver)
    waiver.cell_revision = broken.revision
    waiver.reason = reason
    waiver.waived_by = viewer.actor
    waiver.waived_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="cell.waive_rule",
        entity_type="cell_entry",
        entity_id=f"{iso3}/{number}/{broken.cell}",
        before=before,
        after={"rule": rule, "version": broken.revision, "mark": broken.mark},
        reason=reason,
    )
    return waiver
