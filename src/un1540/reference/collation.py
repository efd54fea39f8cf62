"""Sorting text the way a reader of each UN language expects (ICU collation, CLDR tailorings).

English code-point order puts "Émirats" after "Zambie" and sorts Chinese names by code point;
ICU's collators order French accents, Spanish "ñ", Russian Cyrillic, Arabic letters and Chinese
names by pinyin the way the reader of each language expects. `sort_key(language)` returns a key
function for `sorted`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import icu

from un1540.reference.languages import UN_LANGUAGES

# The CLDR locale each UN language sorts by (Chinese: pinyin, as the UN's Chinese lists do).
_LOCALES = {"zh": "zh@collation=pinyin"}


@lru_cache(maxsize=len(UN_LANGUAGES))
def _collator(language: str) -> icu.Collator:
    collator = icu.Collator.createInstance(icu.Locale(_LOCALES.get(language, language)))
    # Case and accents break ties only; "côte" sorts beside "cote", not after "z".
    collator.setStrength(icu.Collator.TERTIARY)
    return collator


def sort_key(language: str) -> Callable[[str], bytes]:
    """A `sorted` key ordering strings for a reader of `language` (one of the six)."""
    if language not in UN_LANGUAGES:
        raise ValueError(f"unknown language {language!r}: one of {', '.join(UN_LANGUAGES)}")
    collator = _collator(language)
    # PyICU computes a sort key in one call holding the GIL, so threads may share a collator.
    return lambda text: bytes(collator.getSortKey(text))


def collated(items: list[str], language: str) -> list[str]:
    return sorted(items, key=sort_key(language))
