"""The incident vocabularies (incidents.yml): material categories and classes, kinds with their
default matrix fields, groupings, sources, confirmation statuses and the trends' caveat."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.languages import UN_LANGUAGES

INCIDENTS_FILE = "incidents.yml"
OTHER_LANGUAGES = tuple(code for code in UN_LANGUAGES if code != "en")
WEAPONS = ("nw", "cw", "bw")


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    names: dict[str, str]

    def in_language(self, language: str) -> str:
        return self.names.get(language, self.name)


@dataclass(frozen=True)
class Category(Term):
    weapon: str = "nw"
    classes: dict[str, Term] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind(Term):
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentVocabulary:
    categories: dict[str, Category]
    kinds: dict[str, Kind]
    groupings: dict[str, Term]
    sources: dict[str, Term]
    confirmation: dict[str, Term]
    public_confirmation: frozenset[str]  # statuses the public may see record by record
    caveat: Term

    def default_fields(self, kind: str) -> list[str]:
        found = self.kinds.get(kind)
        return list(found.fields) if found else []

    def name(self, vocabulary: str, code: str, language: str = "en") -> str:
        """A code's name in `language` (English when the language or the code is unknown)."""
        terms: dict[str, Any] = getattr(self, vocabulary)
        term = terms.get(code)
        return term.in_language(language) if term is not None else code

    def class_name(self, category: str, code: str, language: str = "en") -> str:
        found = self.categories.get(category)
        term = found.classes.get(code) if found else None
        return term.in_language(language) if term is not None else code


def _names(where: str, item: Any, problems: list[Problem], key: str = "names") -> dict[str, str]:
    names = item.get(key) if isinstance(item, dict) else None
    if not isinstance(names, dict):
        problems.append(Problem(where, f"no {key}"))
        return {}
    missing = [code for code in OTHER_LANGUAGES if not str(names.get(code) or "").strip()]
    if missing:
        problems.append(Problem(where, f"{key} lacks {', '.join(missing)}"))
    return {str(code): str(text) for code, text in names.items()}


def _term(where: str, code: str, item: Any, problems: list[Problem]) -> Term:
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        problems.append(Problem(where, "no name"))
        return Term(code, code, {})
    return Term(code, str(item["name"]), _names(where, item, problems))


def _terms(raw: dict[str, Any], key: str, problems: list[Problem]) -> dict[str, Any]:
    block = raw.get(key)
    if not isinstance(block, dict) or not block:
        problems.append(Problem(f"{INCIDENTS_FILE}: {key}", "missing or empty"))
        return {}
    return dict(block)


def parse_vocabulary(raw: Any, source: str = INCIDENTS_FILE) -> IncidentVocabulary:
    """Validate the vocabulary document; every problem names its place in the file."""
    if not isinstance(raw, dict):
        raise InvalidData(f"{source} is not a vocabulary", problems=[Problem(source, "not a map")])
    problems: list[Problem] = []
    known_fields = {
        item.code
        for definition in bundled_frameworks()
        for section in definition.spec.sections
        for item in section.fields
    }
    categories: dict[str, Category] = {}
    for code, item in _terms(raw, "categories", problems).items():
        where = f"{source}: categories.{code}"
        term = _term(where, code, item, problems)
        weapon = item.get("weapon") if isinstance(item, dict) else None
        if weapon not in WEAPONS:
            problems.append(Problem(f"{where}.weapon", f"must be one of {', '.join(WEAPONS)}"))
        raw_classes = item.get("classes") if isinstance(item, dict) else None
        if not isinstance(raw_classes, dict) or not raw_classes:
            problems.append(Problem(f"{where}.classes", "missing or empty"))
            raw_classes = {}
        classes = {
            name: _term(f"{where}.classes.{name}", name, value, problems)
            for name, value in raw_classes.items()
        }
        categories[code] = Category(term.code, term.name, term.names, str(weapon), classes)
    kinds: dict[str, Kind] = {}
    for code, item in _terms(raw, "kinds", problems).items():
        where = f"{source}: kinds.{code}"
        term = _term(where, code, item, problems)
        fields = item.get("fields") if isinstance(item, dict) else None
        if not isinstance(fields, list) or not fields:
            problems.append(Problem(f"{where}.fields", "missing or empty"))
            fields = []
        unknown = [str(name) for name in fields if name not in known_fields]
        if unknown:
            problems.append(Problem(f"{where}.fields", f"unknown fields {', '.join(unknown)}"))
        kinds[code] = Kind(term.code, term.name, term.names, tuple(str(f) for f in fields))
    plain = {
        key: {
            code: _term(f"{source}: {key}.{code}", code, item, problems)
            for code, item in _terms(raw, key, problems).items()
        }
        for key in ("groupings", "sources", "confirmation")
    }
    if plain["sources"] and set(plain["sources"]) != {
        "state_reported",
        "organisation",
        "open_source",
    }:
        problems.append(
            Problem(f"{source}: sources", "must be state_reported, organisation, open_source")
        )
    public = frozenset(
        code
        for code, item in _terms(raw, "confirmation", []).items()
        if isinstance(item, dict) and item.get("confirmed") is True
    )
    if len(public) != 1:
        problems.append(Problem(f"{source}: confirmation", "exactly one status is confirmed"))
    caveat_text = str(raw.get("caveat") or "").strip()
    if not caveat_text:
        problems.append(Problem(f"{source}: caveat", "missing"))
    caveat = Term("caveat", caveat_text, _names(f"{source}: caveat", raw, problems, "caveats"))
    if problems:
        raise InvalidData(f"{source} is not a valid incident vocabulary", problems=problems)
    return IncidentVocabulary(
        categories=categories,
        kinds=kinds,
        groupings=plain["groupings"],
        sources=plain["sources"],
        confirmation=plain["confirmation"],
        public_confirmation=public,
        caveat=caveat,
    )


@lru_cache(maxsize=1)
def load_incident_vocabulary() -> IncidentVocabulary:
    return parse_vocabulary(read_yaml(reference_path(INCIDENTS_FILE)))
