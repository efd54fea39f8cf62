"""An expert's verdict on a suggested pair (Committee side only, audited); verdicts change
later rankings: a rejected pair is never suggested again, an accepted one uses the offer's
capacity."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, NotFound, Problem, text
from un1540.models import AssistanceJudgement, AssistanceOffer, AssistanceRequestItem
from un1540.models.base import utc_now
from un1540.reference.languages import N_
from un1540.schemas.assistance import JudgementCreate
from un1540.services.assistance.rules import clearinghouse_rules
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action

VERDICTS = ("accept", "reject", "unsure")


@action
def record_judgement(
    session: Session, *, viewer: Viewer, data: JudgementCreate
) -> AssistanceJudgement:
    """An expert's verdict on a pair; it replaces any earlier one and is audited."""
    clearinghouse_rules.check(viewer, None, "judge")
    if data.verdict not in VERDICTS:
        raise InvalidData(
            N_("unknown verdict"),
            problems=[
                Problem(
                    "verdict",
                    text(
                        N_("must be one of %(verdicts)s"),
                        verdicts=", ".join(VERDICTS),
                    ),
                )
            ],
        )
    item = session.get(AssistanceRequestItem, data.item_id)
    offer = session.get(AssistanceOffer, data.offer_id)
    if item is None or offer is None:
        raise NotFound(N_("no such request item or offer"))
    judgement = session.scalars(
        select(AssistanceJudgement).where(
            AssistanceJudgement.item_id == item.id, AssistanceJudgement.offer_id == offer.id
        )
    ).first()
    before = {"verdict": judgement.verdict} if judgement else None
    if judgement is None:
        judgement = AssistanceJudgement(item_id=item.id, offer_id=offer.id, judged_by=viewer.actor)
        session.add(judgement)
    judgement.verdict = data.verdict
    judgement.note = data.note
    judgement.judged_by = viewer.actor
    judgement.judged_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_judgement.record",
        entity_type="assistance_judgement",
        entity_id=f"{item.id}:{offer.id}",
        before=before,
        after={"verdict": data.verdict},
        reason=data.note,
    )
    return judgement
