"""Traditional Chinese read as simplified, character for character (zh-traditional-simplified.txt,
OpenCC's character table): laws of Taiwan, Hong Kong and Macao are written in traditional
characters, the evidence lexicon and most readers' queries in simplified ones."""

from __future__ import annotations

from functools import cache

from un1540.reference.files import reference_path

TRADITIONAL_FILE = "zh-traditional-simplified.txt"


@cache
def traditional_to_simplified() -> dict[str, str]:
    """Traditional character -> its simplified form (characters without one are not listed)."""
    text = reference_path(TRADITIONAL_FILE).read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    table = {traditional: simplified for traditional, simplified in pairs}
    # A few simplified forms are themselves listed as traditional (薴 -> 苧 -> 苎): follow the
    # chain, so folding twice changes nothing.
    for traditional, simplified in table.items():
        seen = {traditional}
        while simplified in table and simplified not in seen:
            seen.add(simplified)
            simplified = table[simplified]
        table[traditional] = simplified
    return table


@cache
def _translation() -> dict[int, str]:
    return {
        ord(traditional): simplified
        for traditional, simplified in traditional_to_simplified().items()
    }


def to_simplified(text: str) -> str:
    """`text` with every traditional character in its simplified form (same length, same
    offsets: one character for one)."""
    return text.translate(_translation())
