"""Which of the six UN languages a text is in: py3langid 0.4.0 (its model ships in the wheel;
nothing is downloaded). The model takes a few seconds to load: once per process, on first use.

Two identifiers share the model: one over every language it knows (is a text in a supported
language at all?), one restricted to the six (which of them is this block in?). Blocks in a
script only one of the six writes (Han, Arabic, Cyrillic) are decided by their script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from un1540.reference.languages import UN_LANGUAGES

SUPPORTED: tuple[str, ...] = UN_LANGUAGES
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# the script each of the six languages is written in
LANGUAGE_SCRIPT = {"en": LATIN, "fr": LATIN, "es": LATIN, "ru": CYRILLIC, "ar": ARABIC, "zh": HAN}
# Share of letters from one script for a block to be taken as its script's language.
SCRIPT_SHARE = 0.5
SAMPLE = 20_000  # characters of a document read to decide whether it is in a supported language


@dataclass(frozen=True)
class Identifiers:
    every: Any  # py3langid's LanguageIdentifier over all its languages
    six: Any  # the same model restricted to the six


@cache
def _identifiers() -> Identifiers:
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier, _load_model_file

    ptc, pc, classes, nextmove, row, output = _load_model_file(MODEL_DIR / MODEL_FILE)

    def make() -> Any:
        return LanguageIdentifier(
            np.asarray(ptc), np.asarray(pc), classes, nextmove, output, norm_probs=True, tk_row=row
        )

    every, six = make(), make()
    six.set_languages(list(SUPPORTED))
    return Identifiers(every=every, six=six)


def _script_language(text: str) -> str | None:
    han, arabic, cyrillic = len(HAN.findall(text)), len(ARABIC.findall(text)), 0
    cyrillic = len(CYRILLIC.findall(text))
    latin = len(LATIN.findall(text))
    letters = han + arabic + cyrillic + latin
    if not letters or KANA_HANGUL.search(text):
        return None
    for language, count in (("zh", han), ("ar", arabic), ("ru", cyrillic)):
        if count / letters >= SCRIPT_SHARE:
            return language
    return None


def block_language(text: str, default: str | None = None) -> str | None:
    """The one of the six languages a block is most likely in; `default` for a block with no
    letters (a number, a heading alone) or too short to tell."""
    by_script = _script_language(text)
    if by_script is not None:
        return by_script
    if len(LATIN.findall(text)) < 12:
        return default or (None if not LATIN.search(text) else "en")
    language, _ = _identifiers().six.classify(text[:SAMPLE])
    return str(language)


def document_language(text: str) -> str | None:
    """The language of a whole text if it is one of the six, else None (a text in German, or
    with no words): decided on the whole model, so that "none of them" is an answer."""
    sample = text[:SAMPLE]
    if not re.search(r"\w{2,}", sample):
        return None
    if KANA_HANGUL.search(sample) and len(KANA_HANGUL.findall(sample)) > len(sample) * 0.05:
        return None  # Japanese or Korean, not Chinese
    language, _ = _identifiers().every.classify(sample)
    language = str(language)
    if language in SUPPORTED:
        return language
    return None
