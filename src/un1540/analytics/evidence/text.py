"""Text normalisation with offsets back to the original, and language detection."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from un1540.reference.chinese import traditional_to_simplified

LANGUAGES = ("en", "fr", "es", "zh", "ru", "ar")

_ARABIC_MAP = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": ""}
)


@dataclass(frozen=True)
class Normalised:
    """A text folded for matching, with the offset in the original of each folded character."""

    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of folded characters [start, end)."""
        if not self.offsets:
            return (0, 0)
        first = self.offsets[min(start, len(self.offsets) - 1)]
        last = self.offsets[min(max(end - 1, 0), len(self.offsets) - 1)]
        return (first, last + 1)


def _fold_char(char: str) -> str:
    if "\u0610" <= char <= "\u061a" or "\u064b" <= char <= "\u065f" or char == "\u0670":
        return ""  # Arabic diacritics
    char = char.translate(_ARABIC_MAP)
    if char in "ёЁ":
        return "е"
    if char.isascii():
        return char.lower()
    if char in "’ʼ‘`´":
        return "'"
    if char in "‐‑‒–—":
        return "-"
    if "\u4e00" <= char <= "\u9fff":
        return traditional_to_simplified().get(char, char)  # one character for one: offsets hold
    if "\u0400" <= char <= "\u04ff":
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class _FoldTable(dict[int, str]):
    """Each character's folded form, computed once (str.translate looks characters up here)."""

    def __missing__(self, ordinal: int) -> str:
        folded = _fold_char(chr(ordinal))
        self[ordinal] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """The folded form of a text (lexicon terms are folded the same way)."""
    return text.translate(_FOLD_TABLE)


def normalise(text: str) -> Normalised:
    table = _FOLD_TABLE
    parts = [table[ord(char)] for char in text]
    folded = "".join(parts)
    if len(folded) == len(text) and all(len(part) == 1 for part in parts):
        return Normalised(folded, tuple(range(len(text))))  # one for one, the usual case
    offsets: list[int] = []
    for index, part in enumerate(parts):
        offsets.extend([index] * len(part))
    return Normalised(folded, tuple(offsets))


def _script_language(text: str) -> str | None:
    """zh, ar or ru when that script dominates the letters of the text, else None."""
    counts = {"zh": 0, "ar": 0, "ru": 0, "latin": 0}
    for char in text[:2000]:
        if "\u4e00" <= char <= "\u9fff":
            counts["zh"] += 1
        elif "\u0600" <= char <= "\u06ff":
            counts["ar"] += 1
        elif "\u0400" <= char <= "\u04ff":
            counts["ru"] += 1
        elif char.isalpha():
            counts["latin"] += 1
    best = max(counts, key=lambda key: counts[key])
    if counts[best] == 0:
        return None
    return None if best == "latin" else best


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["en", "fr", "es"])
    return identifier


def detect_language(text: str) -> str:
    """One of the six UN languages: by script for zh, ar and ru, by py3langid among en, fr and
    es for Latin script (English when there is nothing to go by)."""
    script = _script_language(text)
    if script is not None:
        return script
    if not any(char.isalpha() for char in text):
        return "en"
    language, _ = _identifier().classify(text[:2000])
    return str(language)


# Arabic harakat and the tatweel: the n-grams and the lexicon fold them away (fold), the sentence
# encoder read them as written, so a fully vowelled provision sat far from the same words
# unvowelled (session 27's audit: scores 0.86 -> 0.50, no similar provisions).
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")


def reading_form(text: str, language: str) -> str:
    """A provision's text as the sentence encoder should read it, the way the n-grams already
    do: Chinese in simplified characters (a law of Taiwan or Hong Kong beside the mainland's),
    Arabic without its vowel marks and tatweel; other languages as written."""
    if language == "zh":
        from un1540.reference.chinese import to_simplified

        return to_simplified(text)
    if language == "ar":
        return _ARABIC_MARKS.sub("", text)
    return text


def without_heading(text: str, language: str) -> str:
    """The text without the article or section label it starts with ("第十二条 ", "Статья 5.",
    "Article 12.", "المادة 3"), as the library's splitter recognises it (a level-2 heading of the
    language in provision-patterns.yml): what the model reads of a provision's wording (its
    sentence embedding and n-grams), so that a label does not weigh in a short provision's reading
    (docs/evidence.md, "Round 27"). A title after the label is kept; a text that is a label
    alone is kept whole."""
    from un1540.reference.chinese import to_simplified
    from un1540.reference.provisions import provision_patterns

    rules = provision_patterns().languages.get(language)
    if rules is None:
        return text
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    line = stripped.split("\n", 1)[0]
    reading = to_simplified(line) if language == "zh" else line
    for heading in (*rules.headings, *rules.numbered):
        if heading.level != 2:
            continue
        found = heading.pattern.match(reading)
        if found is None:
            continue
        groups = found.groupdict()
        if not (groups.get("number") or heading.number):
            continue
        starts = [found.start(g) for g in ("heading", "rest") if groups.get(g)]
        cut = min(starts) if starts else len(line)
        rest = text[offset + cut :].lstrip()
        return rest if rest else text
    return text
