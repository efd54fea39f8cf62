"""Spellings the library's search reads as one word (reference/search-variants.yml): English
British and American spellings, Arabic singulars with their broken plurals. The query side of
the search (analytics/text/tokenise.py) reads the words as the index does; this module only
checks the file's shape and returns the words as written."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.languages import UN_LANGUAGES

SEARCH_VARIANTS_FILE = "search-variants.yml"
MIN_LENGTH = 7  # characters: a shorter word keeps its ending ("size", "prise" are other words)


@dataclass(frozen=True)
class LanguageVariants:
    suffixes: tuple[tuple[str, str], ...]
    groups: tuple[tuple[str, ...], ...]
    min_length: int = MIN_LENGTH


def _words(value: Any, *, empty: bool = False) -> tuple[str, ...] | None:
    """Two or more single words (with `empty`, one of them may be "": an ending)."""
    if not isinstance(value, list) or len(value) < 2:
        return None
    words = tuple(str(word).strip() for word in value)
    blank = sum(1 for word in words if not word)
    if blank > (1 if empty else 0) or any(" " in word for word in words):
        return None
    return words


def parse_search_variants(
    raw: Any, source: str = SEARCH_VARIANTS_FILE
) -> dict[str, LanguageVariants]:
    """Validate the file: languages among the six, pairs of endings, groups of two or more single
    words, no word twice in a language (compared as written, lower case: the query side also
    checks it once the words are read as the index reads them)."""
    if not isinstance(raw, dict) or not raw:
        raise InvalidData(f"{source} is empty", problems=[Problem(source, "not a map")])
    problems: list[Problem] = []
    variants: dict[str, LanguageVariants] = {}
    for language, block in raw.items():
        where = f"{source}: {language}"
        if language not in UN_LANGUAGES or not isinstance(block, dict):
            problems.append(Problem(where, "not one of the six languages, with a map"))
            continue
        unknown = set(block) - {"suffixes", "groups", "min_length"}
        if unknown:
            problems.append(Problem(where, f"unknown keys: {', '.join(sorted(unknown))}"))
        suffixes: list[tuple[str, str]] = []
        for number, pair in enumerate(block.get("suffixes") or [], start=1):
            words = _words(pair, empty=True)
            if words is None or len(words) != 2:
                problems.append(Problem(f"{where}.suffixes[{number}]", "expected [ending, ending]"))
                continue
            suffixes.append((words[0].lower(), words[1].lower()))
        groups: list[tuple[str, ...]] = []
        seen: dict[str, int] = {}
        for number, group in enumerate(block.get("groups") or [], start=1):
            words = _words(group)
            if words is None:
                problems.append(
                    Problem(f"{where}.groups[{number}]", "expected a list of two or more words")
                )
                continue
            for word in words:
                if word.lower() in seen:
                    problems.append(
                        Problem(
                            f"{where}.groups[{number}]",
                            f"{word} is in group {seen[word.lower()]} already",
                        )
                    )
                seen[word.lower()] = number
            groups.append(words)
        min_length = block.get("min_length", MIN_LENGTH)
        if not isinstance(min_length, int) or isinstance(min_length, bool) or min_length < 3:
            problems.append(Problem(f"{where}.min_length", "expected a whole number of 3 or more"))
            min_length = MIN_LENGTH
        variants[str(language)] = LanguageVariants(tuple(suffixes), tuple(groups), min_length)
    if problems:
        raise InvalidData(f"{source} is not valid", problems=problems)
    return variants


@lru_cache(maxsize=1)
def load_search_variants() -> dict[str, LanguageVariants]:
    return parse_search_variants(read_yaml(reference_path(SEARCH_VARIANTS_FILE)))
