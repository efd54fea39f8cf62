"""The matching method (matching.yml): weights of a suggestion's score parts and thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path

MATCHING_FILE = "matching.yml"
PARTS = ("fields", "weapons", "help_types", "language", "region", "capacity", "record")


@dataclass(frozen=True)
class MatchingMethod:
    slug: str
    weights: dict[str, float]
    names: dict[str, str]
    descriptions: dict[str, str]
    accepted_bonus: float
    minimum_score: float
    candidates: int
    required: tuple[str, ...]


@lru_cache(maxsize=1)
def load_matching_method() -> MatchingMethod:
    raw = read_yaml(reference_path(MATCHING_FILE))
    parts = raw["parts"]
    problems = [
        Problem(f"{MATCHING_FILE}: parts", f"missing {name}") for name in PARTS if name not in parts
    ]
    problems += [
        Problem(f"{MATCHING_FILE}: parts.{name}", "weight must be 0 or more")
        for name, part in parts.items()
        if float(part["weight"]) < 0
    ]
    if problems:
        raise InvalidData(f"{MATCHING_FILE} is not a valid method", problems=problems)
    return MatchingMethod(
        slug=f"{raw['method']}/{raw['version']}",
        weights={name: float(parts[name]["weight"]) for name in PARTS},
        names={name: parts[name]["name"] for name in PARTS},
        descriptions={name: parts[name]["description"] for name in PARTS},
        accepted_bonus=float(raw["accepted_bonus"]),
        minimum_score=float(raw["minimum_score"]),
        candidates=int(raw["candidates"]),
        required=tuple(raw.get("required", [])),
    )
