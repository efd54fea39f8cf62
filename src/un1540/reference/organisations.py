"""International and regional organisations relevant to the 1540 regime."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path

ORGANISATIONS_FILE = "organisations.yml"
ORGANISATION_KINDS = ("un_system", "international", "regional", "subregional")


@dataclass(frozen=True)
class OrganisationRecord:
    code: str
    acronym: str
    name: str
    kind: str
    covers: tuple[str, ...]
    url: str
    note: str


@lru_cache(maxsize=1)
def load_organisations() -> tuple[OrganisationRecord, ...]:
    raw = read_yaml(reference_path(ORGANISATIONS_FILE))
    areas = set(raw["areas"])
    records: list[OrganisationRecord] = []
    problems: list[Problem] = []
    for code, item in raw["organisations"].items():
        where = f"{ORGANISATIONS_FILE}: {code}"
        if item.get("kind") not in ORGANISATION_KINDS:
            problems.append(Problem(where, f"kind must be one of {', '.join(ORGANISATION_KINDS)}"))
        unknown = sorted(set(item.get("covers", [])) - areas)
        if unknown:
            problems.append(Problem(where, f"unknown areas in covers: {', '.join(unknown)}"))
        records.append(
            OrganisationRecord(
                code=code,
                acronym=item["acronym"],
                name=item["name"],
                kind=item.get("kind", ""),
                covers=tuple(item.get("covers", [])),
                url=item.get("url", ""),
                note=item.get("note", ""),
            )
        )
    if problems:
        raise InvalidData(f"{ORGANISATIONS_FILE} is inconsistent", problems=problems)
    return tuple(records)
