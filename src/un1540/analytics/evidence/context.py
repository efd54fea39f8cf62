"""The context of a provision in its law: the other articles of the same document it cites by
number ("whoever violates article 5 is punished ...", 违反本法第五条, нарушение статьи 5,
المادة (5)), so that a penalty article inherits the concepts of the article it cites
(docs/evidence.md, "Document context").

Article numbers are compared by a canonical key: digits (Arabic-Indic and Chinese numerals
too, Arabic ordinal words such as المادة الثانية عشرة), letters and dots of the number, without
its paragraph ("s. 13(1)-(3)" and "section 13" are both 13; "345.3" is also found as 345).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from un1540.analytics.evidence.text import fold

_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_ZH_DIGITS |= {"七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}

# Arabic ordinals as laws number their articles (folded: ة -> ه, أ -> ا, ى -> ي)
_AR_UNITS = {
    "الاولي": 1,
    "الاول": 1,
    "الحاديه": 1,
    "الحادي": 1,
    "الثانيه": 2,
    "الثاني": 2,
    "الثالثه": 3,
    "الثالث": 3,
    "الرابعه": 4,
    "الرابع": 4,
    "الخامسه": 5,
    "الخامس": 5,
    "السادسه": 6,
    "السادس": 6,
    "السابعه": 7,
    "السابع": 7,
    "الثامنه": 8,
    "الثامن": 8,
    "التاسعه": 9,
    "التاسع": 9,
    "العاشره": 10,
    "العاشر": 10,
}
_AR_TENS = {
    "العشرون": 20,
    "العشرين": 20,
    "الثلاثون": 30,
    "الثلاثين": 30,
    "الاربعون": 40,
    "الاربعين": 40,
    "الخمسون": 50,
    "الخمسين": 50,
    "الستون": 60,
    "الستين": 60,
    "السبعون": 70,
    "السبعين": 70,
    "الثمانون": 80,
    "الثمانين": 80,
    "التسعون": 90,
    "التسعين": 90,
}

_NUMBER = r"[a-z]?\.?\s?\d+(?:[.\-]\d+)*[a-z]?(?:\s(?:bis|ter|quater))?"
_LIST = rf"{_NUMBER}(?:\s*(?:,|и|and|or|et|ou|y|o|или)\s*{_NUMBER})*"
_CITES = {
    "en": rf"(?<!\w)(?:sections?|articles?|ss?\.|arts?\.|paragraphs?|paras?\.)\s*({_LIST})",
    "fr": rf"(?<!\w)(?:articles?|art\.)\s*({_LIST})",
    "es": rf"(?<!\w)(?:articulos?|arts?\.)\s*({_LIST})",
    "ru": rf"(?<!\w)(?:стать\w*|ст\.)\s*({_LIST})",
    "ar": r"(?:الماده|المادتين|المادتان|المواد|ماده)\s*\(?\s*(\d+)",
}
_ZH_CITE = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条")
_AR_ORDINAL_CITE = re.compile(
    r"(?:الماده|المادتين|المادتان)\s+((?:ال\w+)(?:\s+(?:و?ال\w+|عشر\w*|بعد\s+الماي?ه))*)"
)
_SPLIT = re.compile(r"\s*(?:,|\bи\b|\band\b|\bor\b|\bet\b|\bou\b|\by\b|\bo\b|\bили\b)\s*")


def _zh_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            total += (digit or 1) * _ZH_UNITS[char]
            digit = 0
        else:
            return None
    return total + digit


def _ar_number(words: str) -> int | None:
    total = 0
    for word in words.split():
        word = word.removeprefix("و") if word.startswith("وال") else word
        if word in _AR_UNITS:
            total += _AR_UNITS[word]
        elif word in _AR_TENS:
            total += _AR_TENS[word]
        elif word.startswith("عشر"):
            total += 10
        elif word in ("بعد",):
            continue
        elif word in ("المايه", "المايه", "الميه"):
            total += 100
        else:
            break
    return total or None


def _key(number: str) -> str:
    number = number.translate(_ARABIC_DIGITS).strip().lower()
    number = re.sub(r"\s+", "", number).replace("l.", "l")
    return number.rstrip(".")


def _keys_of(number: str) -> set[str]:
    """The canonical key of a number and its base without paragraph (345.3 -> 345)."""
    key = _key(number)
    if not key:
        return set()
    base = re.split(r"[.(]", key, maxsplit=1)[0]
    return {key, base} - {""}


def article_keys(article: str, language: str) -> set[str]:
    """The keys under which a provision's own article number is cited."""
    folded = fold(article).translate(_ARABIC_DIGITS)
    if language == "zh":
        found = _ZH_CITE.search(folded)
        if found:
            number = _zh_number(found.group(1))
            return {str(number)} if number is not None else set()
    if language == "ar":
        ordinal = _AR_ORDINAL_CITE.search(folded)
        if ordinal:
            number = _ar_number(ordinal.group(1))
            if number:
                return {str(number)}
    # a letter before the number only as the French codes write it (L.2342-3, R. 1333-4)
    found = re.search(
        r"(?:(?:lo|l|r|d)\.?\s?)?\d+(?:[.\-]\d+)*[a-z]?", folded.replace("u.s.c.", "")
    )
    if found is None:
        return set()
    # "18 U.S.C. 175(b)": the section, not the title
    numbers = re.findall(r"[a-z]?\d+(?:[.\-]\d+)*[a-z]?", folded.replace("u.s.c.", "usc"))
    if "usc" in folded.replace("u.s.c.", "usc") and len(numbers) >= 2:
        return _keys_of(numbers[1])
    keys = _keys_of(found.group(0))
    # 205.1 printed as 205 with a superscript 1 reads "2051" in plain text
    return keys | {k.replace(".", "") for k in keys if re.fullmatch(r"\d+\.\d+", k)}


def cited_keys(text: str, language: str) -> set[str]:
    """The article numbers a provision's text cites."""
    folded = fold(text).translate(_ARABIC_DIGITS)
    keys: set[str] = set()
    if language == "zh":
        for found in _ZH_CITE.finditer(folded):
            number = _zh_number(found.group(1))
            if number is not None:
                keys.add(str(number))
        return keys
    if language == "ar":
        for found in _AR_ORDINAL_CITE.finditer(folded):
            number = _ar_number(found.group(1))
            if number:
                keys.add(str(number))
    pattern = _CITES.get(language)
    if pattern is None:
        return keys
    for cited in re.finditer(pattern, folded):
        for item in _SPLIT.split(cited.group(1)):
            keys |= _keys_of(item)
    return keys


def cited_provisions(items: Sequence[tuple[object, str, str, str]]) -> list[list[int]]:
    """For each (document, article, text, language), the indices of the OTHER items of the same
    document whose article it cites (in order of appearance): the article of exactly that number,
    else the paragraphs of that article (345 -> 345.1, 345.3)."""
    by_document: dict[object, list[int]] = {}
    for index, item in enumerate(items):
        by_document.setdefault(item[0], []).append(index)
    own = [article_keys(article, language) for _, article, _, language in items]
    full = [_key(article) for article, *_ in ((item[1],) for item in items)]
    result: list[list[int]] = []
    for index, (document, _, text, language) in enumerate(items):
        found: list[int] = []
        for wanted in sorted(cited_keys(text, language) - own[index]):
            others = [o for o in by_document[document] if o != index]
            exact = [o for o in others if wanted in own[o] and full[o].endswith(wanted)]
            found.extend(exact or [o for o in others if wanted in own[o]])
        result.append(sorted(set(found)))
    return result


def cited_texts(items: Sequence[tuple[object, str, str, str]]) -> list[list[str]]:
    """For each (document, article, text, language), the texts of the other items of the same
    document it cites by number."""
    return [[items[i][2] for i in cited] for cited in cited_provisions(items)]
