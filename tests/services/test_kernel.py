"""The kernel every domain builds on: the unit of work, lifecycles as data, rules tables."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, Forbidden, Un1540Error
from un1540.models import AuditEvent, Role
from un1540.reference.lifecycles import load_lifecycles
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.lifecycle import next_step, step_to
from un1540.services.kernel.rules import Rules
from un1540.services.kernel.unit_of_work import action, after_commit, in_action


def _events(session: Session, entity_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == entity_id)
        )
        or 0
    )


@action
def _write(session: Session, entity_id: str, *, fail: bool = False, log: list[str]) -> None:
    assert in_action(session)
    record_event(session, actor="tests", action="test.write", entity_type="t", entity_id=entity_id)
    after_commit(session, lambda _s: log.append(f"effect {entity_id}"))
    after_commit(session, lambda _s: log.append("once"), key="once")
    after_commit(session, lambda _s: log.append("once"), key="once")
    if fail:
        raise Conflict("refused")


@action
def _write_two(session: Session, first: str, second: str, *, log: list[str]) -> None:
    _write(session, first, log=log)
    log.append("between")  # the inner action neither committed nor ran its effects yet
    _write(session, second, fail=second == "fail", log=log)


def test_an_action_commits_then_runs_its_effects_once(session: Session) -> None:
    log: list[str] = []
    _write(session, "uow-1", log=log)
    assert not in_action(session)
    assert log == ["effect uow-1", "once"]
    session.rollback()  # nothing pending: the action committed
    assert _events(session, "uow-1") == 1


def test_a_failed_action_rolls_back_and_drops_its_effects(session: Session) -> None:
    log: list[str] = []
    with pytest.raises(Conflict):
        _write(session, "uow-2", fail=True, log=log)
    assert log == []
    assert _events(session, "uow-2") == 0


def test_nested_actions_are_one_unit_of_work(session: Session) -> None:
    log: list[str] = []
    with pytest.raises(Conflict):
        _write_two(session, "uow-3", "fail", log=log)
    assert log == ["between"]
    assert _events(session, "uow-3") == 0
    _write_two(session, "uow-4", "uow-5", log=log)
    assert log == ["between", "between", "effect uow-4", "once", "effect uow-5"]
    assert _events(session, "uow-4") == _events(session, "uow-5") == 1


def test_a_failing_effect_does_not_undo_the_write(session: Session) -> None:
    @action
    def write(session: Session) -> None:
        record_event(session, actor="t", action="t", entity_type="t", entity_id="uow-6")
        after_commit(session, lambda _s: 1 / 0)

    write(session)
    assert _events(session, "uow-6") == 1


def test_every_lifecycle_is_consistent_and_reaches_its_final_status() -> None:
    lifecycles = load_lifecycles()
    assert set(lifecycles) >= {"edition", "assistance_request", "assistance_project"}
    for machine in lifecycles.values():
        assert machine.final, machine.name
        reached, frontier = {machine.initial}, [machine.initial]
        while frontier:
            for target in machine.targets_from(frontier.pop()):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
        assert reached == set(machine.statuses), machine.name
        for status in machine.final:
            assert machine.actions_from(status) == ()


def test_the_transition_function_names_what_is_allowed_next() -> None:
    edition = load_lifecycles()["edition"]
    assert next_step(edition, "draft", "share", record="edition 1").target == "shared"
    with pytest.raises(Conflict, match="allowed next: share"):
        next_step(edition, "draft", "approve", record="edition 1")
    with pytest.raises(Conflict, match="final"):
        next_step(edition, "approved", "reopen", record="edition 1")
    project = load_lifecycles()["assistance_project"]
    assert step_to(project, "planned", "closed", record="project").target == "closed"
    with pytest.raises(Conflict, match="allowed next: in_delivery, closed"):
        step_to(project, "planned", "delivered", record="project")


def test_a_rules_table_answers_the_guard_and_the_page_alike() -> None:
    def experts_only(viewer: Viewer, record: str) -> Un1540Error | None:
        return None if viewer.role is Role.expert else Forbidden("experts only")

    def when_open(viewer: Viewer, record: str) -> Un1540Error | None:
        return None if record == "open" else Conflict("closed")

    rules: Rules[str] = Rules("thing", {"edit": experts_only, "close": when_open})
    expert = Viewer(role=Role.expert, user_id=1, actor="e")
    assert rules.allowed(expert, "open") == ["edit", "close"]
    assert rules.allowed(PUBLIC, "closed") == []
    rules.check(expert, "closed", "edit")
    with pytest.raises(Conflict):
        rules.check(expert, "closed", "close")


def _two_writes_then_give_up(session: Session, log: list[str]) -> None:
    with session.begin():
        _write(session, "uow-7", log=log)
        _write(session, "uow-8", log=log)  # the first did not commit: the caller's block is open
        assert log == []  # effects wait for a commit an action owns
        assert _events(session, "uow-7") == 1
        raise RuntimeError("the caller gives up")


def test_an_action_inside_a_transaction_its_caller_began_leaves_the_commit_to_it(
    session: Session,
) -> None:
    with pytest.raises(RuntimeError, match="gives up"):
        _two_writes_then_give_up(session, [])
    assert _events(session, "uow-7") == _events(session, "uow-8") == 0
