"""Which States plausibly hold nuclear material or run power reactors (nuclear-profile.csv).

Used only by the demo generator, to keep its synthetic nuclear indicators plausible; the file's
header gives its sources and the rule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_commented_csv, reference_path
from un1540.reference.states import load_states

NUCLEAR_PROFILE_FILE = "nuclear-profile.csv"
COLUMNS = ("iso3", "weapons_usable_material", "power_reactors", "note")
YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class NuclearProfile:
    iso3: str
    weapons_usable_material: bool
    power_reactors: bool


def parse_nuclear_profile(path: Path, member_states: set[str]) -> dict[str, NuclearProfile]:
    """The file's rows by ISO3 code; every problem named by line and column, nothing returned
    when there is one."""
    problems: list[Problem] = []
    profiles: dict[str, NuclearProfile] = {}
    for line, row in read_commented_csv(path):
        where = f"{path.name}, line {line}"
        if tuple(row) != COLUMNS:
            problems.append(Problem(where, f"expected the columns {', '.join(COLUMNS)}"))
            break
        iso3 = (row["iso3"] or "").strip()
        if iso3 not in member_states:
            problems.append(Problem(f"{where}, column iso3", f"{iso3!r} is not a Member State"))
        elif iso3 in profiles:
            problems.append(Problem(f"{where}, column iso3", f"{iso3} is listed twice"))
        flags = {}
        for column in ("weapons_usable_material", "power_reactors"):
            value = (row[column] or "").strip()
            if value not in YES_NO:
                problems.append(Problem(f"{where}, column {column}", "must be yes or no"))
            flags[column] = YES_NO.get(value, False)
        if not any(flags.values()):
            problems.append(Problem(where, "a State is listed only when one column says yes"))
        profiles[iso3] = NuclearProfile(iso3, **flags)
    if problems:
        raise InvalidData(f"{path.name} is not valid", problems=problems)
    return profiles


@lru_cache(maxsize=1)
def load_nuclear_profile() -> dict[str, NuclearProfile]:
    members = {state.iso3 for state in load_states()}
    return parse_nuclear_profile(reference_path(NUCLEAR_PROFILE_FILE), members)
