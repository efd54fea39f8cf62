"""Matrix frameworks as data: parsing and validating a framework file.

A framework version (e.g. `un1540-matrix/reconstructed-2016`) lists sections, the data fields in
each, which weapon categories each field applies to, and which columns each cell has. The
database holds several versions side by side; loading a new one is a data import
(`un1540 import framework FILE`), never a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from un1540.errors import InvalidData, Problem
from un1540.reference.files import file_sha256, read_yaml, reference_path
from un1540.reference.languages import UN_LANGUAGES

BUNDLED_FRAMEWORKS = ("frameworks/un1540-matrix_reconstructed-2016.yml",)
ADHERENCE = "adherence"
ANY_WEAPON = "any"
SLUG = r"^[a-z][a-z0-9_]*$"
VERSION = r"^[a-z0-9][a-z0-9._-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NamedItem(_Strict):
    name: str = Field(min_length=1)
    names: dict[str, str] = Field(default_factory=dict)


class FieldSpec(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    names: dict[str, str] = Field(default_factory=dict)
    applies_to: list[str] = Field(min_length=1)
    verified: bool = False


class SectionSpec(_Strict):
    code: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    titles: dict[str, str] = Field(default_factory=dict)
    scope: str = ""
    cells: Literal["adherence"] | list[str]
    fields: list[FieldSpec] = Field(min_length=1)


class FrameworkSpec(_Strict):
    framework: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(pattern=VERSION)
    title: str = Field(min_length=1)
    weapon_categories: dict[str, NamedItem] = Field(min_length=1)
    column_kinds: dict[str, NamedItem] = Field(min_length=1)
    sections: list[SectionSpec] = Field(min_length=1)


@dataclass(frozen=True)
class CellSpec:
    """One cell of the matrix: `{field}:{weapon}:{column}`; OP1-style cells use `any:adherence`."""

    field_code: str
    weapon: str
    column: str

    @property
    def key(self) -> str:
        return f"{self.field_code}:{self.weapon}:{self.column}"


@dataclass(frozen=True)
class FrameworkDefinition:
    """A validated framework file, ready to be stored."""

    spec: FrameworkSpec
    source_name: str
    sha256: str

    @property
    def slug(self) -> str:
        return f"{self.spec.framework}/{self.spec.version}"

    def cells(self) -> list[CellSpec]:
        result: list[CellSpec] = []
        for section in self.spec.sections:
            for field in section.fields:
                if section.cells == ADHERENCE:
                    result.append(CellSpec(field.code, ANY_WEAPON, ADHERENCE))
                    continue
                for weapon in field.applies_to:
                    result.extend(CellSpec(field.code, weapon, column) for column in section.cells)
        return result


def _location(loc: tuple[int | str, ...], raw: Any) -> str:
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            code = (
                node[item].get("code")
                if isinstance(node, list) and isinstance(node[item], dict)
                else None
            )
            parts[-1] += f"[{item}]" + (f" ({code})" if code else "")
            node = node[item] if isinstance(node, list) else None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _cross_check(spec: FrameworkSpec) -> list[str]:
    """Problems that a schema cannot see: references between parts, duplicates, languages."""
    problems: list[str] = []
    weapons, columns = set(spec.weapon_categories), set(spec.column_kinds)
    for name, keys in (("weapon_categories", weapons), ("column_kinds", columns)):
        problems += [
            f"{name}: {key!r} is not a lowercase slug" for key in keys if not re.match(SLUG, key)
        ]
    if ANY_WEAPON in weapons or ADHERENCE in columns:
        problems.append("'any' and 'adherence' are reserved and cannot be declared")
    seen_sections: set[str] = set()
    seen_fields: set[str] = set()
    for index, section in enumerate(spec.sections):
        where = f"sections[{index}] ({section.code})"
        if section.code in seen_sections:
            problems.append(f"{where}: duplicate section code")
        seen_sections.add(section.code)
        if isinstance(section.cells, list):
            problems += [
                f"{where}.cells: unknown column kind {c!r}"
                for c in section.cells
                if c not in columns
            ]
            if len(set(section.cells)) != len(section.cells) or not section.cells:
                problems.append(f"{where}.cells: list each column kind once")
        problems += [
            f"{where}.titles: {lang!r} is not a UN language"
            for lang in section.titles
            if lang not in UN_LANGUAGES
        ]
        numbers: set[int] = set()
        for position, field in enumerate(section.fields):
            field_where = f"{where}.fields[{position}] ({field.code})"
            if not field.code.startswith(section.code + "."):
                problems.append(f"{field_where}: code must start with {section.code + '.'!r}")
            if field.code in seen_fields:
                problems.append(f"{field_where}: duplicate field code")
            if field.number in numbers:
                problems.append(f"{field_where}: duplicate number {field.number}")
            seen_fields.add(field.code)
            numbers.add(field.number)
            unknown = [w for w in field.applies_to if w not in weapons]
            if unknown:
                problems.append(f"{field_where}.applies_to: unknown weapon categories {unknown}")
            if len(set(field.applies_to)) != len(field.applies_to):
                problems.append(f"{field_where}.applies_to: repeated weapon category")
            problems += [
                f"{field_where}.names: {lang!r} is not a UN language"
                for lang in field.names
                if lang not in UN_LANGUAGES
            ]
    return problems


def parse_framework(raw: Any, *, source_name: str, sha256: str) -> FrameworkDefinition:
    """Validate raw framework data; raise InvalidData listing every problem with its location."""
    if not isinstance(raw, dict):
        raise InvalidData(
            f"{source_name} does not hold a framework",
            problems=[Problem(source_name, "expected a mapping with framework, version, sections")],
        )
    try:
        spec = FrameworkSpec.model_validate(raw)
    except ValidationError as error:
        problems = [
            Problem(f"{source_name}: {_location(tuple(item['loc']), raw)}", item["msg"])
            for item in error.errors()
        ]
        raise InvalidData(
            f"{source_name} is not a valid framework file", problems=problems
        ) from error
    cross = _cross_check(spec)
    if cross:
        problems = [
            Problem(f"{source_name}: {text.split(': ', 1)[0]}", text.split(": ", 1)[-1])
            for text in cross
        ]
        raise InvalidData(f"{source_name} is not a valid framework file", problems=problems)
    return FrameworkDefinition(spec=spec, source_name=source_name, sha256=sha256)


def read_framework_file(path: Path) -> FrameworkDefinition:
    return parse_framework(read_yaml(path), source_name=path.name, sha256=file_sha256(path))


@cache
def bundled_frameworks() -> tuple[FrameworkDefinition, ...]:
    """The framework versions shipped with the package (the first is the default)."""
    return tuple(read_framework_file(reference_path(name)) for name in BUNDLED_FRAMEWORKS)
