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


# Unicode's left-to-right isolate (LRI ... PDI): numbers, signs and arrows inside it keep their
# order in a right-to-left paragraph. Without it, Arabic shows "45 → 52" as "52 → 45" (a fall)
# and "+3.5" as "3.5+". Isolates are plain characters, so the same text is right in HTML, PDF,
# Word and e-mail.
LEFT_TO_RIGHT_ISOLATE = "\u2066"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def ltr(text: object) -> str:
    """`text` isolated as left-to-right (numbers with signs, ranges, arrows between numbers)."""
    return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def rtl(text: object) -> str:
    """`text` isolated as right-to-left: an Arabic label with numbers in it ("25 أبريل 2011")
    where the surrounding layout is left-to-right (a chart's SVG text)."""
    return f"\u2067{text}{POP_DIRECTIONAL_ISOLATE}"


def change(start: object, end: object) -> str:
    """ "45 → 52", reading from the first to the second in every script direction."""
    return ltr(f"{start} \u2192 {end}")
