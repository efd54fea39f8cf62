"""The visit lifecycle in reference/lifecycles.yml: its steps, and who may take each (`by:`),
which must name accounts' roles, as the rules read them."""

from __future__ import annotations

import itertools

from un1540.models import Role
from un1540.reference.lifecycles import lifecycle
from un1540.services.visits.rules import step_roles


def test_the_visit_lifecycle_runs_from_invitation_to_closure_in_order() -> None:
    visits = lifecycle("visit")
    order = list(visits.statuses)
    assert order == [
        "invited",
        "accepted",
        "preparation",
        "conducted",
        "findings",
        "follow_up",
        "closed",
    ]
    for here, after in itertools.pairwise(order):
        assert visits.targets_from(here) == (after,)  # one way on, no skipping a step
    assert visits.final == frozenset({"closed"})


def test_every_step_names_who_may_take_it_by_role() -> None:
    roles = {role.value for role in Role}
    for step in lifecycle("visit").transitions:
        assert step.by, f"{step.target}: who may take the step?"
        assert step.by <= roles, f"{step.target}: unknown roles {step.by - roles}"
    assert step_roles("accepted") == (Role.committee,)
    assert step_roles("closed") == (Role.committee,)
    assert {step_roles(s) for s in ("preparation", "conducted", "findings", "follow_up")} == {
        (Role.expert,)
    }
