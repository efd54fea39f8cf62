"""Documents in a reader's language (the CLI's `--lang`, the API's `?lang=`): the portal's
catalogues (src/un1540/locale), read here because the files are written below the web layer."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.names import localized_name

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "locale"


@lru_cache(maxsize=len(UN_LANGUAGES))
def _catalogue(language: str) -> dict[str, str]:
    path = CATALOGUE_DIR / f"{language}.po"
    if language == "en" or not path.exists():
        return {}
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in messages
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str)
    }


class DocumentLanguage:
    """One of the six languages for a document: its messages (the shape Jinja's
    `install_gettext_translations` wants), names, locale and direction."""

    def __init__(self, language: str) -> None:
        if language not in UN_LANGUAGES:
            raise ValueError(f"unknown language {language!r}: one of {', '.join(UN_LANGUAGES)}")
        self.language = language
        self.locale = "zh_Hans" if language == "zh" else language
        self.direction = (
            "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"
        )

    def gettext(self, message: str) -> str:
        return _catalogue(self.language).get(message, message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.gettext(singular) if count == 1 else self.gettext(plural)

    def label(self, dimension: str, key: str, fallback: str) -> str:
        return localized_name(dimension, key, self.language, fallback)


ENGLISH = DocumentLanguage("en")
