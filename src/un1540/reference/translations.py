"""The portal's gettext catalogues (src/un1540/locale) for code below the web layer that writes
for one reader in their language: the e-mails (services/notifications/email.py,
services/accounts/resets.py), worded in the recipient's language, not the request's."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from un1540.reference.languages import UN_LANGUAGES

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "locale"
SOURCE_LANGUAGE = "en"


@lru_cache(maxsize=len(UN_LANGUAGES))
def _catalogue(language: str) -> dict[str, str]:
    path = CATALOGUE_DIR / f"{language}.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in messages
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str)
    }


def known_language(language: str | None) -> str:
    """`language` if it is one of the six, else English (the source language)."""
    return language if language in UN_LANGUAGES else SOURCE_LANGUAGE


def translator(language: str | None) -> Callable[[str], str]:
    """message id -> its translation in `language` (the message itself where none)."""
    catalogue = _catalogue(known_language(language))
    return lambda message: catalogue.get(message, message)
