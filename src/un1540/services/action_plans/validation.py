"""Checking a plan, its measures and milestones: every problem at once, each naming where it is
(a field of the API's input, or the file, row and column of an import)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Problem, text
from un1540.models import ActionPlan, AssistanceRequest
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.action_plans import MeasureCreate, MilestoneCreate
from un1540.services.action_plans.rules import MEASURES, MILESTONES
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

# Where a problem is: given the name of an input's field, the words naming it.
Where = Callable[[str], str]


def prefixed(prefix: str) -> Where:
    return lambda name: f"{prefix}{name}"


def period_problems(
    period_from: date, period_to: date, submitted_on: date, where: Where
) -> list[Problem]:
    problems = []
    if period_to < period_from:
        problems.append(
            Problem(
                where("period_to"),
                text(
                    N_("the period ends (%(period_to)s) before it starts (%(period_from)s)"),
                    period_to=period_to,
                    period_from=period_from,
                ),
            )
        )
    if submitted_on > today():
        problems.append(
            Problem(
                where("submitted_on"),
                text(
                    N_("is in the future (%(submitted_on)s)"),
                    submitted_on=submitted_on,
                ),
            )
        )
    return problems


def milestone_problems(
    milestone: MilestoneCreate, plan_from: date, plan_to: date, where: Where
) -> list[Problem]:
    problems = []
    if milestone.due_on < plan_from:
        problems.append(
            Problem(
                where("due_on"),
                text(
                    N_("is due (%(due_on)s) before the plan's period starts (%(plan_from)s)"),
                    due_on=milestone.due_on,
                    plan_from=plan_from,
                ),
            )
        )
    elif milestone.due_on > plan_to:
        problems.append(
            Problem(
                where("due_on"),
                text(
                    N_("is due (%(due_on)s) after the plan's period ends (%(plan_to)s)"),
                    due_on=milestone.due_on,
                    plan_to=plan_to,
                ),
            )
        )
    if milestone.status not in MILESTONES.statuses:
        problems.append(
            Problem(
                where("status"),
                text(
                    N_("must be one of %(statuses)s"),
                    statuses=", ".join(MILESTONES.statuses),
                ),
            )
        )
    if milestone.done_on is not None and milestone.status != "done":
        problems.append(Problem(where("done_on"), N_("only a done milestone has a date done")))
    if milestone.done_on is not None and milestone.done_on > today():
        problems.append(
            Problem(
                where("done_on"),
                text(
                    N_("is in the future (%(done_on)s)"),
                    done_on=milestone.done_on,
                ),
            )
        )
    return problems


def measure_problems(
    session: Session,
    measure: MeasureCreate,
    plan_state_id: int,
    plan_from: date,
    plan_to: date,
    where: Where,
    milestone_where: Callable[[int], Where] | None = None,
) -> list[Problem]:
    """What is wrong with a measure (and its milestones) of a plan of this State and period."""
    layout = framework_layout(session, default_framework(session))
    problems = []
    unknown = [code for code in measure.fields if code not in layout.fields]
    if unknown:
        problems.append(
            Problem(
                where("fields"),
                text(
                    N_("no matrix field with the code: %(unknown)s"),
                    unknown=", ".join(unknown),
                ),
            )
        )
    if len(set(measure.fields)) != len(measure.fields):
        problems.append(Problem(where("fields"), N_("lists a field twice")))
    weapons = layout.weapon_names
    bad = [code for code in measure.weapons if code not in weapons]
    if bad:
        problems.append(
            Problem(
                where("weapons"),
                text(
                    N_("unknown weapon category: %(bad)s (one of %(weapons)s)"),
                    bad=", ".join(bad),
                    weapons=", ".join(weapons),
                ),
            )
        )
    if len(set(measure.weapons)) != len(measure.weapons):
        problems.append(Problem(where("weapons"), N_("lists a weapon category twice")))
    for code in measure.fields:
        field = layout.fields.get(code)
        if field is None:
            continue
        outside = [w for w in measure.weapons if w in weapons and w not in field.applies_to]
        if outside:
            problems.append(
                Problem(
                    where("weapons"),
                    text(
                        N_(
                            "field %(code)s does not apply to %(outside)s (it applies to %(value)s)"
                        ),
                        code=code,
                        outside=", ".join(outside),
                        value=", ".join(field.applies_to) or "no category",
                    ),
                )
            )
    if measure.status not in MEASURES.statuses:
        problems.append(
            Problem(
                where("status"),
                text(
                    N_("must be one of %(statuses)s"),
                    statuses=", ".join(MEASURES.statuses),
                ),
            )
        )
    if measure.assistance_requests:
        found = dict(
            session.execute(
                select(AssistanceRequest.id, AssistanceRequest.state_id).where(
                    AssistanceRequest.id.in_(measure.assistance_requests)
                )
            ).all()
        )
        wrong = [str(i) for i in measure.assistance_requests if found.get(i, -1) != plan_state_id]
        if wrong:
            problems.append(
                Problem(
                    where("assistance_requests"),
                    text(
                        N_("no request for assistance of this State numbered %(wrong)s"),
                        wrong=", ".join(wrong),
                    ),
                )
            )
    for position, milestone in enumerate(measure.milestones):
        inner = (
            milestone_where(position)
            if milestone_where
            else prefixed(f"{where('milestones')}[{position}].")
        )
        problems += milestone_problems(milestone, plan_from, plan_to, inner)
    return problems


def supersedes_problems(
    session: Session, supersedes: int | None, state_id: int, plan_id: int | None, where: Where
) -> list[Problem]:
    if supersedes is None:
        return []
    earlier = session.get(ActionPlan, supersedes)
    if earlier is None or earlier.state_id != state_id or earlier.id == plan_id:
        return [
            Problem(
                where("supersedes"),
                text(
                    N_("no other plan %(supersedes)s of this State"),
                    supersedes=supersedes,
                ),
            )
        ]
    return []


def url_problems(url: str | None, where: Where) -> list[Problem]:
    """A published plan's address is a web address (a link the portal shows: never a script)."""
    if url and not url.strip().lower().startswith(("https://", "http://")):
        return [Problem(where("published_url"), N_("must be a web address (https://...)"))]
    return []
