"""Who may do what, answered once per action: the guard, the page and the API ask the same rule.

Each domain's `rules` module declares, for one kind of record, a `Rules` table: action name ->
a function that returns None when the viewer may take that action on the record now, or the
error that refuses it (Unauthenticated, Forbidden, or Conflict when the record's state forbids
it). `allowed` lists the actions a page offers and an API response announces; `check` is the
service's guard. Because both read one table, what a page offers is exactly what the action
accepts (tests/services/test_rules_agreement.py checks it for every role and record state).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from un1540.errors import Un1540Error
from un1540.services.kernel.access import Viewer

Record = TypeVar("Record")
Rule = Callable[[Viewer, Record], Un1540Error | None]


class Rules(Generic[Record]):
    """The rules for one kind of record, in the order their actions are shown."""

    def __init__(self, kind: str, rules: Mapping[str, Rule[Record]]) -> None:
        self.kind = kind
        self.rules = dict(rules)

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self.rules)

    def refusal(self, viewer: Viewer, record: Record, action: str) -> Un1540Error | None:
        return self.rules[action](viewer, record)

    def allowed(self, viewer: Viewer, record: Record) -> list[str]:
        """The actions `viewer` may take on `record` now."""
        return [name for name, rule in self.rules.items() if rule(viewer, record) is None]

    def check(self, viewer: Viewer, record: Record, action: str) -> None:
        """The guard: raise the refusal, if any."""
        refusal = self.refusal(viewer, record, action)
        if refusal is not None:
            raise refusal
