"""UN Member States: codes, names in the six UN languages, aliases and regional memberships."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_commented_csv, read_yaml, reference_path
from un1540.reference.languages import UN_LANGUAGES

STATES_FILE = "states.csv"
ALIASES_FILE = "state-aliases.csv"
GROUPS_FILE = "regional-groups.yml"
M49_FILE = "m49-regions.yml"

MEMBERSHIP_ROLES = ("member", "participant", "observer")


@dataclass(frozen=True)
class StateRecord:
    iso3: str
    iso2: str
    m49: str
    short_name: str
    iso_name: str
    electoral_group: str | None
    m49_region: str
    m49_subregion: str
    m49_intermediate_region: str | None
    note: str
    names: dict[str, str]  # language -> CLDR name
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class RegionalGroup:
    code: str
    name: str
    short: str
    description: str
    names: dict[str, str] = field(default_factory=dict)  # other UN languages


@dataclass(frozen=True)
class GroupMembership:
    state: str
    group: str
    role: str
    electoral: bool
    note: str


@dataclass(frozen=True)
class M49Area:
    code: str
    m49: str
    name: str
    level: str
    parent: str | None
    names: dict[str, str]


def search_key(text: str) -> str:
    """Lower-case, accent-free form of a name, so 'cote' finds "Côte d'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.replace("’", "'").casefold().split())


def cldr_territory_name(code: str, language: str) -> str | None:
    """A territory's name in a language, from CLDR via Babel."""
    name = Locale.parse(language).territories.get(code)
    return str(name) if name else None


@lru_cache(maxsize=1)
def load_m49_areas() -> dict[str, M49Area]:
    raw = read_yaml(reference_path(M49_FILE))
    areas: dict[str, M49Area] = {}
    for code, item in raw["areas"].items():
        names = {
            lang: cldr_territory_name(item["m49"], lang) or item["name"] for lang in UN_LANGUAGES
        }
        names["en"] = item["name"]
        areas[code] = M49Area(
            code=code,
            m49=item["m49"],
            name=item["name"],
            level=item["level"],
            parent=item.get("parent"),
            names=names,
        )
    problems = [
        Problem(f"{M49_FILE}: {area.code}", f"unknown parent {area.parent!r}")
        for area in areas.values()
        if area.parent is not None and area.parent not in areas
    ]
    if problems:
        raise InvalidData(f"{M49_FILE} is inconsistent", problems=problems)
    return areas


@lru_cache(maxsize=1)
def load_regional_groups() -> tuple[dict[str, RegionalGroup], tuple[GroupMembership, ...]]:
    """The groups, and the memberships that go beyond each State's electoral group."""
    raw = read_yaml(reference_path(GROUPS_FILE))
    groups = {
        code: RegionalGroup(
            code=code,
            name=item["name"],
            short=item.get("short", item["name"]),
            description=item.get("description", ""),
            names=dict(item.get("names", {})),
        )
        for code, item in raw["groups"].items()
    }
    specials = tuple(
        GroupMembership(
            state=item["state"],
            group=item["group"],
            role=item["role"],
            electoral=bool(item["electoral"]),
            note=item.get("note", ""),
        )
        for item in raw.get("special_memberships", [])
    )
    return groups, specials


def _load_aliases() -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = {}
    for _, row in read_commented_csv(reference_path(ALIASES_FILE)):
        aliases.setdefault(row["iso3"], []).append(row["alias"])
    return aliases


@lru_cache(maxsize=1)
def load_states() -> tuple[StateRecord, ...]:
    """The 193 UN Member States, validated; raises InvalidData naming each bad row."""
    groups, specials = load_regional_groups()
    areas = load_m49_areas()
    aliases = _load_aliases()
    electoral_override = {m.state: m.group for m in specials if m.electoral}
    states: list[StateRecord] = []
    problems: list[Problem] = []
    for line, row in read_commented_csv(reference_path(STATES_FILE)):
        where = f"{STATES_FILE}:{line}"
        group = row["un_regional_group"]
        if group != "none" and group not in groups:
            problems.append(Problem(where, f"unknown regional group {group!r}"))
        for column in ("m49_region", "m49_subregion"):
            if row[column] not in areas:
                problems.append(Problem(where, f"unknown {column} {row[column]!r}"))
        intermediate = row["m49_intermediate_region"] or None
        if intermediate is not None and intermediate not in areas:
            problems.append(Problem(where, f"unknown m49_intermediate_region {intermediate!r}"))
        names = {
            lang: cldr_territory_name(row["iso2"], lang) or row["short_name"]
            for lang in UN_LANGUAGES
        }
        states.append(
            StateRecord(
                iso3=row["iso3"],
                iso2=row["iso2"],
                m49=row["m49"],
                short_name=row["short_name"],
                iso_name=row["iso_name"],
                electoral_group=electoral_override.get(
                    row["iso3"], None if group == "none" else group
                ),
                m49_region=row["m49_region"],
                m49_subregion=row["m49_subregion"],
                m49_intermediate_region=intermediate,
                note=row["note"],
                names=names,
                aliases=tuple(aliases.get(row["iso3"], [])),
            )
        )
    known = {state.iso3 for state in states}
    problems += [
        Problem(ALIASES_FILE, f"alias for unknown State {iso3!r}")
        for iso3 in aliases
        if iso3 not in known
    ]
    problems += [
        Problem(GROUPS_FILE, f"special membership of unknown State {m.state!r}")
        for m in specials
        if m.state not in known
    ]
    if len(known) != len(states):
        problems.append(Problem(STATES_FILE, "duplicate iso3 codes"))
    if problems:
        raise InvalidData("the States reference data is inconsistent", problems=problems)
    return tuple(states)


def state_memberships(state: StateRecord) -> list[GroupMembership]:
    """Every group membership of a State: its own group from states.csv plus special cases."""
    _, specials = load_regional_groups()
    own = [m for m in specials if m.state == state.iso3]
    covered = {m.group for m in own}
    if state.electoral_group is not None and state.electoral_group not in covered:
        own.insert(0, GroupMembership(state.iso3, state.electoral_group, "member", True, ""))
    return own
