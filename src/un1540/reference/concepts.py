"""The names of the evidence lexicon's concepts in the six languages (reference/evidence/
concept-names.yml): the portal's "Why" line names the concept a matched phrase belongs to in the
reader's language, not by its code. Kept apart from the lexicon because a name is not a term: a
better translation must not change the lexicon's version or retrain the model."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.languages import UN_LANGUAGES

CONCEPT_NAMES_FILE = "evidence/concept-names.yml"
OTHER_LANGUAGES = tuple(code for code in UN_LANGUAGES if code != "en")


@dataclass(frozen=True)
class ConceptName:
    code: str
    name: str  # English
    names: dict[str, str]  # the five other languages

    def in_language(self, language: str) -> str:
        return self.names.get(language, self.name)


def parse_concept_names(raw: Any, source: str = CONCEPT_NAMES_FILE) -> dict[str, ConceptName]:
    """Validate the names; every problem names its concept and language. Two concepts may not
    share a name in one language (the reader could not tell them apart)."""
    concepts = raw.get("concepts") if isinstance(raw, dict) else None
    if not isinstance(concepts, dict) or not concepts:
        raise InvalidData(f"{source} names no concepts", problems=[Problem(source, "no concepts")])
    problems: list[Problem] = []
    names: dict[str, ConceptName] = {}
    for code, item in concepts.items():
        where = f"{source}: concepts.{code}"
        name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        others = item.get("names") if isinstance(item, dict) else None
        if not name or not isinstance(others, dict):
            problems.append(Problem(where, "needs a name and names"))
            continue
        missing = [lang for lang in OTHER_LANGUAGES if not str(others.get(lang) or "").strip()]
        if missing:
            problems.append(Problem(where, f"names lacks {', '.join(missing)}"))
        names[str(code)] = ConceptName(
            str(code), name, {str(lang): str(text).strip() for lang, text in others.items()}
        )
    for language in UN_LANGUAGES:
        seen: dict[str, str] = {}
        for concept in names.values():
            shown = concept.in_language(language).casefold()
            if shown in seen:
                problems.append(
                    Problem(
                        f"{source}: concepts.{concept.code}",
                        f"same {language} name as {seen[shown]}: {shown}",
                    )
                )
            seen[shown] = concept.code
    if problems:
        raise InvalidData(f"{source} is not valid", problems=problems)
    return names


@lru_cache(maxsize=1)
def load_concept_names() -> dict[str, ConceptName]:
    return parse_concept_names(read_yaml(reference_path(CONCEPT_NAMES_FILE)))
