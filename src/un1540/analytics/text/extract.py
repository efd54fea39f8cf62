"""The text of a document file with its page map: PDF (text layer, pypdf), DOCX (python-docx),
HTML (the standard library's parser) and plain text.

The text of every page is joined into one string; `page_starts[i]` is the offset where page
i + 1 begins, so any character offset maps back to its page (`page_at`). Pages of a PDF with
no text layer (scanned) are listed in `pages_without_text`, for OCR (ocr.py).
"""

from __future__ import annotations

import bisect
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from un1540.analytics.text.languages import ARABIC, LATIN
from un1540.errors import InvalidData, Problem, text
from un1540.reference.languages import N_

PAGE_SEPARATOR = "\n\n"
# A page with fewer letters than this in its text layer is taken as scanned.
MIN_PAGE_LETTERS = 20
READABLE = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/html": "html",
    "text/plain": "text",
}
SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "text"}


@dataclass
class ExtractedText:
    text: str
    page_starts: list[int]
    pages_without_text: list[int] = field(default_factory=list)  # 1-based page numbers

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int:
        """The 1-based page holding the character at `offset`."""
        return max(1, bisect.bisect_right(self.page_starts, offset))


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """One text of the pages, and the offset where each begins."""
    starts, parts, position = [], [], 0
    for number, page in enumerate(pages):
        if number:
            parts.append(PAGE_SEPARATOR)
            position += len(PAGE_SEPARATOR)
        starts.append(position)
        parts.append(page)
        position += len(page)
    return "".join(parts), starts


def _fail(name: str, message: str, **values: object) -> InvalidData:
    """The refusal of a file that cannot be read: `message` (marked N_, its %(name)s the file's
    name) is translated where it is shown, with the file named."""
    return InvalidData(
        N_("the document was not read; nothing was stored"),
        problems=[Problem("file", text(message, name=name, **values))],
    )


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return re.sub(r"[ \t\u00a0]+\n", "\n", text)


# pypdf puts each Arabic run of a line in reading order but lays the runs of a line out left to
# right, as they are drawn: a line that mixes Arabic with digits or Latin words comes out with
# its runs reversed ("1 المادة" for "المادة 1", "القانون.1 يعاقب ... المادة" for "يعاقب ...
# المادة 1 من هذا القانون."; py-pdf/pypdf#1638 and #1629), and the brackets around a number
# drawn mirrored (")2(" for "(2)"). An Arabic line (more Arabic letters than Latin ones) is put
# back in reading order: its runs reversed, the brackets of the runs between them turned back.
ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0660-\u0669\u066e-\u06d3\u06fa-\u06ff]")
LATIN_OR_DIGIT = re.compile(r"[A-Za-z\u00c0-\u024f0-9]")
# an Arabic run: from an Arabic letter to the last Arabic letter or mark before a Latin letter
# or digit, with the punctuation that ends it ("القانون." keeps its full stop)
ARABIC_RUN = re.compile(
    f"{ARABIC.pattern}(?:[^A-Za-z\u00c0-\u024f0-9]*{ARABIC.pattern})?"
    r"[.,:;!?\u060c\u061b\u061f]*"
)
MIRRORED = str.maketrans("()[]{}<>", ")(][}{><")


def arabic_line_in_reading_order(line: str) -> str:
    """A line of pypdf's text in reading order when it is an Arabic line mixing runs of
    directions; any other line as it is."""
    arabic = len(ARABIC_LETTER.findall(line))
    latin = len(LATIN.findall(line))
    if not arabic or arabic < latin or not LATIN_OR_DIGIT.search(line):
        return line
    runs: list[str] = []
    position = 0
    for run in ARABIC_RUN.finditer(line):
        between = line[position : run.start()].strip()
        if between:
            runs.append(between.translate(MIRRORED))
        runs.append(run.group().strip())
        position = run.end()
    rest = line[position:].strip()
    if rest:
        runs.append(rest.translate(MIRRORED))
    if len(runs) < 2:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return indent + " ".join(reversed(runs))


def pdf_text(content: bytes, name: str) -> ExtractedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _fail(
                name, N_("%(name)s: the PDF is encrypted with a password; give an unprotected copy")
            )
        count = len(reader.pages)
    except InvalidData:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise _fail(
            name, N_("%(name)s: the PDF is damaged and cannot be read (%(error)s)"), error=error
        ) from error
    except Exception as error:  # pypdf raises many kinds on broken files
        if "crypt" in str(error).lower():
            raise _fail(
                name, N_("%(name)s: the PDF is encrypted; give an unprotected copy")
            ) from error
        raise _fail(
            name, N_("%(name)s: the PDF is damaged and cannot be read (%(error)s)"), error=error
        ) from error
    if count == 0:
        raise _fail(name, N_("%(name)s: the PDF has no pages"))
    pages, scanned = [], []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = _clean(page.extract_text() or "")
            text = "\n".join(arabic_line_in_reading_order(line) for line in text.split("\n"))
        except Exception as error:  # a broken page is one page without text, not fatal
            text = ""
            del error
        if sum(character.isalpha() for character in text) < MIN_PAGE_LETTERS:
            scanned.append(number)
            text = ""
        pages.append(text)
    text, starts = join_pages(pages)
    return ExtractedText(text=text, page_starts=starts, pages_without_text=scanned)


def docx_text(content: bytes, name: str) -> ExtractedText:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise _fail(name, N_("%(name)s: the file is not a Word document (DOCX)"))
        document = docx.Document(io.BytesIO(content))
    except InvalidData:
        raise
    except Exception as error:
        raise _fail(
            name, N_("%(name)s: the file is not a Word document (DOCX) that can be read")
        ) from error
    pages: list[str] = []
    lines: list[str] = []
    for paragraph in document.paragraphs:
        if 'w:type="page"' in paragraph._p.xml and lines:  # an explicit page break
            pages.append("\n".join(lines))
            lines = []
        lines.append(paragraph.text)
    pages.append("\n".join(lines))
    text, starts = join_pages([_clean(page) for page in pages])
    return ExtractedText(text=text, page_starts=starts)


BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head"}:
            self.skip += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"}:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _decoded(content: bytes, name: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(
            name, N_("%(name)s: the text is not UTF-8 (byte %(byte)s)"), byte=error.start
        ) from error


def html_text(content: bytes, name: str) -> ExtractedText:
    parser = _TextOfHtml()
    parser.feed(_decoded(content, name))
    parser.close()
    text = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    text = re.sub(r"\n\s*\n+", "\n", text).strip()
    return ExtractedText(text=text, page_starts=[0])


def plain_text(content: bytes, name: str) -> ExtractedText:
    """Plain text; a form feed starts a new page."""
    text, starts = join_pages([_clean(page) for page in _decoded(content, name).split("\f")])
    return ExtractedText(text=text, page_starts=starts)


def readable_format(content: bytes, name: str) -> str:
    """pdf, docx, html or text, from the file's first bytes and its name; InvalidData for any
    other file."""
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        if not content.startswith(b"PK\x03\x04"):
            raise _fail(
                name, N_("%(name)s: the file is named .docx but is not a Word document (DOCX)")
            )
        return "docx"
    if content.startswith(b"%PDF-"):
        return "pdf"
    if suffix == ".pdf":
        raise _fail(name, N_("%(name)s: the file is named .pdf but is not a PDF"))
    if suffix in {".html", ".htm", ".txt"}:
        return SUFFIXES[suffix]
    raise _fail(
        name,
        N_(
            "%(name)s: this type of file cannot be read for its text; give a PDF, DOCX, HTML "
            "or text file"
        ),
    )


def extract_text(content: bytes, name: str) -> ExtractedText:
    """The text of a file and its page map; InvalidData naming the file when it cannot be read."""
    if not content:
        raise _fail(name, N_("%(name)s: the file is empty"))
    kind = readable_format(content, name)
    reader = {"pdf": pdf_text, "docx": docx_text, "html": html_text, "text": plain_text}[kind]
    extracted = reader(content, name)
    if not extracted.text.strip() and not extracted.pages_without_text:
        raise _fail(name, N_("%(name)s: the file holds no text"))
    return extracted
