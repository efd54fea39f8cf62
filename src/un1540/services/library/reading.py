"""From a file to what the library stores: text and page map, language per block, provisions
with their links, search passages and their terms, vectors. Pure work, done before anything
is written, so that a file that cannot be read leaves nothing behind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from un1540.analytics.text.extract import ExtractedText, extract_text
from un1540.analytics.text.languages import SUPPORTED, block_language, document_language
from un1540.analytics.text.provisions import SplitProvision, split_provisions
from un1540.analytics.text.tokenise import index_terms
from un1540.errors import InvalidData, Problem
from un1540.errors import text as text_message
from un1540.reference.languages import LANGUAGE_NAMES, N_
from un1540.reference.provisions import provision_patterns

PAGE_PASSAGE = 3_000  # characters: a longer page is indexed in several passages


@dataclass
class ReadProvision:
    split: SplitProvision
    text: str
    page: int
    page_end: int
    language: str
    embedding: bytes | None = None


@dataclass
class ReadPassage:
    kind: str  # provision | page
    provision_index: int | None
    page: int | None
    start: int
    end: int
    language: str
    text: str
    terms: str


@dataclass
class ReadDocument:
    extracted: ExtractedText
    language: str
    languages: dict[str, int]
    provisions: list[ReadProvision] = field(default_factory=list)
    passages: list[ReadPassage] = field(default_factory=list)
    patterns_version: str = ""


def _no_language(name: str, language: str | None) -> InvalidData:
    # the languages by their own names (English, Français, 中文, العربية): a reader of any of
    # them reads the list, and no code is left to decipher
    supported = ", ".join(LANGUAGE_NAMES.get(code, code) for code in SUPPORTED)
    message = (
        text_message(
            N_(
                "%(name)s: the text is in none of the supported languages (%(supported)s; "
                "given: %(given)s)"
            ),
            name=name,
            supported=supported,
            given=LANGUAGE_NAMES.get(language, language),
        )
        if language
        else text_message(
            N_("%(name)s: the text is in none of the supported languages (%(supported)s)"),
            name=name,
            supported=supported,
        )
    )
    return InvalidData(
        N_("the document was not read; nothing was stored"), problems=[Problem("language", message)]
    )


# The writing system of each language: a text declared in one but written in another (a Chinese
# law uploaded with the form's language left on English) is refused, not misread.
SCRIPTS = {
    "en": "Latin",
    "fr": "Latin",
    "es": "Latin",
    "ru": "Cyrillic",
    "zh": "Han",
    "ar": "Arabic",
}


def _wrong_script(name: str, given: str, detected: str) -> InvalidData:
    return InvalidData(
        N_("the document was not read; nothing was stored"),
        problems=[
            Problem(
                "language",
                text_message(
                    N_(
                        "%(name)s is written in %(detected)s, not in %(given)s: choose its "
                        "language, or leave the language to be detected from the text"
                    ),
                    name=name,
                    detected=LANGUAGE_NAMES[detected],
                    given=LANGUAGE_NAMES[given],
                ),
            )
        ],
    )


def _indexed(provision: SplitProvision) -> bool:
    """Articles and sections are indexed and compared; so are schedules (a list of goods)."""
    return provision.level == 2 or provision.kind == "schedule"


def _page_passages(extracted: ExtractedText, language: str) -> list[ReadPassage]:
    passages = []
    ends = [*extracted.page_starts[1:], len(extracted.text) + 2]
    for number, (start, end) in enumerate(zip(extracted.page_starts, ends, strict=True), 1):
        end = min(end - 2, len(extracted.text)) if number < extracted.pages else end - 2
        position = start
        while position < end:
            stop = min(end, position + PAGE_PASSAGE)
            if stop < end:  # cut at a line break
                cut = extracted.text.rfind("\n", position + PAGE_PASSAGE // 2, stop)
                stop = cut if cut > position else stop
            chunk = extracted.text[position:stop]
            if chunk.strip():
                block = block_language(chunk, language) or language
                passages.append(
                    ReadPassage(
                        "page",
                        None,
                        number,
                        position,
                        stop,
                        block,
                        chunk,
                        index_terms(chunk, block),
                    )
                )
            position = stop
    return passages


def analyse(
    extracted: ExtractedText, name: str, language: str | None, *, split: bool
) -> ReadDocument:
    """Language, provisions (when `split`: a law) and passages of extracted text (the vectors
    for "laws like this" are computed after, by actions.embed_provisions)."""
    detected = document_language(extracted.text)
    if language is not None and language not in SUPPORTED:
        raise _no_language(name, language)
    chosen = language or detected
    if chosen is None or (detected is None and extracted.text.strip()):
        raise _no_language(name, language)
    if language and detected and SCRIPTS[language] != SCRIPTS[detected]:
        raise _wrong_script(name, language, detected)
    read = ReadDocument(
        extracted=extracted,
        language=chosen,
        languages={},
        patterns_version=provision_patterns().version,
    )
    counts: Counter[str] = Counter()
    if split:
        for provision in split_provisions(extracted.text, chosen):
            text = extracted.text[provision.start : provision.end]
            block = block_language(text, chosen) if _indexed(provision) else chosen
            read.provisions.append(
                ReadProvision(
                    split=provision,
                    text=text,
                    page=extracted.page_at(provision.start),
                    page_end=extracted.page_at(max(provision.start, provision.end - 1)),
                    language=block or chosen,
                )
            )
    indexed = [i for i, p in enumerate(read.provisions) if _indexed(p.split)]
    if indexed:
        for i in indexed:
            item = read.provisions[i]
            counts[item.language] += len(item.text)
            read.passages.append(
                ReadPassage(
                    "provision",
                    i,
                    item.page,
                    item.split.start,
                    item.split.end,
                    item.language,
                    item.text,
                    index_terms(item.text, item.language),
                )
            )
    else:
        read.passages = _page_passages(extracted, chosen)
        for passage in read.passages:
            counts[passage.language] += len(passage.text)
    read.languages = dict(counts)
    return read


def read_file(
    content: bytes, name: str, language: str | None, *, split: bool, max_bytes: int
) -> ReadDocument:
    """A file read for the library, or InvalidData naming the file and what is wrong."""
    if len(content) > max_bytes:
        raise InvalidData(
            N_("the document was not read; nothing was stored"),
            problems=[
                Problem(
                    "file",
                    text_message(
                        N_("%(name)s is %(count)s MB; the limit is %(max_bytes)s MB"),
                        name=name,
                        count=format(len(content) / 1_000_000, ".1f"),
                        max_bytes=max_bytes // 1_000_000,
                    ),
                )
            ],
        )
    extracted = extract_text(content, name)
    if not extracted.text.strip():  # every page scanned: the language is known after OCR
        fallback = language if language in SUPPORTED else None
        # `languages` says whether the language was given ({"ru": 0}) or is to be detected
        # from what OCR reads ({}: OCR then reads the six languages; ocr_document).
        return ReadDocument(
            extracted=extracted,
            language=fallback or "en",
            languages={fallback: 0} if fallback else {},
        )
    return analyse(extracted, name, language, split=split)
