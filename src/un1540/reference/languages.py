"""The six official languages of the United Nations, as used throughout the system."""

from __future__ import annotations

# Order follows the UN's own listing (alphabetical in English).
UN_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")

LANGUAGE_NAMES: dict[str, str] = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a string for translation where it is defined (`pybabel extract -k N_`); the portal
    translates it where it is shown. Defined here, at the bottom of the layers, so any module
    may mark its strings."""
    return message
