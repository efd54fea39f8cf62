"""The lifecycles of records that move through statuses (lifecycles.yml), validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path

LIFECYCLES_FILE = "lifecycles.yml"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    # The roles that may take the step (`by:` in the file); empty: the domain's rules decide.
    by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lifecycle:
    name: str
    statuses: dict[str, str]  # code -> name, in order
    final: frozenset[str]
    transitions: tuple[Transition, ...]

    @property
    def initial(self) -> str:
        return next(iter(self.statuses))

    def actions_from(self, status: str) -> tuple[str, ...]:
        """The actions that may start from `status`, in the order they are declared."""
        return tuple(step.action for step in self.transitions if status in step.sources)

    def targets_from(self, status: str) -> tuple[str, ...]:
        """The statuses reachable in one step from `status`, in lifecycle order."""
        reachable = {step.target for step in self.transitions if status in step.sources}
        return tuple(code for code in self.statuses if code in reachable)

    def step(self, status: str, action: str) -> Transition | None:
        for step in self.transitions:
            if step.action == action and status in step.sources:
                return step
        return None


def _parse(name: str, raw: dict[str, Any]) -> tuple[Lifecycle | None, list[Problem]]:
    where = f"{LIFECYCLES_FILE}: {name}"
    problems: list[Problem] = []
    statuses_raw = raw.get("statuses")
    if not isinstance(statuses_raw, dict) or not statuses_raw:
        return None, [Problem(f"{where}.statuses", "needs at least one status")]
    statuses = {str(code): str(item["name"]) for code, item in statuses_raw.items()}
    final = frozenset(str(code) for code in raw.get("final", []) or [])
    transitions: list[Transition] = []
    steps: list[dict[str, Any]] = raw.get("transitions", []) or []
    for number, item in enumerate(steps, start=1):
        target = str(item.get("to", ""))
        sources = frozenset(str(code) for code in item.get("from", []))
        action = str(item.get("action") or target)
        by = frozenset(str(role) for role in item.get("by", []) or [])
        for code in (target, *sorted(sources)):
            if code not in statuses:
                problems.append(
                    Problem(f"{where}.transitions[{number}]", f"unknown status {code!r}")
                )
        if sources & final:
            problems.append(Problem(f"{where}.transitions[{number}]", "starts from a final status"))
        transitions.append(Transition(action=action, sources=sources, target=target, by=by))
    for code in final:
        if code not in statuses:
            problems.append(Problem(f"{where}.final", f"unknown status {code!r}"))
    seen: set[tuple[str, str]] = set()
    for step in transitions:
        for source in step.sources:
            if (source, step.action) in seen:
                problems.append(Problem(where, f"two steps {step.action!r} from {source!r}"))
            seen.add((source, step.action))
    lifecycle = Lifecycle(name, statuses, final, tuple(transitions))
    return lifecycle, problems


@lru_cache(maxsize=1)
def load_lifecycles() -> dict[str, Lifecycle]:
    raw = read_yaml(reference_path(LIFECYCLES_FILE))
    lifecycles: dict[str, Lifecycle] = {}
    problems: list[Problem] = []
    for name, body in raw.items():
        lifecycle, found = _parse(str(name), body)
        problems.extend(found)
        if lifecycle is not None:
            lifecycles[str(name)] = lifecycle
    if problems:
        raise InvalidData(f"{LIFECYCLES_FILE} is inconsistent", problems=problems)
    return lifecycles


def lifecycle(name: str) -> Lifecycle:
    """One lifecycle by name: `edition`, `assistance_request`, `assistance_project`, `visit`."""
    return load_lifecycles()[name]
