"""Reading scanned PDF pages: Debian's pdftoppm (poppler-utils) renders a page, Debian's
tesseract-ocr reads it with the language packs of the six languages
(tesseract-ocr-ara, -chi-sim, -eng, -fra, -rus, -spa). Both run as programs; a page that fails
is reported with its reason, never fatal to the document.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TESSERACT_LANGUAGES = {
    "ar": "ara",
    "zh": "chi_sim",
    "en": "eng",
    "fr": "fra",
    "ru": "rus",
    "es": "spa",
}
RESOLUTION = 300  # dots per inch for rendering a page
TIMEOUT = 120  # seconds per page and program
# A page whose words OCR read with a mean confidence under this is left out: a printed page
# reads at 90 and more, specks and drawings at 10 to 20 (session 28's trial).
MIN_CONFIDENCE = 50.0


@dataclass(frozen=True)
class PageReading:
    page: int
    text: str
    error: str = ""


def available() -> bool:
    """Whether both programs are installed."""
    return shutil.which("tesseract") is not None and shutil.which("pdftoppm") is not None


def languages_for(language: str | None) -> str:
    """Tesseract's language list: the document's language, with English (headings, numbers);
    all six when the language is not known."""
    if language in TESSERACT_LANGUAGES:
        codes = dict.fromkeys([TESSERACT_LANGUAGES[language or "en"], "eng"])
        return "+".join(codes)
    return "+".join(TESSERACT_LANGUAGES.values())


def read_page(pdf: Path, page: int, language: str | None) -> PageReading:
    """The text of one page of a PDF, read by OCR."""
    if not available():
        return PageReading(page, "", "OCR is not installed (tesseract-ocr, poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="un1540-ocr-") as folder:
        prefix = Path(folder) / "page"
        try:
            subprocess.run(
                ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(RESOLUTION), "-gray",
                 "-png", "-singlefile", str(pdf), str(prefix)],
                check=True, capture_output=True, timeout=TIMEOUT,
            )  # fmt: skip
            # One run writes the text and each word's confidence (txt and tsv).
            subprocess.run(
                ["tesseract", f"{prefix}.png", str(prefix), "-l", languages_for(language),
                 "txt", "tsv"],
                check=True, capture_output=True, timeout=TIMEOUT,
            )  # fmt: skip
            text = Path(f"{prefix}.txt").read_text("utf-8", "replace").replace("\f", "").strip()
            text = without_spaces_between_chinese(text)
            confidence = mean_confidence(Path(f"{prefix}.tsv").read_text("utf-8", "replace"))
        except subprocess.TimeoutExpired:
            return PageReading(page, "", f"page {page}: OCR took longer than {TIMEOUT} s")
        except (subprocess.CalledProcessError, OSError) as error:
            detail = getattr(error, "stderr", b"") or b""
            message = detail.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(error)]
            return PageReading(page, "", f"page {page}: OCR failed ({message[0]})")
    if not text:
        return PageReading(page, "", f"page {page}: OCR found no text")
    if confidence < MIN_CONFIDENCE:
        # Specks or a drawing read as words ("eA aS" eines" at 13%): kept, they would be
        # quoted as the law's text (session 28's trial).
        return PageReading(
            page, "", f"page {page}: OCR was not confident of what it read ({confidence:.0f}%)"
        )
    return PageReading(page, text)


# Chinese characters and their punctuation (CJK symbols, full-width forms)
_CHINESE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_SPACES_BETWEEN_CHINESE = re.compile(f"(?<=[{_CHINESE}])[ \t]+(?=[{_CHINESE}])")


def without_spaces_between_chinese(text: str) -> str:
    """The text without the spaces tesseract puts between Chinese characters when it reads
    several languages at once ("第 一 条 为 了"; with chi_sim alone it writes none): the
    lexicon's Chinese terms and the penalty cues are matched without spaces (review of
    session 28: 2 concepts matched of 10)."""
    return _SPACES_BETWEEN_CHINESE.sub("", text)


def mean_confidence(tsv: str) -> float:
    """The mean confidence (0-100) of the words of tesseract's TSV output (its 11th column,
    -1 on lines that are not words); 0 when it read no word."""
    values = []
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) >= 12 and cells[11].strip():
            try:
                value = float(cells[10])
            except ValueError:
                continue
            if value >= 0:
                values.append(value)
    return sum(values) / len(values) if values else 0.0
