"""The kinds of commitment (commitments.yml), validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path

COMMITMENTS_FILE = "commitments.yml"
# The kinds of record that may fulfil a commitment (models/engagement.py, CommitmentFulfilment).
FULFILMENT_KINDS = ("funding_entry", "assistance_project", "action_plan", "edition")


@dataclass(frozen=True)
class CommitmentKind:
    code: str
    name: str
    fulfilled_by: tuple[str, ...]


@lru_cache(maxsize=1)
def commitment_kinds() -> dict[str, CommitmentKind]:
    """Every kind of commitment by code, in the file's order."""
    raw = read_yaml(reference_path(COMMITMENTS_FILE))
    kinds: dict[str, CommitmentKind] = {}
    problems: list[Problem] = []
    items = raw.get("kinds") if isinstance(raw, dict) else None
    if not isinstance(items, dict) or not items:
        raise InvalidData(
            f"{COMMITMENTS_FILE} is inconsistent",
            problems=[Problem(f"{COMMITMENTS_FILE}: kinds", "needs at least one kind")],
        )
    for code, item in items.items():
        where = f"{COMMITMENTS_FILE}: kinds.{code}"
        if not isinstance(code, str) or not code.replace("_", "").isalnum() or code != code.lower():
            problems.append(Problem(where, "a code is lowercase letters, digits and _"))
        if not isinstance(item, dict) or not str(item.get("name", "")).strip():
            problems.append(Problem(f"{where}.name", "is required"))
            continue
        fulfilled_by = tuple(item.get("fulfilled_by") or ())
        unknown = [kind for kind in fulfilled_by if kind not in FULFILMENT_KINDS]
        if unknown:
            problems.append(
                Problem(
                    f"{where}.fulfilled_by",
                    f"unknown kind of record: {', '.join(map(str, unknown))} "
                    f"(one of {', '.join(FULFILMENT_KINDS)})",
                )
            )
        kinds[str(code)] = CommitmentKind(str(code), str(item["name"]), fulfilled_by)
    if problems:
        raise InvalidData(f"{COMMITMENTS_FILE} is inconsistent", problems=problems)
    return kinds
