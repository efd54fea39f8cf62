"""The technology and emerging risk notes (risks.yml): versioned, translated, each tied to the
matrix fields whose measures answer it. Every problem names its place in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.languages import UN_LANGUAGES

RISKS_FILE = "risks.yml"
OTHER_LANGUAGES = tuple(code for code in UN_LANGUAGES if code != "en")
BASES = ("seed", "general_knowledge")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class RiskNote:
    id: str
    title: str
    titles: dict[str, str]
    text: str
    texts: dict[str, str]
    fields: tuple[str, ...]
    basis: str
    source: tuple[str, ...]

    def title_in(self, language: str) -> str:
        return self.titles.get(language, self.title)

    def text_in(self, language: str) -> str:
        return self.texts.get(language, self.text)


@dataclass(frozen=True)
class RiskNotes:
    version: str
    thin_below: float
    caveat: str
    caveats: dict[str, str]
    notes: tuple[RiskNote, ...]

    def get(self, note_id: str) -> RiskNote | None:
        return next((note for note in self.notes if note.id == note_id), None)

    def caveat_in(self, language: str) -> str:
        return self.caveats.get(language, self.caveat)


def _text(raw: Any, key: str, where: str, problems: list[Problem]) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(f"{where}.{key}", "missing or empty"))
        return ""
    return " ".join(value.split())


def _translations(raw: Any, key: str, where: str, problems: list[Problem]) -> dict[str, str]:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, dict):
        problems.append(Problem(f"{where}.{key}", "missing: one text per UN language"))
        return {}
    missing = [code for code in OTHER_LANGUAGES if not str(value.get(code) or "").strip()]
    if missing:
        problems.append(Problem(f"{where}.{key}", f"lacks {', '.join(missing)}"))
    unknown = sorted(str(code) for code in value if code not in OTHER_LANGUAGES)
    if unknown:
        problems.append(Problem(f"{where}.{key}", f"unknown languages {', '.join(unknown)}"))
    return {str(code): " ".join(str(text).split()) for code, text in value.items()}


def known_field_codes() -> set[str]:
    return {
        item.code
        for definition in bundled_frameworks()
        for section in definition.spec.sections
        for item in section.fields
    }


def _note(
    raw: Any, position: int, source: str, known: set[str], problems: list[Problem]
) -> RiskNote:
    where = f"{source}: notes[{position}]"
    note_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(note_id, str) or not ID_PATTERN.match(note_id):
        problems.append(Problem(f"{where}.id", "must be a lowercase code (a-z, 0-9, _)"))
        note_id = str(note_id)
    else:
        where = f"{source}: notes.{note_id}"
    fields = raw.get("fields") if isinstance(raw, dict) else None
    if not isinstance(fields, list) or not fields:
        problems.append(Problem(f"{where}.fields", "missing or empty"))
        fields = []
    unknown = [str(code) for code in fields if code not in known]
    if unknown:
        problems.append(Problem(f"{where}.fields", f"unknown fields {', '.join(unknown)}"))
    if len(set(map(str, fields))) != len(fields):
        problems.append(Problem(f"{where}.fields", "a field is listed twice"))
    basis = raw.get("basis") if isinstance(raw, dict) else None
    if basis not in BASES:
        problems.append(Problem(f"{where}.basis", f"must be one of {', '.join(BASES)}"))
    cited = raw.get("source") if isinstance(raw, dict) else None
    if (
        not isinstance(cited, list)
        or not cited
        or not all(isinstance(item, str) and item.strip() for item in cited)
    ):
        problems.append(Problem(f"{where}.source", "cite at least one public source"))
        cited = []
    return RiskNote(
        id=note_id,
        title=_text(raw, "title", where, problems),
        titles=_translations(raw, "titles", where, problems),
        text=_text(raw, "text", where, problems),
        texts=_translations(raw, "texts", where, problems),
        fields=tuple(str(code) for code in fields),
        basis=str(basis),
        source=tuple(" ".join(str(item).split()) for item in cited),
    )


def parse_risk_notes(raw: Any, source: str = RISKS_FILE) -> RiskNotes:
    """Validate the document; every problem names its place in the file."""
    if not isinstance(raw, dict):
        raise InvalidData(
            f"{source} is not a list of risk notes", problems=[Problem(source, "not a map")]
        )
    problems: list[Problem] = []
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append(Problem(f"{source}: version", 'missing (a quoted string, e.g. "1")'))
        version = ""
    thin_below = raw.get("thin_below")
    if (
        isinstance(thin_below, bool)
        or not isinstance(thin_below, int | float)
        or not (0 < thin_below <= 1)
    ):
        problems.append(Problem(f"{source}: thin_below", "must be a number in (0, 1]"))
        thin_below = 0.5
    caveat = _text(raw, "caveat", source, problems)
    caveats = _translations(raw, "caveats", source, problems)
    raw_notes = raw.get("notes")
    if not isinstance(raw_notes, list) or not raw_notes:
        problems.append(Problem(f"{source}: notes", "missing or empty"))
        raw_notes = []
    known = known_field_codes()
    notes = tuple(
        _note(item, position, source, known, problems) for position, item in enumerate(raw_notes)
    )
    seen: set[str] = set()
    for note in notes:
        if note.id in seen:
            problems.append(Problem(f"{source}: notes.{note.id}.id", "used twice"))
        seen.add(note.id)
    if problems:
        raise InvalidData(f"{source} is not a valid list of risk notes", problems=problems)
    return RiskNotes(
        version=version,
        thin_below=float(thin_below),
        caveat=caveat,
        caveats=caveats,
        notes=notes,
    )


@lru_cache(maxsize=1)
def load_risk_notes() -> RiskNotes:
    return parse_risk_notes(read_yaml(reference_path(RISKS_FILE)))
