"""A law split into its provisions by the heading patterns of its language
(reference/provision-patterns.yml), and the references between them.

Offsets are in the document's text (extract.py), so each provision maps back to its page.
A provision runs from its heading to the next heading of the same or a higher level (a
chapter holds its articles, an article its paragraphs); level-3 headings (paragraphs, items)
count only inside a level-2 provision (an article or section), so that a numbered list in a
preamble is not taken for paragraphs.

A law with no article or section heading at all (a short decree, a text pasted or scanned
without its numbering) is read as its paragraphs instead: level-2 provisions of kind
"paragraph", numbered in order ("¶ 3"), so that it can still be searched by provision,
compared and given evidence suggestions. Those numbers are the library's count, not the
law's: the portal says so on the document's page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from un1540.analytics.text.normalise import normalise
from un1540.reference.chinese import to_simplified
from un1540.reference.provisions import (
    HeadingPattern,
    LanguagePatterns,
    ProvisionPatterns,
    provision_patterns,
)

CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
CHINESE_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
MAX_HEADING = 200
# A paragraph of a law without headings: a shorter run of lines (a title, a lone number, a
# line broken by a PDF) joins the next line; a longer one is closed at the next line break.
PARAGRAPH_MIN = 80
PARAGRAPH_MAX = 1_500
PARAGRAPH_TITLE = 80  # characters of a paragraph's opening words shown as its heading
PARAGRAPH_LABEL = "¶"
SENTENCE_END = re.compile(r"[.!?。！？؟][\"'”’»)）]*$")
SENTENCES = re.compile(r"[^.!?。！？؟]*(?:[.!?。！？؟]+[\"'”’»)）]*\s*|$)")
LINE = re.compile(r"[^\n]*\n?")


def chinese_number(text: str) -> int | None:
    """十二 -> 12, 一百二十 -> 120, 二百零五 -> 205; None if it is not one."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for character in text:
        if character in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[character]
        elif character in CHINESE_UNITS:
            total += (digit or 1) * CHINESE_UNITS[character]
            digit = 0
        else:
            return None
    return total + digit


CYRILLIC_ROMAN = str.maketrans("ХІС", "XIC")  # Статья ХIII: a Cyrillic Х typed for X


def roman_number(text: str) -> int | None:
    text = text.translate(CYRILLIC_ROMAN)
    if not text or any(character not in ROMAN for character in text):
        return None
    values = [ROMAN[character] for character in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def canonical_number(
    raw: str, suffix: str | None, language: str, patterns: ProvisionPatterns
) -> str:
    """One spelling of a provision's number: "12", "120-1", "6 bis", "L.2342-3", "205.1"."""
    raw = raw.strip()
    words = {normalise(word): value for word, value in patterns.numbers.get(language, {}).items()}
    number: str
    if raw.isdigit():
        number = str(int(raw))
    elif language == "zh" and chinese_number(raw) is not None:
        number = str(chinese_number(raw))
    elif re.sub(r"\s+و\s*", " و", normalise(raw)) in words:
        number = str(words[re.sub(r"\s+و\s*", " و", normalise(raw))])
    elif _number_words(normalise(raw), words) is not None:  # noventa y cuatro -> 94
        number = str(_number_words(normalise(raw), words))
    elif roman_number(raw) is not None and language != "zh":
        number = str(roman_number(raw))
    else:
        number = re.sub(r"\s+", "", raw)
        if re.match(r"^(LO|L|R|D)\.?\d", number):  # French codes: L.2342-3
            number = re.sub(r"^(LO|L|R|D)\.?", r"\1.", number)
    if suffix:
        mapped = patterns.suffixes.get(suffix.strip()) or patterns.suffixes.get(
            normalise(suffix.strip())
        )
        if mapped is None:
            mapped = normalise(suffix.strip())
        number = f"{number}-{mapped}" if mapped.isdigit() else f"{number} {mapped}"
    return number


def _number_words(raw: str, words: dict[str, int]) -> int | None:
    """A number written in several words, each in the language's table: their sum
    ("ciento veinte" -> 120, "noventa y cuatro" -> 94); None if a word is not a number."""
    parts = [part for part in raw.split() if part not in ("y", "et")]
    if len(parts) < 2 or any(part not in words for part in parts):
        return None
    return sum(words[part] for part in parts)


def number_key(number: str) -> str:
    """What two spellings of one number share (for matching references)."""
    return re.sub(r"[\s.]", "", normalise(number))


@dataclass
class SplitProvision:
    kind: str
    level: int
    number: str
    label: str  # the heading as written up to the title: "第十二条", "Article L. 2342-3"
    heading: str  # the title on the heading line, if any
    start: int
    end: int
    parent: int | None = None  # index in the list
    references: list[tuple[str, str]] = field(default_factory=list)  # (number key, kind)

    @property
    def key(self) -> str:
        return number_key(self.number)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    position = 0
    for line in text.splitlines(keepends=True):
        yield position, line.rstrip("\r\n")
        position += len(line)


def _match(
    line: str, headings: tuple[HeadingPattern, ...], in_article: bool
) -> tuple[int, re.Match[str]] | None:
    for index, heading in enumerate(headings):
        if heading.level == 3 and not in_article:
            continue
        found = heading.pattern.match(line)
        if found is not None:
            return index, found
    return None


# A 1 that OCR read as a letter, before a digit ("ARTICULO l6", "Article I2", "Art.|5"): read
# as 1 in the headings and references (one character for one: offsets and labels stay as
# written). No number is written so; a Roman I is never followed by a digit.
OCR_ONE = re.compile(r"(?<=[\s.])[lI|](?=\d)")


def _ocr_digits(text: str) -> str:
    return OCR_ONE.sub("1", text)


def split_provisions(
    text: str, language: str, patterns: ProvisionPatterns | None = None
) -> list[SplitProvision]:
    """The provisions of a law's text in `language`, in order, with parents, ends and the
    references each makes to another of the same text."""
    patterns = patterns or provision_patterns()
    rules = patterns.languages.get(language)
    if rules is None:
        return []
    # Chinese headings and references are written in simplified characters (第十二条); a law of
    # Taiwan, Hong Kong or Macao (第十二條) is read as simplified, one character for one, so
    # every offset, label and heading still comes from the text as written.
    reading = to_simplified(text) if language == "zh" else _ocr_digits(text)
    found = _headed(text, reading, rules.headings, language, patterns)
    if rules.numbered and not any(provision.level == 2 for provision in found):
        numbered = _headed(text, reading, rules.headings + rules.numbered, language, patterns)
        if _in_order([provision for provision in numbered if provision.level == 2]):
            found = numbered
    if not any(provision.level == 2 for provision in found):
        containers = [p for p in found if p.level == 1]
        return _without_articles(
            text, containers, _points(text, reading, rules, language, patterns)
        )
    _link(reading, found, rules, language, patterns)
    return found


def _headed(
    text: str,
    reading: str,
    headings: tuple[HeadingPattern, ...],
    language: str,
    patterns: ProvisionPatterns,
) -> list[SplitProvision]:
    """The provisions that `headings` start, line by line, with their parents and ends."""
    found: list[SplitProvision] = []
    open_levels: list[int] = []  # indexes of the provisions enclosing the current line
    for offset, read_line in _lines(reading):
        line = text[offset : offset + len(read_line)]
        in_article = any(found[i].level == 2 for i in open_levels)
        matched = _match(read_line, headings, in_article)
        if matched is None:
            continue
        index, match = matched
        pattern = headings[index]
        groups = match.groupdict()
        raw_number = groups.get("number") or pattern.number or ""
        if not raw_number and pattern.kind != "schedule":
            continue
        number = canonical_number(raw_number or "1", groups.get("suffix"), language, patterns)
        title_start = match.start("heading") if groups.get("heading") else None
        heading = (
            line[title_start : match.end("heading")].strip()[:MAX_HEADING]
            if title_start is not None
            else ""
        )
        rest_start = match.start("rest") if groups.get("rest") is not None else None
        cut = title_start if title_start is not None else rest_start
        label = line[: cut if cut is not None else len(line)].strip().rstrip(".:：-–—").strip()
        while open_levels and found[open_levels[-1]].level >= pattern.level:
            found[open_levels.pop()].end = offset
        provision = SplitProvision(
            kind=pattern.kind,
            level=pattern.level,
            number=number,
            label=label[:MAX_HEADING],
            heading=heading,
            start=offset + len(line) - len(line.lstrip()),
            end=len(text),
            parent=open_levels[-1] if open_levels else None,
        )
        found.append(provision)
        open_levels.append(len(found) - 1)
    for provision in found:
        provision.end = _trimmed_end(text, provision.start, provision.end)
    return found


def _in_order(sections: list[SplitProvision]) -> bool:
    """Whether bare numbers read as headings number the law: at least two, and each but one in
    five higher than the one before (a numbered list in a text, or dates, are not)."""
    numbers = [  # 21A before 21E, 72.3 before 101.1
        (int(match.group(1)), match.group(2))
        for p in sections
        if (match := re.match(r"(\d+)(.*)", p.number))
    ]
    if len(numbers) < 2 or len(numbers) < len(sections):
        return False
    rising = sum(later > earlier for earlier, later in pairwise(numbers))
    return rising >= 0.8 * (len(numbers) - 1)


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line's text, without its indent and trailing blanks; a line
    longer than a paragraph (a whole law on one line) in pieces at its sentence ends. An
    empty line is (offset, offset)."""
    for offset, line in _lines(text):
        start = offset + len(line) - len(line.lstrip())
        end = offset + len(line.rstrip())
        if end - start <= PARAGRAPH_MAX:
            yield start, max(start, end)
            continue
        piece_start = start
        for sentence in SENTENCES.finditer(text, start, end):
            if sentence.end() - piece_start > PARAGRAPH_MAX and sentence.start() > piece_start:
                yield piece_start, _trimmed_end(text, piece_start, sentence.start())
                piece_start = sentence.start()
        yield piece_start, end


def _points(
    text: str, reading: str, rules: LanguagePatterns, language: str, patterns: ProvisionPatterns
) -> dict[int, SplitProvision]:
    """The numbered points of a law without articles ("1. Утвердить ...", "(2) No person"),
    by the offset where each starts: the paragraph patterns of its language, read as the law's
    own provisions (a decree is cited by its points)."""
    points: dict[int, SplitProvision] = {}
    for offset, read_line in _lines(reading):
        for heading in rules.headings:
            match = heading.pattern.match(read_line) if heading.level == 3 else None
            if match is None or not match.groupdict().get("number"):
                continue
            line = text[offset : offset + len(read_line)]
            rest = match.start("rest") if match.groupdict().get("rest") is not None else None
            label = line[: rest if rest is not None else len(line)].strip()
            start = offset + len(line) - len(line.lstrip())
            points[start] = SplitProvision(
                kind=heading.kind,
                level=2,
                number=canonical_number(match.group("number"), None, language, patterns),
                label=label.rstrip(".:：-–—").strip()[:MAX_HEADING] or label[:MAX_HEADING],
                heading=opening_words(line[rest:]) if rest is not None else "",
                start=start,
                end=start,
            )
            break
    return points


def _without_articles(
    text: str, containers: list[SplitProvision], points: dict[int, SplitProvision]
) -> list[SplitProvision]:
    """A law without article headings as its numbered points when it has at least two, and
    its other text as paragraphs counted by the library (¶ 1, ¶ 2), inside the containers
    (chapters, schedules) that were found; a container's heading line belongs to none."""
    if len(points) < 2:
        points = {}
    headings = {container.start for container in containers}
    provisions: list[SplitProvision] = []
    current: SplitProvision | None = None
    in_point = False  # the current provision is one of the law's points, not a ¶ paragraph
    counted = 0

    def close() -> None:
        nonlocal current, counted
        if current is None:
            return
        current.end = _trimmed_end(text, current.start, current.end)
        if not in_point:
            counted += 1
            # Numbered "¶ 3", never "3": the law's own point 3 is another provision.
            current.number = current.label = f"{PARAGRAPH_LABEL} {counted}"
            current.heading = opening_words(text[current.start : current.end])
        provisions.append(current)
        current = None

    for piece_start, piece_end in _pieces(text):
        if piece_start in headings:
            close()
        elif piece_start in points:
            close()
            current, in_point = points[piece_start], True
            current.end = piece_end
        elif current is not None and in_point:
            current.end = max(current.end, piece_end)  # a point runs to the next heading
        elif piece_start == piece_end:  # a blank line ends a paragraph long enough
            if current is not None and current.end - current.start >= PARAGRAPH_MIN:
                close()
        else:
            if current is not None and piece_end - current.start > PARAGRAPH_MAX:
                close()
            if current is None:
                current, in_point = (
                    SplitProvision("paragraph", 2, "", "", "", piece_start, piece_end),
                    False,
                )
            current.end = piece_end
            long_enough = current.end - current.start >= PARAGRAPH_MIN
            if long_enough and SENTENCE_END.search(text, current.start, current.end):
                close()
    close()
    ordered = sorted(containers + provisions, key=lambda provision: provision.start)
    position = {id(provision): index for index, provision in enumerate(ordered)}
    for provision in ordered:
        enclosing = [c for c in containers if c.start < provision.start <= c.end]
        inner = max(enclosing, key=lambda c: c.start, default=None)
        provision.parent = position[id(inner)] if inner is not None else None
    return ordered


def opening_words(paragraph: str) -> str:
    """A paragraph's first words, to tell it apart in a list: cut at a space when there is
    one (not in Chinese), with an ellipsis when cut."""
    flat = " ".join(paragraph.split())
    if len(flat) <= PARAGRAPH_TITLE:
        return flat
    cut = flat.rfind(" ", PARAGRAPH_TITLE // 2, PARAGRAPH_TITLE)
    return flat[: cut if cut > 0 else PARAGRAPH_TITLE] + "…"


def _trimmed_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _listed(
    body: str, match: re.Match[str], rules: LanguagePatterns
) -> tuple[list[re.Match[str]], int]:
    """A reference and the numbers listed after it ("articles 1 et 2", "sections 3, 4 and
    5"), each a match with a `number` group, and where the list ends."""
    found = [match]
    end = match.end()
    if rules.reference_list is not None:
        while (more := rules.reference_list.match(body, end)) is not None and more.end() > end:
            found.append(more)
            end = more.end()
    return found, end


def _another_laws(body: str, start: int, end: int, rules: LanguagePatterns) -> bool:
    """Whether the provisions cited at body[start:end] are another law's: its name follows
    ("of the Criminal Code", "du code pénal") or comes just before (《刑法》第二条)."""
    if rules.other_law_after is not None and rules.other_law_after.match(body, end):
        return True
    before = rules.other_law_before
    return before is not None and before.search(body[max(0, start - 80) : start]) is not None


def _link(
    text: str,
    provisions: list[SplitProvision],
    rules: LanguagePatterns,
    language: str,
    patterns: ProvisionPatterns,
) -> None:
    """References from a level-2 provision to another level-2 provision of the same text;
    "penalty_for" when the referring provision is a penalty provision."""
    articles = {p.key: p for p in provisions if p.level == 2}
    for provision in provisions:
        if provision.level != 2:
            continue
        body = text[provision.start : provision.end]
        first_line = body.split("\n", 1)[0]
        # The heading line's own number is not a reference (Chinese and Arabic articles start
        # their text on the heading line: skip the label only).
        label = to_simplified(provision.label) if language == "zh" else provision.label
        body = body[len(label) :] if first_line.startswith(label) else body
        lowered = body.casefold()
        penalty = any(cue.casefold() in lowered for cue in rules.penalties)
        seen: set[str] = set()
        for pattern in rules.references:
            listed_to = 0  # a list's later numbers are not references of their own
            for match in pattern.finditer(body):
                if match.start() < listed_to:
                    continue
                cited, end = _listed(body, match, rules)
                listed_to = end
                if _another_laws(body, match.start(), end, rules):
                    continue
                for found in cited:
                    number = canonical_number(
                        found.group("number"), found.groupdict().get("suffix"), language, patterns
                    )
                    key = number_key(number)
                    if key == provision.key or key in seen or key not in articles:
                        continue
                    seen.add(key)
                    provision.references.append((key, "penalty_for" if penalty else "refers_to"))
