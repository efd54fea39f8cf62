"""Words with their offsets, and the search terms they stand for, in the six languages.

The index and the query go through the same functions, so a term matches itself:

- Chinese: rjieba's segmentation (jieba's dictionary, in Rust), each word a term, traditional
  characters read as simplified (reference/chinese.py) in the segmentation and the term alike;
  the index also holds the shorter words inside a long one (index_terms);
- Arabic: normalised (normalise.py), then a light stemmer strips the article and the clinging
  conjunctions and prepositions (ال، و، ف، ب، ك، ل and their combinations) from words long
  enough to keep a root of three letters;
- English, French, Spanish, Russian: simplemma 2.0.0's lemma of the normalised word (its
  dictionaries ship in the wheel);
- anything else (numbers, words of other languages): the normalised word.

A query word is looked up under every language that writes its script (a Latin word as
English, French and Spanish), and matches any of those terms, and the terms of the words the
search reads as the same (reference/search-variants.yml: "licence" and "license", the endings
-isation and -ization, an Arabic singular and its broken plural سلاح، أسلحة). Those variants are
the query's alone: the index holds the words as written, so a new variant needs no re-reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from un1540.analytics.text.languages import ARABIC, CYRILLIC, HAN, LANGUAGE_SCRIPT
from un1540.analytics.text.normalise import normalise
from un1540.reference.chinese import to_simplified
from un1540.reference.search_variants import load_search_variants

# Word characters, with the combining marks (Arabic harakat, Latin accents) inside a word.
WORD = re.compile("(?:\\w|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640])+")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LEMMATISED = ("en", "fr", "es", "ru")
LATIN_LANGUAGES = ("en", "fr", "es")
ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
ARABIC_SUFFIXES = ("ات", "ون", "ين", "ان", "ها", "هم")
MAX_TERM = 60  # characters: longer "words" (hashes, runs of digits) are cut


@dataclass(frozen=True)
class Word:
    text: str  # as written
    start: int  # character offsets in the text given
    end: int
    term: str  # the search term it stands for


def arabic_stem(word: str) -> str:
    """A normalised Arabic word without its article or clinging particles, nor a plural
    ending, keeping at least three letters."""
    for prefix in ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    for suffix in ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word


@lru_cache(maxsize=200_000)
def term(word: str, language: str) -> str:
    """The search term of one word (already without spaces) in a language."""
    normal = normalise(word)[:MAX_TERM]
    if not normal or normal.isdigit():
        return normal
    if ARABIC.search(normal):
        return arabic_stem(normal)
    if language in LEMMATISED and not HAN.search(normal):
        import simplemma

        lemma: str = simplemma.lemmatize(normal, lang=language)
        return normalise(lemma)[:MAX_TERM]
    return normal


def _han_words(text: str, offset: int) -> Iterator[tuple[str, int, int]]:
    import rjieba

    # Segmented as simplified (jieba's dictionary is), character for character, so a law in
    # traditional characters splits into the words its simplified wording does; each word is
    # given as written.
    for word, start, end in rjieba.tokenize(to_simplified(text)):
        if word.strip():
            yield text[start:end], offset + start, offset + end


def spans(text: str) -> Iterator[tuple[str, int, int]]:
    """The words of a text as written, with their offsets: runs of word characters, a run of
    Han characters segmented into its words."""
    for match in WORD.finditer(text):
        chunk, start = match.group(), match.start()
        if not HAN.search(chunk):
            yield chunk, start, match.end()
            continue
        position = 0
        for han in HAN_RUN.finditer(chunk):  # a run of Han characters is segmented
            if han.start() > position:
                yield chunk[position : han.start()], start + position, start + han.start()
            yield from _han_words(han.group(), start + han.start())
            position = han.end()
        if position < len(chunk):
            yield chunk[position:], start + position, match.end()


def words(text: str, language: str) -> list[Word]:
    """The words of a text in `language` (one of the six), with offsets and terms."""
    return [
        Word(text=chunk, start=start, end=end, term=term(chunk, language))
        for chunk, start, end in spans(text)
    ]


def index_terms(text: str, language: str, *, parts: bool = True) -> str:
    """The terms of a text as one space-separated string (what the full-text index holds). A
    Chinese word of three characters or more also brings the shorter words inside it (jieba's
    search mode): 化学武器 is indexed as 化学武器 化学 学武 武器, so that a reader's 化学 or 武器
    finds it, as a reader of the other languages finds "chemical" in "chemical weapons".
    `parts=False`: the words alone (the evidence model's word terms, trained so)."""
    terms: list[str] = []
    for word in words(text, language):
        if word.term:
            terms.append(word.term)
            if parts and len(word.term) > 2 and HAN.search(word.term):
                terms.extend(_han_parts(word.term))
    return " ".join(terms)


def indexed_as(read: str) -> tuple[str, ...]:
    """The terms the index holds for one word's term: the term, and for a long Chinese word the
    shorter words inside it (what a query word may have matched, for the snippet's marks)."""
    if len(read) > 2 and HAN.search(read):
        return (read, *_han_parts(read))
    return (read,)


@lru_cache(maxsize=50_000)
def _han_parts(term: str) -> tuple[str, ...]:
    import rjieba

    return tuple(part for part in rjieba.cut_for_search(term) if len(part) > 1 and part != term)


# A language's pairs of endings apply to the words of its script (an English ending is also
# changed in a French word: the index read it as French too, and a change that finds nothing
# costs nothing).
Endings = tuple[re.Pattern[str], int, tuple[tuple[str, str], ...]]


@lru_cache(maxsize=1)
def _variant_groups() -> tuple[dict[str, frozenset[str]], tuple[Endings, ...]]:
    """Each term of reference/search-variants.yml -> the terms it is read as (its group, merged
    with any group that shares a term once the words are read as the index reads them), and
    each language's pairs of endings with its script and shortest word."""
    groups: dict[str, frozenset[str]] = {}
    endings: list[Endings] = []
    for language, variants in load_search_variants().items():
        if variants.suffixes:
            endings.append((LANGUAGE_SCRIPT[language], variants.min_length, variants.suffixes))
        for group in variants.groups:
            merged = {read for word in group for read in (term(word, language), normalise(word))}
            merged.discard("")
            for read in list(merged):
                merged |= groups.get(read, frozenset())
            for read in merged:
                groups[read] = frozenset(merged)
    return groups, tuple(endings)


def spellings(read: str) -> set[str]:
    """The other terms the search reads as `read` (none for most words)."""
    groups, endings = _variant_groups()
    found = set(groups.get(read, ()))
    for script, min_length, pairs in endings:
        if len(read) < min_length or not script.search(read):
            continue
        for one, other in pairs:
            for ending, instead in ((one, other), (other, one)):
                if read.endswith(ending) and len(read) - len(ending) >= 3:
                    found.add(read[: len(read) - len(ending)] + instead)
    found.discard(read)
    return found


def query_terms(query: str) -> list[set[str]]:
    """For each word of a query, the terms it may stand for (under each language that writes
    its script); a passage matches when it has one term of every word."""
    groups: list[set[str]] = []
    for chunk, _, _ in spans(query):
        if HAN.search(chunk):
            languages: tuple[str, ...] = ("zh",)
        elif ARABIC.search(chunk):
            languages = ("ar",)
        elif CYRILLIC.search(chunk):
            languages = ("ru",)
        else:
            languages = LATIN_LANGUAGES
        variants = {term(chunk, language) for language in languages}
        variants.add(normalise(chunk)[:MAX_TERM])
        spelled = set().union(*(spellings(variant) for variant in variants))
        # each other spelling as the index reads it too: "unauthorized" is indexed as its lemma
        variants |= spelled | {term(word, language) for word in spelled for language in languages}
        variants.discard("")
        if variants:
            groups.append(variants)
    return groups
