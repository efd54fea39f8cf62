"""The heading patterns of laws per language (provision-patterns.yml): typed, compiled and
validated (every problem named by file, language and pattern)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.languages import UN_LANGUAGES

PROVISION_PATTERNS_FILE = "provision-patterns.yml"
KINDS = ("part", "title", "chapter", "schedule", "article", "section", "paragraph", "item")
LEVELS = (1, 2, 3)
HEADING_GROUPS = {"number", "suffix", "heading", "rest"}


@dataclass(frozen=True)
class HeadingPattern:
    kind: str
    level: int
    pattern: re.Pattern[str]
    number: str | None  # a fixed number, when the pattern has no number group


@dataclass(frozen=True)
class LanguagePatterns:
    language: str
    headings: tuple[HeadingPattern, ...]
    references: tuple[re.Pattern[str], ...]
    penalties: tuple[str, ...]
    # level-2 headings tried only when a law has no article or section heading of `headings`,
    # kept when they number the law in order (English acts: "19. Prohibition of terrorism")
    numbered: tuple[HeadingPattern, ...] = ()
    # after a reference, one more number of a list ("articles 1 et 2", "sections 3, 4 and 5"),
    # matched again and again at the end of the last
    reference_list: re.Pattern[str] | None = None
    # after a reference (and its list), or before it: the provisions cited are another law's
    # ("l'article 2 du code pénal", 《刑法》第二条), so no link to this law's
    other_law_after: re.Pattern[str] | None = None
    other_law_before: re.Pattern[str] | None = None


@dataclass(frozen=True)
class ProvisionPatterns:
    version: str
    suffixes: dict[str, str]
    numbers: dict[str, dict[str, int]]  # language -> word (as in the file) -> number
    languages: dict[str, LanguagePatterns]


def _compile(text: Any, where: str, problems: list[Problem]) -> re.Pattern[str] | None:
    if not isinstance(text, str) or not text:
        problems.append(Problem(where, "missing (a regular expression)"))
        return None
    try:
        return re.compile(text)
    except re.error as error:
        problems.append(Problem(where, f"not a valid regular expression: {error}"))
        return None


def _headings(raw: Any, where: str, problems: list[Problem]) -> list[HeadingPattern]:
    found: list[HeadingPattern] = []
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(where, "missing or empty (a list of heading patterns)"))
        return found
    for index, item in enumerate(raw, start=1):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(at, "not a mapping"))
            continue
        unknown = sorted(set(item) - {"kind", "level", "pattern", "number"})
        if unknown:
            problems.append(Problem(at, f"unknown fields: {', '.join(unknown)}"))
        kind, level = item.get("kind"), item.get("level")
        if kind not in KINDS:
            problems.append(Problem(f"{at}.kind", f"must be one of {', '.join(KINDS)}"))
        if level not in LEVELS:
            problems.append(Problem(f"{at}.level", "must be 1, 2 or 3"))
        pattern = _compile(item.get("pattern"), f"{at}.pattern", problems)
        if pattern is None:
            continue
        groups = set(pattern.groupindex)
        if groups - HEADING_GROUPS:
            names = ", ".join(sorted(groups - HEADING_GROUPS))
            problems.append(Problem(f"{at}.pattern", f"unknown named groups: {names}"))
        if "number" not in groups and not item.get("number"):
            problems.append(Problem(f"{at}.pattern", "needs a (?P<number>...) group or a number"))
        if not pattern.pattern.startswith("^"):
            problems.append(Problem(f"{at}.pattern", "must be anchored at the line start (^)"))
        if kind in KINDS and level in LEVELS:
            number = item.get("number")
            found.append(HeadingPattern(str(kind), int(level), pattern, number and str(number)))
    return found


def parse_provision_patterns(raw: Any, source: str = PROVISION_PATTERNS_FILE) -> ProvisionPatterns:
    """The patterns of a parsed file, or InvalidData naming every problem."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise InvalidData(f"{source} is not valid", problems=[Problem(source, "not a mapping")])
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        problems.append(Problem(f"{source}: version", "missing (a quoted string)"))
    suffixes = raw.get("suffixes")
    if not isinstance(suffixes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in suffixes.items()
    ):
        problems.append(Problem(f"{source}: suffixes", "must map words to suffixes (strings)"))
        suffixes = {}
    numbers_raw = raw.get("numbers")
    numbers: dict[str, dict[str, int]] = {}
    if not isinstance(numbers_raw, dict):
        problems.append(Problem(f"{source}: numbers", "missing (a mapping per language)"))
        numbers_raw = {}
    for language, table in numbers_raw.items():
        if not isinstance(table, dict) or not all(
            isinstance(value, int) and value > 0 for value in table.values()
        ):
            problems.append(Problem(f"{source}: numbers.{language}", "must map words to numbers"))
            continue
        numbers[str(language)] = {str(word): int(value) for word, value in table.items()}
    languages_raw = raw.get("languages")
    if not isinstance(languages_raw, dict):
        problems.append(Problem(f"{source}: languages", "missing (a mapping per language)"))
        languages_raw = {}
    missing = [language for language in UN_LANGUAGES if language not in languages_raw]
    if missing:
        problems.append(Problem(f"{source}: languages", f"missing {', '.join(missing)}"))
    languages: dict[str, LanguagePatterns] = {}
    for language, spec in languages_raw.items():
        where = f"{source}: languages.{language}"
        if language not in UN_LANGUAGES:
            problems.append(Problem(where, "not one of the six UN languages"))
            continue
        if not isinstance(spec, dict):
            problems.append(Problem(where, "not a mapping"))
            continue
        headings = _headings(spec.get("headings"), f"{where}.headings", problems)
        references = []
        for index, text in enumerate(spec.get("references") or [], start=1):
            compiled = _compile(text, f"{where}.references[{index}]", problems)
            if compiled is not None:
                if "number" not in compiled.groupindex:
                    problems.append(
                        Problem(f"{where}.references[{index}]", "needs a (?P<number>...) group")
                    )
                references.append(compiled)
        penalties = spec.get("penalties") or []
        if not isinstance(penalties, list) or not all(isinstance(p, str) for p in penalties):
            problems.append(Problem(f"{where}.penalties", "must be a list of words"))
            penalties = []
        numbered: list[HeadingPattern] = []
        if spec.get("numbered") is not None:
            numbered = _headings(spec.get("numbered"), f"{where}.numbered", problems)
            for index, heading in enumerate(numbered, start=1):
                if heading.level != 2 or heading.number is not None:
                    problems.append(
                        Problem(
                            f"{where}.numbered[{index}]", "must be level 2, with a number group"
                        )
                    )
        optional: dict[str, re.Pattern[str] | None] = {}
        for key in ("reference_list", "other_law_after", "other_law_before"):
            optional[key] = (
                None
                if spec.get(key) is None
                else _compile(spec.get(key), f"{where}.{key}", problems)
            )
        list_pattern = optional["reference_list"]
        if list_pattern is not None and "number" not in list_pattern.groupindex:
            problems.append(Problem(f"{where}.reference_list", "needs a (?P<number>...) group"))
        languages[language] = LanguagePatterns(
            language,
            tuple(headings),
            tuple(references),
            tuple(penalties),
            tuple(numbered),
            reference_list=list_pattern,
            other_law_after=optional["other_law_after"],
            other_law_before=optional["other_law_before"],
        )
    if problems:
        raise InvalidData(f"{source} is not valid", problems=problems)
    return ProvisionPatterns(str(version), dict(suffixes), numbers, languages)


@cache
def provision_patterns() -> ProvisionPatterns:
    """The shipped patterns, read and checked once per process."""
    return parse_provision_patterns(read_yaml(reference_path(PROVISION_PATTERNS_FILE)))
