"""One form for comparing words in the six languages (the index and the query alike)."""

from __future__ import annotations

import re
import unicodedata

from un1540.reference.chinese import to_simplified

# Arabic harakat, tanwin, shadda, sukun, superscript alef and Quranic marks.
ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = "\u0640"
ARABIC_FORMS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0649": "\u064a",  # ى -> ي
        "\u0629": "\u0647",  # ة -> ه
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u064a",  # ئ -> ي
        "\u06cc": "\u064a",  # Persian ya -> ي
        "\u06a9": "\u0643",  # keheh -> ك
    }
)
# Eastern Arabic and Persian digits read as ASCII digits.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalise_arabic(text: str) -> str:
    """Arabic without diacritics or tatweel, with one form of alef, ya, ta marbuta, hamza
    seats; a query with or without diacritics finds the same words."""
    text = ARABIC_DIACRITICS.sub("", text).replace(TATWEEL, "")
    return text.translate(ARABIC_FORMS)


def normalise(text: str) -> str:
    """NFKC, case-folded, Arabic normalised, digits as ASCII; ё read as е; traditional Chinese
    characters read as simplified (a query in either finds a law written in the other)."""
    text = to_simplified(unicodedata.normalize("NFKC", text).casefold())
    return normalise_arabic(text).translate(DIGITS).replace("ё", "е")
