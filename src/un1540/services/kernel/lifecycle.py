"""The one transition function every lifecycle uses (the lifecycles are data: lifecycles.yml)."""

from __future__ import annotations

from un1540.errors import Conflict, text
from un1540.reference.languages import N_
from un1540.reference.lifecycles import Lifecycle, Transition


def next_step(machine: Lifecycle, status: str, action: str, *, record: str) -> Transition:
    """The step `action` from `status`, or Conflict naming what is allowed next.

    `record` names the record in the message, e.g. "edition 3 of France (FRA)".
    """
    step = machine.step(status, action)
    if step is not None:
        return step
    allowed = ", ".join(machine.actions_from(status)) or "nothing: it is final"
    raise Conflict(
        text(
            N_("%(record)s is %(status)s: it cannot %(action)s; allowed next: %(allowed)s"),
            record=record,
            status=status,
            action=action,
            allowed=allowed,
        )
    )


def step_to(machine: Lifecycle, status: str, target: str, *, record: str) -> Transition:
    """The step from `status` that reaches `target` (lifecycles whose steps are named by their
    target, such as requests and projects), or Conflict naming the statuses allowed next."""
    if target not in machine.statuses:
        raise Conflict(
            text(
                N_("%(record)s: unknown status %(target)s"),
                record=record,
                target=repr(target),
            )
        )
    for step in machine.transitions:
        if step.target == target and status in step.sources:
            return step
    onward = ", ".join(machine.targets_from(status)) or "nowhere: it is final"
    raise Conflict(
        text(
            N_("a %(status)s %(record)s cannot become %(target)s; allowed next: %(onward)s"),
            status=status,
            record=record,
            target=target,
            onward=onward,
        )
    )
