"""The assistance vocabulary (assistance.yml): help types, consent levels, request lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path

ASSISTANCE_FILE = "assistance.yml"
CLOSED = "closed"


@dataclass(frozen=True)
class AssistanceVocabulary:
    help_types: dict[str, str]
    consent: dict[str, str]
    statuses: tuple[str, ...]
    transitions: dict[str, tuple[str, ...]]
    requires_public_consent: frozenset[str]

    def next_statuses(self, status: str) -> tuple[str, ...]:
        """Where a request may go from `status` (closing is always possible while open)."""
        if status == CLOSED:
            return ()
        onward = self.transitions.get(status, ())
        return onward if CLOSED in onward else (*onward, CLOSED)


@lru_cache(maxsize=1)
def load_assistance_vocabulary() -> AssistanceVocabulary:
    raw = read_yaml(reference_path(ASSISTANCE_FILE))
    statuses = tuple(raw["statuses"])
    transitions = {source: tuple(targets) for source, targets in raw["transitions"].items()}
    problems = [
        Problem(f"{ASSISTANCE_FILE}: transitions.{source}", f"unknown status {status!r}")
        for source, targets in transitions.items()
        for status in (source, *targets)
        if status not in statuses
    ]
    if CLOSED not in statuses:
        problems.append(Problem(f"{ASSISTANCE_FILE}: statuses", "needs a `closed` status"))
    if problems:
        raise InvalidData(f"{ASSISTANCE_FILE} is inconsistent", problems=problems)
    return AssistanceVocabulary(
        help_types={code: item["name"] for code, item in raw["help_types"].items()},
        consent={code: item["name"] for code, item in raw["consent"].items()},
        statuses=statuses,
        transitions=transitions,
        requires_public_consent=frozenset(raw.get("requires_public_consent", [])),
    )
